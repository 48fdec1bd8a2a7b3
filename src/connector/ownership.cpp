#include "connector/ownership.hpp"

#include "solution/identity.hpp"
#include "solution/schema.hpp"
#include "solution/walker.hpp"
#include "util/text.hpp"

namespace escprov::connector {

namespace {

// How a message names an item of `section`.
std::string item_kind(std::string_view section)
{
    static const std::map<std::string_view, std::string_view> kinds = {
        {"Entities", "entity"},
        {"Roles", "role"},
        {"Workflows", "process"},
        {"optionsets", "option set"},
        {"EntityRelationships", "relationship"},
        {"WebResources", "web resource"},
        {"AppModules", "model-driven app"},
        {"AppModuleSiteMaps", "app sitemap"},
        {"SolutionPluginAssemblies", "plug-in assembly"},
        {"SdkMessageProcessingSteps", "plug-in step"},
    };
    auto found = kinds.find(section);
    return found != kinds.end() ? std::string(found->second) : std::string(solution::section_item(section));
}

// True for the containers of a RibbonDiffXml. A ribbon holding only these, empty, customises
// nothing: it is the skeleton merge renders for every extended entity, and for the application
// ribbon in 6.x, because real exports of the target always write it.
bool is_ribbon_container(std::string_view name)
{
    static const std::set<std::string_view> containers = {
        "CustomActions",   "Templates",    "RibbonTemplates", "CommandDefinitions", "RuleDefinitions",
        "TabDisplayRules", "DisplayRules", "EnableRules",     "LocLabels",
    };
    return containers.count(name) != 0;
}

// True when `ribbon` (a RibbonDiffXml) holds more than the empty containers.
bool customises_ribbon(const xml::Node& ribbon)
{
    for (const xml::Node& child : ribbon.children) {
        if (child.is_element() && (!is_ribbon_container(child.name) || customises_ribbon(child))) {
            return true;
        }
    }
    return false;
}

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const auto& name : names) {
        out += (out.empty() ? "" : ", ") + name;
    }
    return out;
}

} // namespace

// Walks a solution's customizations and collects what is not the connector's.
class OwnershipWalker : public solution::ItemWalker {
public:
    OwnershipWalker(const Ownership& ownership, std::vector<std::string>& foreign)
        : m_ownership(ownership), m_foreign(foreign)
    {}

protected:
    void on_root_start(std::string_view, const xml::Attributes&, bool) override {}
    void on_root_end(std::string_view) override {}
    void on_section_start(std::string_view section, const xml::Attributes&, bool) override
    {
        m_content_reported = false;
        m_whole_value = solution::section_item(section).empty();
    }
    void on_section_end(std::string_view) override {}
    solution::ItemAction decide(std::string_view section, const std::string& identity) override
    {
        m_section = section;
        m_identity = identity;
        if (section == "SiteMap" || section == "Languages") {
            return solution::ItemAction::drop; // the org sitemap connector mode changes; the base's languages
        }
        if (section == "Entities" && m_ownership.m_shells.count(identity) != 0) {
            return solution::ItemAction::materialise;
        }
        auto ours = m_ownership.m_items.find(std::string(section));
        if (ours != m_ownership.m_items.end() && !identity.empty() && ours->second.count(identity) != 0) {
            return solution::ItemAction::drop;
        }
        if (section == "Roles") {
            return solution::ItemAction::materialise; // for the role's name
        }
        m_foreign.push_back(item_kind(section) + " " + (identity.empty() ? "(unnamed)" : identity));
        return solution::ItemAction::drop;
    }
    void on_item(std::string_view section, xml::Node item) override
    {
        if (section == "Roles") {
            const std::string* name = item.attribute("name");
            m_foreign.push_back("role " + (name != nullptr ? "'" + *name + "' " : std::string()) + "{" + m_identity +
                                "}");
            return;
        }
        m_ownership.check_shell(m_identity, item, m_foreign);
    }
    void on_pass_start(std::string_view name, const xml::Attributes&, bool) override
    {
        // The content of a section without items (organization settings, the application ribbon
        // beyond its empty containers).
        bool content = current_section() == "RibbonDiffXml" ? !is_ribbon_container(name) : depth() == 3;
        if (m_whole_value && content && !m_content_reported) {
            m_content_reported = true;
            m_foreign.push_back(std::string(solution::section_label(current_section())) + " (<" + std::string(name) +
                                "> in " + std::string(current_section()) + ")");
        }
    }
    void on_pass_end(std::string_view) override {}
    void on_pass_characters(std::string_view, bool) override {}
    bool needs_passed_text() const override { return false; }

private:
    const Ownership& m_ownership;
    std::vector<std::string>& m_foreign;
    std::string m_section;
    std::string m_identity;
    bool m_whole_value = false;
    bool m_content_reported = false;
};

