#include "validate/xsd.hpp"

#include "solution/schema.hpp"
#include "util/fs.hpp"
#include "util/utf.hpp"
#include "xml/writer.hpp"

#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/framework/MemBufInputSource.hpp>
#include <xercesc/framework/XMLGrammarPool.hpp>
#include <xercesc/parsers/SAX2XMLReaderImpl.hpp>
#include <xercesc/sax/ErrorHandler.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/util/XMLEntityResolver.hpp>
#include <xercesc/util/XMLResourceIdentifier.hpp>
#include <xercesc/util/XMLUni.hpp>
#include <xercesc/validators/common/Grammar.hpp>

#include <deque>
#include <map>
#include <vector>

namespace escprov::validate {

namespace x = xercesc;
namespace fs = std::filesystem;

namespace {

const XMLCh* xc(const std::u16string& text)
{
    return reinterpret_cast<const XMLCh*>(text.c_str());
}
std::string utf8(const XMLCh* text)
{
    return text != nullptr ? to_utf8(reinterpret_cast<const char16_t*>(text)) : "";
}

struct Problem {
    uint64_t line = 0;
    uint64_t column = 0;
    std::string message;
};

// Collects errors instead of throwing them through Xerces.
class CollectingErrors : public x::ErrorHandler {
public:
    void warning(const x::SAXParseException&) override {}
    void error(const x::SAXParseException& e) override { record(e); }
    void fatalError(const x::SAXParseException& e) override { record(e); }
    void resetErrors() override { problems.clear(); }
    std::vector<Problem> problems;

private:
    void record(const x::SAXParseException& e)
    {
        if (problems.size() < 50) {
            problems.push_back({e.getLineNumber(), e.getColumnNumber(), utf8(e.getMessage())});
        }
    }
};

// Lets the schema loader read the schema files of --schemas DIR (xs:include) and nothing else:
// no DTDs, no network, no file outside DIR. Each file is read patched (patch_schema_text).
class SchemaDirResolver : public x::XMLEntityResolver {
public:
    explicit SchemaDirResolver(fs::path dir) : m_dir(std::move(dir)) {}
    x::InputSource* resolveEntity(x::XMLResourceIdentifier* identifier) override
    {
        fs::path name = fs::path(utf8(identifier->getSystemId())).filename();
        if (name.extension() != ".xsd" || !fs::is_regular_file(m_dir / name)) {
            throw_refusal();
        }
        return open(name);
    }
    // The patched text of schema `name` of DIR as an input source; the resolver keeps the bytes.
    // Throws Error(input) when the file cannot be read.
    x::InputSource* open(const fs::path& name)
    {
        fs::path file = m_dir / name;
        const std::string& bytes = m_texts.emplace_back(patch_schema_text(read_file(file)));
        std::u16string id = to_utf16(file.string());
        return new x::MemBufInputSource(reinterpret_cast<const XMLByte*>(bytes.data()), bytes.size(), xc(id), false);
    }

private:
    [[noreturn]] static void throw_refusal()
    {
        static const std::u16string message = u"escprov refuses to load an external resource";
        throw x::SAXException(xc(message));
    }
    fs::path m_dir;
    std::deque<std::string> m_texts; // the patched schemas, alive as long as their grammars load
};

// The value of each xs:pattern, patched for a standard engine.
std::string patch_pattern(std::string value)
{
    for (size_t at = value.find("\\$"); at != std::string::npos; at = value.find("\\$", at + 3)) {
        value.replace(at, 2, "[$]");
    }
    for (size_t at = value.find("(?!"); at != std::string::npos; at = value.find("(?!", at)) {
        size_t depth = 0;
        size_t end = at;
        for (; end < value.size(); ++end) {
            if (value[end] == '\\') {
                ++end; // an escaped character is no parenthesis
            } else if (value[end] == '(') {
                ++depth;
            } else if (value[end] == ')' && --depth == 0) {
                break;
            }
        }
        value.erase(at, std::min(end + 1, value.size()) - at);
    }
    if (value.starts_with('^')) {
        value.erase(0, 1);
    }
    if (value.ends_with('$') && !value.ends_with("\\$")) {
        value.pop_back();
    }
    return value;
}

} // namespace

namespace {

// Calls `edit` with the value of every XML attribute `name` in `text` (written `name = "…"` or
// `name='…'`, with any spacing) and replaces the value with what it returns.
template <typename Edit> void edit_attribute_values(std::string& text, std::string_view name, Edit edit)
{
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
        bool starts_name =
            at > 0 && (text[at - 1] == ' ' || text[at - 1] == '\t' || text[at - 1] == '\r' || text[at - 1] == '\n');
        size_t equals = text.find_first_not_of(" \t\r\n", at + name.size());
        if (!starts_name || equals == std::string::npos || text[equals] != '=') {
            continue;
        }
        size_t quote = text.find_first_not_of(" \t\r\n", equals + 1);
        if (quote == std::string::npos || (text[quote] != '"' && text[quote] != '\'')) {
            continue;
        }
        size_t end = text.find(text[quote], quote + 1);
        if (end == std::string::npos) {
            return;
        }
        std::string value = edit(text.substr(quote + 1, end - quote - 1));
        text.replace(quote + 1, end - quote - 1, value);
    }
}

bool is_large_bound(std::string_view bound)
{
    return bound.size() > 1 && std::all_of(bound.begin(), bound.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::string patch_schema_text(std::string_view text)
{
    std::string out(text);
    constexpr std::string_view secure = "https://www.w3.org/2001/XMLSchema\"";
    for (size_t at = out.find(secure); at != std::string::npos; at = out.find(secure, at)) {
        out.erase(at + 4, 1); // https -> http
    }
    // Xerces-C builds a content model with one state per allowed occurrence: maxOccurs="100000"
    // (FormXml.xsd, isv.config.xsd) takes minutes and gigabytes. No solution comes near such a
    // bound (10 or more), so it is read as unbounded.
    edit_attribute_values(out, "maxOccurs", [](const std::string& bound) {
        return is_large_bound(bound) ? std::string("unbounded") : bound;
    });
    // Only pattern facets hold regular expressions; other value="" attributes stay as written.
    for (size_t at = out.find("<xs:pattern"); at != std::string::npos; at = out.find("<xs:pattern", at + 1)) {
        size_t tag_end = out.find('>', at);
        if (tag_end == std::string::npos) {
            break;
        }
        std::string tag = out.substr(at, tag_end - at);
        edit_attribute_values(tag, "value", patch_pattern);
        out.replace(at, tag_end - at, tag);
    }
    return out;
}

struct SchemaChecker::Schema {
    std::string file_name;
    bool compiled = false;
    bool reported = false;
    std::string failure;
    std::unique_ptr<SchemaDirResolver> resolver;
    std::unique_ptr<CollectingErrors> errors;
    std::unique_ptr<x::DefaultHandler> content;
    std::unique_ptr<x::SAX2XMLReaderImpl> reader;

    Schema(const fs::path& dir, std::string name) : file_name(std::move(name))
    {
        fs::path path = dir / file_name;
        if (!fs::is_regular_file(path)) {
            failure = "schema " + file_name + " is not in " + dir.string();
            return;
        }
        resolver = std::make_unique<SchemaDirResolver>(dir);
        errors = std::make_unique<CollectingErrors>();
        content = std::make_unique<x::DefaultHandler>();
        reader = std::make_unique<x::SAX2XMLReaderImpl>();
        reader->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, true);
        reader->setFeature(x::XMLUni::fgXercesSchema, true);
        reader->setFeature(x::XMLUni::fgSAX2CoreValidation, true);
        reader->setFeature(x::XMLUni::fgXercesDynamic, false);
        reader->setFeature(x::XMLUni::fgXercesLoadSchema, false); // ignore xsi:schemaLocation hints
        reader->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
        reader->setFeature(x::XMLUni::fgXercesDisableDefaultEntityResolution, true);
        reader->setFeature(x::XMLUni::fgXercesUseCachedGrammarInParse, true);
        reader->setFeature(x::XMLUni::fgXercesSchemaFullChecking, false);
        reader->setFeature(x::XMLUni::fgXercesIdentityConstraintChecking, true);
        reader->setXMLEntityResolver(resolver.get());
        reader->setErrorHandler(errors.get());
        reader->setContentHandler(content.get());
        try {
            std::unique_ptr<x::InputSource> source(resolver->open(file_name));
            x::Grammar* grammar = reader->loadGrammar(*source, x::Grammar::SchemaGrammarType, true);
            if (grammar == nullptr || !errors->problems.empty()) {
                failure = "schema " + file_name + " did not compile" +
                          (errors->problems.empty() ? std::string() : ": " + errors->problems.front().message);
                return;
            }
            compiled = true;
        } catch (const x::XMLException& e) {
            failure = "schema " + file_name + " did not compile: " + utf8(e.getMessage());
        } catch (const x::SAXException& e) {
            failure = "schema " + file_name + " did not compile: " + utf8(e.getMessage());
        } catch (const Error& e) {
            failure = "schema " + file_name + " could not be read: " + e.what();
        } catch (...) {
            failure = "schema " + file_name + " did not compile";
        }
    }

    // Validates a whole document held in `bytes`; the problems are valid until the next call.
    const std::vector<Problem>& validate(const std::string& bytes)
    {
        static const std::u16string id = u"escprov-validate";
        x::MemBufInputSource input(reinterpret_cast<const XMLByte*>(bytes.data()), bytes.size(), xc(id), false);
        errors->problems.clear();
        try {
            reader->parse(input);
        } catch (const x::XMLException& e) {
            errors->problems.push_back({0, 0, utf8(e.getMessage())});
        } catch (const x::SAXException& e) {
            errors->problems.push_back({0, 0, utf8(e.getMessage())});
        }
        return errors->problems;
    }
};

SchemaChecker::SchemaChecker(fs::path dir) : m_dir(std::move(dir)) {}

SchemaChecker::~SchemaChecker() = default;

SchemaChecker::Schema* SchemaChecker::schema_for(std::string_view kind, Findings& findings, const std::string& file)
{
    std::unique_ptr<Schema>* slot = nullptr;
    std::string name;
    if (kind == "sitemap") {
        slot = &m_sitemap;
        name = "SiteMap.xsd";
    } else if (kind == "ribbon") {
        slot = &m_ribbon;
        name = "RibbonCore.xsd";
    } else {
        slot = &m_fetch;
        name = "Fetch.xsd";
    }
    if (!*slot) {
        *slot = std::make_unique<Schema>(m_dir, name); // compiled lazily: only schemas in use cost time
    }
    Schema& schema = **slot;
    if (!schema.compiled) {
        if (!schema.reported) {
            schema.reported = true;
            findings.add("ESC-XSD-002", file, schema.failure + "; " + std::string(kind) + " checks skipped");
        }
        return nullptr;
    }
    return &schema;
}

void SchemaChecker::check(std::string_view kind, const xml::Node& subtree, const std::string& file, xml::Location where,
                          Findings& findings)
{
    Schema* schema = schema_for(kind, findings, file);
    if (schema == nullptr) {
        return;
    }
    xml::StringSink sink;
    {
        xml::Writer writer(sink, xml::Style{});
        writer.write_node(subtree);
    }
    const std::vector<Problem>& problems = schema->validate(sink.bytes());
    for (const Problem& problem : problems) {
        // Lines are counted from the subtree's first line; a CRM export's layout keeps them aligned.
        xml::Location at{where.line + (problem.line > 0 ? problem.line - 1 : 0),
                         problem.line <= 1 ? where.column : problem.column, nullptr};
        findings.add("ESC-XSD-001", file, at,
                     std::string(kind) + " does not conform to " + schema->file_name + ": " + problem.message);
    }
}

bool SchemaChecker::has_document_schema(Findings& findings, const std::string& file)
{
    if (!m_document) {
        m_document = std::make_unique<Schema>(m_dir, "CustomizationsSolution.xsd");
    }
    if (!m_document->compiled && !m_document->reported && fs::is_regular_file(m_dir / m_document->file_name)) {
        m_document->reported = true;
        findings.add("ESC-XSD-002", file,
                     m_document->failure + "; customizations.xml is checked part by part (SiteMap, RibbonDiffXml, "
                                           "FetchXml) instead");
    }
    return m_document->compiled;
}

namespace {

void append_escaped(std::string& out, std::string_view text, bool attribute)
{
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += attribute ? "&quot;" : "\""; break;
        case '\r': out += "&#13;"; break;
        case '\t': out += attribute ? "&#9;" : "\t"; break;
        case '\n': out += attribute ? "&#10;" : "\n"; break;
        default: out += c;
        }
    }
}

bool is_blank(std::string_view text)
{
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// A small document for the validator, and where each of its lines came from: every start tag,
// and the end tag of every element with element children, begins a line, so an error on line N
// is about the element origin[N - 1]. Whitespace between elements is dropped; text is kept as
// it is (it is the value being validated).
class Serialized {
public:
    void start(const std::string& name, const xml::Attributes& attributes, const xml::Location& where, bool empty)
    {
        line(where);
        m_bytes += '<';
        m_bytes += name;
        for (const auto& attribute : attributes) {
            m_bytes += ' ';
            m_bytes += attribute.name;
            m_bytes += "=\"";
            append_escaped(m_bytes, attribute.value, true);
            m_bytes += '"';
        }
        m_bytes += empty ? "/>" : ">";
    }
    void end(const std::string& name, const xml::Location& where, bool own_line)
    {
        if (own_line) {
            line(where);
        }
        m_bytes += "</";
        m_bytes += name;
        m_bytes += '>';
    }
    void node(const xml::Node& node)
    {
        bool element_children = node.has_element_children();
        auto kept = [&](const xml::Node& child) {
            bool text = child.kind == xml::NodeKind::text || child.kind == xml::NodeKind::cdata;
            return child.is_element() || (text && !(element_children && is_blank(child.text)));
        };
        bool empty = std::none_of(node.children.begin(), node.children.end(), kept);
        start(node.name, node.attributes, node.location, empty);
        if (empty) {
            return;
        }
        for (const xml::Node& child : node.children) {
            if (!kept(child)) {
                continue;
            }
            if (child.is_element()) {
                this->node(child);
                continue;
            }
            size_t before = m_bytes.size();
            append_escaped(m_bytes, child.text, false);
            for (size_t i = before; i < m_bytes.size(); ++i) {
                if (m_bytes[i] == '\n') {
                    m_origin.push_back(node.location);
                }
            }
        }
        end(node.name, node.location, element_children);
    }
    const std::string& bytes() const { return m_bytes; }
    // Where line `line` (1-based) of the document came from.
    xml::Location origin(uint64_t line) const
    {
        if (m_origin.empty()) {
            return {};
        }
        return m_origin[std::min<uint64_t>(line == 0 ? 0 : line - 1, m_origin.size() - 1)];
    }

private:
    void line(const xml::Location& where)
    {
        if (!m_origin.empty()) {
            m_bytes += '\n';
        }
        m_origin.push_back(where);
    }
    std::string m_bytes;
    std::vector<xml::Location> m_origin; // per line
};

bool is_namespace_declaration(std::string_view name)
{
    return name == "xmlns" || name.starts_with("xmlns:");
}

} // namespace

struct DocumentSchemaCheck::State {
    SchemaChecker::Schema& schema;
    std::string file;
    Findings& findings;

