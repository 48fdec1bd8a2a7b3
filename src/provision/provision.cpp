#include "provision/provision.hpp"

#include "backup/backup.hpp"
#include "merge/engine.hpp"
#include "merge/report.hpp"
#include "pack/layout.hpp"
#include "package/package.hpp"
#include "provision/org_export.hpp"
#include "solution/manifest.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

namespace escprov::provision {

namespace fs = std::filesystem;

namespace {

class Run {
public:
    Run(remote::Org& org, const ProvisionOptions& options) : m_org(org), m_options(options) {}

    ProvisionReport go()
    {
        make_work_folder();
        if (!step("check", [&] { return check(); })) {
            return std::move(m_report);
        }
        if (!step("export", [&] { return export_backup(); })) {
            return std::move(m_report);
        }
        if (!step("merge", [&] { return merge(); })) {
            return std::move(m_report);
        }
        if (!step("package", [&] { return package(); })) {
            return std::move(m_report);
        }
        if (m_options.until == Until::bundle) {
            step("bundle", [&] { return make_bundle(); });
            return std::move(m_report);
        }
        if (m_options.dry_run) {
            step("plan", [&] { return plan(); });
            m_report.steps.push_back({"import", StepState::skipped, "dry run: nothing was changed in the org"});
            return std::move(m_report);
        }
        if (!step("import", [&] { return import(); })) {
            return std::move(m_report);
        }
        return std::move(m_report);
    }

private:
    // Runs one step; a failure is recorded with its cause and stops the run.
    bool step(const std::string& name, const std::function<std::string()>& body)
    {
        check_interrupted();
        if (m_options.on_step) {
            m_options.on_step(name);
        }
        try {
            std::string detail = body();
            if (!m_report.failure.empty()) {
                m_report.steps.push_back({name, StepState::failed, detail});
                fail_after_backup();
                return false;
            }
            m_report.steps.push_back({name, StepState::done, detail});
            return true;
        } catch (const Interrupted&) {
            throw;
        } catch (const std::exception& error) {
            m_report.failure = name + ": " + error.what();
            m_report.steps.push_back({name, StepState::failed, error.what()});
            fail_after_backup();
            return false;
        }
    }

    void fail_after_backup()
    {
        if (!m_report.backup.empty() && !m_options.restore_command.empty()) {
            m_report.restore_command = m_options.restore_command + " " + m_report.backup.string();
        }
    }

    void make_work_folder()
    {
        const fs::path& work = m_options.work;
        std::error_code error;
        if (fs::exists(work, error) && !fs::is_empty(work, error)) {
            throw_output("provision --out " + quoted(work) + ": the folder is not empty; give a new one");
        }
        fs::create_directories(work, error);
        if (error) {
            throw_output("provision --out " + quoted(work) + ": cannot make the folder: " + error.message());
        }
        fs::permissions(work, fs::perms::owner_all, fs::perm_options::replace, error);
    }

    std::string check()
    {
        m_report.checks = run_checks(m_org);
        if (!m_report.checks.ok()) {
            size_t failed = 0;
            for (const CheckLine& line : m_report.checks.lines) {
                failed += line.ok ? 0 : 1;
            }
            m_report.failure = "check: " + std::to_string(failed) + " of " +
                               std::to_string(m_report.checks.lines.size()) + " checks failed";
            return m_report.failure.substr(7);
        }
        auto version = solution::parse_crm_version(m_report.checks.version);
        m_target = *version;
        m_target.text = std::to_string(version->major) + "." + std::to_string(version->minor);
        return "CRM " + m_report.checks.version + ", " + std::string(m_target.family()) + ", " +
               counted(m_report.checks.lines.size(), "check") + " passed";
    }

    std::string export_backup()
    {
        fs::path folder = m_options.work / "backup";
        fs::create_directories(folder);
        ExportOptions options;
        options.org_url = m_options.org_url;
        options.backup_path = folder / backup::backup_file_name(m_options.org_url, m_options.now);
        options.scratch_parent = m_options.work;
        options.limits = m_options.limits;
        options.created_at = m_options.now;
        options.progress = m_options.progress;
        m_export = export_org(m_org, options);
        m_report.backup = m_export.backup;
        return counted(m_export.solutions.size(), "unmanaged solution") + " exported into " + m_export.backup.string() +
               " (verified)";
    }

    std::string merge()
    {
        merge::MergeOptions options;
        options.mode = merge::MergeMode::connector;
        options.on_conflict = m_options.on_conflict;
        options.target = m_target;
        options.limits = m_options.limits;
        options.progress = m_options.progress;
        m_merged = m_options.work / "merged";
        m_report.merge_report = m_options.work / "merge-report.html";
        options.before_commit = [&](const merge::Report& report) {
            write_file_atomic(m_report.merge_report, merge::render_report(report, merge::ReportFormat::html),
                              AtomicFile::Overwrite::no);
        };
        merge::Report report = merge::merge(m_export.default_export, m_options.connector, options, m_merged);
        if (m_options.progress) {
            m_options.progress->finish();
        }
        m_report.merge_summary = merge::render_summary(report, m_report.merge_report.string());
        if (!report.succeeded()) {
            write_file_atomic(m_report.merge_report, merge::render_report(report, merge::ReportFormat::html),
                              AtomicFile::Overwrite::yes);
            m_report.failure = "merge: " + counted(report.unresolved(), "unresolved conflict") + "; see " +
                               m_report.merge_report.string();
            return "unresolved conflicts";
        }
        return "merged for CRM " + m_target.text + "; report " + m_report.merge_report.string();
    }