Ownership Ownership::read(const ConnectorSource& source, const solution::InputLimits& limits)
{
    Ownership ownership;
    xml::Node document = read_source_customizations(source, limits);
    for (const xml::Node& section : document.children) {
        if (!section.is_element() || solution::section_item(section.name).empty()) {
            continue;
        }
        for (const xml::Node* item : section.children_named(solution::section_item(section.name))) {
            std::string identity = solution::item_identity(section.name, *item);
            ownership.m_items[section.name].insert(identity);
            if (section.name != "Entities" || !is_extended_entity(identity)) {
                continue;
            }
            Shell& shell = ownership.m_shells[identity];
            if (const xml::Node* attributes = solution::entity_attributes(*item)) {
                for (const xml::Node* attribute : attributes->children_named("attribute")) {
                    shell.attributes.insert(solution::attribute_name(*attribute));
                }
            }
            for (const xml::Node* view : solution::views_of(*item)) {
                shell.views.insert(solution::normalise_id(view->child_text("savedqueryid")));
            }
            if (const xml::Node* ribbon = item->child("RibbonDiffXml")) {
                shell.ribbon = *ribbon;
            }
        }
    }
    for (const auto& [entity, tab] : render_form_tabs(source, limits.xml)) {
        const std::string* id = tab.attribute("id");
        ownership.m_shells[entity].tab_id = id != nullptr ? solution::normalise_id(*id) : std::string();
    }
    return ownership;
}

void Ownership::check_shell(const std::string& name, const xml::Node& entity, std::vector<std::string>& foreign) const
{
    const Shell& shell = m_shells.at(name);
    std::vector<std::string> attributes;
    if (const xml::Node* list = solution::entity_attributes(entity)) {
        for (const xml::Node* attribute : list->children_named("attribute")) {
            std::string attribute_name = solution::attribute_name(*attribute);
            if (shell.attributes.count(attribute_name) == 0) {
                attributes.push_back(attribute_name);
            }
        }
    }
    if (!attributes.empty()) {
        foreign.push_back(name + ": attributes the connector does not have: " + joined(attributes));
    }
    for (const auto& [type, form] : solution::forms_of(entity)) {
        bool carries_tab = false;
        if (const xml::Node* body = form->child("form")) {
            if (const xml::Node* tabs = body->child("tabs")) {
                for (const xml::Node* tab : tabs->children_named("tab")) {
                    const std::string* id = tab->attribute("id");
                    carries_tab = carries_tab || (id != nullptr && !shell.tab_id.empty() &&
                                                  solution::normalise_id(*id) == shell.tab_id);
                }
            }
        }
        if (type == "main" && carries_tab) {
            continue; // a customer form connector mode changes
        }
        std::string label = solution::localized_name(*form);
        std::string id = solution::normalise_id(form->child_text("formid"));
        std::string line = name + ": ";
        if (!type.empty()) {
            line.append(type).append(" ");
        }
        line += "form ";
        if (!label.empty()) {
            line.append("'").append(label).append("' ");
        }
        line.append("{").append(id).append("}");
        if (type == "main") {
            line += " without the connector's tab";
        }
        foreign.push_back(std::move(line));
    }
    std::vector<std::string> views;
    for (const xml::Node* view : solution::views_of(entity)) {
        std::string id = solution::normalise_id(view->child_text("savedqueryid"));
        if (shell.views.count(id) == 0) {
            std::string label = solution::localized_name(*view);
            views.push_back(label.empty() ? "{" + id + "}" : "'" + label + "'");
        }
    }
    if (!views.empty()) {
        foreign.push_back(name + ": views the connector does not have: " + joined(views));
    }
    const xml::Node* ribbon = entity.child("RibbonDiffXml");
    if (ribbon != nullptr && customises_ribbon(*ribbon) &&
        !(shell.ribbon && xml::equal_ignoring_layout(*ribbon, *shell.ribbon))) {
        foreign.push_back(name + ": ribbon customisations other than the connector's");
    }
}

std::vector<std::string> Ownership::foreign_components(solution::SolutionInput& input) const
{
    std::vector<std::string> foreign;
    OwnershipWalker walker(*this, foreign);
    input.read_customizations(walker);
    return foreign;
}

} // namespace escprov::connector
