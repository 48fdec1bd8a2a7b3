#include "merge/form.hpp"

#include <cctype>

namespace escprov::merge {

namespace {

bool holds_managed_difference(const xml::Node& node)
{
    if (node.attribute("solutionaction") != nullptr) {
        return true;
    }
    for (const auto& child : node.children) {
        if (child.is_element() && holds_managed_difference(child)) {
            return true;
        }
    }
    return false;
}

std::string tab_id(const xml::Node& tab)
{
    const std::string* id = tab.attribute("id");
    return id != nullptr ? normalise_guid(*id) : std::string();
}

// Content equality that ignores layout: whitespace-only text does not count; attribute order does
// not count; GUIDs are compared as written, which is how CRM exports them each time.
bool same_content(const xml::Node& a, const xml::Node& b)
{
    if (a.kind != b.kind || a.name != b.name) {
        return false;
    }
    if (!a.is_element()) {
        return a.text == b.text;
    }
    if (a.attributes.size() != b.attributes.size()) {
        return false;
    }
    for (const auto& attribute : a.attributes) {
        const std::string* other = b.attribute(attribute.name);
        if (other == nullptr || *other != attribute.value) {
            return false;
        }
    }
    auto significant = [](const xml::Node& parent) {
        std::vector<const xml::Node*> kept;
        for (const auto& child : parent.children) {
            if (child.kind != xml::NodeKind::text || child.text.find_first_not_of(" \t\r\n") != std::string::npos) {
                kept.push_back(&child);
            }
        }
        return kept;
    };
    auto left = significant(a);
    auto right = significant(b);
    if (left.size() != right.size()) {
        return false;
    }
    for (size_t i = 0; i < left.size(); ++i) {
        if (!same_content(*left[i], *right[i])) {
            return false;
        }
    }
    return true;
}

} // namespace

std::string normalise_guid(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c != '{' && c != '}') {
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
    }
    return out;
}

FormMerge merge_form_tab(const xml::Node& customer, const xml::Node& tab)
{
    FormMerge result;
    result.form = customer;
    std::string form_id = result.form.child_text("formid");
    std::string where = "form " + form_id;
    if (holds_managed_difference(customer)) {
        result.warnings.push_back(where + " holds managed differences (solutionaction); it is left as it is");
        return result;
    }
    xml::Node* form = result.form.child("form");
    xml::Node* tabs = form != nullptr ? form->child("tabs") : nullptr;
    if (tabs == nullptr) {
        result.warnings.push_back(where + " has no <form><tabs>; the connector's tab is not added to it");
        return result;
    }
    std::string ours = tab_id(tab);
    const std::string* name = tab.attribute("name");
    std::string label = "tab '" + (name != nullptr ? *name : ours) + "'";
    for (const auto& existing : tabs->children) {
        if (existing.is_element() && existing.name == "tab" && tab_id(existing) == ours) {
            if (!same_content(existing, tab)) {
                std::string message = label;
                message += " of ";
                message += where;
                message += " has the connector's id but other content; the form's own is kept";
                result.conflicts.push_back(std::move(message));
            }
            return result;
        }
    }
    xml::append_on_own_line(*tabs, tab);
    result.added.push_back(label + " added to " + where);
    return result;
}

} // namespace escprov::merge
