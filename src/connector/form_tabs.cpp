#include "connector/form_tabs.hpp"

#include "connector/connector.hpp"
#include "solution/identity.hpp"
#include "solution/walker.hpp"

#include <algorithm>
#include <map>

namespace escprov::connector {

namespace {

// Builds each extended entity of the customizations and drops everything else.
class FormTabWalker : public solution::ItemWalker {
public:
    std::map<std::string, FormTabPlacement> placements;

protected:
    void on_root_start(std::string_view, const xml::Attributes&, bool) override {}
    void on_root_end(std::string_view) override {}
    void on_section_start(std::string_view, const xml::Attributes&, bool) override {}
    void on_section_end(std::string_view) override {}
    solution::ItemAction decide(std::string_view section, const std::string& identity) override
    {
        m_identity = identity;
        return section == "Entities" && is_extended_entity(identity) ? solution::ItemAction::materialise
                                                                     : solution::ItemAction::drop;
    }
    void on_item(std::string_view, xml::Node item) override
    {
        FormTabPlacement& placement = placements[m_identity];
        placement.entity = m_identity;
        for (const auto& [type, form] : solution::forms_of(item)) {
            if (type == "main" && carries_connector_tab(*form)) {
                std::string label = solution::localized_name(*form);
                std::string shown = label.empty() ? std::string() : "'" + label + "' ";
                shown.append("{").append(solution::normalise_id(form->child_text("formid"))).append("}");
                placement.forms.push_back(std::move(shown));
            }
        }
    }
    void on_pass_start(std::string_view, const xml::Attributes&, bool) override {}
    void on_pass_end(std::string_view) override {}
    void on_pass_characters(std::string_view, bool) override {}
    bool needs_passed_text() const override { return false; }

private:
    static bool carries_connector_tab(const xml::Node& form)
    {
        const xml::Node* body = form.child("form");
        const xml::Node* tabs = body != nullptr ? body->child("tabs") : nullptr;
        if (tabs == nullptr) {
            return false;
        }
        auto tab_list = tabs->children_named("tab");
        return std::any_of(tab_list.begin(), tab_list.end(), [](const xml::Node* tab) {
            const std::string* name = tab->attribute("name");
            return name != nullptr && is_connector_name(*name);
        });
    }

    std::string m_identity;
};

} // namespace

std::vector<FormTabPlacement> form_tab_placements(solution::SolutionInput& input)
{
    FormTabWalker walker;
    input.read_customizations(walker);
    std::vector<FormTabPlacement> placements;
    for (const auto& entity : extended_entities()) {
        auto found = walker.placements.find(entity);
        if (found != walker.placements.end()) {
            placements.push_back(std::move(found->second));
        }
    }
    return placements;
}

std::string entity_display_name(std::string_view entity)
{
    static const std::map<std::string, std::string, std::less<>> names = {
        {"account", "Account"}, {"campaign", "Campaign"},   {"contact", "Contact"},
        {"lead", "Lead"},       {"list", "Marketing List"},
    };
    auto found = names.find(entity);
    return found != names.end() ? found->second : std::string(entity);
}

std::string display_names(const std::vector<std::string>& entities)
{
    std::string text;
    for (size_t i = 0; i < entities.size(); ++i) {
        if (i > 0) {
            text += i + 1 == entities.size() ? " and " : ", ";
        }
        text += entity_display_name(entities[i]);
    }
    return text;
}

} // namespace escprov::connector
