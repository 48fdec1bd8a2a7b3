#include "emulators/dataverse/auth.hpp"

#include "emulators/dataverse/wire.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace escprov::emulator {

namespace {

HttpResponse token_error(int status, const std::string& error, const std::string& description)
{
    HttpResponse response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    response.body = nlohmann::json{{"error", error}, {"error_description", description}}.dump();
    return response;
}

HttpResponse invalid_client()
{
    return token_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.");
}

std::string random_token()
{
    static thread_local std::mt19937_64 generator{std::random_device{}()};
    static constexpr std::string_view k_hex = "0123456789abcdef";
    std::string token = "escfake.";
    for (int i = 0; i < 40; ++i) {
        token += k_hex[generator() & 0xf];
    }
    return token;
}

// Compares in time independent of where the strings differ (the emulator stands in for a real
// identity provider; it should not teach timing leaks by example).
bool same_secret(const std::string& a, const std::string& b)
{
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    for (size_t i = 0; i < a.size(); ++i) {
        difference |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    }
    return difference == 0;
}

bool form_request(const HttpRequest& request)
{
    return request.method == "POST" &&
           request.header("content-type").rfind("application/x-www-form-urlencoded", 0) == 0;
}

} // namespace

Auth::Auth(const Options& options) : m_options(options) {}

bool Auth::client_ok(const std::string& client_id, const std::string& secret) const
{
    if (open()) {
        return !client_id.empty();
    }
    return !m_options.client_id.empty() && client_id == m_options.client_id && same_secret(secret, m_options.secret);
}

HttpResponse Auth::issue(const std::string& subject)
{
    std::string token = random_token();
    {
        std::lock_guard lock(m_mutex);
        m_tokens[token] = {std::chrono::steady_clock::now() + std::chrono::seconds(m_options.token_lifetime), subject};
    }
    HttpResponse response;
    response.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    response.body =
        nlohmann::json{{"token_type", "Bearer"}, {"expires_in", m_options.token_lifetime}, {"access_token", token}}
            .dump();
    return response;
}

HttpResponse Auth::serve_entra_token(const HttpRequest& request)
{
    if (!form_request(request)) {
        return token_error(400, "invalid_request",
                           "AADSTS900144: The request body must contain the following parameter: 'grant_type'.");
    }
    auto form = parse_form(request.body);
    if (form["grant_type"] != "client_credentials") {
        return token_error(400, "unsupported_grant_type",
                           "AADSTS70003: The app requested an unsupported grant type '" + form["grant_type"] + "'.");
    }
    const std::string& scope = form["scope"];
    if (scope.size() < 9 || scope.compare(scope.size() - 9, 9, "/.default") != 0) {
        return token_error(400, "invalid_scope",
                           "AADSTS1002012: The provided value for scope is not valid. Client credential flows "
                           "must have a scope value with /.default suffixed to the resource identifier.");
    }
    if (!client_ok(form["client_id"], form["client_secret"])) {
        return invalid_client();
    }
    return issue(form["client_id"]);
}

HttpResponse Auth::serve_adfs_token(const HttpRequest& request)
{
    if (!form_request(request)) {
        return token_error(400, "invalid_request", "MSIS9611: The authorization server received an invalid request.");
    }
    auto form = parse_form(request.body);
    if (form["resource"].empty()) {
        return token_error(400, "invalid_request", "MSIS9602: The received 'resource' parameter is not valid.");
    }
    const std::string& grant = form["grant_type"];
    if (grant == "client_credentials") {
        if (!client_ok(form["client_id"], form["client_secret"])) {
            return invalid_client();
        }
        return issue(form["client_id"]);
    }
    if (grant == "password") {
        bool ok = open() ? !form["username"].empty()
                         : !m_options.user.empty() && form["username"] == m_options.user &&
                               same_secret(form["password"], m_options.password);
        if (!ok) {
            return token_error(400, "invalid_grant", "MSIS9659: Invalid 'username' or 'password'.");
        }
        return issue(form["username"]);
    }
    return token_error(400, "unsupported_grant_type",
                       "MSIS9612: The 'grant_type' parameter value '" + grant + "' is not supported.");
}

AuthCheck Auth::check(const HttpRequest& request)
{
    AuthCheck result;
    if (m_options.trust_proxy_user) {
        std::string remote_user = request.header("x-remote-user");
        if (!remote_user.empty()) {
            result.outcome = AuthCheck::Outcome::ok;
            result.caller.name = remote_user;
            return result;
        }
    }
    std::string authorization = request.header("authorization");
    static constexpr std::string_view k_bearer = "Bearer ";
    if (authorization.size() <= k_bearer.size() || authorization.compare(0, k_bearer.size(), k_bearer) != 0) {
        result.outcome = AuthCheck::Outcome::missing;
        return result;
    }
    std::string token = authorization.substr(k_bearer.size());
    std::lock_guard lock(m_mutex);
    auto it = m_tokens.find(token);
    if (it == m_tokens.end()) {
        result.outcome = AuthCheck::Outcome::unknown;
        return result;
    }
    if (std::chrono::steady_clock::now() >= it->second.expires) {
        result.outcome = AuthCheck::Outcome::expired;
        return result;
    }
    result.outcome = AuthCheck::Outcome::ok;
    result.caller.name = it->second.subject;
    return result;
}

void Auth::expire_all()
{
    std::lock_guard lock(m_mutex);
    auto now = std::chrono::steady_clock::now();
    for (auto& [token, entry] : m_tokens) {
        entry.expires = std::min(entry.expires, now);
    }
}

HttpResponse unauthorized(const AuthCheck& check, const std::string& org_url)
{
    HttpResponse response;
    response.status = 401;
    if (check.outcome == AuthCheck::Outcome::expired) {
        response.headers.emplace_back("WWW-Authenticate",
                                      "Bearer error=\"invalid_token\", error_description=\"The access token expired\"");
    } else {
        response.headers.emplace_back("WWW-Authenticate", "Bearer authorization_uri=" + org_url +
                                                              "/common/oauth2/authorize, resource_id=" + org_url + "/");
    }
    return response;
}

} // namespace escprov::emulator
