#include "util/utf.hpp"

namespace escprov {

void append_utf8(std::string& out, const char16_t* in, size_t length)
{
    // Sized once for the worst case (3 bytes per unit), written through a pointer, trimmed
    // at the end: this runs for every name, attribute and text of every parse.
    size_t start = out.size();
    char16_t seen = 0;
    for (size_t i = 0; i < length; ++i) {
        seen |= in[i];
    }
    if (seen < 0x80) {
        // All ASCII, the common case for names, ids and indentation: two loops the compiler vectorises.
        out.resize(start + length);
        char* ascii = out.data() + start;
        for (size_t i = 0; i < length; ++i) {
            ascii[i] = static_cast<char>(in[i]);
        }
        return;
    }
    out.resize(start + length * 3);
    char* p = out.data() + start;
    for (size_t i = 0; i < length; ++i) {
        char32_t c = in[i];
        if (c < 0x80) {
            *p++ = static_cast<char>(c);
            continue;
        }
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < length && in[i + 1] >= 0xDC00 && in[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (in[i + 1] - 0xDC00);
            ++i; // two units in, four bytes out: still within 3 bytes per unit
        }
        if (c < 0x800) {
            *p++ = static_cast<char>(0xC0 | (c >> 6));
            *p++ = static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *p++ = static_cast<char>(0xE0 | (c >> 12));
            *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            *p++ = static_cast<char>(0x80 | (c & 0x3F));
        } else {
            *p++ = static_cast<char>(0xF0 | (c >> 18));
            *p++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
            *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
            *p++ = static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    out.resize(static_cast<size_t>(p - out.data()));
}

void append_utf8(std::string& out, const char16_t* in)
{
    size_t length = 0;
    while (in[length] != 0) {
        ++length;
    }
    append_utf8(out, in, length);
}

std::string to_utf8(const char16_t* in)
{
    std::string out;
    if (in != nullptr) {
        append_utf8(out, in);
    }
    return out;
}

std::u16string to_utf16(std::string_view in)
{
    std::u16string out;
    out.reserve(in.size());
    size_t i = 0;
    while (i < in.size()) {
        auto byte = static_cast<unsigned char>(in[i]);
        char32_t c = 0xFFFD;
        size_t extra = 0;
        if (byte < 0x80) {
            c = byte;
        } else if ((byte & 0xE0) == 0xC0) {
            c = byte & 0x1F;
            extra = 1;
        } else if ((byte & 0xF0) == 0xE0) {
            c = byte & 0x0F;
            extra = 2;
        } else if ((byte & 0xF8) == 0xF0) {
            c = byte & 0x07;
            extra = 3;
        }
        ++i;
        for (size_t k = 0; k < extra; ++k, ++i) {
            if (i >= in.size() || (static_cast<unsigned char>(in[i]) & 0xC0) != 0x80) {
                c = 0xFFFD;
                break;
            }
            c = (c << 6) | (static_cast<unsigned char>(in[i]) & 0x3F);
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            out.push_back(static_cast<char16_t>(0xD800 + (c >> 10)));
            out.push_back(static_cast<char16_t>(0xDC00 + (c & 0x3FF)));
        } else {
            out.push_back(static_cast<char16_t>(c));
        }
    }
    return out;
}

bool is_valid_utf8(std::string_view bytes)
{
    size_t i = 0;
    while (i < bytes.size()) {
        auto byte = static_cast<unsigned char>(bytes[i]);
        size_t extra = 0;
        char32_t min = 0;
        if (byte < 0x80) {
            ++i;
            continue;
        }
        if ((byte & 0xE0) == 0xC0) {
            extra = 1;
            min = 0x80;
        } else if ((byte & 0xF0) == 0xE0) {
            extra = 2;
            min = 0x800;
        } else if ((byte & 0xF8) == 0xF0) {
            extra = 3;
            min = 0x10000;
        } else {
            return false;
        }
        char32_t c = byte & (0x3F >> extra);
        if (i + extra >= bytes.size() + 0 && i + extra > bytes.size() - 1) {
            return false;
        }
        for (size_t k = 1; k <= extra; ++k) {
            auto next = static_cast<unsigned char>(bytes[i + k]);
            if ((next & 0xC0) != 0x80) {
                return false;
            }
            c = (c << 6) | (next & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

} // namespace escprov
