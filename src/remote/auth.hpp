#pragma once
// Where the bearer token on each request comes from: Microsoft Entra ID's client-credentials grant
// (online), AD FS (client credentials or a password; on-premises IFD), a token the user obtained
// elsewhere, or nothing (NTLM, where libcurl signs each connection in). Sources are shared by every
// client of a job (an import polls from a second thread), so they lock.

#include "remote/connection.hpp"
#include "remote/http.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace escprov::remote {

class TokenSource {
public:
    virtual ~TokenSource() = default;
    TokenSource() = default;
    TokenSource(const TokenSource&) = delete;
    TokenSource& operator=(const TokenSource&) = delete;

    // The Authorization header's value ("Bearer …"), or "" when requests carry none. Fetches a token
    // when there is none or the one held expires within a minute. Throws RemoteError when the token
    // endpoint refuses (its error and error_description quoted, never the secret) or cannot be reached.
    virtual std::string authorization() = 0;
    // Forgets the token after the org refused it (401). Returns false when a new one cannot be had
    // (a fixed token, no token): the request then fails as it is.
    virtual bool refresh() = 0;
};

// A token from an OAuth 2.0 token endpoint: a form-encoded POST of `fields` plus the secret under
// `secret_field`, answered by {"access_token","expires_in","token_type"}.
class OAuthTokenSource : public TokenSource {
public:
    OAuthTokenSource(std::shared_ptr<const HttpSettings> settings, std::string endpoint,
                     std::vector<std::pair<std::string, std::string>> fields, std::string secret_field,
                     std::shared_ptr<const Secret> secret);
    std::string authorization() override;
    bool refresh() override;
    // How many tokens were fetched (tests).
    int fetched() const { return m_fetched; }

private:
    void fetch();
    std::shared_ptr<const HttpSettings> m_settings;
    std::string m_endpoint;
    std::vector<std::pair<std::string, std::string>> m_fields;
    std::string m_secret_field;
    std::shared_ptr<const Secret> m_secret;
    std::mutex m_mutex;
    HttpClient m_client;
    Secret m_token;
    Timing::Clock::time_point m_expires{};
    int m_fetched = 0;
};

// The token given with --auth token; never refreshed.
class FixedTokenSource : public TokenSource {
public:
    explicit FixedTokenSource(std::shared_ptr<const Secret> token) : m_token(std::move(token)) {}
    std::string authorization() override { return "Bearer " + m_token->reveal(); }
    bool refresh() override { return false; }

private:
    std::shared_ptr<const Secret> m_token;
};

// The token source the options call for (null for ntlm). Adds the secret to `settings.redact`.
// Throws Error(usage) when an option the auth kind needs is missing (--tenant, --client-id, --user).
std::shared_ptr<TokenSource> make_token_source(const ConnectionOptions& options,
                                               const std::shared_ptr<HttpSettings>& settings,
                                               std::shared_ptr<const Secret> secret);

} // namespace escprov::remote
