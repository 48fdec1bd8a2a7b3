#include "remote/auth.hpp"

#include "remote/org.hpp"

#include <nlohmann/json.hpp>

namespace escprov::remote {

namespace {

// Refreshed this long before it expires, so that no request leaves with a token about to die.
constexpr std::chrono::seconds k_refresh_margin{60};

std::string json_text(const nlohmann::json& object, const char* key)
{
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

OAuthTokenSource::OAuthTokenSource(std::shared_ptr<const HttpSettings> settings, std::string endpoint,
                                   std::vector<std::pair<std::string, std::string>> fields, std::string secret_field,
                                   std::shared_ptr<const Secret> secret)
    : m_settings(settings), m_endpoint(std::move(endpoint)), m_fields(std::move(fields)),
      m_secret_field(std::move(secret_field)), m_secret(std::move(secret)), m_client(std::move(settings))
{}

std::string OAuthTokenSource::authorization()
{
    std::lock_guard lock(m_mutex);
    if (m_token.empty() || m_settings->timing.now() + k_refresh_margin >= m_expires) {
        fetch();
    }
    return "Bearer " + m_token.reveal();
}

bool OAuthTokenSource::refresh()
{
    std::lock_guard lock(m_mutex);
    m_token = Secret();
    return true;
}

void OAuthTokenSource::fetch()
{
    std::string what = "sign in at " + m_endpoint;
    HttpRequest request;
    request.method = Method::post;
    request.url = m_endpoint;
    request.what = what;
    request.headers = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"};
    std::string body;
    for (const auto& [name, value] : m_fields) {
        body += (body.empty() ? "" : "&") + form_escape(name) + "=" + form_escape(value);
    }
    body += "&" + form_escape(m_secret_field) + "=" + form_escape(m_secret->reveal());
    request.body = std::move(body);
    HttpResponse response;
    try {
        response = m_client.send(request);
    } catch (...) {
        Secret wiped(std::move(request.body));
        throw;
    }
    Secret wiped(std::move(request.body));
    const std::vector<std::string> secrets{m_secret->reveal(), form_escape(m_secret->reveal())};

    nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
    if (response.status != 200) {
        std::string message = what + ": HTTP " + std::to_string(response.status);
        std::string code;
        if (answer.is_object()) {
            code = json_text(answer, "error");
            std::string description = json_text(answer, "error_description");
            message += code.empty() ? "" : " " + code;
            message += description.empty() ? "" : ": " + description;
        }
        throw RemoteError(redact(message, secrets), response.status, redact(code, secrets));
    }
    std::string token = answer.is_object() ? json_text(answer, "access_token") : std::string();
    if (token.empty()) {
        throw RemoteError(what + ": the answer holds no access_token", response.status);
    }
    long lifetime = 3600;
    if (auto it = answer.find("expires_in"); it != answer.end()) {
        if (it->is_number()) {
            lifetime = it->get<long>();
        } else if (it->is_string()) {
            lifetime = std::atol(it->get<std::string>().c_str());
        }
    }
    m_token = Secret(std::move(token));
    m_expires = m_settings->timing.now() + std::chrono::seconds(lifetime);
    ++m_fetched;
}

std::shared_ptr<TokenSource> make_token_source(const ConnectionOptions& options,
                                               const std::shared_ptr<HttpSettings>& settings,
                                               std::shared_ptr<const Secret> secret)
{
    settings->redact.push_back(secret->reveal());
    settings->redact.push_back(form_escape(secret->reveal()));
    std::string authority = options.authority;
    while (!authority.empty() && authority.back() == '/') {
        authority.pop_back();
    }
    auto need = [&](const std::string& value, const char* option) {
        if (value.empty()) {
            throw_usage("--auth " + std::string(auth_name(options.auth)) + " needs " + option);
        }
    };
    switch (options.auth) {
    case AuthKind::client_credentials: {
        need(options.tenant, "--tenant");
        need(options.client_id, "--client-id");
        return std::make_shared<OAuthTokenSource>(
            settings, authority + "/" + options.tenant + "/oauth2/v2.0/token",
            std::vector<std::pair<std::string, std::string>>{{"grant_type", "client_credentials"},
                                                             {"client_id", options.client_id},
                                                             {"scope", options.org_url + "/.default"}},
            "client_secret", std::move(secret));
    }
    case AuthKind::adfs: {
        need(options.client_id, "--client-id");
        std::vector<std::pair<std::string, std::string>> fields;
        std::string secret_field = "client_secret";
        if (options.user.empty()) {
            fields = {{"grant_type", "client_credentials"}, {"client_id", options.client_id}};
        } else {
            fields = {{"grant_type", "password"}, {"client_id", options.client_id}, {"username", options.user}};
            secret_field = "password";
        }
        fields.emplace_back("resource", options.org_url);
        return std::make_shared<OAuthTokenSource>(settings, authority + "/oauth2/token", std::move(fields),
                                                  secret_field, std::move(secret));
    }
    case AuthKind::token: return std::make_shared<FixedTokenSource>(std::move(secret));
    case AuthKind::ntlm:
        need(options.user, "--user");
        settings->ntlm_user = options.user;
        settings->ntlm_password = std::move(secret);
        return nullptr;
    }
    return nullptr;
}

} // namespace escprov::remote
