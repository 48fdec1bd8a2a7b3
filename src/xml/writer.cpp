#include "xml/writer.hpp"

#include "util/error.hpp"
#include "util/text.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace escprov::xml {

namespace {
constexpr size_t k_buffer_size = 1 << 20;

} // namespace

FileSink::FileSink(const std::filesystem::path& path, const std::filesystem::path& shown)
    : m_shown(shown.empty() ? path : shown)
{
    do {
        m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    } while (m_fd < 0 && errno == EINTR);
    if (m_fd < 0) {
        throw_output("write '" + m_shown.string() + "': " + std::strerror(errno));
    }
    m_buffer.reserve(k_buffer_size);
}

FileSink::~FileSink()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void FileSink::write(std::string_view bytes)
{
    if (m_buffer.size() + bytes.size() > k_buffer_size) {
        flush_buffer();
    }
    if (bytes.size() >= k_buffer_size) {
        m_buffer.assign(bytes);
        flush_buffer();
        return;
    }
    m_buffer.append(bytes);
}

void FileSink::flush_buffer()
{
    size_t offset = 0;
    while (offset < m_buffer.size()) {
        ssize_t put = ::write(m_fd, m_buffer.data() + offset, m_buffer.size() - offset);
        if (put < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_output("write '" + m_shown.string() + "': " + std::strerror(errno));
        }
        offset += static_cast<size_t>(put);
    }
    m_written += m_buffer.size();
    m_buffer.clear();
}

void FileSink::close()
{
    if (m_fd < 0) {
        return;
    }
    flush_buffer();
    int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) {
        throw_output("write '" + m_shown.string() + "': " + std::strerror(errno));
    }
}

namespace {
// Appends `text`, replacing each character for which `replacement` returns non-null; runs of
// plain characters are appended in one go.
template <typename Replace> void escape_with(std::string& out, std::string_view text, Replace replacement)
{
    size_t run = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (const char* with = replacement(text[i])) {
            out.append(text.data() + run, i - run);
            out.append(with);
            run = i + 1;
        }
    }
    out.append(text.data() + run, text.size() - run);
}
} // namespace

void escape_text(std::string& out, std::string_view text)
{
    escape_with(out, text, [](char c) -> const char* {
        switch (c) {
        case '&': return "&amp;";
        case '<': return "&lt;";
        case '>': return "&gt;";
        case '\n': return "\r\n";
        case '\r': return "&#xD;"; // a parsed \r can only have come from &#xD;
        default: return nullptr;
        }
    });
}

void escape_attribute(std::string& out, std::string_view value)
{
    escape_with(out, value, [](char c) -> const char* {
        switch (c) {
        case '&': return "&amp;";
        case '<': return "&lt;";
        case '>': return "&gt;";
        case '"': return "&quot;";
        case '\n': return "&#xA;";
        case '\r': return "&#xD;";
        case '\t': return "&#x9;";
        default: return nullptr;
        }
    });
}

Writer::Writer(Sink& sink, Style style) : m_sink(sink), m_style(std::move(style)) {}

void Writer::newline_and_indent(size_t depth)
{
    m_scratch.assign(m_style.newline);
    m_scratch.append((depth + m_style.base_depth) * m_style.indent, ' ');
    m_sink.write(m_scratch);
}

void Writer::append_text(std::string& out, std::string_view text, bool cdata)
{
    if (cdata) {
        out += "<![CDATA[";
        out += text;
        out += "]]>";
    } else {
        escape_text(out, text);
    }
}

void Writer::write_text(std::string_view text, bool cdata)
{
    m_scratch.clear();
    append_text(m_scratch, text, cdata);
    m_sink.write(m_scratch);
}

void Writer::flush_pending(Frame& frame)
{
    bool all_space = true;
    for (size_t i = 0; i < frame.pending_count; ++i) {
        if (frame.pending[i].second || !is_blank(frame.pending[i].first)) {
            all_space = false;
        }
    }
    if (!all_space) {
        frame.mixed = true;
        for (size_t i = 0; i < frame.pending_count; ++i) {
            write_text(frame.pending[i].first, frame.pending[i].second);
        }
    }
    frame.pending_count = 0;
}