    size_t depth = 0;
    xml::Node root;    // the root element without children
    xml::Node section; // the open section without children
    bool whole_section = false;
    size_t items = 0; // items of the open section validated one by one
    xml::Node rest;   // the open section with its children that are not its items
    std::unique_ptr<xml::TreeBuilder> item;

    // Repeats of one message are merged: the first place and how many more.
    struct Repeated {
        std::string file;
        xml::Location where;
        size_t more = 0;
    };
    std::map<std::string, Repeated> repeated; // by file and message
    std::vector<std::string> first_seen;      // the keys in the order they came

    State(SchemaChecker::Schema& schema_in, std::string file_in, Findings& findings_in)
        : schema(schema_in), file(std::move(file_in)), findings(findings_in)
    {}

    // Validates the root holding `section` (with what it holds), or, when null, the root alone
    // with its own attributes.
    void validate(const xml::Node* section_node)
    {
        Serialized document;
        xml::Attributes root_attributes;
        for (const auto& attribute : root.attributes) {
            // The root's own attributes are checked once, with the empty document.
            if (section_node == nullptr || is_namespace_declaration(attribute.name)) {
                root_attributes.push_back(attribute);
            }
        }
        document.start(root.name, root_attributes, root.location, section_node == nullptr);
        if (section_node != nullptr) {
            document.node(*section_node);
            document.end(root.name, root.location, true);
        }
        for (const Problem& problem : schema.validate(document.bytes())) {
            record(document.origin(problem.line), problem.message);
        }
    }

