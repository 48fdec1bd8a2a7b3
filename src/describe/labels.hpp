#pragma once
// Readable words for the codes a solution writes (attribute types, requirement levels, view
// types, web resource types, privilege levels), shared by the Markdown and JSON writers.

#include "describe/model.hpp"

#include <map>
#include <string>

namespace escprov::describe {

// The option sets of a description by name, so a picklist can show its options.
using OptionSetIndex = std::map<std::string, const OptionSet*>;
OptionSetIndex index_option_sets(const Description& description);

// "text (max 100)", "lookup to esc_emailaccount", "option set esc_syncstatus: 772630000 None,
// ..." for an attribute.
std::string type_text(const Attribute& attribute, const OptionSetIndex& option_sets);
// The options a picklist or two-option attribute offers: its own, else its global set's.
std::vector<Option> attribute_options(const Attribute& attribute, const OptionSetIndex& option_sets);
// "optional", "recommended", "required", "system required".
std::string requirement_text(const std::string& level);
// "public", "advanced find", "associated", "quick find", "lookup"... for a savedquery querytype.
std::string view_type_text(int query_type);
// "HTML", "CSS", "JavaScript"... for a WebResourceType code.
std::string web_resource_type_text(const std::string& code);
// "entity", "view", "form", "sitemap"... for an app module component type.
std::string app_component_type_text(const std::string& code);
char level_code(const std::string& level);
// The 8-letter code of a role's levels on one entity, e.g. "GGGG GG--" without the space.
std::string privilege_code(const EntityPrivileges& privileges);

} // namespace escprov::describe
