#pragma once
// Streaming pieces for the solution transfers, so that a 250 MB zip is never held whole: base64
// decoding and encoding on the fly, pulling the one big string value out of a JSON answer
// ({"ExportSolutionFile":"<base64>"}) or a SOAP answer (<value>base64</value>) as it arrives, and
// the import request's body produced from the zip file while libcurl sends it.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>

namespace escprov::remote {

using ChunkSink = std::function<void(std::string_view)>;

// Decodes base64 fed in pieces of any size; whitespace is skipped. Throws Error(input) on a
// character outside the alphabet or text after the padding.
class Base64Decoder {
public:
    explicit Base64Decoder(ChunkSink out) : m_out(std::move(out)) {}
    void feed(std::string_view text);
    // Throws Error(input) when the text ended inside a group of four.
    void finish();
    void reset();
    uint64_t decoded() const { return m_decoded; }

private:
    ChunkSink m_out;
    uint32_t m_bits = 0;
    int m_count = 0;
    int m_padding = 0;
    uint64_t m_decoded = 0;
    std::string m_buffer;
};

// The base64 text of `bytes` (tests and short values).
std::string base64_encode(std::string_view bytes);
// The length of the base64 text of `size` bytes.
constexpr uint64_t base64_length(uint64_t size)
{
    return 4 * ((size + 2) / 3);
}

// Pulls the string value of top-level key `key` out of a JSON object fed in pieces, unescaped, to
// `out`; every other value is skipped without being kept. Throws Error(input) for JSON that is not
// an object or is malformed.
class JsonStringExtractor {
public:
    JsonStringExtractor(std::string key, ChunkSink out) : m_key(std::move(key)), m_out(std::move(out)) {}
    void feed(std::string_view text);
    // True once the whole value has been seen.
    bool found() const { return m_found; }
    // True once the object's closing brace has been seen.
    bool complete() const { return m_state == State::done; }
    void reset();

private:
    enum class State {
        start,
        expect_key,
        in_key,
        after_key,
        before_value,
        in_target,
        skip_string,
        skip_nested,
        skip_scalar,
        after_value,
        done
    };
    void step(char c);
    std::string m_key;
    ChunkSink m_out;
    State m_state = State::start;
    std::string m_current_key;
    bool m_escape = false;
    int m_unicode_left = 0; // hex digits of a \u escape still to come
    uint32_t m_unicode = 0;
    int m_depth = 0;
    bool m_nested_string = false;
    bool m_found = false;
    std::string m_pending; // a run of plain value characters, flushed per feed
};

// Pulls the text of the SOAP <value> that follows <key>`key`</key> out of an answer fed in
// pieces, to `out` (base64 carries no entities). found() once its end tag started.
class SoapValueExtractor {
public:
    SoapValueExtractor(const std::string& key, ChunkSink out);
    void feed(std::string_view text);
    bool found() const { return m_state == State::done; }
    void reset();

private:
    enum class State { seek_key, seek_value, in_value, done };
    std::string m_marker;
    ChunkSink m_out;
    State m_state = State::seek_key;
    std::string m_window;
    int m_tags_left = 0;
};

// The body of an import request: `prefix`, the base64 of the file, `suffix`, produced while libcurl
// reads it. Throws Error(input) when the file cannot be read.
class EncodedFileBody {
public:
    EncodedFileBody(std::filesystem::path file, std::string prefix, std::string suffix);
    // Fills `buffer`, returns the bytes written; 0 at the end.
    size_t read(char* buffer, size_t size);
    void rewind();
    uint64_t size() const { return m_prefix.size() + base64_length(m_file_size) + m_suffix.size(); }

private:
    void refill();
    std::filesystem::path m_path;
    std::string m_prefix;
    std::string m_suffix;
    uint64_t m_file_size = 0;
    std::ifstream m_file;
    int m_phase = 0; // 0 prefix, 1 file, 2 suffix, 3 end
    std::string m_pending;
    size_t m_offset = 0;
};

} // namespace escprov::remote
