#pragma once
// Checks of solution.xml alone: the manifest's required fields and the <Managed> flag against
// the file name.

#include "solution/manifest.hpp"
#include "validate/finding.hpp"

#include <string_view>

namespace escprov::validate {

// Required fields, version attributes and formats, and well-formed RootComponents.
void check_manifest(const solution::Manifest& manifest, Findings& findings);

// ESC-MAN-006 when `file_name` (a zip's name) says managed and <Managed> says otherwise, or
// the reverse. Exports are named X_managed.zip and X.zip, but names lie: this only warns.
void check_managed_name(const solution::Manifest& manifest, std::string_view file_name, Findings& findings);

} // namespace escprov::validate
