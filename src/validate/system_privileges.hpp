#pragma once
// Facts about CRM's own privileges, taken from real organisation exports, so that a role's
// privilege can be told apart from one that names an entity nobody defines.

#include <string_view>

namespace escprov::validate {

// True when `name` ("prvReadAccount") is a privilege of CRM itself (exact, case-sensitive).
bool is_system_privilege(std::string_view name);

// True when `entity` (any case) is an entity that system privileges refer to.
bool is_system_entity(std::string_view entity);

} // namespace escprov::validate
