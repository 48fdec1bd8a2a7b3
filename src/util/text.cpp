#include "util/text.hpp"

namespace escprov {

namespace {
constexpr std::string_view k_xml_space = " \t\r\n";
}

std::string ascii_lower(std::string_view text)
{
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string trimmed(std::string_view text)
{
    size_t first = text.find_first_not_of(k_xml_space);
    if (first == std::string_view::npos) {
        return {};
    }
    return std::string(text.substr(first, text.find_last_not_of(k_xml_space) - first + 1));
}

bool is_blank(std::string_view text)
{
    return text.find_first_not_of(k_xml_space) == std::string_view::npos;
}

std::string counted(size_t count, std::string_view word)
{
    std::string text = std::to_string(count) + " " + std::string(word);
    if (count != 1) {
        text += "s";
    }
    return text;
}

} // namespace escprov
