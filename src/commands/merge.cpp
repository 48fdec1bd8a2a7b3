// escprov merge: the connector merged into a customer's exported customisations.

#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "connector/connector.hpp"
#include "merge/engine.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <optional>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class MergeCommand : public cli::Command {
public:
    MergeCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("base", po::value(&m_base)->required(),
                 "the customer's exported customisations: a solution zip, an unpacked tree or customizations.xml")
            ("target", po::value(&m_target)->required(), "the CRM version to build for: 5.0 ... 9.2")
            ("out", po::value(&m_out)->required(),
                 "the folder to write the merged tree into (empty or absent; parents are made when missing)")
            ("overwrite", po::bool_switch(&m_overwrite),
                 "replace a non-empty --out (it becomes exactly the merged tree) and an existing --report FILE")
            ("connector", po::value(&m_connector),
                 "the connector's solution/ folder (templates/ beside it); default: $ESCPROV_CONNECTOR, else the "
                 "source checkout escprov was built from")
            ("mode", po::value(&m_mode)->default_value("connector"),
                 "connector: the connector and the customer components it changes (for a managed package); "
                 "full: the customer's whole customisations with the connector merged in (unmanaged)")
            ("report", po::value(&m_report),
                 "write the whole report to FILE (standard output gets a summary); its extension picks the format: "
                 ".txt, .json or .html (a folder: FOLDER/merge-report.txt)")
            ("on-conflict", po::value(&m_on_conflict)->default_value("fail"),
                 "fail: report every conflict and write nothing while one is unresolved; ours: take the connector's side; "
                 "theirs: take the customer's side");
        // clang-format on
        m_limits.add_to(options());
    }
    std::string_view name() const override { return "merge"; }
    std::string_view synopsis() const override { return "merge the connector into a customer's customisations"; }
    std::string_view usage() const override
    {
        return "escprov merge --base EXPORT --target VERSION --out DIR [OPTIONS]";
    }
    std::string_view description() const override
    {
        return "Merges the Email Service Connector into EXPORT (a customer's exported customisations)\n"
               "by identity: entities by name, attributes by logical name, forms and views by id, the\n"
               "sitemap's Areas, Groups and SubAreas by Id. Customer components are changed only by\n"
               "adding the connector's parts (a tab on their Marketing List, Contact, Lead, Account and\n"
               "Campaign main forms, a group in their sitemap); everything else stays as it is. The\n"
               "result is an unpacked tree in DIR (see `escprov pack`), rendered for CRM VERSION.\n"
               "Conflicts (an installed connector, a foreign publisher using `esc`, an attribute of ours\n"
               "with another type, an id of ours in use, option values in our range, a target too old\n"
               "for a component, a base from another CRM family) are reported with their resolution;\n"
               "one left unresolved by --on-conflict exits 1 and writes nothing. Standard output gets a\n"
               "summary: the counts, the conflicts, which main forms got the connector's tab (and which\n"
               "did not, with what to do) and the warnings. The whole report (every change, notes, and\n"
               "before/after outlines) goes to --report FILE in the format its extension names, and to\n"
               "standard output with -v. --out and --report are checked before any work and land together\n"
               "or not at all; an existing one is replaced only with --overwrite (exit 1; see\n"
               "docs/exit-codes.md).";
    }

    void check_options() override
    {
        if (m_mode != "connector" && m_mode != "full") {
            throw_usage("merge: --mode must be connector or full, not '" + m_mode + "'");
        }
        if (m_on_conflict != "fail" && m_on_conflict != "ours" && m_on_conflict != "theirs") {
            throw_usage("merge: --on-conflict must be fail, ours or theirs, not '" + m_on_conflict + "'");
        }
        auto version = solution::parse_crm_version(m_target);
        if (!version) {
            throw_usage("merge: --target must be a CRM version such as 8.2 or 9.2, not '" + m_target + "'");
        }
        m_version = *version;
        if (!m_report.empty() && !m_report.ends_with('/') && !merge::report_format_for(m_report)) {
            throw_usage("merge: --report " + quoted(fs::path(m_report)) + " must end in .txt, .json or .html");
        }
    }

    ExitCode run(cli::Context& context) override
    {
        merge::MergeOptions options;
        options.mode = m_mode == "full" ? merge::MergeMode::full : merge::MergeMode::connector;
        options.on_conflict = m_on_conflict == "ours"     ? merge::OnConflict::ours
                              : m_on_conflict == "theirs" ? merge::OnConflict::theirs
                                                          : merge::OnConflict::fail;
        options.target = m_version;
        options.limits = m_limits.limits();
        connector::ConnectorSource connector =
            connector::locate_connector(m_connector.empty() ? std::nullopt : std::optional<fs::path>(m_connector));
        // Both targets are checked before any work, and the report is written only once the tree is
        // staged: they land together or not at all (docs/exit-codes.md, "Output targets").
        OutputFolder out(m_out, OutputSpec{"merge", "--out", "", "--overwrite", m_overwrite});
        std::optional<OutputFile> report_file;
        if (!m_report.empty()) {
            report_file.emplace(m_report,
                                OutputSpec{"merge", "--report", "merge-report.txt", "--overwrite", m_overwrite});
            if (!merge::report_format_for(report_file->path().string())) {
                throw_usage("merge: --report " + quoted(report_file->path()) + " must end in .txt, .json or .html");
            }
        }
        options.existing = m_overwrite ? pack::ExistingTarget::allow_delete : pack::ExistingTarget::refuse;
        bool report_written = false;
        auto write_report = [&](const merge::Report& finished) {
            if (!report_file) {
                return;
            }
            report_file->make_folders();
            write_file_atomic(report_file->path(),
                              merge::render_report(finished, *merge::report_format_for(report_file->path().string())),
                              report_file->overwrite());
            report_written = true;
        };
        options.before_commit = write_report;
        out.make_parents();
        Progress progress(context.err, show_progress(context), "merge " + Progress::short_name(m_base));
        options.progress = &progress;
        merge::Report report;
        try {
            report = merge::merge(m_base, connector, options, out.path());
        } catch (...) {
            if (report_written) {
                std::error_code ignore;
                fs::remove(report_file->path(), ignore); // the tree did not land: neither does its report
            }
            throw;
        }
        progress.finish();
        if (!report_written) {
            write_report(report); // unresolved conflicts: the report says why nothing else was written
        }
        if (report.succeeded()) {
            out.keep(); // otherwise nothing went in, and the folders made for it go again
        }
        if (report_file) {
            report_file->keep();
        }
        // A summary fits a screen; the whole report (hundreds of lines) goes where it was asked for.
        context.out << (m_verbose ? merge::render_report(report, merge::ReportFormat::text)
                                  : merge::render_summary(report, report_file ? report_file->path().string() : ""));
        if (!report.succeeded()) {
            context.err << "escprov: error: merge: " << counted(report.unresolved(), "unresolved conflict")
                        << "; nothing was written (see the report; --on-conflict ours or theirs resolves them)\n";
            return ExitCode::findings;
        }
        return ExitCode::ok;
    }

private:
    std::string m_base;
    std::string m_target;
    std::string m_out;
    std::string m_connector;
    std::string m_mode;
    std::string m_report;
    std::string m_on_conflict;
    bool m_overwrite = false;
    solution::CrmVersion m_version;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_merge()
{
    return std::make_unique<MergeCommand>();
}

} // namespace escprov::commands
