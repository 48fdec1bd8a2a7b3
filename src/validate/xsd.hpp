#pragma once
// Optional XSD validation (--schemas DIR) of the parts Microsoft publishes schemas for that a
// standard engine compiles: SiteMap (SiteMap.xsd), RibbonDiffXml (RibbonCore.xsd with
// RibbonTypes/RibbonWSS) and saved-query FetchXml (Fetch.xsd). FormXml.xsd is not used: it
// relies on .NET-only regular expressions.

#include "validate/finding.hpp"
#include "xml/node.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace escprov::validate {

class SchemaChecker {
public:
    // Compiles the schemas found in `dir`. A schema that is absent or does not compile is
    // reported once as ESC-XSD-002 (a note) into `findings` on first use; nothing throws.
    explicit SchemaChecker(std::filesystem::path dir);
    ~SchemaChecker();
    SchemaChecker(const SchemaChecker&) = delete;
    SchemaChecker& operator=(const SchemaChecker&) = delete;

    // Validates one materialised subtree of kind "sitemap", "ribbon" or "fetch" that starts at
    // `where` in `file`; each violation becomes an ESC-XSD-001 finding.
    void check(std::string_view kind, const xml::Node& subtree, const std::string& file, xml::Location where,
               Findings& findings);

private:
    struct Schema;
    Schema* schema_for(std::string_view kind, Findings& findings, const std::string& file);
    std::filesystem::path m_dir;
    std::unique_ptr<Schema> m_sitemap;
    std::unique_ptr<Schema> m_ribbon;
    std::unique_ptr<Schema> m_fetch;
};

} // namespace escprov::validate
