#pragma once
// Reading JSON that arrives from outside (bundle and backup manifests): bounded in nesting before
// nlohmann's parser sees it, so that a crafted file cannot exhaust the stack of the code that
// later walks or writes the document (its serializer recurses per level).

#include <cstddef>
#include <string>
#include <string_view>

namespace escprov {

// The deepest nesting of arrays and objects escprov reads; its own manifests use 3.
inline constexpr size_t k_max_json_depth = 64;

// Why `text` may not be parsed ("nests arrays and objects deeper than 64 levels"), or "" when it
// may. Strings are skipped, so brackets inside them do not count.
std::string json_depth_problem(std::string_view text, size_t max_depth = k_max_json_depth);

} // namespace escprov
