#include "provision/org_import.hpp"

#include "connector/connector.hpp"
#include "remote/session.hpp"
#include "solution/census.hpp"
#include "solution/manifest.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace escprov::provision {

namespace fs = std::filesystem;

std::string_view install_kind_name(InstallKind kind)
{
    switch (kind) {
    case InstallKind::new_install: return "new install";
    case InstallKind::upgrade: return "upgrade";
    case InstallKind::update: return "update";
    }
    return "?";
}

int compare_versions(const std::string& a, const std::string& b)
{
    auto parts = [](const std::string& text) {
        std::vector<long long> numbers;
        size_t start = 0;
        while (start <= text.size()) {
            size_t end = text.find('.', start);
            std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
            numbers.push_back(part.empty() ? 0 : std::atoll(part.c_str()));
            if (end == std::string::npos) {
                break;
            }
            start = end + 1;
        }
        numbers.resize(4, 0);
        return numbers;
    };
    auto x = parts(a);
    auto y = parts(b);
    for (size_t i = 0; i < 4; ++i) {
        if (x[i] != y[i]) {
            return x[i] < y[i] ? -1 : 1;
        }
    }
    return 0;
}

namespace {

// Collects the names of the roles a customizations.xml holds (ImportExportXml/Roles/Role/@name).
class RoleNames : public solution::CustomizationsHandler {
public:
    void set_locations(const xml::LocationProvider&) override {}
    void start_element(std::string_view name, const xml::Attributes& attributes, bool) override
    {
        m_path.emplace_back(name);
        if (m_path.size() == 3 && m_path[1] == "Roles" && name == "Role") {
            if (const std::string* role = xml::find_attribute(attributes, "name")) {
                names.push_back(*role);
            }
        }
    }
    void end_element(std::string_view) override { m_path.pop_back(); }
    void characters(std::string_view, bool) override {}
    bool wants_characters() const override { return false; }
    std::vector<std::string> names;

private:
    std::vector<std::string> m_path;
};

} // namespace

PackageFacts read_package(const fs::path& zip, const solution::InputLimits& limits)
{
    PackageFacts facts;
    auto input = solution::open_zip_input(zip, limits, zip.string());
    facts.manifest = input->read_manifest();
    solution::Census census = solution::take_census(*input);
    for (const std::string& name : census.entity_names) {
        facts.entities.push_back(ascii_lower(name));
    }
    for (const auto& section : census.sections) {
        if (section.first == "SiteMap" && section.second > 0) {
            facts.sitemap = true;
        }
    }
    RoleNames roles;
    input->read_customizations(roles);
    facts.roles = std::move(roles.names);
    return facts;
}

namespace {

void save_log(ImportReport& report, const remote::ImportOutcome& outcome, const fs::path& folder)
{
    std::string log = "escprov import log\nsolution: " + report.unique_name + " " + report.version +
                      "\nimport job: " + report.job_id + "\nresult: " + (outcome.succeeded ? "succeeded" : "failed") +
                      "\n";
    if (!outcome.message.empty()) {
        log += "message: " + outcome.message + "\n";
    }
    log += "\n== the import job's data (importjobs.data)\n" + outcome.job_data + "\n";
    if (!outcome.formatted.empty()) {
        log += "\n== RetrieveFormattedImportJobResults\n" + outcome.formatted + "\n";
    }
    fs::path file = folder / ("import-" + report.unique_name + "-" + report.job_id + ".log");
    write_file_atomic(file, log, AtomicFile::Overwrite::no);
    report.log_file = file;
}

} // namespace

