#include "util/build_info_access.hpp"

#include "build_info.hpp"

namespace escprov {
std::string_view version_string()
{
    return k_version;
}
} // namespace escprov
