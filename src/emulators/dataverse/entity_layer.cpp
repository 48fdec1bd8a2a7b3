#include "emulators/dataverse/entity_layer.hpp"

#include "solution/identity.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <functional>

namespace escprov::emulator {

namespace {

std::string attribute_key(const xml::Node& attribute)
{
    std::string logical = trimmed(attribute.child_text("LogicalName"));
    if (!logical.empty()) {
        return ascii_lower(logical);
    }
    const std::string* physical = attribute.attribute("PhysicalName");
    return physical != nullptr ? ascii_lower(*physical) : std::string();
}

bool holds_difference(const xml::Node& node)
{
    if (node.attribute("solutionaction") != nullptr) {
        return true;
    }
    return std::any_of(node.children.begin(), node.children.end(),
                       [](const xml::Node& child) { return child.is_element() && holds_difference(child); });
}

void strip_difference_attributes(xml::Node& node)
{
    std::erase_if(node.attributes, [](const xml::Attribute& attribute) {
        return attribute.name == "solutionaction" || attribute.name == "ordinalvalue";
    });
    for (auto& child : node.children) {
        strip_difference_attributes(child);
    }
}

// Replaces the element child of `parent` named `name` whose key is `key`, or appends `item`.
void put(xml::Node& parent, const xml::Node& item, const std::string& key,
         const std::function<std::string(const xml::Node&)>& key_of)
{
    for (auto& child : parent.children) {
        if (child.is_element() && child.name == item.name && key_of(child) == key) {
            child = item;
            return;
        }
    }
    parent.empty_tag = false;
    xml::append_on_own_line(parent, item);
}

xml::Node* tabs_of(xml::Node& systemform)
{
    xml::Node* form = systemform.child("form");
    return form != nullptr ? form->child("tabs") : nullptr;
}

// The tabs a managed difference adds, put at the end of the org's form (where CRM's layering
// shows a tab added without a position the customer's form knows).
void add_tabs(xml::Node& org_form, const xml::Node& difference)
{
    xml::Node* tabs = tabs_of(org_form);
    const xml::Node* difference_form = difference.child("form");
    const xml::Node* added = difference_form != nullptr ? difference_form->child("tabs") : nullptr;
    if (tabs == nullptr || added == nullptr) {
        return;
    }
    for (const xml::Node* tab : added->children_named("tab")) {
        const std::string* action = tab->attribute("solutionaction");
        const std::string* id = tab->attribute("id");
        if (action == nullptr || *action != "Added" || id == nullptr) {
            continue;
        }
        auto present = tabs->children_named("tab");
        bool known = std::any_of(present.begin(), present.end(), [&](const xml::Node* t) {
            const std::string* other = t->attribute("id");
            return other != nullptr && solution::normalise_id(*other) == solution::normalise_id(*id);
        });
        if (!known) {
            xml::Node copy = *tab;
            strip_difference_attributes(copy);
            xml::append_on_own_line(*tabs, std::move(copy));
        }
    }
}

std::string form_id(const xml::Node& form)
{
    return solution::normalise_id(form.child_text("formid"));
}

std::string view_id(const xml::Node& view)
{
    return solution::normalise_id(view.child_text("savedqueryid"));
}

void layer_attributes(xml::Node& result, const xml::Node& incoming)
{
    xml::Node* mine = solution::entity_attributes(result);
    const xml::Node* theirs = solution::entity_attributes(incoming);
    if (mine == nullptr || theirs == nullptr) {
        return;
    }
    for (const xml::Node* attribute : theirs->children_named("attribute")) {
        put(*mine, *attribute, attribute_key(*attribute), attribute_key);
    }
}

void layer_forms(xml::Node& result, const xml::Node& incoming)
{
    for (const auto& [type, form] : solution::forms_of(incoming)) {
        std::string id = form_id(*form);
        bool difference = holds_difference(*form);
        bool placed = false;
        for (auto& [my_type, my_form] : solution::forms_of(result)) {
            if (form_id(*my_form) == id) {
                if (difference) {
                    add_tabs(*my_form, *form);
                } else {
                    *my_form = *form;
                }
                placed = true;
                break;
            }
        }
        if (placed || difference) {
            continue;
        }
        xml::Node* form_xml = result.child("FormXml");
        if (form_xml == nullptr) {
            continue;
        }
        for (auto& group : form_xml->children) {
            const std::string* group_type = group.attribute("type");
            if (group.is_element() && group.name == "forms" && group_type != nullptr && *group_type == type) {
                group.empty_tag = false;
                xml::append_on_own_line(group, *form);
                break;
            }
        }
    }
}

void layer_views(xml::Node& result, const xml::Node& incoming)
{
    const xml::Node* their_queries = incoming.child("SavedQueries");
    const xml::Node* theirs = their_queries != nullptr ? their_queries->child("savedqueries") : nullptr;
    xml::Node* my_queries = result.child("SavedQueries");
    xml::Node* mine = my_queries != nullptr ? my_queries->child("savedqueries") : nullptr;
    if (theirs == nullptr || mine == nullptr) {
        return;
    }
    for (const xml::Node* view : theirs->children_named("savedquery")) {
        put(*mine, *view, view_id(*view), view_id);
    }
}

} // namespace

xml::Node layer_entity(const xml::Node& org, const xml::Node& incoming)
{
    xml::Node result = org;
    layer_attributes(result, incoming);
    layer_forms(result, incoming);
    layer_views(result, incoming);
    return result;
}

} // namespace escprov::emulator
