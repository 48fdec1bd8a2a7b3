#pragma once
// Optional XSD validation (--schemas DIR) against Microsoft's schemas. With
// CustomizationsSolution.xsd in DIR (it includes isv.config.xsd, SiteMapType.xsd, FormXml.xsd,
// Fetch.xsd and, through FormXml.xsd, the ribbon schemas) the whole customizations.xml is
// validated, one top-level item at a time (DocumentSchemaCheck). Without it, the parts that have
// schemas of their own are: SiteMap (SiteMap.xsd), RibbonDiffXml (RibbonCore.xsd) and saved-query
// FetchXml (Fetch.xsd). The schemas are written for .NET; patch_schema_text() makes them what a
// standard engine reads, in memory, as they are loaded.

#include "solution/input.hpp"
#include "validate/finding.hpp"
#include "xml/node.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace escprov::validate {

// A schema's text as a standard XSD engine needs it: the XML Schema namespace as http:// (not
// https://), and in xs:pattern values `\$` written `[$]`, `(?!…)` lookaheads dropped, and a
// leading `^` / trailing `$` dropped (XSD patterns are anchored; the engine reads them literally);
// and a maxOccurs of 10 or more read as unbounded (Xerces-C builds a content model with that many
// states: maxOccurs="100000" in FormXml.xsd takes minutes and gigabytes).
std::string patch_schema_text(std::string_view text);

class SchemaChecker {
public:
    // Compiles the schemas found in `dir` lazily. A schema that is absent or does not compile is
    // reported once as ESC-XSD-002 (a note) into `findings` on first use; nothing throws.
    explicit SchemaChecker(std::filesystem::path dir);
    ~SchemaChecker();
    SchemaChecker(const SchemaChecker&) = delete;
    SchemaChecker& operator=(const SchemaChecker&) = delete;

    // Validates one materialised subtree of kind "sitemap", "ribbon" or "fetch" that starts at
    // `where` in `file`; each violation becomes an ESC-XSD-001 finding.
    void check(std::string_view kind, const xml::Node& subtree, const std::string& file, xml::Location where,
               Findings& findings);

    // True when CustomizationsSolution.xsd is in the folder and compiles. Compiles it on the first
    // call; when it is in the folder but does not compile, adds one ESC-XSD-002 note for `file`.
    bool has_document_schema(Findings& findings, const std::string& file);

    struct Schema;

private:
    friend class DocumentSchemaCheck;
    Schema* schema_for(std::string_view kind, Findings& findings, const std::string& file);
    std::filesystem::path m_dir;
    std::unique_ptr<Schema> m_sitemap;
    std::unique_ptr<Schema> m_ribbon;
    std::unique_ptr<Schema> m_fetch;
    std::unique_ptr<Schema> m_document;
};

// Streams customizations.xml and validates it against CustomizationsSolution.xsd one top-level
// item at a time (an Entity, a Role, a WebResource...; a section without items, such as
// OrganizationSettings, whole), each inside the root and its section, so memory is bounded by the
// largest item. Each schema error becomes an ESC-XSD-001 finding at the element it is about (in
// the tree file it came from); an error repeated with the same message is reported once per file,
// at its first place, with how many more there were. Use only when has_document_schema() is true.
class DocumentSchemaCheck : public solution::CustomizationsHandler {
public:
    DocumentSchemaCheck(SchemaChecker& schemas, std::string file, Findings& findings);
    ~DocumentSchemaCheck() override;

    void set_locations(const xml::LocationProvider& locations) override { m_locations = &locations; }
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override;
    void end_element(std::string_view name) override;
    void characters(std::string_view text, bool cdata) override;
    bool wants_characters() const override;
    // Adds the findings still held back (the root's end tag does it too; call after a parse that
    // stopped early). Harmless to call twice.
    void finish();

private:
    struct State;
    std::unique_ptr<State> m_state;
    const xml::LocationProvider* m_locations = nullptr;
};

} // namespace escprov::validate
