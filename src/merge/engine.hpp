#pragma once
// escprov merge's engine: the connector merged into a customer's exported customisations, by
// identity (DESIGN.md §5). The base is read twice at most, streaming: once to find what the merge
// touches and what conflicts, and (in full mode) once more to write it through with the touched
// components replaced. Only touched components are ever in memory.

#include "connector/connector.hpp"
#include "merge/options.hpp"
#include "merge/report.hpp"
#include "pack/unpack.hpp"
#include "solution/input.hpp"

#include <filesystem>

namespace escprov::merge {

// Merges the connector at `connector` into `base` (a zip, an unpacked tree or a loose
// customizations.xml) and writes the result to `out` as an unpacked tree, atomically. When a
// conflict stays unresolved nothing is written and the report says why (report.succeeded() is
// false). options.before_commit runs between staging the tree and committing it. Throws
// Error(usage) for a target the connector does not support, Error(output) for an `out` that is not
// empty (without options.existing) or cannot be written, Error(input)/xml::ParseError for an
// unreadable base or connector.
Report merge(const std::filesystem::path& base, const connector::ConnectorSource& connector,
             const MergeOptions& options, const std::filesystem::path& out);

} // namespace escprov::merge