ImportReport import_package(remote::Org& org, const ImportOptions& options)
{
    PackageFacts facts = read_package(options.package, options.limits);
    ImportReport report;
    report.unique_name = facts.manifest.unique_name;
    report.version = facts.manifest.solution_version;
    report.managed = facts.manifest.managed.value_or(0) == 1;

    std::optional<remote::SolutionInfo> installed;
    for (remote::SolutionInfo& solution : org.solutions()) {
        if (ascii_lower(solution.unique_name) == ascii_lower(report.unique_name)) {
            installed = std::move(solution);
        }
    }
    check_interrupted();
    bool holding = false;
    if (installed) {
        report.installed_version = installed->version;
        if (installed->managed != report.managed) {
            throw remote::RemoteError(
                "import " + quoted(options.package) + ": the org holds " + report.unique_name + " as an " +
                (installed->managed ? "managed" : "unmanaged") + " solution, and CRM does not import a " +
                (report.managed ? "managed" : "unmanaged") + " one over it; nothing was imported");
        }
        int order = compare_versions(installed->version, report.version);
        if (order > 0) {
            throw remote::RemoteError("import " + quoted(options.package) + ": the org holds " + report.unique_name +
                                      " " + installed->version + ", newer than this package's " + report.version +
                                      "; nothing was imported (package a higher version: escprov package --bump)");
        }
        report.kind = order < 0 ? InstallKind::upgrade : InstallKind::update;
        auto version = solution::parse_crm_version(org.version());
        // Holding solutions (import, then promote) exist from CRM 2016 (8.0); before, an upgrade
        // imports over the installed solution.
        holding = report.kind == InstallKind::upgrade && report.managed && version && version->major >= 8;
    }

    remote::ImportRequest request;
    request.zip = options.package;
    request.job_id = options.new_job_id ? options.new_job_id() : remote::new_guid();
    request.holding_solution = holding;
    report.job_id = request.job_id;
    if (options.progress) {
        options.progress->begin("importing", 100, Progress::Unit::items, "%");
    }
    remote::ImportOutcome outcome = org.import_solution(request, [&](double percent) {
        if (options.progress) {
            options.progress->update(static_cast<uint64_t>(std::clamp(percent, 0.0, 100.0)));
        }
    });
    if (options.progress) {
        options.progress->finish();
    }
    report.succeeded = outcome.succeeded;
    report.problems = parse_import_job(outcome.job_data);
    report.message = outcome.message;
    if (!outcome.succeeded) {
        fs::path folder = options.log_folder.empty() ? options.package.parent_path() : options.log_folder;
        save_log(report, outcome, folder.empty() ? fs::path(".") : folder);
        return report;
    }
    check_interrupted();
    if (holding) {
        org.delete_and_promote(report.unique_name);
    }
    // Managed imports publish themselves; unmanaged ones change nothing users see until published.
    // PublishXml names what changed; CRM 2011 (5.x) publishes everything.
    auto version = solution::parse_crm_version(org.version());
    if (version && version->major >= 6 && (!facts.entities.empty() || facts.sitemap)) {
        report.published = facts.entities;
        report.published_sitemap = facts.sitemap;
        org.publish(facts.entities, facts.sitemap);
    } else {
        report.published_all = true;
        org.publish({}, false);
    }
    check_interrupted();

    bool found = false;
    for (const remote::SolutionInfo& solution : org.solutions()) {
        if (ascii_lower(solution.unique_name) == ascii_lower(report.unique_name)) {
            found = true;
            if (compare_versions(solution.version, report.version) != 0) {
                report.verify_failures.push_back("solution " + report.unique_name + " is at " + solution.version +
                                                 ", not " + report.version);
            }
            if (solution.managed != report.managed) {
                report.verify_failures.push_back("solution " + report.unique_name + " is not " +
                                                 (report.managed ? "managed" : "unmanaged"));
            }
        }
    }
    if (!found) {
        report.verify_failures.push_back("solution " + report.unique_name + " is not installed");
    }
    std::set<std::string> entities;
    for (const remote::EntityInfo& entity : org.entities(false)) {
        entities.insert(entity.logical_name);
    }
    for (const std::string& entity : facts.entities) {
        if (!entities.contains(entity)) {
            report.verify_failures.push_back("entity " + entity + " is missing");
        }
    }
    auto roles = org.role_names();
    std::set<std::string> role_set(roles.begin(), roles.end());
    for (const std::string& role : facts.roles) {
        if (!role_set.contains(role)) {
            report.verify_failures.push_back("security role " + quoted(fs::path(role)) + " is missing");
        }
    }
    return report;
}

std::string render_import(const ImportReport& report)
{
    std::string text = "import " + report.unique_name + " " + report.version + " (" +
                       (report.managed ? "managed" : "unmanaged") +
                       "): " + std::string(install_kind_name(report.kind)) +
                       (report.installed_version.empty() ? "" : " from " + report.installed_version) + ", import job " +
                       report.job_id + "\n";
    if (!report.succeeded) {
        text += "import FAILED";
        text += report.problems.empty()
                    ? ": " + (report.message.empty() ? "the org gave no reason" : report.message) + "\n"
                    : ":\n";
        for (const ImportProblem& problem : report.problems) {
            text += "  " + format_problem(problem) + "\n";
        }
        if (!report.log_file.empty()) {
            text += "the full import log: " + report.log_file.string() + "\n";
        }
        return text;
    }
    for (const ImportProblem& problem : report.problems) {
        text += "  " + format_problem(problem) + "\n";
    }
    text += "imported; published " +
            (report.published_all ? std::string("all customisations")
                                  : counted(report.published.size(), "entity", "entities") +
                                        (report.published_sitemap ? " and the sitemap" : "")) +
            "\n";
    if (report.verify_failures.empty()) {
        text +=
            "verified: " + report.unique_name + " " + report.version + " installed, its entities and roles present\n";
    } else {
        text += "verify FAILED:\n";
        for (const std::string& failure : report.verify_failures) {
            text += "  " + failure + "\n";
        }
    }
    return text;
}

} // namespace escprov::provision
