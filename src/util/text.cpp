#include "util/text.hpp"

#include <algorithm>

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

std::vector<std::string> wrap_words(std::string_view text, size_t width)
{
    std::vector<std::string> lines;
    std::string line;
    size_t at = 0;
    while (at < text.size()) {
        size_t start = text.find_first_not_of(' ', at);
        if (start == std::string_view::npos) {
            break;
        }
        size_t end = std::min(text.find(' ', start), text.size());
        std::string_view word = text.substr(start, end - start);
        if (!line.empty() && line.size() + 1 + word.size() > width) {
            lines.push_back(std::move(line));
            line.clear();
        }
        if (!line.empty()) {
            line += ' ';
        }
        line += word;
        at = end;
    }
    if (!line.empty()) {
        lines.push_back(std::move(line));
    }
    return lines;
}

std::string counted(size_t count, std::string_view singular, std::string_view plural)
{
    return std::to_string(count) + " " + std::string(count == 1 ? singular : plural);
}

} // namespace escprov
