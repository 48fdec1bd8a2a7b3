#pragma once
// The tool's version, from the CMake project version (build_info.hpp is generated).

#include <string_view>

namespace escprov {
std::string_view version_string();
}
