// escprov bundle: the Option 2 hand-off package for a customer's IT.

#include "bundle/bundle.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "connector/connector.hpp"
#include "mail/smtp.hpp"
#include "util/error.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "util/sha256.hpp"
#include "util/text.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <optional>
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
            ("backup", po::value(&m_backup),
                 "the backup taken before the change (escprov backup create); it must verify, and its name and "
                 "SHA-256 go in backup.txt")
            ("include-backup", po::bool_switch(&m_include_backup), "also put the backup itself in the bundle")
            ("report", po::value(&m_report), "a merge report (escprov merge --report) to include with the preflight")
            ("key", po::value(&m_key),
                 "sign manifest.json with this key file: the secret (hmac) or a PEM private key (ed25519)")
            ("key-type", po::value(&m_key_type),
                 "hmac (HMAC-SHA256) or ed25519; the key file decides it when absent (a PEM private key is "
                 "ed25519, anything else an hmac secret of at least 32 bytes), and must agree when given")
            ("connector", po::value(&m_connector),
                 "the connector's solution/ folder (templates/ beside it); default: $ESCPROV_CONNECTOR, else the "
                 "source checkout escprov was built from")
            ("templates", po::value(&m_templates),
                 "the folder holding instructions.html.in, instructions.txt.in and wording.tsv; default: "
                 "templates/instructions beside the connector")
            ("force", po::bool_switch(&m_force), "bundle a solution that is unmanaged or not the connector's")
            ("output,o", po::value(&m_output)->required(),
                 "the bundle to write (a zip, mode 0600), or a folder (made when missing) to write "
                 "SOLUTION-bundle.zip into")
            ("overwrite", po::bool_switch(&m_overwrite), "replace the output if it exists")
            ("send", po::bool_switch(&m_send), "then email the bundle (needs --to, --from and --smtp-url)")
            ("to", po::value(&m_to)->composing(), "send: a recipient (repeat for more)")
            ("from", po::value(&m_from), "send: the sender's address")
            ("subject", po::value(&m_subject),
                 "send: the subject; default: \"Email Service Connector VERSION for CUSTOMER (CRM X.Y)\"")
            ("smtp-url", po::value(&m_smtp_url),
                 "send: smtps://host:465 (TLS from the start) or smtp://host:587 (must upgrade with STARTTLS)")
            ("smtp-user", po::value(&m_smtp_user), "send: the SMTP login; none: no authentication")
            ("smtp-password-env", po::value(&m_password_env),
                 "send: the environment variable holding the password (default with --smtp-user: "
                 "ESCPROV_SMTP_PASSWORD)")
            ("smtp-password-file", po::value(&m_password_file), "send: a file whose first line is the password")
            ("smtp-ca-file", po::value(&m_ca_file), "send: trust this CA certificate (PEM) for the server")
            ("smtp-timeout", po::value(&m_timeout)->default_value(60),
                 "send: seconds to wait for the server to connect or answer");
        // clang-format on
        m_limits.add_to(options());
    }
    std::string_view name() const override { return "bundle"; }
    std::string_view synopsis() const override { return "build the checked, signed hand-off bundle for a customer"; }
    std::string_view usage() const override
    {
        return "escprov bundle --solution FILE.zip --customer NAME [--backup BACKUP] [--report REPORT] [--key FILE]\n"
               "               -o BUNDLE.zip [--send --to ADDR --from ADDR --smtp-url URL [--smtp-user USER]]";
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
               "written under a temporary name, readable by its owner only, and appears only when\n"
               "complete. With --send it is then emailed as one message (a short text body saying how to\n"
               "check it, the bundle attached) over SMTP with TLS; the password comes from an environment\n"
               "variable or a file, never the command line. If sending fails the bundle stays at -o.\n"
               "An existing BUNDLE.zip is replaced only with --overwrite (exit 1; see docs/exit-codes.md).";
    }

    void check_options() override
    {
        std::optional<bundle::KeyType> declared;
        if (!m_key_type.empty()) {
            declared = bundle::parse_key_type(m_key_type);
        }
        if (!m_key.empty()) {
            // Decided as apply decides what it checks with, before anything is written.
            m_type = bundle::signing_key_type(m_key, declared);
        } else if (declared) {
            throw_usage("bundle: --key-type needs --key");
        }
        if (m_include_backup && m_backup.empty()) {
            throw_usage("bundle: --include-backup needs --backup FILE");
        }
        if (m_customer.empty()) {
            throw_usage("bundle: --customer must not be empty");
        }
        bool mail_options = !m_to.empty() || !m_from.empty() || !m_subject.empty() || !m_smtp_url.empty() ||
                            !m_smtp_user.empty() || !m_password_env.empty() || !m_password_file.empty() ||
                            !m_ca_file.empty();
        if (!m_send) {
            if (mail_options) {
                throw_usage("bundle: --to, --from, --subject and --smtp-* only apply with --send");
            }
            return;
        }
        if (m_to.empty() || m_from.empty() || m_smtp_url.empty()) {
            throw_usage("bundle: --send needs --to ADDR, --from ADDR and --smtp-url smtps://HOST or smtp://HOST");
        }
        if (m_smtp_user.empty() && (!m_password_env.empty() || !m_password_file.empty())) {
            throw_usage("bundle: a password source was given without --smtp-user");
        }
        if (!m_smtp_user.empty() && m_password_env.empty() && m_password_file.empty()) {
            m_password_env = "ESCPROV_SMTP_PASSWORD";
        }
    }

    mail::SmtpOptions smtp_options() const
    {
        mail::SmtpOptions options;
        options.url = m_smtp_url;
        options.user = m_smtp_user;
        if (!m_password_env.empty()) {
            options.password_env = m_password_env;
        }
        if (!m_password_file.empty()) {
            options.password_file = fs::path(m_password_file);
        }
        if (!m_ca_file.empty()) {
            options.ca_file = fs::path(m_ca_file);
        }
        options.timeout_seconds = m_timeout;
        return options;
    }

    mail::Message message(const std::string& subject, std::string body) const
    {
        return mail::Message{m_from, m_to, m_subject.empty() ? subject : m_subject, std::move(body), m_output};
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
        if (!m_templates.empty()) {
            request.instructions = m_templates;
        } else {
            auto connector = m_connector.empty() ? std::nullopt : std::optional<fs::path>(m_connector);
            request.instructions = connector::locate_connector(connector).templates / "instructions";
        }
        // Checked before any work; -o FOLDER/ gets SOLUTION-bundle.zip (docs/exit-codes.md, "Output targets").
        OutputFile output(m_output, OutputSpec{"bundle", "-o", fs::path(m_solution).stem().string() + "-bundle.zip",
                                               "--overwrite", m_overwrite});
        m_output = output.path().string();
        request.output = output.path();
        request.overwrite = output.overwrite();
        request.force = m_force;
        request.limits = m_limits.limits();
        if (m_send) {
            // The mail options and the password source are checked before the work, not after it.
            mail::check(message("subject", "body"), smtp_options());
        }

        output.make_folders();
        Progress progress(context.err, show_progress(context), "bundle " + Progress::short_name(m_output));
        request.progress = &progress;
        bundle::Summary summary = bundle::write_bundle(request);
        progress.finish();
        output.keep();
        context.out << "bundle: wrote " << escprov::quoted(fs::path(m_output)) << " (" << summary.manifest.unique_name
                    << " " << summary.manifest.solution_version << ", " << solution::managed_word(summary.manifest)
                    << ", for " << m_customer << ", CRM " << summary.crm.text << ", "
                    << counted(summary.entries.size(), "entry", "entries") << " and manifest.json"
                    << (m_key.empty() ? ", " : " and manifest.sig, ")
                    << (m_key.empty() ? std::string("unsigned")
                                      : "signed with " + std::string(bundle::algorithm_name(m_type)))
                    << ")\n";
        if (!m_send) {
            return ExitCode::ok;
        }
        std::string sha256 = sha256_file(m_output);
        bundle::Cover cover = bundle::cover_message(summary, request, sha256);
        try {
            mail::send(message(cover.subject, cover.body), smtp_options());
        } catch (const Error& e) {
            // One message, the cause first: what failed, then what the user still has.
            throw Error(e.kind(), std::string(e.what()) + "; the bundle " + escprov::quoted(fs::path(m_output)) +
                                      " is written and complete: attach it to a message by hand, or build and send "
                                      "it again with --overwrite (the same bytes)");
        }
        context.out << "bundle: sent " << escprov::quoted(fs::path(m_output)) << " to "
                    << counted(m_to.size(), "recipient") << " via " << m_smtp_url << " (SHA-256 " << sha256 << ")\n";
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
    std::string m_connector;
    bool m_force = false;
    std::string m_output;
    bool m_overwrite = false;
    cli::LimitOptions m_limits;
    bool m_send = false;
    std::vector<std::string> m_to;
    std::string m_from;
    std::string m_subject;
    std::string m_smtp_url;
    std::string m_smtp_user;
    std::string m_password_env;
    std::string m_password_file;
    std::string m_ca_file;
    long m_timeout = 60;
};

} // namespace

std::unique_ptr<cli::Command> make_bundle()
{
    return std::make_unique<BundleCommand>();
}

} // namespace escprov::commands
