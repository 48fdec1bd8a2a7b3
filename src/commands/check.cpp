// escprov check: can the connector be provisioned into this org?

#include "cli/connection_options.hpp"
#include "commands/commands.hpp"
#include "provision/checks.hpp"
#include "remote/org.hpp"
#include "util/error.hpp"

#include <ostream>

namespace escprov::commands {

namespace {

class CheckCommand : public cli::Command {
public:
    CheckCommand() { m_connection.add_to(options(), positional_options()); }

    std::string_view name() const override { return "check"; }
    std::string_view synopsis() const override { return "check that an org can take the connector"; }
    std::string_view usage() const override { return "escprov check --org URL [CONNECTION OPTIONS]"; }
    std::string_view description() const override
    {
        return "Connects to the org and checks, one line each: it answers and its version is one escprov\n"
               "builds for (and which endpoint it speaks: the Web API or, for CRM 2011-2015, SOAP), who\n"
               "escprov signs in as, the privileges that user needs to export, import and publish\n"
               "customisations, and the system entities the connector extends (account, campaign,\n"
               "contact, lead, list). Exits 1 when any check fails. Nothing in the org is changed.\n"
               "Connecting: docs/connecting.md.";
    }

    void check_options() override { m_resolved = m_connection.resolve("check"); }

    ExitCode run(cli::Context& context) override
    {
        std::unique_ptr<remote::Org> org;
        try {
            org = cli::connect(m_resolved, context.err);
        } catch (const remote::RemoteError& error) {
            context.out << "FAIL  reachable  " << error.what() << "\n";
            return ExitCode::findings;
        }
        context.out << "ok    reachable  " << org->endpoint() << "\n";
        provision::CheckReport report = provision::run_checks(*org);
        context.out << provision::render_checks(report);
        return report.ok() ? ExitCode::ok : ExitCode::findings;
    }

private:
    cli::ConnectionOptions m_connection;
    remote::ConnectionOptions m_resolved;
};

} // namespace

std::unique_ptr<cli::Command> make_check()
{
    return std::make_unique<CheckCommand>();
}

} // namespace escprov::commands