void Writer::begin_child()
{
    if (!m_started) {
        m_started = true;
        std::string head;
        if (m_style.bom) {
            head += "\xEF\xBB\xBF";
        }
        if (m_style.declaration) {
            head += "<?xml version=\"1.0\" encoding=\"utf-8\"?>" + m_style.newline;
        }
        if (m_style.base_depth > 0) {
            head.append(static_cast<size_t>(m_style.base_depth) * m_style.indent, ' ');
        }
        m_sink.write(head);
        return;
    }
    if (m_depth == 0) {
        newline_and_indent(0);
        return;
    }
    Frame& parent = top();
    if (parent.tag_open) {
        m_sink.write(">");
        parent.tag_open = false;
    }
    bool indent = should_indent(parent);
    flush_pending(parent);
    parent.has_elements = true;
    if (!parent.mixed && indent) {
        newline_and_indent(m_depth);
    }
}

bool Writer::should_indent(const Frame& frame) const
{
    // The whitespace itself is never written: it is replaced by canonical indentation.
    return !m_style.keep_unindented_markup || frame.pending_count != 0;
}

void Writer::start_element(std::string_view name, const Attributes& attributes, bool empty_tag)
{
    begin_child();
    m_scratch.assign("<");
    m_scratch.append(name);
    for (const auto& attribute : attributes) {
        m_scratch += ' ';
        m_scratch += attribute.name;
        m_scratch += "=\"";
        escape_attribute(m_scratch, attribute.value);
        m_scratch += '"';
    }
    m_sink.write(m_scratch);
    if (m_frames.size() == m_depth) {
        m_frames.emplace_back();
    }
    Frame& frame = m_frames[m_depth++];
    frame.name.assign(name);
    frame.empty_tag = empty_tag;
    frame.tag_open = true;
    frame.has_elements = false;
    frame.mixed = false;
    frame.pending_count = 0;
}

void Writer::end_element()
{
    Frame& frame = top();
    m_scratch.clear();
    if (!frame.has_elements) {
        if (frame.pending_count == 0 && frame.empty_tag) {
            m_scratch += " />";
        } else {
            m_scratch += '>';
            for (size_t i = 0; i < frame.pending_count; ++i) {
                append_text(m_scratch, frame.pending[i].first, frame.pending[i].second);
            }
            m_scratch += "</";
            m_scratch += frame.name;
            m_scratch += '>';
        }
        m_sink.write(m_scratch);
    } else {
        bool indent = should_indent(frame);
        flush_pending(frame);
        if (!frame.mixed && indent) {
            newline_and_indent(m_depth - 1); // uses m_scratch itself
        }
        m_scratch.assign("</");
        m_scratch += frame.name;
        m_scratch += '>';
        m_sink.write(m_scratch);
    }
    --m_depth;
}

void Writer::characters(std::string_view text, bool cdata)
{
    if (m_depth == 0) {
        return; // text outside the root element is whitespace by definition
    }
    Frame& frame = top();
    if (frame.pending_count != 0 && frame.pending[frame.pending_count - 1].second == cdata) {
        frame.pending[frame.pending_count - 1].first.append(text);
        return;
    }
    if (frame.pending.size() == frame.pending_count) {
        frame.pending.emplace_back();
    }
    auto& [held, held_cdata] = frame.pending[frame.pending_count++];
    held.assign(text);
    held_cdata = cdata;
}

void Writer::comment(std::string_view text)
{
    begin_child();
    m_sink.write("<!--" + std::string(text) + "-->");
}

void Writer::processing_instruction(std::string_view target, std::string_view data)
{
    begin_child();
    std::string pi = "<?" + std::string(target);
    if (!data.empty()) {
        pi += " " + std::string(data);
    }
    m_sink.write(pi + "?>");
}

void Writer::write_node(const Node& node)
{
    switch (node.kind) {
    case NodeKind::element:
        start_element(node.name, node.attributes, node.empty_tag);
        for (const auto& child : node.children) {
            write_node(child);
        }
        end_element();
        break;
    case NodeKind::text: characters(node.text, false); break;
    case NodeKind::cdata: characters(node.text, true); break;
    case NodeKind::comment: comment(node.text); break;
    case NodeKind::processing_instruction: processing_instruction(node.name, node.text); break;
    }
}

std::string to_string(const Node& root, const Style& style)
{
    StringSink sink;
    Writer writer(sink, style);
    writer.write_node(root);
    return sink.take();
}

} // namespace escprov::xml
