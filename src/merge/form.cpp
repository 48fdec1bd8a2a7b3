#include "merge/form.hpp"

#include "solution/identity.hpp"

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
    return id != nullptr ? solution::normalise_id(*id) : std::string();
}

} // namespace

FormMerge merge_form_tab(const xml::Node& customer, const xml::Node& tab, bool replace_conflicting)
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
    for (auto& existing : tabs->children) {
        if (existing.is_element() && existing.name == "tab" && tab_id(existing) == ours) {
            if (!xml::equal_ignoring_layout(existing, tab) && replace_conflicting) {
                existing = tab;
                result.added.push_back(std::string(label).append(" replaced in ").append(where));
            } else if (!xml::equal_ignoring_layout(existing, tab)) {
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
