#include "merge/entity.hpp"

#include "solution/identity.hpp"
#include "util/text.hpp"

#include <set>

namespace escprov::merge {

using solution::attribute_name;
using solution::attribute_type;
using solution::entity_attributes;
using solution::normalise_id;

namespace {

// In full mode the customer's own forms and views of a connector entity stay.
void keep_their_forms_and_views(xml::Node& merged, const xml::Node& theirs)
{
    xml::Node copy = theirs;
    std::set<std::string> ids;
    for (auto& [type, form] : forms_of(merged)) {
        ids.insert(normalise_id(form->child_text("formid")));
    }
    for (auto& [type, form] : forms_of(copy)) {
        if (ids.count(normalise_id(form->child_text("formid"))) != 0) {
            continue;
        }
        xml::Node* form_xml = merged.child("FormXml");
        if (form_xml == nullptr) {
            continue;
        }
        xml::Node* group = nullptr;
        for (auto& existing : form_xml->children) {
            const std::string* group_type = existing.attribute("type");
            if (existing.is_element() && existing.name == "forms" && group_type != nullptr && *group_type == type) {
                group = &existing;
            }
        }
        if (group == nullptr) {
            xml::append_on_own_line(*form_xml, xml::make_element("forms", {{"type", type}}));
            form_xml->empty_tag = false;
            group = &form_xml->children[form_xml->children.size() - 2];
        }
        group->empty_tag = false;
        xml::append_on_own_line(*group, *form);
    }
}

void remove_if_id(xml::Node& parent, std::string_view id_child, const std::string& id)
{
    std::vector<xml::Node> kept;
    for (auto& child : parent.children) {
        if (child.is_element() && normalise_id(child.child_text(id_child)) == id) {
            if (!kept.empty() && kept.back().kind == xml::NodeKind::text) {
                kept.pop_back();
            }
            continue;
        }
        kept.push_back(std::move(child));
    }
    parent.children = std::move(kept);
}

} // namespace

const xml::Node* find_attribute_node(const xml::Node& attributes, const std::string& name)
{
    for (const auto& attribute : attributes.children) {
        if (attribute.is_element() && attribute.name == "attribute" && attribute_name(attribute) == name) {
            return &attribute;
        }
    }
    return nullptr;
}

xml::Node* find_attribute_node(xml::Node& attributes, const std::string& name)
{
    for (auto& attribute : attributes.children) {
        if (attribute.is_element() && attribute.name == "attribute" && attribute_name(attribute) == name) {
            return &attribute;
        }
    }
    return nullptr;
}

void strip_form_or_view(xml::Node& entity, const std::string& id)
{
    if (xml::Node* form_xml = entity.child("FormXml")) {
        for (auto& group : form_xml->children) {
            if (group.is_element()) {
                remove_if_id(group, "formid", id);
            }
        }
    }
    if (xml::Node* queries = entity.child("SavedQueries")) {
        if (xml::Node* list = queries->child("savedqueries")) {
            remove_if_id(*list, "savedqueryid", id);
        }
    }
}

std::string attribute_subject(const std::string& entity, const std::string& attribute)
{
    std::string subject = "attribute ";
    subject += entity;
    subject += '.';
    subject += attribute;
    return subject;
}

EntityMerge upgrade_entity(const xml::Node& ours, const xml::Node& theirs, const std::string& name, MergeMode mode,
                           OnConflict on_conflict)
{
    EntityMerge result;
    result.entity = ours;
    xml::Node& merged = result.entity;
    xml::Node* our_attributes = entity_attributes(merged);
    const xml::Node* their_attributes = entity_attributes(theirs);
    std::vector<std::string> kept, added;
    std::set<std::string> their_names;
    if (their_attributes != nullptr) {
        for (const xml::Node* attribute : their_attributes->children_named("attribute")) {
            their_names.insert(attribute_name(*attribute));
        }
    }
    if (our_attributes != nullptr) {
        for (const xml::Node* attribute : our_attributes->children_named("attribute")) {
            if (their_names.count(attribute_name(*attribute)) == 0) {
                added.push_back(attribute_name(*attribute));
            }
        }
    }
    if (their_attributes != nullptr && our_attributes != nullptr) {
        for (const xml::Node* attribute : their_attributes->children_named("attribute")) {
            std::string attribute_id = attribute_name(*attribute);
            xml::Node* mine = find_attribute_node(*our_attributes, attribute_id);
            if (mine == nullptr) {
                xml::append_on_own_line(*our_attributes, *attribute); // data-bearing: never dropped
                kept.push_back(attribute_id);
            } else if (attribute_type(*mine) != attribute_type(*attribute)) {
                Conflict entry =
                    conflict(ConflictKind::attribute_type, attribute_subject(name, attribute_id),
                             "the installed connector's is " + attribute_type(*attribute) +
                                 std::string(", this version's is ").append(attribute_type(*mine)),
                             "this version's type is written (CRM refuses to change an attribute's type on import: "
                             "delete the attribute first)",
                             "the installed type is kept", on_conflict);
                if (entry.resolution == Resolution::theirs) {
                    *mine = *attribute;
                }
                result.report.conflicts.push_back(std::move(entry));
            }
        }
    }
    if (mode == MergeMode::full) {
        keep_their_forms_and_views(merged, theirs);
    }
    std::string after;
    for (const auto& attribute : added) {
        after += "+ attribute " + attribute + "\n";
    }
    for (const auto& attribute : kept) {
        after += "= attribute " + attribute + " (kept: not in this version, may hold data)\n";
    }
    if (!xml::equal_ignoring_layout(merged, theirs)) {
        result.report.changed.push_back(
            Change{"Entity", name,
                   "the installed connector's entity is upgraded: " + counted(added.size(), "attribute") + " added, " +
                       std::to_string(kept.size()) + " kept from the installed version",
                   counted(their_names.size(), "attribute"), after});
    }
    return result;
}

} // namespace escprov::merge
