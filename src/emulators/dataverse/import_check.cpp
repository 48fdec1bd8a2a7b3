#include "emulators/dataverse/import_check.hpp"

#include "emulators/dataverse/org_state.hpp"
#include "util/error.hpp"
#include "util/text.hpp"
#include "validate/validator.hpp"
#include "xml/reader.hpp"
#include "xml/writer.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>

namespace escprov::emulator {

namespace {

struct SectionElements {
    std::string_view section;
    std::string_view group;
    std::string_view item;
};

// Where the job data puts each section's components.
const std::vector<SectionElements>& section_elements()
{
    static const std::vector<SectionElements> elements = {
        {"Entities", "entities", "entity"},
        {"Roles", "roles", "role"},
        {"Workflows", "workflows", "workflow"},
        {"FieldSecurityProfiles", "fieldSecurityProfiles", "fieldSecurityProfile"},
        {"Templates", "templates", "template"},
        {"EntityMaps", "entityMaps", "entityMap"},
        {"EntityRelationships", "entityRelationships", "entityRelationship"},
        {"optionsets", "optionSets", "optionSet"},
        {"WebResources", "webResources", "webResource"},
        {"AppModuleSiteMaps", "appModuleSiteMaps", "appModuleSiteMap"},
        {"AppModules", "appModules", "appModule"},
        {"SiteMap", "nodes", "node"},
    };
    return elements;
}

std::string escaped_attribute(std::string_view value)
{
    std::string out;
    xml::escape_attribute(out, value);
    return out;
}

std::string escaped_text(std::string_view value)
{
    std::string out;
    xml::escape_text(out, value);
    return out;
}

bool ends_with(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void fail_manifest(ImportAnalysis& analysis, const char* code, const std::string& text)
{
    analysis.ok = false;
    if (analysis.manifest_code == "0") {
        analysis.manifest_code = code;
        analysis.manifest_text = text;
    }
}

// The entities the solution extends but does not create, which the org must have.
void check_dependencies(ImportAnalysis& analysis, const OrgState& org)
{
    const SolutionZip& package = *analysis.package;
    std::string prefix = ascii_lower(package.manifest.publisher.prefix) + "_";
    for (const auto& section : package.customizations.sections()) {
        if (section.name != "Entities") {
            continue;
        }
        for (const auto& item : section.items) {
            if (item.name.rfind(prefix, 0) == 0 || org.has_entity(item.name)) {
                continue;
            }
            solution::MissingDependency missing;
            missing.required.type = solution::ComponentType{1};
            missing.required.schema_name = item.name;
            missing.required.display_name = item.name;
            missing.required.solution = "Active";
            missing.dependent.type = solution::ComponentType{1};
            missing.dependent.schema_name = item.name;
            missing.dependent.display_name = item.name;
            analysis.missing.push_back(std::move(missing));
        }
    }
    for (const auto& listed : package.manifest.missing_dependencies) {
        if (listed.required.type == solution::ComponentType{1} &&
            !org.has_entity(ascii_lower(listed.required.schema_name))) {
            analysis.missing.push_back(listed);
        }
    }
    if (!analysis.missing.empty()) {
        fail_manifest(analysis, k_code_missing_dependencies,
                      "The import of solution: " + analysis.unique_name +
                          " failed. The following components are missing in your system and are not included in "
                          "the solution. Import the managed solutions that contain these components (Active) and "
                          "then try importing this solution again.");
    }
}

// "1.2.10.0" -> {1, 2, 10, 0}; parts that are not numbers count as 0.
std::vector<long> version_parts(const std::string& version)
{
    std::vector<long> parts;
    size_t start = 0;
    while (start <= version.size()) {
        size_t end = version.find('.', start);
        std::string part = version.substr(start, end == std::string::npos ? std::string::npos : end - start);
        parts.push_back(std::strtol(part.c_str(), nullptr, 10));
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return parts;
}

void check_downgrade(ImportAnalysis& analysis, const OrgState& org)
{
    const InstalledSolution* installed = org.installed(analysis.unique_name);
    if (installed == nullptr || !installed->managed || !analysis.managed) {
        return;
    }
    if (version_parts(analysis.version) < version_parts(installed->version)) {
        fail_manifest(analysis, k_code_downgrade,
                      "The solution " + analysis.unique_name + " " + analysis.version +
                          " cannot be imported: version " + installed->version +
                          " is already installed, and a managed solution cannot be downgraded.");
    }
}

void check_vocabulary(ImportAnalysis& analysis, const std::filesystem::path& zip, const OrgState& org)
{
    validate::Options options;
    options.compat.enabled = true;
    options.compat.target = solution::parse_crm_version(org.version());
    validate::PathReport report = validate::validate_path(zip, options);
    if (report.failure) {
        fail_manifest(analysis, k_code_component, "The import file is invalid: " + *report.failure);
        return;
    }
    const Customizations& customizations = analysis.package->customizations;
    for (const auto& finding : report.findings) {
        if (finding.code.rfind("ESC-VER-", 0) != 0 || finding.code == "ESC-VER-005") {
            continue;
        }
        std::string text =
            "The import file is invalid. XSD validation failed with the following error: '" + finding.message + "'";
        if (!ends_with(finding.file, "customizations.xml")) {
            fail_manifest(analysis, k_code_component, text);
            continue;
        }
        auto found = customizations.item_at_line(finding.line);
        const CustomizationsSection* section = found.first;
        const CustomizationsItem* item = found.second;
        if (section == nullptr) {
            fail_manifest(analysis, k_code_component, text);
            continue;
        }
        auto it = std::find_if(analysis.components.begin(), analysis.components.end(), [&](const ComponentResult& c) {
            return c.section == section->name && c.name == item->name;
        });
        if (it != analysis.components.end() && it->result != "failure") {
            it->result = "failure";
            it->code = k_code_component;
            it->text = text;
        }
        analysis.ok = false;
    }
}

} // namespace

std::string ImportAnalysis::first_failure() const
{
    if (!manifest_text.empty()) {
        return manifest_text;
    }
    for (const auto& component : components) {
        if (component.result == "failure") {
            return component.section + " " + component.name + ": " + component.text;
        }
    }
    return "The import failed.";
}

ImportAnalysis analyse_import(const std::filesystem::path& zip, OrgState& org)
{
    ImportAnalysis analysis;
    analysis.ok = true;
    try {
        analysis.package = read_solution_zip(zip, "CustomizationFile");
    } catch (const Error& e) {
        fail_manifest(analysis, k_code_component, std::string("The import file is invalid: ") + e.what());
        return analysis;
    }
    const solution::Manifest& manifest = analysis.package->manifest;
    analysis.unique_name = manifest.unique_name;
    analysis.friendly_name = manifest.display_name.empty() ? manifest.unique_name : manifest.display_name;
    analysis.version = manifest.solution_version;
    analysis.managed = manifest.managed.value_or(0) == 1;
    if (manifest.unique_name.empty()) {
        fail_manifest(analysis, k_code_component, "The import file is invalid: solution.xml names no solution.");
        return analysis;
    }
    auto target = solution::target_version(manifest);
    if (target && target->major * 10 + std::min(target->minor, 9) > org.version_number()) {
        fail_manifest(analysis, k_code_newer_version,
                      "This solution package cannot be imported because it was created in a newer version of "
                      "Microsoft Dynamics CRM (" +
                          target->text + ") than the version of this organization (" + org.version() + ").");
    }
    {
        std::lock_guard lock(org.mutex);
        check_downgrade(analysis, org);
        check_dependencies(analysis, org);
    }
    if (!analysis.missing.empty()) {
        return analysis;
    }
    for (const auto& section : analysis.package->customizations.sections()) {
        for (const auto& item : section.items) {
            ComponentResult component;
            component.section = section.name;
            component.name = item.name;
            analysis.components.push_back(std::move(component));
        }
    }
    check_vocabulary(analysis, zip, org);
    // What the org's own extensions refuse (--reject-entity): CRM reports a plug-in's refusal on the
    // component it was importing.
    for (auto& component : analysis.components) {
        const auto& rejected = org.options().reject_entities;
        if (component.section == "Entities" &&
            std::find(rejected.begin(), rejected.end(), ascii_lower(component.name)) != rejected.end()) {
            component.result = "failure";
            component.code = "0x80040265";
            component.text = "ISV code aborted the operation: the organisation's plug-in on ImportSolution refused " +
                             component.name + ".";
            analysis.ok = false;
        }
    }
    return analysis;
}

std::string job_data_xml(const ImportAnalysis& analysis, double progress, const std::string& started,
                         const std::string& finished)
{
    bool done = !finished.empty();
    size_t shown = done ? analysis.components.size() : size_t(double(analysis.components.size()) * progress / 100.0);
    std::string out = "<importexportxml start=\"" + escaped_attribute(started) + "\" stop=\"" +
                      escaped_attribute(finished) + "\" progress=\"" + std::to_string(int(progress)) +
                      "\" processed=\"" + (done ? "true" : "false") + "\">";
    out += "<solutionManifests><solutionManifest languagecode=\"1033\" id=\"" +
           escaped_attribute(analysis.unique_name) + "\" LocalizedName=\"" + escaped_attribute(analysis.friendly_name) +
           "\" processed=\"" + (done ? "true" : "false") + "\"><UniqueName>" + escaped_text(analysis.unique_name) +
           "</UniqueName><LocalizedName>" + escaped_text(analysis.friendly_name) + "</LocalizedName><Version>" +
           escaped_text(analysis.version) + "</Version><Managed>" + (analysis.managed ? "1" : "0") + "</Managed>";
    if (done || analysis.manifest_code != "0") {
        bool failed = analysis.manifest_code != "0" || !analysis.ok;
        out += std::string("<result result=\"") + (failed ? "failure" : "success") + "\" errorcode=\"" +
               (analysis.manifest_code != "0" ? analysis.manifest_code
                                              : (failed ? std::string(k_code_import_failed) : std::string("0"))) +
               "\" errortext=\"" + escaped_attribute(analysis.manifest_text) + "\" datetime=\"" +
               escaped_attribute(finished) + "\" />";
    }
    out += "</solutionManifest></solutionManifests>";
    for (const auto& elements : section_elements()) {
        out += "<" + std::string(elements.group) + ">";
        for (size_t i = 0; i < shown; ++i) {
            const ComponentResult& component = analysis.components[i];
            if (component.section != elements.section) {
                continue;
            }
            out += "<" + std::string(elements.item) + " id=\"" + escaped_attribute(component.name) + "\" name=\"" +
                   escaped_attribute(component.name) + "\" processed=\"true\"><result result=\"" + component.result +
                   "\" errorcode=\"" + component.code + "\" errortext=\"" + escaped_attribute(component.text) +
                   "\" /></" + std::string(elements.item) + ">";
        }
        out += "</" + std::string(elements.group) + ">";
    }
    out += "<settings>";
    for (size_t i = 0; i < shown; ++i) {
        const ComponentResult& component = analysis.components[i];
        bool listed = std::any_of(section_elements().begin(), section_elements().end(),
                                  [&](const SectionElements& e) { return e.section == component.section; });
        if (!listed) {
            out += "<setting id=\"" + escaped_attribute(component.section) + "\" name=\"" +
                   escaped_attribute(component.section) + "\" processed=\"true\"><result result=\"" + component.result +
                   "\" errorcode=\"" + component.code + "\" errortext=\"" + escaped_attribute(component.text) +
                   "\" /></setting>";
        }
    }
    out += "</settings>";
    if (!analysis.missing.empty()) {
        out += "<MissingDependencies>";
        for (const auto& missing : analysis.missing) {
            auto end = [](const char* name, const solution::DependencyEnd& dependency) {
                std::string text =
                    std::string("<") + name + " type=\"" + std::to_string(static_cast<int>(dependency.type)) + "\"";
                if (!dependency.schema_name.empty()) {
                    text += " schemaName=\"" + escaped_attribute(dependency.schema_name) + "\"";
                }
                if (!dependency.id.empty()) {
                    text += " id=\"" + escaped_attribute(dependency.id) + "\"";
                }
                text += " displayName=\"" + escaped_attribute(dependency.display_name) + "\"";
                if (!dependency.solution.empty()) {
                    text += " solution=\"" + escaped_attribute(dependency.solution) + "\"";
                }
                if (!dependency.parent_schema_name.empty()) {
                    text += " parentSchemaName=\"" + escaped_attribute(dependency.parent_schema_name) + "\"";
                }
                return text + " />";
            };
            out += "<MissingDependency>" + end("Required", missing.required) + end("Dependent", missing.dependent) +
                   "</MissingDependency>";
        }
        out += "</MissingDependencies>";
    }
    out += "</importexportxml>";
    return out;
}

std::string formatted_results_xml(const ImportAnalysis& analysis, const std::string& when)
{
    auto cell = [](std::string_view text) {
        return "<Cell><Data ss:Type=\"String\">" + escaped_text(text) + "</Data></Cell>";
    };
    std::string out = "<?xml version=\"1.0\"?><?mso-application progid=\"Excel.Sheet\"?>"
                      "<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" "
                      "xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\">"
                      "<Worksheet ss:Name=\"Components\"><Table>";
    out += "<Row>" + cell("Date") + cell("Type") + cell("Name") + cell("Result") + cell("Error Code") +
           cell("Description") + "</Row>";
    bool failed = analysis.manifest_code != "0" || !analysis.ok;
    out += "<Row>" + cell(when) + cell("Solution") + cell(analysis.unique_name) + cell(failed ? "Failure" : "Success") +
           cell(analysis.manifest_code != "0" ? analysis.manifest_code : (failed ? k_code_import_failed : "0")) +
           cell(analysis.manifest_text) + "</Row>";
    for (const auto& component : analysis.components) {
        std::string result = component.result == "failure"   ? "Failure"
                             : component.result == "warning" ? "Warning"
                                                             : "Success";
        out += "<Row>" + cell(when) + cell(component.section) + cell(component.name) + cell(result) +
               cell(component.code) + cell(component.text) + "</Row>";
    }
    for (const auto& missing : analysis.missing) {
        out += "<Row>" + cell(when) + cell("Missing dependency") + cell(missing.required.schema_name) +
               cell("Failure") + cell(k_code_missing_dependencies) + cell(solution::dependency_line(missing)) +
               "</Row>";
    }
    out += "</Table></Worksheet></Workbook>";
    return out;
}

} // namespace escprov::emulator
