#include "solution/privilege.hpp"

namespace escprov::solution {

std::optional<PrivilegeName> parse_privilege(std::string_view name)
{
    if (!name.starts_with("prv")) {
        return std::nullopt;
    }
    std::string_view rest = name.substr(3);
    std::optional<PrivilegeName> found;
    for (std::string_view action : k_privilege_actions) {
        // The longest action that fits: "AppendTo" before "Append".
        if (rest.starts_with(action) && rest.size() > action.size() &&
            (!found || action.size() > found->action.size())) {
            found = PrivilegeName{action, rest.substr(action.size())};
        }
    }
    return found;
}

} // namespace escprov::solution