    void record(const xml::Location& where, const std::string& message)
    {
        std::string at_file = where.file != nullptr ? *where.file : file;
        std::string key = at_file + '\n' + message;
        auto [entry, inserted] = repeated.try_emplace(key);
        if (inserted) {
            entry->second.file = at_file;
            entry->second.where = xml::Location{where.line, where.column, nullptr};
            first_seen.push_back(key);
        } else {
            ++entry->second.more;
        }
    }

    void flush()
    {
        for (const std::string& key : first_seen) {
            const Repeated& entry = repeated.at(key);
            std::string message = key.substr(key.find('\n') + 1);
            std::string text = "customizations.xml does not conform to " + schema.file_name + ": " + message;
            if (entry.more > 0) {
                text += " (and " + std::to_string(entry.more) + " more like it in this file)";
            }
            findings.add("ESC-XSD-001", entry.file, entry.where, text);
        }
        repeated.clear();
        first_seen.clear();
    }
};

DocumentSchemaCheck::DocumentSchemaCheck(SchemaChecker& schemas, std::string file, Findings& findings)
{
    if (!schemas.m_document || !schemas.m_document->compiled) {
        throw Error(ErrorKind::internal, "validate: DocumentSchemaCheck without a compiled CustomizationsSolution.xsd");
    }
    m_state = std::make_unique<State>(*schemas.m_document, std::move(file), findings);
}

DocumentSchemaCheck::~DocumentSchemaCheck() = default;

void DocumentSchemaCheck::start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag)
{
    State& state = *m_state;
    xml::Location where = m_locations != nullptr ? m_locations->location() : xml::Location{};
    ++state.depth;
    if (state.depth == 1) {
        state.root = xml::make_element(std::string(name), attributes);
        state.root.location = where;
        state.validate(nullptr); // the root's attributes
        return;
    }
    if (state.depth == 2) {
        state.section = xml::make_element(std::string(name), attributes);
        state.section.location = where;
        state.rest = state.section;
        state.items = 0;
        // A section of single values (OrganizationSettings, RibbonDiffXml...) is one item.
        state.whole_section = solution::section_rank(name) && solution::section_item(name).empty();
        if (!state.whole_section) {
            return;
        }
    }
    if (!state.item) {
        state.item = std::make_unique<xml::TreeBuilder>(m_locations);
    }
    state.item->start_element(name, attributes, empty_tag);
}

