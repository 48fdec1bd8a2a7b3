#include "cli/connection_options.hpp"

#include "remote/org.hpp"
#include "util/error.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <ostream>

namespace escprov::cli {

namespace po = boost::program_options;

void ConnectionOptions::add_to(po::options_description& options, po::options_description& hidden, bool org_required)
{
    // Named exactly, these win over boost's prefix guessing, which would otherwise read "--secret X" as
    // "--secret-file X".
    for (const char* name : {"secret", "password", "client-secret", "token"}) {
        hidden.add_options()(name, po::value<std::string>()->notifier([this, name](const std::string&) {
            m_secret_given = std::string("--") + name;
        }));
    }
    auto* org = po::value(&m_org);
    if (org_required) {
        org->required();
    }
    // One option per line reads as a table, which clang-format would fold.
    // clang-format off
    options.add_options()
        ("org", org, "the organisation's URL: https://contoso.crm.dynamics.com, https://crm.contoso.com/Contoso")
        ("auth", po::value(&m_auth)->default_value("client-credentials"),
             "how to sign in: client-credentials (online), adfs (on-premises IFD), ntlm (Windows "
             "authentication), token (a bearer token); the secret comes from $ESCPROV_SECRET or --secret-file")
        ("tenant", po::value(&m_tenant), "the Microsoft Entra ID tenant (client-credentials)")
        ("client-id", po::value(&m_client_id), "the application (client) id (client-credentials, adfs)")
        ("user", po::value(&m_user), "the user: DOMAIN\\name or name@domain (ntlm; adfs with a password)")
        ("secret-file", po::value(&m_secret_file),
             "read the client secret, password or token from FILE (default: $ESCPROV_SECRET)")
        ("authority", po::value(&m_authority),
             "the OAuth authority (default https://login.microsoftonline.com; adfs: https://HOST/adfs)")
        ("ca-file", po::value(&m_ca_file), "trust the certificate authorities in FILE (PEM) for TLS")
        ("insecure-skip-tls-verify", po::bool_switch(&m_insecure),
             "DANGEROUS: accept any TLS certificate (a test org with a self-signed certificate only)")
        ("timeout", po::value(&m_timeout)->default_value(120), "seconds one request may take")
        ("max-wait", po::value(&m_max_wait)->default_value(3600),
             "seconds the whole job may take, retries and import polling included")
        ("api", po::value(&m_api), "webapi or soap: skip probing which endpoint the org speaks");
    // clang-format on
}

remote::ConnectionOptions ConnectionOptions::resolve(const std::string& command) const
{
    if (!m_secret_given.empty()) {
        throw_usage(command + " " + m_secret_given +
                    ": escprov never takes a secret on the command line, where other users and the shell's "
                    "history see it; put it in the environment variable ESCPROV_SECRET or in a file named by "
                    "--secret-file (readable by you only)");
    }
    remote::ConnectionOptions options;
    options.org_url = remote::normalise_org_url(m_org);
    auto auth = remote::parse_auth(m_auth);
    if (!auth) {
        throw_usage(command + ": --auth must be client-credentials, adfs, ntlm or token, not '" + m_auth + "'");
    }
    options.auth = *auth;
    options.tenant = m_tenant;
    options.client_id = m_client_id;
    options.user = m_user;
    if (!m_authority.empty()) {
        options.authority = m_authority;
        while (options.authority.ends_with('/')) {
            options.authority.pop_back();
        }
    }
    switch (options.auth) {
    case remote::AuthKind::client_credentials:
        if (m_tenant.empty() || m_client_id.empty()) {
            throw_usage(command + ": --auth client-credentials needs --tenant and --client-id");
        }
        break;
    case remote::AuthKind::adfs:
        if (m_client_id.empty() || m_authority.empty()) {
            throw_usage(command + ": --auth adfs needs --client-id and --authority https://ADFS-HOST/adfs");
        }
        break;
    case remote::AuthKind::ntlm:
        if (m_user.empty()) {
            throw_usage(command + ": --auth ntlm needs --user DOMAIN\\name");
        }
        break;
    case remote::AuthKind::token: break;
    }
    if (!m_secret_file.empty()) {
        options.secret_file = m_secret_file;
    }
    if (!m_ca_file.empty()) {
        options.ca_file = m_ca_file;
    }
    options.insecure_tls = m_insecure;
    if (m_timeout <= 0) {
        throw_usage(command + ": --timeout must be a positive number of seconds");
    }
    if (m_max_wait <= 0) {
        throw_usage(command + ": --max-wait must be a positive number of seconds");
    }
    options.timeout = std::chrono::seconds(m_timeout);
    options.max_wait = std::chrono::seconds(m_max_wait);
    if (!m_api.empty()) {
        auto api = remote::parse_api(m_api);
        if (!api) {
            throw_usage(command + ": --api must be webapi or soap, not '" + m_api + "'");
        }
        options.api = *api;
    }
    return options;
}

std::string shell_quoted(const std::string& text)
{
    bool safe = !text.empty();
    for (char c : text) {
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!plain && std::string_view("-_./:=@,+%").find(c) == std::string_view::npos) {
            safe = false;
        }
    }
    if (safe) {
        return text;
    }
    std::string quoted = "'";
    for (char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

std::string ConnectionOptions::command_line(const std::string& command) const
{
    std::string line = "escprov " + command + " --org " + shell_quoted(m_org) + " --auth " + shell_quoted(m_auth);
    auto add = [&](const char* option, const std::string& value) {
        if (!value.empty()) {
            line += std::string(" ") + option + " " + shell_quoted(value);
        }
    };
    add("--tenant", m_tenant);
    add("--client-id", m_client_id);
    add("--user", m_user);
    add("--secret-file", m_secret_file);
    add("--authority", m_authority);
    add("--ca-file", m_ca_file);
    add("--api", m_api);
    if (m_insecure) {
        line += " --insecure-skip-tls-verify";
    }
    return line;
}

std::unique_ptr<remote::Org> connect(const remote::ConnectionOptions& options, std::ostream& err)
{
    std::string warnings;
    remote::Secret secret = remote::read_secret(options, &warnings);
    if (!warnings.empty()) {
        err << "escprov: warning: " << warnings << "\n";
    }
    if (options.insecure_tls) {
        err << "escprov: WARNING: --insecure-skip-tls-verify: the org's TLS certificate is NOT checked; anyone "
               "on the network path can read and change what is sent, the secret included\n";
    }
    return remote::connect(options, std::move(secret));
}

} // namespace escprov::cli
