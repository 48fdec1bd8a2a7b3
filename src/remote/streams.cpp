#include "remote/streams.hpp"

#include "util/error.hpp"

#include <array>
#include <cctype>

namespace escprov::remote {

namespace {

constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_values()
{
    std::array<int8_t, 256> values{};
    for (auto& value : values) {
        value = -1;
    }
    for (size_t i = 0; i < k_alphabet.size(); ++i) {
        values.at(static_cast<unsigned char>(k_alphabet[i])) = static_cast<int8_t>(i);
    }
    return values;
}
constexpr std::array<int8_t, 256> k_values = make_values();

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Encodes whole groups of three; `size` must be a multiple of 3 unless it is the last piece.
void encode_into(std::string& out, const unsigned char* in, size_t size)
{
    size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        uint32_t group = (uint32_t{in[i]} << 16U) | (uint32_t{in[i + 1]} << 8U) | in[i + 2];
        out += k_alphabet[(group >> 18U) & 63U];
        out += k_alphabet[(group >> 12U) & 63U];
        out += k_alphabet[(group >> 6U) & 63U];
        out += k_alphabet[group & 63U];
    }
    size_t left = size - i;
    if (left == 1) {
        uint32_t group = uint32_t{in[i]} << 16U;
        out += k_alphabet[(group >> 18U) & 63U];
        out += k_alphabet[(group >> 12U) & 63U];
        out += "==";
    } else if (left == 2) {
        uint32_t group = (uint32_t{in[i]} << 16U) | (uint32_t{in[i + 1]} << 8U);
        out += k_alphabet[(group >> 18U) & 63U];
        out += k_alphabet[(group >> 12U) & 63U];
        out += k_alphabet[(group >> 6U) & 63U];
        out += '=';
    }
}

void append_utf8(std::string& out, uint32_t code)
{
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0U | (code >> 6U));
        out += static_cast<char>(0x80U | (code & 0x3FU));
    } else {
        out += static_cast<char>(0xE0U | (code >> 12U));
        out += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (code & 0x3FU));
    }
}

} // namespace

// ---- base64 -------------------------------------------------------------------------------------

void Base64Decoder::feed(std::string_view text)
{
    m_buffer.clear();
    for (char c : text) {
        if (is_space(c)) {
            continue;
        }
        if (c == '=') {
            if (m_count < 2 || m_count + m_padding >= 4) {
                throw_input("decode the solution file: misplaced '=' in its base64 text");
            }
            ++m_padding;
            if (m_count + m_padding == 4) {
                uint32_t bits = m_bits << (6U * static_cast<unsigned>(m_padding));
                m_buffer += static_cast<char>((bits >> 16U) & 0xFFU);
                if (m_count == 3) {
                    m_buffer += static_cast<char>((bits >> 8U) & 0xFFU);
                }
            }
            continue;
        }
        int8_t value = k_values.at(static_cast<unsigned char>(c));
        if (value < 0 || m_padding > 0) {
            throw_input(value < 0 ? "decode the solution file: a character outside base64 in its text"
                                  : "decode the solution file: base64 text after the padding");
        }
        m_bits = (m_bits << 6U) | static_cast<uint32_t>(value);
        if (++m_count == 4) {
            m_buffer += static_cast<char>((m_bits >> 16U) & 0xFFU);
            m_buffer += static_cast<char>((m_bits >> 8U) & 0xFFU);
            m_buffer += static_cast<char>(m_bits & 0xFFU);
            m_bits = 0;
            m_count = 0;
        }
    }
    if (!m_buffer.empty()) {
        m_decoded += m_buffer.size();
        m_out(m_buffer);
    }
}

void Base64Decoder::finish()
{
    if (m_padding > 0 ? m_count + m_padding != 4 : m_count != 0) {
        throw_input("decode the solution file: its base64 text ends in the middle of a group");
    }
}

void Base64Decoder::reset()
{
    m_bits = 0;
    m_count = 0;
    m_padding = 0;
    m_decoded = 0;
}

