#include "validate/xsd.hpp"

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
// no DTDs, no network, no file outside DIR.
class SchemaDirResolver : public x::XMLEntityResolver {
public:
    explicit SchemaDirResolver(fs::path dir) : m_dir(std::move(dir)) {}
    x::InputSource* resolveEntity(x::XMLResourceIdentifier* identifier) override
    {
        fs::path name = fs::path(utf8(identifier->getSystemId())).filename();
        fs::path file = m_dir / name;
        if (name.extension() != ".xsd" || !fs::is_regular_file(file)) {
            throw_refusal();
        }
        std::u16string path = to_utf16(file.string());
        return new x::LocalFileInputSource(xc(path));
    }

private:
    [[noreturn]] static void throw_refusal()
    {
        static const std::u16string message = u"escprov refuses to load an external resource";
        throw x::SAXException(xc(message));
    }
    fs::path m_dir;
};

} // namespace

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
            std::u16string wide = to_utf16(path.string());
            x::Grammar* grammar = reader->loadGrammar(xc(wide), x::Grammar::SchemaGrammarType, true);
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
        } catch (...) {
            failure = "schema " + file_name + " did not compile";
        }
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
    const std::string& bytes = sink.bytes();
    static const std::u16string id = u"subtree";
    x::MemBufInputSource input(reinterpret_cast<const XMLByte*>(bytes.data()), bytes.size(), xc(id), false);
    schema->errors->problems.clear();
    try {
        schema->reader->parse(input);
    } catch (const x::XMLException& e) {
        schema->errors->problems.push_back({0, 0, utf8(e.getMessage())});
    } catch (const x::SAXException& e) {
        schema->errors->problems.push_back({0, 0, utf8(e.getMessage())});
    }
    for (const Problem& problem : schema->errors->problems) {
        // Lines are counted from the subtree's first line; a CRM export's layout keeps them aligned.
        xml::Location at{where.line + (problem.line > 0 ? problem.line - 1 : 0),
                         problem.line <= 1 ? where.column : problem.column, nullptr};
        findings.add("ESC-XSD-001", file, at,
                     std::string(kind) + " does not conform to " + schema->file_name + ": " + problem.message);
    }
}

} // namespace escprov::validate
