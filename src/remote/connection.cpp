#include "remote/connection.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <system_error>

#include <curl/curl.h>
#include <openssl/crypto.h>

namespace escprov::remote {

namespace {

struct UrlCleanup {
    void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct CurlStringCleanup {
    void operator()(char* text) const noexcept { curl_free(text); }
};

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// What the secret is for each kind of sign-in, for messages.
std::string secret_role(AuthKind kind)
{
    switch (kind) {
    case AuthKind::client_credentials: return "the client secret";
    case AuthKind::adfs: return "the client secret or password";
    case AuthKind::ntlm: return "the password";
    case AuthKind::token: return "the bearer token";
    }
    return "the secret";
}

} // namespace

std::string_view auth_name(AuthKind kind)
{
    switch (kind) {
    case AuthKind::client_credentials: return "client-credentials";
    case AuthKind::adfs: return "adfs";
    case AuthKind::ntlm: return "ntlm";
    case AuthKind::token: return "token";
    }
    return "client-credentials";
}

std::optional<AuthKind> parse_auth(std::string_view name)
{
    for (AuthKind kind : {AuthKind::client_credentials, AuthKind::adfs, AuthKind::ntlm, AuthKind::token}) {
        if (auth_name(kind) == name) {
            return kind;
        }
    }
    return std::nullopt;
}

std::string_view api_name(Api api)
{
    return api == Api::web_api ? "webapi" : "soap";
}

std::optional<Api> parse_api(std::string_view name)
{
    if (name == "webapi") {
        return Api::web_api;
    }
    if (name == "soap") {
        return Api::soap;
    }
    return std::nullopt;
}

Secret::~Secret()
{
    wipe();
}

// Moving leaves short strings' bytes in the source's inline buffer: wiped below.
Secret::Secret(Secret&& other) noexcept : m_value(std::move(other.m_value))
{
    other.wipe();
}

Secret& Secret::operator=(Secret&& other) noexcept
{
    if (this != &other) {
        wipe();
        m_value = std::move(other.m_value);
        other.wipe();
    }
    return *this;
}

void Secret::wipe() noexcept
{
    // The whole buffer, not only the used part: a moved-from or shrunk string keeps old bytes.
    OPENSSL_cleanse(m_value.data(), m_value.capacity());
    m_value.clear();
}

std::string normalise_org_url(std::string_view url)
{
    std::unique_ptr<CURLU, UrlCleanup> parsed(curl_url());
    if (!parsed) {
        throw std::bad_alloc();
    }
    std::string text(url);
    // Not echoed in the messages below: a URL may carry a password.
    if (text.empty() || curl_url_set(parsed.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
        throw_usage("--org: not a valid http:// or https:// URL");
    }
    auto part = [&](CURLUPart which) -> std::string {
        char* value = nullptr;
        if (curl_url_get(parsed.get(), which, &value, 0) != CURLUE_OK || value == nullptr) {
            return {};
        }
        std::unique_ptr<char, CurlStringCleanup> owned(value);
        return owned.get();
    };
    if (!part(CURLUPART_USER).empty() || !part(CURLUPART_PASSWORD).empty()) {
        throw_usage("--org: the URL must not hold a user or password; give the user with --user and the secret "
                    "through ESCPROV_SECRET or --secret-file");
    }
    std::string scheme = lower(part(CURLUPART_SCHEME));
    if (scheme != "http" && scheme != "https") {
        throw_usage("--org: the URL must start with https:// or http://");
    }
    if (!part(CURLUPART_QUERY).empty() || !part(CURLUPART_FRAGMENT).empty()) {
        throw_usage("--org: the URL must not have a query or fragment");
    }
    std::string host = lower(part(CURLUPART_HOST));
    if (host.empty()) {
        throw_usage("--org: the URL has no host");
    }
    std::string port = part(CURLUPART_PORT);
    std::string path = part(CURLUPART_PATH);
    while (!path.empty() && path.back() == '/') {
        path.pop_back();
    }
    return scheme + "://" + host + (port.empty() ? "" : ":" + port) + path;
}

Secret read_secret(const ConnectionOptions& options, std::string* warnings)
{
    std::string value;
    if (options.secret_file) {
        const auto& path = *options.secret_file;
        std::ifstream file(path, std::ios::binary);
        if (!file) {
            throw_input("read the secret file '" + path.string() + "': cannot open it");
        }
        value.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
        if (file.bad()) {
            Secret wiped(std::move(value));
            throw_input("read the secret file '" + path.string() + "': read error");
        }
        if (!value.empty() && value.back() == '\n') {
            value.pop_back();
            if (!value.empty() && value.back() == '\r') {
                value.pop_back();
            }
        }
        std::error_code ec;
        auto perms = std::filesystem::status(path, ec).permissions();
        using std::filesystem::perms;
        if (!ec && warnings != nullptr &&
            (perms & (perms::group_read | perms::others_read | perms::group_write | perms::others_write)) !=
                perms::none) {
            *warnings += "warning: the secret file '" + path.string() +
                         "' can be read or written by other users; chmod 600 it\n";
        }
        if (value.empty()) {
            throw_usage("--auth " + std::string(auth_name(options.auth)) + ": the secret file '" + path.string() +
                        "' is empty");
        }
        return Secret(std::move(value));
    }
    const char* env = std::getenv("ESCPROV_SECRET");
    if (env == nullptr || *env == '\0') {
        throw_usage("--auth " + std::string(auth_name(options.auth)) + " needs " + secret_role(options.auth) +
                    ": set ESCPROV_SECRET or give --secret-file FILE (never on the command line)");
    }
    return Secret(env);
}

} // namespace escprov::remote
