#pragma once
// Writes XML the way a CRM export does (.NET XmlWriter, indented): CRLF line ends, two-space
// indent, "<x />" for elements written empty in the source, "<x></x>" for start/end pairs,
// attributes in source order with &quot; &lt; &gt; &amp; &#xA; &#xD; &#x9; escaped, text with
// &lt; &gt; &amp; escaped. Whitespace-only text between elements is replaced by indentation;
// text in a leaf element is data and is kept as is. Streams: memory does not grow with output.

#include "xml/node.hpp"

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::xml {

class Sink {
public:
    virtual ~Sink() = default;
    virtual void write(std::string_view bytes) = 0;
};

class StringSink : public Sink {
public:
    void write(std::string_view bytes) override { m_bytes.append(bytes); }
    const std::string& bytes() const { return m_bytes; }
    std::string take() { return std::move(m_bytes); }

private:
    std::string m_bytes;
};

// Buffered writes to a file created (or truncated) at `path`. Throws Error(output) naming the file
// as `shown` (default: `path`): a staged file is named where it will be, never by its temporary.
class FileSink : public Sink {
public:
    explicit FileSink(const std::filesystem::path& path, const std::filesystem::path& shown = {});
    ~FileSink() override;
    FileSink(const FileSink&) = delete; // owns a file descriptor, closed once
    FileSink& operator=(const FileSink&) = delete;
    void write(std::string_view bytes) override;
    void close(); // flushes; throws Error(output) on failure (disk full)
    uint64_t bytes_written() const { return m_written; }

private:
    void flush_buffer();
    std::filesystem::path m_shown;
    int m_fd = -1;
    std::string m_buffer;
    uint64_t m_written = 0;
};

struct Style {
    bool bom = false;         // UTF-8 byte-order mark first
    bool declaration = false; // <?xml version="1.0" encoding="utf-8"?>
    std::string newline = "\r\n";
    unsigned indent = 2;
    unsigned base_depth = 0; // indentation of the outermost element (for fragments)
    // Where the source put a child element right after its start tag or its previous sibling,
    // with no whitespace between (CRM writes <ControlDescriptionXML><controlDescriptions />
    // that way), keep it so instead of indenting. This needs the source's whitespace text:
    // code that builds elements must put whitespace between them (xml::append_on_own_line),
    // or they come out on one line.
    bool keep_unindented_markup = false;
};

class Writer {
public:
    Writer(Sink& sink, Style style = {});

    void start_element(std::string_view name, const Attributes& attributes, bool empty_tag = true);
    void end_element();
    void characters(std::string_view text, bool cdata = false);
    void comment(std::string_view text);
    void processing_instruction(std::string_view target, std::string_view data);
    // Writes a whole subtree at the current position.
    void write_node(const Node& node);
    size_t depth() const { return m_depth; }

private:
    // One open element. Frames are reused from element to element (m_frames only grows), so
    // their strings keep their capacity: no allocation per element on the hot path.
    struct Frame {
        std::string name;
        bool empty_tag = true;
        bool tag_open = true;                              // "<name ..." written, '>' not yet
        bool has_elements = false;                         // an element child has been written
        bool mixed = false;                                // non-whitespace text next to element children
        std::vector<std::pair<std::string, bool>> pending; // text awaiting the next event (text, cdata)...
        size_t pending_count = 0;                          // ...of which the first pending_count are live
    };
    Frame& top() { return m_frames[m_depth - 1]; }
    void begin_child(); // prepares the parent for a child node
    // Whether the next child (or the end tag) of `frame` goes on a new, indented line.
    bool should_indent(const Frame& frame) const;
    void flush_pending(Frame& frame);
    void newline_and_indent(size_t depth);
    void write_text(std::string_view text, bool cdata);
    static void append_text(std::string& out, std::string_view text, bool cdata);

    Sink& m_sink;
    Style m_style;
    std::vector<Frame> m_frames;
    size_t m_depth = 0;
    bool m_started = false;
    std::string m_scratch;
};

void escape_text(std::string& out, std::string_view text);
void escape_attribute(std::string& out, std::string_view value);

// Serialises a whole document (or fragment) to a string in the given style.
std::string to_string(const Node& root, const Style& style = {});

} // namespace escprov::xml
