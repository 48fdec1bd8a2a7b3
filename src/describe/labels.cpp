#include "describe/labels.hpp"

#include "solution/component_type.hpp"
#include "solution/privilege.hpp"

namespace escprov::describe {

namespace {

std::string join_options(const std::vector<Option>& options)
{
    std::string text;
    for (const Option& option : options) {
        text += (text.empty() ? "" : ", ") + option.value + " " + option.label;
    }
    return text;
}

std::string range(const Attribute& attribute)
{
    if (attribute.min_value.empty() && attribute.max_value.empty()) {
        return "";
    }
    return attribute.min_value + " to " + attribute.max_value;
}

// "(a, b)" from the non-empty parts, or "".
std::string details(std::initializer_list<std::string> parts)
{
    std::string text;
    for (const std::string& part : parts) {
        if (!part.empty()) {
            text += (text.empty() ? "" : ", ") + part;
        }
    }
    return text.empty() ? "" : " (" + text + ")";
}

} // namespace

OptionSetIndex index_option_sets(const Description& description)
{
    OptionSetIndex index;
    for (const OptionSet& option_set : description.option_sets) {
        index[option_set.name] = &option_set;
    }
    return index;
}

std::vector<Option> attribute_options(const Attribute& attribute, const OptionSetIndex& option_sets)
{
    if (!attribute.options.empty() || attribute.option_set.empty()) {
        return attribute.options;
    }
    auto found = option_sets.find(attribute.option_set);
    return found == option_sets.end() ? std::vector<Option>{} : found->second->options;
}

std::string type_text(const Attribute& attribute, const OptionSetIndex& option_sets)
{
    const std::string& type = attribute.type;
    std::string max = attribute.max_length.empty() ? "" : "max " + attribute.max_length;
    std::string precision = attribute.precision.empty() ? "" : "precision " + attribute.precision;
    if (type == "nvarchar") {
        std::string format = attribute.format == "text" ? "" : attribute.format;
        return "text" + details({format, max});
    }
    if (type == "ntext" || type == "memo") {
        return "multiline text" + details({max});
    }
    if (type == "int") {
        return "whole number" + details({range(attribute)});
    }
    if (type == "decimal") {
        return "decimal" + details({precision, range(attribute)});
    }
    if (type == "money") {
        return "currency" + details({precision, range(attribute)});
    }
    if (type == "float" || type == "double") {
        return "floating point" + details({precision, range(attribute)});
    }
    if (type == "datetime") {
        return attribute.format == "date" ? "date only" : "date and time";
    }
    if (type == "bit") {
        return "two options" + details({join_options(attribute_options(attribute, option_sets))});
    }
    if (type == "picklist" || type == "state" || type == "status" || type == "multiselectpicklist") {
        std::string name = type == "picklist" ? "option set"
                           : type == "state"  ? "status"
                           : type == "status" ? "status reason"
                                              : "multi-select option set";
        std::string options = join_options(attribute_options(attribute, option_sets));
        if (!attribute.option_set.empty()) {
            name += " " + attribute.option_set;
        }
        return options.empty() ? name : name + ": " + options;
    }
    if (type == "lookup" || type == "customer" || type == "owner") {
        std::string targets;
        for (const std::string& target : attribute.targets) {
            targets += (targets.empty() ? "" : ", ") + target;
        }
        return type + (targets.empty() ? "" : " to " + targets);
    }
    if (type == "primarykey") {
        return "unique identifier (primary key)";
    }
    return type;
}

std::string requirement_text(const std::string& level)
{
    if (level == "none" || level.empty()) {
        return "optional";
    }
    if (level == "systemrequired") {
        return "system required";
    }
    return level;
}

std::string view_type_text(int query_type)
{
    switch (query_type) {
    case 0: return "public";
    case 1: return "advanced find";
    case 2: return "associated";
    case 4: return "quick find";
    case 64: return "lookup";
    case 2048: return "saved query";
    case 8192: return "offline";
    default: return "type " + std::to_string(query_type);
    }
}

std::string web_resource_type_text(const std::string& code)
{
    static const std::map<std::string, std::string> k_types = {
        {"1", "HTML"}, {"2", "CSS"}, {"3", "JavaScript"}, {"4", "XML"},  {"5", "PNG"},  {"6", "JPG"},
        {"7", "GIF"},  {"8", "XAP"}, {"9", "XSL"},        {"10", "ICO"}, {"11", "SVG"}, {"12", "RESX"},
    };
    auto found = k_types.find(code);
    return found == k_types.end() ? "type " + code : found->second;
}

std::string app_component_type_text(const std::string& code)
{
    using solution::ComponentType;
    auto type = solution::parse_component_type(code);
    if (!type) {
        return "type " + code;
    }
    switch (*type) {
    case ComponentType::entity: return "entity";
    case ComponentType::role: return "security role";
    case ComponentType::saved_query: return "view";
    case ComponentType::workflow: return "process";
    case ComponentType::ribbon_command: return "ribbon command";
    case ComponentType::saved_query_visualization: return "chart";
    case ComponentType::system_form: return "form";
    case ComponentType::web_resource: return "web resource";
    case ComponentType::site_map: return "sitemap";
    case ComponentType::app_module: return "app module";
    case ComponentType::canvas_app: return "canvas app";
    default: return "type " + code;
    }
}

char level_code(const std::string& level)
{
    if (level == "Basic") {
        return 'B';
    }
    if (level == "Local") {
        return 'L';
    }
    if (level == "Deep") {
        return 'D';
    }
    if (level == "Global") {
        return 'G';
    }
    return level.empty() ? '-' : '?';
}

std::string privilege_code(const EntityPrivileges& privileges)
{
    std::string code;
    for (std::string_view action : solution::k_privilege_actions) {
        auto found = privileges.find(std::string(action));
        code += found == privileges.end() ? '-' : level_code(found->second);
    }
    return code;
}

} // namespace escprov::describe
