#pragma once
// Outlines of customer components for the merge report: a sitemap as Areas, Groups and SubAreas;
// a form as tabs and sections. Lines present after but not before the merge are marked added.

#include "merge/report.hpp"
#include "xml/node.hpp"

namespace escprov::merge {

// The lines of an inner <SiteMap> (the one holding <Area>s).
std::vector<OutlineLine> sitemap_outline(const xml::Node& sitemap);
// The lines of a <systemform>: its tabs and their sections.
std::vector<OutlineLine> form_outline(const xml::Node& form);
// An Outline of `before` and `after` lines, marking the lines of `after` that `before` lacks
// (compared by depth and label along the path from the top).
Outline make_outline(std::string title, std::vector<OutlineLine> before, std::vector<OutlineLine> after);

} // namespace escprov::merge
