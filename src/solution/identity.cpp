#include "solution/identity.hpp"

#include "util/text.hpp"

namespace escprov::solution {

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

} // namespace escprov::solution
