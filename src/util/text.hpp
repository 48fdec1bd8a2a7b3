#pragma once
// Small text helpers the XML-facing code shares. "Blank" and "trimmed" use XML's whitespace
// (space, tab, CR, LF); case folding is ASCII, as CRM's schema names and GUIDs are.

#include <string>
#include <string_view>
#include <vector>

namespace escprov {

// `text` with A-Z folded to a-z.
std::string ascii_lower(std::string_view text);

// "1 file", "2 files": the count and the word, with an "s" unless the count is 1.
std::string counted(size_t count, std::string_view word);
// "1 entry", "2 entries": the count and `singular` when it is 1, else `plural`.
std::string counted(size_t count, std::string_view singular, std::string_view plural);
// `text` broken at spaces into lines of at most `width` characters (a word longer than that
// gets a line of its own); runs of spaces count as one. No line ends in the result.
std::vector<std::string> wrap_words(std::string_view text, size_t width);
// `text` without leading and trailing XML whitespace.
std::string trimmed(std::string_view text);
// True when `text` holds nothing but XML whitespace (or nothing).
bool is_blank(std::string_view text);

} // namespace escprov
