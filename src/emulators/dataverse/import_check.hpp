#pragma once
// How CRM judges a solution before it lets it in, and how it reports the verdict: the manifest
// must parse and not come from a newer version than the org's; the components must be in the
// org version's vocabulary (escprov validate's import-compatibility check, whose ESC-VER
// findings become failures of the component they are in); every system entity the solution
// extends must exist in the org; a managed solution may not go back to an older version. The verdict is written as CRM
// writes an import job's `data`
// (<importexportxml>) and as RetrieveFormattedImportJobResults' Excel 2003 XML.
//
// Error codes. CRM's exact codes for these failures are not in the reference; the emulator uses
// these and docs/emulator.md lists them:
//   0x80048060  a component the org version cannot take (with the validator's message)
//   0x8004F052  the solution comes from a newer CRM version than the org
//   0x8004F016  missing dependencies (CRM's own message for them)
//   0x8004F03A  a managed solution older than the version installed (a downgrade)
//   0x80048068  the Web API / SOAP error of a failed synchronous import

#include "emulators/dataverse/solution_zip.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace escprov::emulator {

class OrgState;

inline constexpr const char* k_code_component = "0x80048060";
inline constexpr const char* k_code_newer_version = "0x8004F052";
inline constexpr const char* k_code_missing_dependencies = "0x8004F016";
inline constexpr const char* k_code_import_failed = "0x80048068";
inline constexpr const char* k_code_downgrade = "0x8004F03A";

struct ComponentResult {
    std::string section;            // customizations.xml section: "Entities", "Roles", "SiteMap"…
    std::string name;               // the component's name as the job data shows it
    std::string result = "success"; // "success", "failure" or "warning"
    std::string code = "0";
    std::string text;
};

struct ImportAnalysis {
    std::optional<SolutionZip> package; // nullopt when the file could not be read at all
    std::string unique_name;
    std::string friendly_name;
    std::string version;
    bool managed = false;
    bool ok = false;
    std::string manifest_code = "0"; // the solution-level verdict
    std::string manifest_text;
    std::vector<ComponentResult> components;
    std::vector<solution::MissingDependency> missing;
    // The first failure's message, for the synchronous import's error.
    std::string first_failure() const;
};

// Judges the solution zip at `zip` for `org`. Locks org.mutex only while it looks at the org's
// entities (the vocabulary check, the slow part, needs only the org's version).
ImportAnalysis analyse_import(const std::filesystem::path& zip, OrgState& org);

// The import job's `data`: <importexportxml> with the manifest's result, a result per component
// (only those processed so far while `progress` < 100), and the missing dependencies.
std::string job_data_xml(const ImportAnalysis& analysis, double progress, const std::string& started,
                         const std::string& finished);

// RetrieveFormattedImportJobResults: one row per component and the solution's own verdict.
std::string formatted_results_xml(const ImportAnalysis& analysis, const std::string& when);

} // namespace escprov::emulator