    std::string package()
    {
        package::PackageOptions options;
        options.limits = m_options.limits;
        options.type = pack::PackageType::managed;
        options.target = m_target;
        options.version = m_options.version;
        options.connector = m_options.connector;
        options.progress = m_options.progress;
        OutputFile output(m_options.work / "", OutputSpec{"provision", "--out", "", "", false});
        package::PackageResult result = package::package(m_merged, output, options);
        if (m_options.progress) {
            m_options.progress->finish();
        }
        if (!result.written) {
            m_report.failure = "package: the merged tree did not make a clean package (" +
                               counted(result.tree_errors.size() + result.package_errors.size(), "validation error") +
                               ", " + counted(result.foreign.size(), "foreign component") + ")";
            return "not written";
        }
        output.keep();
        m_report.package = output.path();
        return m_report.package.filename().string() + " (managed, " + result.version + ")";
    }

    std::string make_bundle()
    {
        bundle::Request request;
        request.solution = m_report.package;
        request.customer = m_options.customer;
        request.backup = m_report.backup;
        request.report = m_report.merge_report;
        request.signing = m_options.signing;
        request.instructions = m_options.connector.templates / "instructions";
        request.output = m_options.work / "bundle.zip";
        request.limits = m_options.limits;
        request.progress = m_options.progress;
        bundle::write_bundle(request);
        if (m_options.progress) {
            m_options.progress->finish();
        }
        m_report.bundle = request.output;
        return "the Option 2 bundle " + request.output.string() + (m_options.signing ? " (signed)" : " (unsigned)");
    }

    // What the import would be: the decision import_package makes, without importing.
    std::string plan()
    {
        PackageFacts facts = read_package(m_report.package, m_options.limits);
        std::string name = facts.manifest.unique_name + " " + facts.manifest.solution_version;
        for (const remote::SolutionInfo& solution : m_org.solutions()) {
            if (solution.unique_name != facts.manifest.unique_name) {
                continue;
            }
            int order = compare_versions(solution.version, facts.manifest.solution_version);
            if (order > 0) {
                m_report.failure = "plan: the org holds " + facts.manifest.unique_name + " " + solution.version +
                                   ", newer than the package's " + facts.manifest.solution_version;
                return "the import would be refused";
            }
            return "would " + std::string(order < 0 ? "upgrade " + solution.version + " to " : "update ") + name;
        }
        return "would be a new install of " + name;
    }

    std::string import()
    {
        ImportOptions options;
        options.package = m_report.package;
        options.log_folder = m_report.backup.parent_path();
        options.limits = m_options.limits;
        options.progress = m_options.progress;
        m_report.import = import_package(m_org, options);
        const ImportReport& report = *m_report.import;
        if (!report.succeeded) {
            m_report.failure = "import: " + report.unique_name + " " + report.version + " failed in the org";
            return "failed (" + counted(report.problems.size(), "problem") + " in the import log)";
        }
        if (!report.verify_failures.empty()) {
            m_report.failure = "verify: the org does not hold what was imported";
            return "imported, but verify failed";
        }
        return std::string(install_kind_name(report.kind)) + " of " + report.unique_name + " " + report.version +
               ", published and verified";
    }

    remote::Org& m_org;
    const ProvisionOptions& m_options;
    ProvisionReport m_report;
    solution::CrmVersion m_target;
    ExportResult m_export;
    fs::path m_merged;
};

std::string_view state_word(StepState state)
{
    switch (state) {
    case StepState::done: return "done   ";
    case StepState::failed: return "FAILED ";
    case StepState::skipped: return "skipped";
    }
    return "?";
}

} // namespace

ProvisionReport provision(remote::Org& org, const ProvisionOptions& options)
{
    return Run(org, options).go();
}

std::string render_provision(const ProvisionReport& report)
{
    std::string text = "escprov provision report\n\n";
    for (const StepResult& step : report.steps) {
        text += "  " + std::string(state_word(step.state)) + "  " + step.name +
                std::string(step.name.size() < 8 ? 8 - step.name.size() : 1, ' ') + step.detail + "\n";
    }
    if (!report.checks.lines.empty() && !report.checks.ok()) {
        text += "\nchecks:\n" + render_checks(report.checks);
    }
    if (report.import) {
        text += "\n" + render_import(*report.import);
    }
    if (!report.merge_summary.empty() && report.ok()) {
        text += "\n" + report.merge_summary;
    }
    text += "\n";
    if (report.ok()) {
        text += "result: ok\n";
    } else {
        text += "result: FAILED: " + report.failure + "\n";
        if (!report.restore_command.empty()) {
            text += "the backup taken before any change restores the org's customisations:\n  " +
                    report.restore_command + "\n";
        }
    }
    return text;
}

} // namespace escprov::provision
