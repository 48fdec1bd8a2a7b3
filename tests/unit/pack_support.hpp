#pragma once
// Helpers for the pack/unpack tests: canonical XML comparison (as C14N sees it, after dropping
// whitespace-only text) and a section lister.

#include <string>
#include <vector>

namespace escprov::test {

// "" when the two documents are canonically equal: same elements in order, attributes equal as
// sorted lists, same text (whitespace-only text dropped; CDATA counts as text). Otherwise a
// description of the first difference with its path.
std::string canonical_difference(const std::string& left, const std::string& right);

// The names of the root element's children, in order.
std::vector<std::string> top_level_sections(const std::string& document);

} // namespace escprov::test
