#pragma once
// The connector's own entities merged with an installed connector's (an upgrade): this version's
// definition is written, the installed attributes it lacks are kept (they may hold data), and an
// attribute whose type changed is a conflict. Also the parts of entity items every merge step
// reaches into: forms, views, attributes.

#include "merge/options.hpp"
#include "solution/identity.hpp"
#include "xml/node.hpp"

#include <string>
#include <vector>

namespace escprov::merge {

using solution::forms_of;
using solution::views_of;

struct EntityMerge {
    xml::Node entity;     // this version's entity with the installed attributes it lacks
    ReportEntries report; // the change (when the entity differs) and attribute-type conflicts
    bool changed() const { return !report.changed.empty(); }
};

// `ours` is this version's <Entity>, `theirs` the installed one named `name`. In full mode the
// customer's own forms and views of the entity stay too. A retyped attribute is resolved by
// `on_conflict` (theirs: the installed definition is kept).
EntityMerge upgrade_entity(const xml::Node& ours, const xml::Node& theirs, const std::string& name, MergeMode mode,
                           OnConflict on_conflict);

// The <attribute> of an <attributes> list whose attribute_name() is `name`, or nullptr.
xml::Node* find_attribute_node(xml::Node& attributes, const std::string& name);
const xml::Node* find_attribute_node(const xml::Node& attributes, const std::string& name);

// Removes from an entity item the form or view whose id (normalise_id) is `id`.
void strip_form_or_view(xml::Node& entity, const std::string& id);

// "attribute contact.esc_emailscore": how reports name an attribute.
std::string attribute_subject(const std::string& entity, const std::string& attribute);

} // namespace escprov::merge
