// escprov import: a solution zip into an org, with progress, parsed errors, publish and verify.

#include "cli/connection_options.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "provision/org_import.hpp"
#include "remote/org.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/progress.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class ImportCommand : public cli::Command {
public:
    ImportCommand()
    {
        m_connection.add_to(options(), positional_options());
        options().add_options()("log-dir", po::value(&m_log_dir),
                                "where a failed import's full log is saved (default: beside the solution zip)");
        positional_options().add_options()("solution", po::value(&m_solution), "the solution zip");
        positional().add("solution", 1);
        m_limits.add_to(options());
    }

    std::string_view name() const override { return "import"; }
    std::string_view synopsis() const override { return "import a solution into an org, publish and verify it"; }
    std::string_view usage() const override { return "escprov import --org URL [CONNECTION OPTIONS] SOLUTION.zip"; }
    std::string_view description() const override
    {
        return "Imports SOLUTION.zip into the org. The version installed decides a new install, an\n"
               "upgrade (imported as a holding solution and promoted, CRM 2016 and later) or an update;\n"
               "a newer version in the org is refused. The import runs under an import job id escprov\n"
               "chooses (asynchronously where the org offers it) with its progress shown, and is waited\n"
               "for up to --max-wait. When it fails, the import job's log is shown as component, error\n"
               "code and message lines, and saved whole (--log-dir). Then what the solution changed is\n"
               "published (CRM 2011: everything) and the org is checked: the solution at the version\n"
               "imported, its entities and security roles present. Exits 1 when the import or the\n"
               "check fails. Connecting: docs/connecting.md.";
    }

    void check_options() override
    {
        if (m_solution.empty()) {
            throw_usage("import: missing SOLUTION (the solution zip to import)");
        }
        m_resolved = m_connection.resolve("import");
    }

    ExitCode run(cli::Context& context) override
    {
        if (!fs::is_regular_file(m_solution)) {
            throw_input("import " + quoted(fs::path(m_solution)) + ": no such file");
        }
        auto org = cli::connect(m_resolved, context.err);
        Progress progress(context.err, show_progress(context), "import " + Progress::short_name(m_solution));
        provision::ImportOptions options;
        options.package = m_solution;
        options.log_folder = m_log_dir;
        options.limits = m_limits.limits();
        options.progress = &progress;
        provision::ImportReport report = provision::import_package(*org, options);
        progress.finish();
        context.out << provision::render_import(report);
        return report.ok() ? ExitCode::ok : ExitCode::findings;
    }

private:
    cli::ConnectionOptions m_connection;
    remote::ConnectionOptions m_resolved;
    std::string m_solution;
    std::string m_log_dir;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_import()
{
    return std::make_unique<ImportCommand>();
}

} // namespace escprov::commands
