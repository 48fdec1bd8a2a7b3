#pragma once
// escprov unpack's engine: a solution zip into SolutionPackager's folder layout. customizations.xml
// is streamed; only one component (an entity, a role, ...) is in memory at a time, except the
// relationships, which are grouped by entity before they are written.

#include "solution/input.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

namespace escprov::pack {

// What unpack does when the target folder exists and is not empty.
enum class ExistingTarget {
    refuse,       // exit 2, nothing touched
    overwrite,    // files the solution has replace those in the folder; other files stay
    allow_delete, // the folder becomes exactly the solution's tree (other files are deleted)
};

struct UnpackOptions {
    solution::InputLimits limits;
    ExistingTarget existing = ExistingTarget::refuse;
    // Called with the number of components written so far (for a progress line); may be empty.
    std::function<void(size_t)> progress;
};

struct UnpackResult {
    size_t files = 0;      // files written into the tree
    size_t components = 0; // component files among them
};

// Unpacks `zip_path` into `folder`, atomically: the tree is built beside `folder` and renamed
// into place. Throws Error(usage) when `folder` is not empty and options.existing is refuse,
// Error(input)/xml::ParseError for a bad or hostile solution, Error(output) when writing fails.
UnpackResult unpack(const std::filesystem::path& zip_path, const std::filesystem::path& folder,
                    const UnpackOptions& options);

} // namespace escprov::pack
