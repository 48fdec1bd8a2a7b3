#pragma once
// Reads an unpacked solution tree (and the connector's templates beside it) into a Description.
// customizations.xml is streamed as pack would assemble it; only one component (an entity with
// its forms and views, a role, a relationship...) is materialised at a time.

#include "describe/model.hpp"
#include "solution/input.hpp"

#include <filesystem>
#include <optional>

namespace escprov::describe {

// Reads `tree` (an unpacked SolutionPackager folder) and, when `templates` is given, its
// templates/form-tab-<entity>.xml and templates/sitemap.xml ({{lcid}} read as 1033). Ranges come
// from tree/Other/escprov-targets.txt when present. Throws Error(input) naming the path when
// `tree` is missing or is not a tree, xml::ParseError for malformed or hostile XML, and
// Error(limit) when a limit is exceeded.
Description read_description(const std::filesystem::path& tree, const std::optional<std::filesystem::path>& templates,
                             const solution::InputLimits& limits);

} // namespace escprov::describe
