#include "solution/identity.hpp"

#include "util/text.hpp"

namespace escprov::solution {

namespace {

template <typename Entity, typename Form> std::vector<std::pair<std::string, Form*>> forms_in(Entity& entity)
{
    std::vector<std::pair<std::string, Form*>> forms;
    auto* form_xml = entity.child("FormXml");
    if (form_xml == nullptr) {
        return forms;
    }
    for (auto& group : form_xml->children) {
        if (!group.is_element() || group.name != "forms") {
            continue;
        }
        const std::string* type = group.attribute("type");
        for (auto& form : group.children) {
            if (form.is_element() && form.name == "systemform") {
                forms.emplace_back(type != nullptr ? *type : std::string(), &form);
            }
        }
    }
    return forms;
}

} // namespace

std::string normalise_id(std::string_view text)
{
    std::string core = trimmed(text);
    if (core.size() >= 2 && core.front() == '{' && core.back() == '}') {
        return ascii_lower(std::string_view(core).substr(1, core.size() - 2));
    }
    return ascii_lower(core);
}

std::string item_identity(std::string_view section, const xml::Node& item)
{
    auto attribute = [&](std::string_view name) {
        const std::string* value = item.attribute(name);
        return value != nullptr ? normalise_id(*value) : std::string();
    };
    if (std::string_view child = identity_child(section); !child.empty()) {
        return normalise_id(item.child_text(child));
    }
    if (section == "Roles") {
        return attribute("id");
    }
    if (section == "optionsets" || section == "EntityRelationships") {
        return attribute("Name");
    }
    if (section == "Workflows") {
        return attribute("WorkflowId");
    }
    if (section == "SolutionPluginAssemblies") {
        return attribute("FullName");
    }
    if (section == "SdkMessageProcessingSteps") {
        return attribute("SdkMessageProcessingStepId");
    }
    return {};
}

std::string_view identity_child(std::string_view section)
{
    if (section == "Entities" || section == "WebResources") {
        return "Name";
    }
    if (section == "AppModules") {
        return "UniqueName";
    }
    if (section == "AppModuleSiteMaps") {
        return "SiteMapUniqueName";
    }
    return {};
}

std::string entity_name(const xml::Node& entity)
{
    return ascii_lower(trimmed(entity.child_text("Name")));
}

const xml::Node* entity_attributes(const xml::Node& entity)
{
    const xml::Node* info = entity.child("EntityInfo");
    const xml::Node* definition = info != nullptr ? info->child("entity") : nullptr;
    return definition != nullptr ? definition->child("attributes") : nullptr;
}

xml::Node* entity_attributes(xml::Node& entity)
{
    xml::Node* info = entity.child("EntityInfo");
    xml::Node* definition = info != nullptr ? info->child("entity") : nullptr;
    return definition != nullptr ? definition->child("attributes") : nullptr;
}

std::string localized_name(const xml::Node& form_or_view)
{
    if (const xml::Node* names = form_or_view.child("LocalizedNames")) {
        for (const xml::Node* localized : names->children_named("LocalizedName")) {
            if (const std::string* description = localized->attribute("description")) {
                return *description;
            }
        }
    }
    return {};
}

std::string attribute_name(const xml::Node& attribute)
{
    std::string name = trimmed(attribute.child_text("LogicalName"));
    if (name.empty()) {
        const std::string* physical = attribute.attribute("PhysicalName");
        name = physical != nullptr ? *physical : std::string();
    }
    return ascii_lower(name);
}

std::string attribute_type(const xml::Node& attribute)
{
    return ascii_lower(trimmed(attribute.child_text("Type")));
}

std::vector<std::pair<std::string, xml::Node*>> forms_of(xml::Node& entity)
{
    return forms_in<xml::Node, xml::Node>(entity);
}

std::vector<std::pair<std::string, const xml::Node*>> forms_of(const xml::Node& entity)
{
    return forms_in<const xml::Node, const xml::Node>(entity);
}

std::vector<const xml::Node*> views_of(const xml::Node& entity)
{
    std::vector<const xml::Node*> views;
    if (const xml::Node* queries = entity.child("SavedQueries")) {
        if (const xml::Node* list = queries->child("savedqueries")) {
            for (const auto& view : list->children) {
                if (view.is_element() && view.name == "savedquery") {
                    views.push_back(&view);
                }
            }
        }
    }
    return views;
}

} // namespace escprov::solution
