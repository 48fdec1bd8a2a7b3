#pragma once
// How escprov reaches an org: the connection options every remote command shares (`--org`, `--auth`,
// `--tenant`, `--client-id`, `--user`, `--authority`, `--ca-file`, `--timeout`, `--max-wait`, ...) and
// the secret that goes with them. The secret comes from $ESCPROV_SECRET or `--secret-file`, never the
// command line, and is held in a Secret that cannot be printed, copied into messages or logged.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace escprov::remote {

// How escprov signs in (docs/connecting.md).
enum class AuthKind {
    client_credentials, // OAuth 2.0 client credentials against Microsoft Entra ID (online)
    adfs,               // AD FS OAuth (on-premises IFD): client credentials, or a password with --user
    ntlm,               // Windows authentication, NTLM or Negotiate (on-premises, direct or via a proxy)
    token               // a bearer token obtained elsewhere
};

// "client-credentials", "adfs", "ntlm", "token".
std::string_view auth_name(AuthKind kind);
// The kind for a name as above; nullopt for any other.
std::optional<AuthKind> parse_auth(std::string_view name);

// Which endpoint speaks to the org: the Web API (CRM 2016 / 8.0 and later, online) or the
// Organization service's SOAP endpoint (CRM 2011–2015, still present later).
enum class Api { web_api, soap };

// "webapi", "soap".
std::string_view api_name(Api api);
std::optional<Api> parse_api(std::string_view name);

// A password, client secret or token. Move-only; its bytes are wiped when it dies. There is no
// operator<<: the only way to the bytes is reveal(), which code calls only to hand them to the
// token endpoint or to libcurl.
class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : m_value(std::move(value)) {}
    ~Secret();
    Secret(Secret&& other) noexcept;
    Secret& operator=(Secret&& other) noexcept;
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;

    bool empty() const { return m_value.empty(); }
    const std::string& reveal() const { return m_value; }

private:
    void wipe() noexcept;
    std::string m_value;
};

struct ConnectionOptions {
    std::string org_url; // "https://contoso.crm.dynamics.com", "http://crm01/Contoso"; no trailing '/'
    AuthKind auth = AuthKind::client_credentials;
    std::string tenant;    // --tenant: the Entra ID tenant (client-credentials)
    std::string client_id; // --client-id: the app registration (client-credentials, adfs)
    std::string user;      // --user: DOMAIN\name or name@domain (ntlm; adfs with a password)
    // --authority: the OAuth authority. client-credentials: its token endpoint is
    // {authority}/{tenant}/oauth2/v2.0/token; adfs: {authority}/oauth2/token (authority
    // "https://adfs.contoso.com/adfs").
    std::string authority = "https://login.microsoftonline.com";
    std::optional<std::filesystem::path> secret_file; // --secret-file; else $ESCPROV_SECRET
    std::optional<std::filesystem::path> ca_file;     // --ca-file: trust these CAs instead of the system's
    bool insecure_tls = false;                        // --insecure-skip-tls-verify (loud; never the default)
    std::chrono::seconds timeout{120};                // --timeout: one request, connect to last byte
    std::chrono::seconds max_wait{3600};              // --max-wait: the whole job, retries and polling included
    std::optional<Api> api;                           // --api: skip probing
};

// The org URL as given, normalised: scheme and host in lower case, no trailing '/'. Throws
// Error(usage) when it is not an http(s) URL or carries user information ("https://u:p@host").
std::string normalise_org_url(std::string_view url);

// Reads the secret the options call for: the file's contents (one trailing newline removed) when
// `secret_file` is set, else the environment variable ESCPROV_SECRET. Throws Error(usage) naming the
// auth kind and both ways to give it when none is set or it is empty, Error(input) when the file
// cannot be read. A file readable by others gets a warning on `warnings` (may be null).
Secret read_secret(const ConnectionOptions& options, std::string* warnings = nullptr);

} // namespace escprov::remote
