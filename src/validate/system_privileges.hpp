#pragma once
// Facts about CRM's own privileges, taken from real organisation exports, so that a role's
// privilege can be told apart from one that names an entity nobody defines.

#include <optional>
#include <string_view>

namespace escprov::validate {

// True when `name` ("prvReadAccount") is a privilege of CRM itself (exact, case-sensitive).
bool is_system_privilege(std::string_view name);

// The verb and entity of an entity privilege: "prvAppendToesc_emailcampaign" -> {"AppendTo",
// "esc_emailcampaign"}. Views into `name`.
struct PrivilegeTarget {
    std::string_view verb;
    std::string_view entity;
};
// nullopt when `name` is not prv{Create|Read|Write|Delete|Append|AppendTo|Assign|Share}<Entity>.
std::optional<PrivilegeTarget> split_privilege(std::string_view name);

// True when `entity` (any case) is an entity that system privileges refer to.
bool is_system_entity(std::string_view entity);

} // namespace escprov::validate