void DocumentSchemaCheck::end_element(std::string_view)
{
    State& state = *m_state;
    if (state.item) {
        state.item->end_element();
        if (state.item->done()) {
            xml::Node node = state.item->take();
            state.item.reset();
            if (state.whole_section) {
                state.validate(&node);
                ++state.items;
            } else if (node.name == solution::section_item(state.section.name)) {
                // One item at a time, alone in its section: memory stays that of the largest item.
                xml::Node alone = state.section;
                alone.children.push_back(std::move(node));
                state.validate(&alone);
                ++state.items;
            } else {
                // Anything else a section holds (ConnectionRoles holds ConnectionRoles and
                // ConnectionRoleAssociations) is validated together, at the section's end.
                state.rest.children.push_back(std::move(node));
            }
        }
    }
    if (state.depth == 2 && (state.items == 0 || !state.rest.children.empty())) {
        state.validate(&state.rest); // also an empty section: does the schema allow it empty?
        state.rest.children.clear();
    } else if (state.depth == 1) {
        state.flush();
    }
    --state.depth;
}

void DocumentSchemaCheck::characters(std::string_view text, bool cdata)
{
    if (m_state->item) {
        m_state->item->characters(text, cdata);
    }
}

bool DocumentSchemaCheck::wants_characters() const
{
    return m_state->item != nullptr;
}

void DocumentSchemaCheck::finish()
{
    m_state->flush();
}

} // namespace escprov::validate
