#pragma once
// escprov pack's engine: an unpacked tree into a solution zip that reads like a CRM export.
// customizations.xml is streamed from the tree into a temporary file, then zipped.

#include "pack/layout.hpp"
#include "solution/input.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::pack {

struct PackOptions {
    solution::InputLimits limits;
    PackageType package_type = PackageType::unmanaged;
    bool overwrite = false; // replace an existing zip
    bool strict = false;    // missing part files are errors: nothing is written
    // Shown the tree files read out of the tree's count, then the zip being written; may be null.
    Progress* progress = nullptr;
};

struct PackResult {
    std::vector<std::string> missing_parts; // tree files a component names but the tree lacks
    size_t entries = 0;                     // zip entries written
    bool written = false;                   // false when --strict stopped it
};

struct PartPlan {
    std::map<std::string, std::string> parts; // zip entry name -> tree path, sorted by entry name
    std::vector<std::string> missing;         // tree paths components name but the tree lacks
};

// Decides the zip parts of `tree` (whose sorted file list is `files`): web-resource content
// named by each .data.xml's FileName, every other file outside the XML layout at its own path,
// and which named files are missing. Throws xml::ParseError, Error(input) for an unsafe FileName.
PartPlan plan_parts(const std::filesystem::path& tree, const std::vector<std::string>& files,
                    const xml::Limits& limits);

// Packs `tree` into `zip_path` (atomically). Throws Error(output) when `zip_path` exists and
// overwrite is off, Error(input)/xml::ParseError for a bad tree, Error(output) when writing fails.
PackResult pack(const std::filesystem::path& tree, const std::filesystem::path& zip_path, const PackOptions& options);

} // namespace escprov::pack
