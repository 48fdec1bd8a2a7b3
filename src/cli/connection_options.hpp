#pragma once
// The org connection options every remote command shares (check, export, import, provision,
// restore, apply --org): --org, --auth, --tenant, --client-id, --user, --secret-file, --authority,
// --ca-file, --insecure-skip-tls-verify, --timeout, --max-wait, --api. Parsing never touches the
// network or the secret; connect() reads the secret and signs in.

#include "remote/connection.hpp"

#include <boost/program_options/options_description.hpp>

#include <memory>
#include <string>

namespace escprov::remote {
class Org;
}

namespace escprov::cli {

class ConnectionOptions {
public:
    // Adds the options to `options`, and to `hidden` the names a secret might be given by on the command
    // line (--secret, --password, --client-secret, --token), which resolve() refuses; `org_required` makes
    // --org mandatory (apply takes it optionally).
    void add_to(boost::program_options::options_description& options,
                boost::program_options::options_description& hidden, bool org_required = true);
    // True when --org (or a secret, which resolve() refuses) was given.
    bool given() const { return !m_org.empty() || !m_secret_given.empty(); }
    // Checks the combination for `command` ("check", "provision") and converts: --org is an http(s)
    // URL without user information; client-credentials needs --tenant and --client-id; adfs needs
    // --client-id and an --authority of its own; ntlm needs --user; times are positive. Throws
    // Error(usage) naming the option.
    remote::ConnectionOptions resolve(const std::string& command) const;
    // The options to repeat in a command the user is told to run (restore after a failed
    // provision): every connection option given, none holding a secret (there is none on the
    // command line), each quoted for a POSIX shell.
    std::string command_line(const std::string& command) const;

private:
    std::string m_org;
    std::string m_auth = "client-credentials";
    std::string m_tenant;
    std::string m_client_id;
    std::string m_user;
    std::string m_secret_file;
    std::string m_authority;
    std::string m_ca_file;
    std::string m_api;
    bool m_insecure = false;
    int m_timeout = 120;
    int m_max_wait = 3600;
    std::string m_secret_given; // the option a secret was given by on the command line, if any
};

// Reads the secret (read_secret; a warning about it goes to `err`), warns loudly on `err` when TLS
// is not verified, then signs in and probes the org. Throws as read_secret and remote::connect.
std::unique_ptr<remote::Org> connect(const remote::ConnectionOptions& options, std::ostream& err);

// A shell word for `text`: as it is when it holds only safe characters, else in single quotes.
std::string shell_quoted(const std::string& text);

} // namespace escprov::cli
