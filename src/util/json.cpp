#include "util/json.hpp"

#include <nlohmann/json.hpp>

namespace escprov {

std::string json_depth_problem(std::string_view text, size_t max_depth)
{
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) {
                return "nests arrays and objects deeper than " + std::to_string(max_depth) + " levels";
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return {};
}

nlohmann::json parse_json_bounded(std::string_view text, std::string* problem, size_t max_depth)
{
    std::string too_deep = json_depth_problem(text, max_depth);
    if (!too_deep.empty()) {
        if (problem != nullptr) {
            *problem = too_deep;
        }
        return nlohmann::json(nlohmann::json::value_t::discarded);
    }
    nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() && problem != nullptr) {
        *problem = "is not JSON";
    }
    return parsed;
}

} // namespace escprov
