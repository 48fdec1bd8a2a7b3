#pragma once
// Merges the connector's sitemap additions into a customer's org sitemap (CRM 2011-2016, and the
// legacy sitemap 9.x still has), by identity: Area, Group and SubArea are matched by @Id, never
// by position. Every customer Area, Group and SubArea keeps its place, order and content; the
// connector's Groups and SubAreas are added at the end of their container, which is where CRM
// itself puts merged sitemap nodes.

#include "xml/node.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace escprov::merge {

// The Area that receives the connector's Groups when the customer removed the Area they belong
// in (for example a sitemap without the Marketing area "MA").
inline constexpr std::string_view k_fallback_area_id = "esc_EmailMarketing";

struct SitemapMerge {
    xml::Node sitemap;                  // the customer's <SiteMap> with the connector's parts added
    std::vector<std::string> added;     // "Group 'esc_x' added to Area 'MA'", in document order
    std::vector<std::string> warnings;  // places that differ from the plan (a fallback taken)
    std::vector<std::string> conflicts; // a customer node with a connector Id and other content: kept as it is
    bool changed() const { return !added.empty(); }
};

// `customer` and `connector` are the inner <SiteMap> elements (the ones holding <Area>s). A
// connector Area whose Id carries the connector's prefix ("esc_") is the connector's own and is
// added or completed; any other connector Area names a customer Area to add Groups to, and when
// the customer has no such Area its Groups go to k_fallback_area_id, with a warning. Merging
// into an already-merged sitemap adds nothing (idempotent).
SitemapMerge merge_sitemap(const xml::Node& customer, const xml::Node& connector);

} // namespace escprov::merge
