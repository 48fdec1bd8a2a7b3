#pragma once
// Adds the connector's tab to a customer's entity form (a <systemform> of customizations.xml),
// by identity: tabs are matched by id, never by position. The customer's tabs keep their order,
// layout and content; the connector's tab goes after the last of them.

#include "xml/node.hpp"

#include <string>
#include <vector>

namespace escprov::merge {

struct FormMerge {
    xml::Node form;                     // the customer's <systemform> with the connector's tab added
    std::vector<std::string> added;     // "tab 'esc_EmailMarketing' added to form {id}" (or "replaced in")
    std::vector<std::string> warnings;  // forms that could not take the tab, and why
    std::vector<std::string> conflicts; // a customer tab with the connector's id and other content: kept
    bool changed() const { return !added.empty(); }
};

// `customer` is a <systemform>; `tab` is the connector's <tab> (with an id). A form holding
// managed differences (solutionaction attributes) or without <form><tabs> is left as it is, with
// a warning. Merging into a form that already has the tab adds nothing (idempotent). A customer
// tab with the connector's id and other content is kept and reported as a conflict, unless
// `replace_conflicting` (an upgrade, or --on-conflict ours): then the connector's tab takes its place.
FormMerge merge_form_tab(const xml::Node& customer, const xml::Node& tab, bool replace_conflicting = false);

} // namespace escprov::merge
