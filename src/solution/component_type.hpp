#pragma once
// The component type codes of a solution, as CRM numbers them in solution.xml (RootComponent,
// MissingDependency's Required and Dependent) and in AppModuleComponents: one enum for every
// feature, so that no code is written as a bare number.

#include <optional>
#include <string>
#include <string_view>

namespace escprov::solution {

// CRM's componenttype values. A code CRM has that is not named here still fits (the underlying
// type is int) and reads back unchanged.
enum class ComponentType : int {
    entity = 1,
    attribute = 2,
    relationship = 3,
    attribute_picklist_value = 4,
    option_set = 9,
    entity_relationship = 10,
    managed_property = 13,
    entity_key = 14,
    privilege = 16,
    role = 20,
    role_privilege = 21,
    form = 24,
    saved_query = 26,
    workflow = 29,
    report = 31,
    email_template = 36,
    duplicate_rule = 44,
    entity_map = 46,
    attribute_map = 47,
    ribbon_command = 48,
    ribbon_customization = 50,
    ribbon_diff = 55,
    saved_query_visualization = 59,
    system_form = 60,
    web_resource = 61,
    site_map = 62,
    connection_role = 63,
    hierarchy_rule = 65,
    custom_control = 66,
    field_security_profile = 70,
    field_permission = 71,
    app_module = 80,
    plugin_type = 90,
    plugin_assembly = 91,
    sdk_message_processing_step = 92,
    sdk_message_processing_step_image = 93,
    service_endpoint = 95,
    sla = 152,
    canvas_app = 300,
    connector = 371,
    connector_372 = 372,
    environment_variable_definition = 380,
    environment_variable_value = 381,
};

// The code as a number (1 for entity).
constexpr int type_code(ComponentType type)
{
    return static_cast<int>(type);
}

// The code as solution.xml writes it ("1").
std::string type_text(ComponentType type);

// "1" -> entity; nullopt when `text` is not a whole number (surrounding space is allowed).
std::optional<ComponentType> parse_component_type(std::string_view text);

// "Entity", "System Form", ...; "type N" for a code not named above.
std::string component_type_name(ComponentType type);

} // namespace escprov::solution
