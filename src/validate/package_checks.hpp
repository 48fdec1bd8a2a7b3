#pragma once
// Checks of a zip as a package: [Content_Types].xml covers every part.

#include "validate/finding.hpp"

#include <string>
#include <vector>

namespace escprov::validate {

// `content_types` is the text of [Content_Types].xml, `parts` every zip entry other than
// [Content_Types].xml itself; `file` the display name of [Content_Types].xml. Every part with an
// extension needs a <Default> for it (or an <Override>); a part without one needs an
// <Override>. Throws xml::ParseError when [Content_Types].xml is not well-formed.
void check_content_types(const std::string& content_types, const std::string& file,
                         const std::vector<std::string>& parts, Findings& findings);

} // namespace escprov::validate
