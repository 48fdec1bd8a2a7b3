#pragma once
// Sign-in as the org's identity providers do it: the Entra ID v2 token endpoint (client
// credentials), the AD FS token endpoint (client credentials or password grant), bearer tokens
// checked on every org request, tokens that expire (by lifetime or on a fault's command), and the
// reverse-proxy deployment where an NTLM proxy vouches for the user with X-Remote-User.

#include "emulators/dataverse/http_types.hpp"
#include "emulators/dataverse/options.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace escprov::emulator {

// The identity behind an authenticated request.
struct Caller {
    std::string name; // the client id or the user name
};

// Who asked, as far as the bearer check is concerned.
struct AuthCheck {
    enum class Outcome { ok, missing, unknown, expired } outcome = Outcome::missing;
    Caller caller;
};

class Auth {
public:
    // With neither a client id nor a user configured, the org is open: the token endpoints issue
    // tokens to any client (bearer checks still apply).
    explicit Auth(const Options& options);

    // POST {base}/{tenant}/oauth2/v2.0/token: form grant_type=client_credentials, client_id,
    // client_secret, scope ending in "/.default".
    HttpResponse serve_entra_token(const HttpRequest& request);
    // POST {base}/adfs/oauth2/token: grant_type client_credentials or password, resource.
    HttpResponse serve_adfs_token(const HttpRequest& request);

    // Checks the request's Authorization header (or X-Remote-User with --trust-proxy-user).
    AuthCheck check(const HttpRequest& request);
    // Every token issued so far is expired from now on (the --expire-tokens-every fault).
    void expire_all();

private:
    struct Token {
        std::chrono::steady_clock::time_point expires;
        std::string subject;
    };
    HttpResponse issue(const std::string& subject);
    bool open() const { return m_options.client_id.empty() && m_options.user.empty(); }
    bool client_ok(const std::string& client_id, const std::string& secret) const;

    const Options& m_options;
    std::mutex m_mutex;
    std::map<std::string, Token> m_tokens;
};

// The 401 a real org answers for `check`: WWW-Authenticate with the authorization URI and resource
// for a missing or unknown token, with error="invalid_token" for an expired one; no body.
HttpResponse unauthorized(const AuthCheck& check, const std::string& org_url);

} // namespace escprov::emulator
