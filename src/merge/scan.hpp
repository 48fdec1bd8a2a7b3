#pragma once
// Pass one of a merge: the base's customizations read once, streaming, to find what the merge
// touches (the customer's versions of the connector's components, the entities it extends, the
// org sitemap) and what conflicts (esc_ entities the connector does not have, the connector's form
// and view ids on other entities, customer options in the connector's value range). Only the
// touched components are kept in memory.

#include "connector/connector.hpp"
#include "solution/input.hpp"
#include "xml/node.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace escprov::merge {

// The state the scan of the base leaves for planning and writing.
struct BaseScan {
    std::set<std::string> sections;                                // sections present
    std::map<std::string, xml::Node> entities;                     // touched entities by name
    std::map<std::string, std::map<std::string, xml::Node>> items; // other touched items by section and identity
    std::optional<xml::Node> sitemap;                              // the SiteMap section
    std::vector<std::string> foreign_esc_entities;                 // esc_ entities the connector does not have
    std::map<std::string, std::string> id_hits;                    // one of our form/view ids -> "entity x" where found
    std::vector<std::string> option_clashes;                       // customer options in our value range
    size_t app_modules = 0;                                        // AppModules + AppModuleSiteMaps items
    size_t items_seen = 0;
};

// What the connector has, by identity, for the scan's decisions.
struct OurIndex {
    std::set<std::string> entities;                       // our entities and the extended ones
    std::map<std::string, std::set<std::string>> items;   // section -> identities
    std::map<std::string, std::string> form_and_view_ids; // id -> "entity x"
    std::map<std::string, std::string> role_names;        // role id -> name
};

// The index of `connector`'s components; the entities it extends count as its own.
OurIndex index_connector(const connector::Connector& connector);

// Scans the customizations of `input` against `ours`. Throws what reading the input throws
// (xml::ParseError, Error(input)).
BaseScan scan_base(solution::SolutionInput& input, const OurIndex& ours);

} // namespace escprov::merge
