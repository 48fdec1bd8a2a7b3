#pragma once
// Pass two of a full-mode merge: the base's customizations written through to the output as they
// stream, with the plan's replacements, removals and additions, and the connector's sections the
// base lacks put at their schema place. Only the replaced items are ever in memory.

#include "connector/connector.hpp"
#include "solution/input.hpp"
#include "xml/node.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace escprov::merge {

// A rewrite of the base for full mode: what replaces, what goes, what is appended.
struct Plan {
    std::map<std::string, std::map<std::string, xml::Node>> replace; // section -> identity -> item
    std::map<std::string, std::set<std::string>> drop;               // section -> identities
    std::map<std::string, std::vector<xml::Node>> append;            // section -> new items, in order
    std::map<std::string, std::set<std::string>> strip_ids;          // entity -> form/view ids to remove
    std::optional<xml::Node> sitemap;                                // the merged SiteMap section
    std::set<std::string> drop_sections;                             // whole sections left out
};

// What the rewrite did.
struct Rewrite {
    size_t preserved = 0; // customer components written through unchanged
};

// Streams `input`'s customizations to `out` rewritten by `plan` (whose additions it consumes),
// with `root` as the root element's attributes when set (the target's, when it is not the base's
// version). `connector` gives the order of the sections to add. Throws what reading the input or
// writing `out` throws.
Rewrite rewrite_customizations(solution::SolutionInput& input, Plan& plan, const connector::Connector& connector,
                               xml::Handler& out, const std::optional<xml::Attributes>& root);

} // namespace escprov::merge
