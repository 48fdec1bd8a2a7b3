// escprov provision: the whole Option 1 run against one org.

#include "provision/provision.hpp"
#include "cli/connection_options.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "connector/connector.hpp"
#include "remote/org.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/progress.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <chrono>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class ProvisionCommand : public cli::Command {
public:
    ProvisionCommand()
    {
        m_connection.add_to(options(), positional_options());
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("out,o", po::value(&m_out)->required(),
                 "the work folder (absent or empty): the backup, the merged tree, the package, the reports "
                 "and any import log land there and stay")
            ("dry-run", po::bool_switch(&m_dry_run),
                 "check, export and back up, merge and package, then stop before anything changes in the org")
            ("until", po::value(&m_until)->default_value("import"),
                 "import: import, publish and verify; bundle: make the Option 2 bundle instead of importing")
            ("customer", po::value(&m_customer), "the customer's name, for --until bundle's instructions")
            ("key", po::value(&m_key), "sign the --until bundle with this key (see escprov bundle --help)")
            ("key-type", po::value(&m_key_type), "hmac or ed25519 (default: told by the key file)")
            ("version", po::value(&m_version), "the connector solution's version to package (default: the connector's)")
            ("on-conflict", po::value(&m_on_conflict)->default_value("fail"),
                 "what the merge does with a conflict: fail, ours or theirs (escprov merge --help)")
            ("connector", po::value(&m_connector),
                 "the connector's solution/ folder (default: $ESCPROV_CONNECTOR, else the source checkout)");
        // clang-format on
        m_limits.add_to(options());
    }

    std::string_view name() const override { return "provision"; }
    std::string_view synopsis() const override { return "the whole Option 1 run: check, back up, merge, import"; }
    std::string_view usage() const override
    {
        return "escprov provision --org URL --out DIR [CONNECTION OPTIONS] [--dry-run | --until bundle]";
    }
    std::string_view description() const override
    {
        return "Provisions the connector into the org in one run: check (escprov check), export the\n"
               "org's customisations into a verified backup, merge the connector into them for the org's\n"
               "CRM version, package it as a managed solution, import it (new install, upgrade or\n"
               "update), publish and verify; one report at the end (also DIR/provision-report.txt).\n"
               "--dry-run stops before the import: nothing in the org changes. --until bundle makes the\n"
               "Option 2 bundle (DIR/bundle.zip) for the customer's IT instead of importing. A failure\n"
               "after the backup prints the exact `escprov restore` command that puts the org back.\n"
               "Exits 1 when a step fails. Runbook: docs/provisioning.md.";
    }

    void check_options() override
    {
        m_resolved = m_connection.resolve("provision");
        if (m_until != "import" && m_until != "bundle") {
            throw_usage("provision: --until must be import or bundle, not '" + m_until + "'");
        }
        if (m_until == "bundle" && m_customer.empty()) {
            throw_usage("provision --until bundle: needs --customer NAME (the bundle's instructions address them)");
        }
        if (m_until != "bundle" && (!m_customer.empty() || !m_key.empty())) {
            throw_usage("provision: --customer and --key belong to --until bundle");
        }
        if (m_until == "bundle" && m_dry_run) {
            throw_usage("provision: --dry-run and --until bundle both stop before the import; give one");
        }
        if (m_on_conflict != "fail" && m_on_conflict != "ours" && m_on_conflict != "theirs") {
            throw_usage("provision: --on-conflict must be fail, ours or theirs, not '" + m_on_conflict + "'");
        }
        if (!m_key_type.empty() && m_key.empty()) {
            throw_usage("provision: --key-type needs --key FILE");
        }
    }

    ExitCode run(cli::Context& context) override
    {
        provision::ProvisionOptions options;
        options.org_url = m_resolved.org_url;
        options.work = m_out;
        options.connector =
            connector::locate_connector(m_connector.empty() ? std::nullopt : std::optional<fs::path>(m_connector));
        options.on_conflict = m_on_conflict == "ours"     ? merge::OnConflict::ours
                              : m_on_conflict == "theirs" ? merge::OnConflict::theirs
                                                          : merge::OnConflict::fail;
        if (!m_version.empty()) {
            options.version = m_version;
        }
        options.dry_run = m_dry_run;
        options.until = m_until == "bundle" ? provision::Until::bundle : provision::Until::import;
        options.customer = m_customer;
        if (!m_key.empty()) {
            std::optional<bundle::KeyType> declared;
            if (!m_key_type.empty()) {
                declared = bundle::parse_key_type(m_key_type);
            }
            options.signing = bundle::Signing{m_key, bundle::signing_key_type(m_key, declared)};
        }
        options.limits = m_limits.limits();
        options.now =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        options.restore_command = m_connection.command_line("restore");
        Progress progress(context.err, show_progress(context), "provision");
        options.progress = &progress;
        options.on_step = [&](const std::string& step) {
            progress.finish();
            progress.set_label("provision: " + step);
            context.err << "escprov: provision: " << step << "\n";
        };
        auto org = cli::connect(m_resolved, context.err);
        provision::ProvisionReport report = provision::provision(*org, options);
        progress.finish();
        std::string text = provision::render_provision(report);
        context.out << text;
        write_file_atomic(fs::path(m_out) / "provision-report.txt", text, AtomicFile::Overwrite::yes);
        return report.ok() ? ExitCode::ok : ExitCode::findings;
    }

private:
    cli::ConnectionOptions m_connection;
    remote::ConnectionOptions m_resolved;
    std::string m_out;
    bool m_dry_run = false;
    std::string m_until;
    std::string m_customer;
    std::string m_key;
    std::string m_key_type;
    std::string m_version;
    std::string m_on_conflict;
    std::string m_connector;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_provision()
{
    return std::make_unique<ProvisionCommand>();
}

} // namespace escprov::commands
