#pragma once
// Privilege names of security roles: "prv" + an action + the entity it is about
// ("prvAppendToesc_emailcampaign"), as CRM writes them in <RolePrivilege name=...>.

#include <array>
#include <optional>
#include <string_view>

namespace escprov::solution {

// The eight actions of an entity's privileges, in the order CRM's role editor shows them.
inline constexpr std::array<std::string_view, 8> k_privilege_actions = {"Create", "Read",     "Write",  "Delete",
                                                                        "Append", "AppendTo", "Assign", "Share"};

// A privilege name taken apart; both views point into the name given.
struct PrivilegeName {
    std::string_view action; // one of k_privilege_actions
    std::string_view entity; // as written: "esc_emailcampaign", "Account"
};

// "prvAppendToesc_emailcampaign" -> {"AppendTo", "esc_emailcampaign"} ("AppendTo" wins over
// "Append"); nullopt for a name that is not "prv" + action + a non-empty entity.
std::optional<PrivilegeName> parse_privilege(std::string_view name);

} // namespace escprov::solution
