#include "solution/component_type.hpp"

#include "util/text.hpp"

#include <charconv>
#include <map>

namespace escprov::solution {

std::string type_text(ComponentType type)
{
    return std::to_string(type_code(type));
}

std::optional<ComponentType> parse_component_type(std::string_view text)
{
    std::string number = trimmed(text);
    int value = 0;
    auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || error != std::errc() || end != number.data() + number.size()) {
        return std::nullopt;
    }
    return static_cast<ComponentType>(value);
}

std::string component_type_name(ComponentType type)
{
    using enum ComponentType;
    static const std::map<ComponentType, std::string> names = {
        {entity, "Entity"},
        {attribute, "Attribute"},
        {relationship, "Relationship"},
        {attribute_picklist_value, "Attribute Picklist Value"},
        {option_set, "Option Set"},
        {entity_relationship, "Entity Relationship"},
        {managed_property, "Managed Property"},
        {entity_key, "Entity Key"},
        {privilege, "Privilege"},
        {role, "Role"},
        {role_privilege, "Role Privilege"},
        {form, "Form"},
        {saved_query, "Saved Query"},
        {workflow, "Workflow"},
        {report, "Report"},
        {email_template, "Email Template"},
        {duplicate_rule, "Duplicate Rule"},
        {entity_map, "Entity Map"},
        {attribute_map, "Attribute Map"},
        {ribbon_command, "Ribbon Command"},
        {ribbon_customization, "Ribbon Customization"},
        {ribbon_diff, "Ribbon Diff"},
        {saved_query_visualization, "Saved Query Visualization"},
        {system_form, "System Form"},
        {web_resource, "Web Resource"},
        {site_map, "Site Map"},
        {connection_role, "Connection Role"},
        {hierarchy_rule, "Hierarchy Rule"},
        {custom_control, "Custom Control"},
        {field_security_profile, "Field Security Profile"},
        {field_permission, "Field Permission"},
        {app_module, "App Module"},
        {plugin_type, "Plugin Type"},
        {plugin_assembly, "Plugin Assembly"},
        {sdk_message_processing_step, "SDK Message Processing Step"},
        {sdk_message_processing_step_image, "SDK Message Processing Step Image"},
        {service_endpoint, "Service Endpoint"},
        {sla, "SLA"},
        {canvas_app, "Canvas App"},
        {connector, "Connector"},
        {connector_372, "Connector"},
        {environment_variable_definition, "Environment Variable Definition"},
        {environment_variable_value, "Environment Variable Value"},
    };
    auto found = names.find(type);
    return found != names.end() ? found->second : "type " + std::to_string(type_code(type));
}

} // namespace escprov::solution
