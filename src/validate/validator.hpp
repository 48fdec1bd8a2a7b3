#pragma once
// `escprov validate` without the command line: checks one solution (zip, unpacked folder, or
// loose customizations.xml / solution.xml) and returns its findings.

#include "solution/input.hpp"
#include "validate/compat_checks.hpp"
#include "validate/finding.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace escprov {
class Progress;
}

namespace escprov::validate {

struct Options {
    solution::InputLimits limits;
    std::optional<std::filesystem::path> schemas; // --schemas DIR: run the XSD checks
    CompatOptions compat;                         // the import-compatibility check (the command turns it on)
    Progress* progress = nullptr;                 // shown the bytes of a zip's customizations.xml read
    std::string progress_step;                    // the step's name on `progress` ("checking the package")
};

// Checks `path`. Findings come back sorted by file, line, column and code. When the input
// cannot be checked at all (missing, unreadable, not a solution, hostile: DOCTYPE or a
// safety limit), `failure` says why and the findings hold what was found before. Throws only
// Interrupted.
PathReport validate_path(const std::filesystem::path& path, const Options& options);

} // namespace escprov::validate
