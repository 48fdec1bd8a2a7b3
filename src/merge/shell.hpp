#pragma once
// A system entity the connector extends (account, campaign, contact, lead, list) merged with the
// customer's: the connector's attributes, its ribbon parts (full mode) and its tab on each of the
// customer's main forms. In connector mode the result is the connector's shell carrying the
// customer forms that take the tab; in full mode it is the customer's entity with all of that
// added and nothing of theirs removed.

#include "merge/options.hpp"
#include "xml/node.hpp"

#include <optional>
#include <string>
#include <vector>

namespace escprov::merge {

struct ShellMerge {
    // The connector's shell: its attributes less those a "theirs" type conflict leaves out; in
    // connector mode with a customer entity, plus a FormXml of the customer main forms carrying
    // the tab.
    xml::Node connector_entity;
    // Full mode with a customer entity: that entity with the connector's attributes, ribbon parts
    // and tab added. Unset otherwise (full mode without one appends connector_entity).
    std::optional<xml::Node> customer_entity;
    std::vector<std::string> changed_forms;  // connector mode: the ids (normalised) of the forms carried
    std::vector<std::string> option_clashes; // customer options of the entity in the connector's range
    ReportEntries report;
};

// `ours` is the connector's shell entity `name`, `theirs` the customer's (nullptr when the base
// has none), `tab` the connector's tab for its main forms (nullptr when it adds none). `upgrade`
// (the base holds an installed connector) lets the connector's tab replace a customer tab with
// its id. An attribute both have with different types is a conflict `on_conflict` resolves.
ShellMerge merge_shell(const xml::Node& ours, const xml::Node* theirs, const std::string& name, const xml::Node* tab,
                       MergeMode mode, OnConflict on_conflict, bool upgrade);

// "'Information' {1fed44d1-...}": how reports name a customer form (its first localized name and
// its id), or "{id}" when it has no name.
std::string form_label(const xml::Node& form);

} // namespace escprov::merge
