#pragma once
// solution.xml: the manifest of a solution (name, version, managed flag, publisher, root
// components, missing dependencies) and the CRM version it was exported from.

#include "solution/component_type.hpp"
#include "xml/node.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::solution {

struct RootComponent {
    ComponentType type = ComponentType{};
    std::string schema_name; // schemaName=, for entities, web resources, sitemaps, apps...
    std::string id;          // id=, for roles, forms, workflows...
    std::optional<int> behavior;
    xml::Location location;
    // schemaName when present, else id.
    const std::string& key() const { return schema_name.empty() ? id : schema_name; }
};

struct DependencyEnd {
    ComponentType type = ComponentType{};
    std::string schema_name;
    std::string id;
    std::string display_name;
    std::string solution; // "Name (1.0.0.0)" on Required
    std::string parent_schema_name;
};

struct MissingDependency {
    DependencyEnd required;
    DependencyEnd dependent;
};

struct Publisher {
    std::string unique_name;
    std::string display_name;
    std::string prefix;              // CustomizationPrefix
    std::string option_value_prefix; // CustomizationOptionValuePrefix
};

struct Manifest {
    std::string file;            // display name of solution.xml, for findings
    std::string root_name;       // "ImportExportXml" in every real export
    std::string version;         // root @version, the CRM build that exported it
    std::string package_version; // root @SolutionPackageVersion (2013+)
    std::string minimum_version; // root @minimumversion (CRM 2011)
    std::string language_code;
    std::string generated_by;
    std::string unique_name;
    std::string display_name;
    std::string solution_version; // SolutionManifest/Version
    std::optional<int> managed;   // 0 unmanaged, 1 managed, 2 unpacked as "Both"
    std::string managed_text;     // as written, for findings
    Publisher publisher;
    std::vector<RootComponent> root_components;
    std::vector<MissingDependency> missing_dependencies;
    xml::Node root; // the whole document, for the validator
};

// Reads solution.xml. Throws xml::ParseError when it is not well-formed; a well-formed
// manifest with missing fields parses (the validator reports what is missing).
Manifest read_manifest(xml::ByteSource& source, const xml::Limits& limits = {});

// A CRM major.minor and its product family.
struct CrmVersion {
    int major = 0;
    int minor = 0;
    std::string text;                // as written: "9.2", "5.0"
    std::string_view family() const; // "CRM 2011", ..., "Dynamics 365 / Dataverse"
};

// Parses "9.2", "8.2.0000.0773" etc. into a version; nullopt when it is not one.
std::optional<CrmVersion> parse_crm_version(std::string_view text);

// The CRM version a solution targets: SolutionPackageVersion, else minimumversion, else the
// major.minor of @version.
std::optional<CrmVersion> target_version(const Manifest& manifest);

// "managed", "unmanaged", "both" (unpacked from both exports) or "unknown" (no or another <Managed>).
std::string_view managed_word(const Manifest& manifest);

// The file name CRM gives an export: "UniqueName_1_2_3_4_managed.zip", without "_managed" for
// an unmanaged one. Characters a unique name cannot hold become '_'.
std::string export_file_name(std::string_view unique_name, std::string_view solution_version, bool managed);

// What a zip's file name says about <Managed>, as CRM names exports: "unmanaged" anywhere says
// unmanaged, else "_managed" says managed, else (no word) unmanaged, as CRM names those too.
bool file_name_says_managed(std::string_view file_name);

// One line for a missing dependency: "Entity list ("Marketing List") from Marketing, needed by
// Entity esc_campaignresponse".
std::string dependency_line(const MissingDependency& dependency);

} // namespace escprov::solution
