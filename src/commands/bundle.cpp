// escprov bundle: the Option 2 hand-off package for a customer's IT.

#include "bundle/bundle.hpp"
#include "commands/commands.hpp"
#include "merge/connector.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class BundleCommand : public cli::Command {
public:
    BundleCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("solution", po::value(&m_solution)->required(), "the solution zip to hand over (managed, as packaged)")
            ("customer", po::value(&m_customer)->required(), "the customer's name, as the instructions address them")
            ("backup", po::value(&m_backup), "the backup taken before the change: its name and SHA-256 go in backup.txt")
            ("include-backup", po::bool_switch(&m_include_backup), "also put the backup itself in the bundle")
            ("report", po::value(&m_report), "a merge report (escprov merge --report) to include with the preflight")
            ("key", po::value(&m_key),
                 "sign manifest.json with this key file: the secret (hmac) or a PEM private key (ed25519)")
            ("key-type", po::value(&m_key_type)->default_value("hmac"), "hmac (HMAC-SHA256) or ed25519")
            ("templates", po::value(&m_templates),
                 "the folder holding instructions.html.in, instructions.txt.in and wording.tsv; default: "
                 "templates/instructions of the connector ($ESCPROV_CONNECTOR, else the source checkout)")
            ("output,o", po::value(&m_output)->required(), "the bundle to write (a zip)")
            ("overwrite", po::bool_switch(&m_overwrite), "replace the output if it exists");
        // clang-format on
    }
    std::string_view name() const override { return "bundle"; }
    std::string_view synopsis() const override { return "build the checked, signed hand-off bundle for a customer"; }
    std::string_view usage() const override
    {
        return "escprov bundle --solution FILE.zip --customer NAME [OPTIONS] -o BUNDLE.zip";
    }
    std::string_view description() const override
    {
        return "Writes BUNDLE.zip for a customer's IT to apply themselves (Option 2): the solution,\n"
               "instructions for the CRM version the solution was built for (instructions.html and\n"
               "instructions.txt: the connector's service user and role, import, publish, what to\n"
               "test, how to roll back), a Package Deployer ImportConfig.xml, preflight.txt (what the\n"
               "organisation must already have, layering risks, the merge report), backup.txt (the\n"
               "backup's name and SHA-256), SHA256SUMS, and manifest.json listing every entry with its\n"
               "size and SHA-256, signed with --key. `escprov apply` checks all of it. The bundle is\n"
               "written under a temporary name and appears only when complete.";
    }

    void check_options() override
    {
        m_type = bundle::parse_key_type(m_key_type);
        if (m_include_backup && m_backup.empty()) {
            throw_usage("bundle: --include-backup needs --backup FILE");
        }
        if (m_customer.empty()) {
            throw_usage("bundle: --customer must not be empty");
        }
    }

    ExitCode run(cli::Context& context) override
    {
        bundle::Request request;
        request.solution = m_solution;
        request.customer = m_customer;
        if (!m_backup.empty()) {
            request.backup = fs::path(m_backup);
        }
        request.include_backup = m_include_backup;
        if (!m_report.empty()) {
            request.report = fs::path(m_report);
        }
        if (!m_key.empty()) {
            request.signing = bundle::Signing{m_key, m_type};
        }
        request.instructions = m_templates.empty() ? merge::locate_connector(std::nullopt).templates / "instructions"
                                                   : fs::path(m_templates);
        request.output = m_output;
        request.overwrite = m_overwrite ? AtomicFile::Overwrite::yes : AtomicFile::Overwrite::no;
        bundle::Summary summary = bundle::write_bundle(request);
        context.out << "Wrote " << m_output << ": " << summary.manifest.unique_name << " "
                    << summary.manifest.solution_version << " for " << m_customer << " (CRM " << summary.crm.text
                    << ", " << summary.crm.family() << "), " << summary.entries.size() + 1 << " entries, "
                    << (m_key.empty() ? std::string("unsigned")
                                      : "signed with " + std::string(bundle::algorithm_name(m_type)))
                    << "\n";
        return ExitCode::ok;
    }

private:
    std::string m_solution;
    std::string m_customer;
    std::string m_backup;
    bool m_include_backup = false;
    std::string m_report;
    std::string m_key;
    std::string m_key_type;
    bundle::KeyType m_type = bundle::KeyType::hmac;
    std::string m_templates;
    std::string m_output;
    bool m_overwrite = false;
};

} // namespace

std::unique_ptr<cli::Command> make_bundle()
{
    return std::make_unique<BundleCommand>();
}

} // namespace escprov::commands