std::string base64_encode(std::string_view bytes)
{
    std::string out;
    out.reserve(base64_length(bytes.size()));
    encode_into(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return out;
}

// ---- JSON ---------------------------------------------------------------------------------------

void JsonStringExtractor::reset()
{
    m_state = State::start;
    m_current_key.clear();
    m_escape = false;
    m_unicode_left = 0;
    m_depth = 0;
    m_nested_string = false;
    m_found = false;
    m_pending.clear();
}

void JsonStringExtractor::feed(std::string_view text)
{
    for (size_t i = 0; i < text.size(); ++i) {
        if (m_state == State::in_target && !m_escape && m_unicode_left == 0) {
            // The fast path: a run of plain characters goes out as one piece.
            size_t end = text.find_first_of("\"\\", i);
            size_t stop = end == std::string_view::npos ? text.size() : end;
            m_pending.append(text.substr(i, stop - i));
            i = stop;
            if (i == text.size()) {
                break;
            }
        }
        step(text[i]);
    }
    if (!m_pending.empty()) {
        m_out(m_pending);
        m_pending.clear();
    }
}

void JsonStringExtractor::step(char c)
{
    auto malformed = [] { throw_input("read the org's answer: malformed JSON"); };
    switch (m_state) {
    case State::start:
        if (c == '{') {
            m_state = State::expect_key;
        } else if (!is_space(c)) {
            malformed();
        }
        return;
    case State::expect_key:
        if (c == '"') {
            m_current_key.clear();
            m_state = State::in_key;
        } else if (c == '}') {
            m_state = State::done;
        } else if (!is_space(c) && c != ',') {
            malformed();
        }
        return;
    case State::in_key:
        if (m_escape) {
            m_current_key += c;
            m_escape = false;
        } else if (c == '\\') {
            m_escape = true;
        } else if (c == '"') {
            m_state = State::after_key;
        } else if (m_current_key.size() < 1024) {
            m_current_key += c;
        }
        return;
    case State::after_key:
        if (c == ':') {
            m_state = State::before_value;
        } else if (!is_space(c)) {
            malformed();
        }
        return;
    case State::before_value:
        if (is_space(c)) {
            return;
        }
        if (c == '"') {
            m_state = m_current_key == m_key ? State::in_target : State::skip_string;
        } else if (c == '{' || c == '[') {
            m_depth = 1;
            m_nested_string = false;
            m_state = State::skip_nested;
        } else {
            m_state = State::skip_scalar;
        }
        return;
    case State::in_target:
        if (m_unicode_left > 0) {
            int digit = std::isxdigit(static_cast<unsigned char>(c)) == 0 ? -1
                        : std::isdigit(static_cast<unsigned char>(c)) != 0
                            ? c - '0'
                            : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
            if (digit < 0) {
                malformed();
            }
            m_unicode = (m_unicode << 4U) | static_cast<uint32_t>(digit);
            if (--m_unicode_left == 0) {
                append_utf8(m_pending, m_unicode);
            }
        } else if (m_escape) {
            m_escape = false;
            switch (c) {
            case 'n': m_pending += '\n'; break;
            case 'r': m_pending += '\r'; break;
            case 't': m_pending += '\t'; break;
            case 'b': m_pending += '\b'; break;
            case 'f': m_pending += '\f'; break;
            case 'u':
                m_unicode_left = 4;
                m_unicode = 0;
                break;
            default: m_pending += c; // \" \\ \/
            }
        } else if (c == '\\') {
            m_escape = true;
        } else if (c == '"') {
            m_found = true;
            m_state = State::after_value;
        } else {
            m_pending += c;
        }
        return;
    case State::skip_string:
        if (m_escape) {
            m_escape = false;
        } else if (c == '\\') {
            m_escape = true;
        } else if (c == '"') {
            m_state = State::after_value;
        }
        return;
    case State::skip_nested:
        if (m_nested_string) {
            if (m_escape) {
                m_escape = false;
            } else if (c == '\\') {
                m_escape = true;
            } else if (c == '"') {
                m_nested_string = false;
            }
        } else if (c == '"') {
            m_nested_string = true;
        } else if (c == '{' || c == '[') {
            ++m_depth;
        } else if ((c == '}' || c == ']') && --m_depth == 0) {
            m_state = State::after_value;
        }
        return;
    case State::skip_scalar:
        if (c == ',') {
            m_state = State::expect_key;
        } else if (c == '}') {
            m_state = State::done;
        } else if (is_space(c)) {
            m_state = State::after_value;
        }
        return;
    case State::after_value:
        if (c == ',') {
            m_state = State::expect_key;
        } else if (c == '}') {
            m_state = State::done;
        } else if (!is_space(c)) {
            malformed();
        }
        return;
    case State::done:
        if (!is_space(c)) {
            malformed();
        }
        return;
    }
}

// ---- SOAP ---------------------------------------------------------------------------------------

SoapValueExtractor::SoapValueExtractor(const std::string& key, ChunkSink out)
    : m_marker(">" + key + "<"), m_out(std::move(out))
{}

void SoapValueExtractor::reset()
{
    m_state = State::seek_key;
    m_window.clear();
    m_tags_left = 0;
}

void SoapValueExtractor::feed(std::string_view text)
{
    size_t i = 0;
    while (i < text.size() && m_state != State::done) {
        if (m_state == State::seek_key) {
            // Keep the marker's length of the past so a marker split across pieces is found.
            m_window.append(text.substr(i, std::min<size_t>(text.size() - i, 65536)));
            i += std::min<size_t>(text.size() - i, 65536);
            size_t at = m_window.find(m_marker);
            if (at == std::string::npos) {
                if (m_window.size() > m_marker.size()) {
                    m_window.erase(0, m_window.size() - m_marker.size());
                }
                continue;
            }
            // Two '>' to go: the end of </key> and of <value …>.
            std::string rest = m_window.substr(at + m_marker.size());
            m_window.clear();
            m_state = State::seek_value;
            m_tags_left = 2;
            feed(rest);
            continue;
        }
        if (m_state == State::seek_value) {
            char c = text[i++];
            if (c == '>' && --m_tags_left == 0) {
                m_state = State::in_value;
            }
            continue;
        }
        size_t end = text.find('<', i);
        size_t stop = end == std::string_view::npos ? text.size() : end;
        if (stop > i) {
            m_out(text.substr(i, stop - i));
        }
        i = stop;
        if (end != std::string_view::npos) {
            m_state = State::done;
        }
    }
}

// ---- the import body ----------------------------------------------------------------------------

EncodedFileBody::EncodedFileBody(std::filesystem::path file, std::string prefix, std::string suffix)
    : m_path(std::move(file)), m_prefix(std::move(prefix)), m_suffix(std::move(suffix))
{
    std::error_code ec;
    m_file_size = std::filesystem::file_size(m_path, ec);
    if (ec) {
        throw_input("read '" + m_path.string() + "': " + ec.message());
    }
    rewind();
}

void EncodedFileBody::rewind()
{
    m_file.close();
    m_file.clear();
    m_file.open(m_path, std::ios::binary);
    if (!m_file) {
        throw_input("read '" + m_path.string() + "': cannot open it");
    }
    m_phase = 0;
    m_pending = m_prefix;
    m_offset = 0;
}

void EncodedFileBody::refill()
{
    m_pending.clear();
    m_offset = 0;
    if (m_phase == 0) {
        m_phase = 1;
    }
    if (m_phase == 1) {
        std::array<unsigned char, size_t{3} * 16384> chunk{};
        m_file.read(reinterpret_cast<char*>(chunk.data()), chunk.size());
        auto got = static_cast<size_t>(m_file.gcount());
        if (m_file.bad()) {
            throw_input("read '" + m_path.string() + "': read error");
        }
        if (got > 0) {
            encode_into(m_pending, chunk.data(), got);
        }
        if (got < chunk.size()) {
            m_phase = 2;
            m_pending += m_suffix;
        }
        return;
    }
    m_phase = 3;
}

size_t EncodedFileBody::read(char* buffer, size_t size)
{
    size_t written = 0;
    while (written < size) {
        if (m_offset == m_pending.size()) {
            if (m_phase >= 2) {
                m_phase = 3;
                break;
            }
            refill();
            continue;
        }
        size_t take = std::min(size - written, m_pending.size() - m_offset);
        m_pending.copy(buffer + written, take, m_offset);
        m_offset += take;
        written += take;
    }
    return written;
}

} // namespace escprov::remote
