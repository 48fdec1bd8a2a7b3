#pragma once
// UTF-16 (Xerces XMLCh) to UTF-8 without a transcoder object: the hot path of every parse.

#include <string>
#include <string_view>

namespace escprov {

// Appends the UTF-8 form of the NUL-terminated UTF-16 string `in` (or its first `length` units).
void append_utf8(std::string& out, const char16_t* in, size_t length);
void append_utf8(std::string& out, const char16_t* in);
std::string to_utf8(const char16_t* in);
// UTF-8 to UTF-16 (for handing names to Xerces). Invalid sequences become U+FFFD.
std::u16string to_utf16(std::string_view in);
// True when `bytes` is well-formed UTF-8.
bool is_valid_utf8(std::string_view bytes);

} // namespace escprov
