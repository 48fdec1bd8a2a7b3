// escprov export: an org's unmanaged customisations into a verified backup.

#include "cli/connection_options.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "provision/org_export.hpp"
#include "remote/org.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <chrono>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class ExportCommand : public cli::Command {
public:
    ExportCommand()
    {
        m_connection.add_to(options(), positional_options());
        options().add_options()("out,o", po::value(&m_out)->required(),
                                "the folder the backup goes into (made when missing); the file is named "
                                "escprov-backup-<time>-<org>.zip");
        m_limits.add_to(options());
    }

    std::string_view name() const override { return "export"; }
    std::string_view synopsis() const override { return "export an org's customisations into a verified backup"; }
    std::string_view usage() const override { return "escprov export --org URL --out DIR [CONNECTION OPTIONS]"; }
    std::string_view description() const override
    {
        return "Exports the org's unmanaged customisations (the Default solution, which holds them all,\n"
               "and every other visible unmanaged solution) and a metadata snapshot (every entity and\n"
               "its attributes) into one backup in DIR (docs/backup.md), then verifies it byte for\n"
               "byte. Exports are streamed to disk, never held whole in memory. The backup is private\n"
               "(mode 0600) and never replaced; `escprov restore` puts it back. Nothing in the org is\n"
               "changed. Connecting: docs/connecting.md.";
    }

    void check_options() override { m_resolved = m_connection.resolve("export"); }

    ExitCode run(cli::Context& context) override
    {
        auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                       .count();
        OutputFile target(fs::path(m_out) / "",
                          OutputSpec{"export", "--out", backup::backup_file_name(m_resolved.org_url, now), "", false});
        target.make_folders();
        auto org = cli::connect(m_resolved, context.err);
        Progress progress(context.err, show_progress(context), "export");
        provision::ExportOptions options;
        options.org_url = m_resolved.org_url;
        options.backup_path = target.path();
        options.scratch_parent = target.path().parent_path();
        options.limits = m_limits.limits();
        options.created_at = now;
        options.progress = &progress;
        provision::ExportResult result = provision::export_org(*org, options);
        progress.finish();
        target.keep();
        context.out << "exported " << counted(result.solutions.size(), "unmanaged solution") << " from "
                    << m_resolved.org_url << " (CRM " << result.org_version << "):";
        for (const remote::SolutionInfo& solution : result.solutions) {
            context.out << " " << solution.unique_name;
        }
        context.out << "\nbackup: " << result.backup.string() << " (verified; restore with escprov restore)\n";
        return ExitCode::ok;
    }

private:
    cli::ConnectionOptions m_connection;
    remote::ConnectionOptions m_resolved;
    std::string m_out;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_export()
{
    return std::make_unique<ExportCommand>();
}

} // namespace escprov::commands
