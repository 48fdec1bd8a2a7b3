// escprov restore: an org's customisations put back from a backup.

#include "provision/restore.hpp"
#include "cli/connection_options.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "connector/connector.hpp"
#include "remote/org.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/progress.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class RestoreCommand : public cli::Command {
public:
    RestoreCommand()
    {
        m_connection.add_to(options(), positional_options());
        options().add_options()("remove-connector", po::bool_switch(&m_remove_connector),
                                "uninstall the connector's solution (EmailServiceConnector) first");
        positional_options().add_options()("backup", po::value(&m_backup), "the backup");
        positional().add("backup", 1);
        m_limits.add_to(options());
    }

    std::string_view name() const override { return "restore"; }
    std::string_view synopsis() const override { return "put an org's customisations back from a backup"; }
    std::string_view usage() const override { return "escprov restore --org URL [CONNECTION OPTIONS] BACKUP"; }
    std::string_view description() const override
    {
        return "Verifies BACKUP (made by `escprov export` or `escprov provision`), then imports every\n"
               "solution it holds back into the org (unmanaged, overwriting; the Default solution\n"
               "first) and publishes everything. With --remove-connector the connector's solution is\n"
               "uninstalled first. A backup that does not verify changes nothing. Exits 1 when an import\n"
               "fails (its log is saved beside the backup). Connecting: docs/connecting.md.";
    }

    void check_options() override
    {
        if (m_backup.empty()) {
            throw_usage("restore: missing BACKUP (the backup zip to restore)");
        }
        m_resolved = m_connection.resolve("restore");
    }

    ExitCode run(cli::Context& context) override
    {
        if (!fs::is_regular_file(m_backup)) {
            throw_input("restore " + quoted(fs::path(m_backup)) + ": no such file");
        }
        auto org = cli::connect(m_resolved, context.err);
        Progress progress(context.err, show_progress(context), "restore " + Progress::short_name(m_backup));
        provision::RestoreOptions options;
        options.backup = m_backup;
        options.remove_connector = m_remove_connector;
        options.limits = m_limits.limits();
        options.progress = &progress;
        provision::RestoreReport report = provision::restore(*org, options);
        progress.finish();
        for (const std::string& line : report.lines) {
            context.out << line << "\n";
        }
        if (!report.ok()) {
            context.out << "restore FAILED: " << report.failure << "\n";
            for (const provision::ImportProblem& problem : report.problems) {
                context.out << "  " << provision::format_problem(problem) << "\n";
            }
            if (!report.log_file.empty()) {
                context.out << "the full import log: " << report.log_file.string() << "\n";
            }
            return ExitCode::findings;
        }
        context.out << "restored from " << m_backup << "\n";
        return ExitCode::ok;
    }

private:
    cli::ConnectionOptions m_connection;
    remote::ConnectionOptions m_resolved;
    std::string m_backup;
    bool m_remove_connector = false;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_restore()
{
    return std::make_unique<RestoreCommand>();
}

} // namespace escprov::commands
