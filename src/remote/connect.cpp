// connect(): signs in and probes which endpoint the org speaks.

#include "remote/session.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include <openssl/rand.h>

namespace escprov::remote {

std::optional<std::string> web_api_path(const std::string& version)
{
    int major = 0;
    int minor = 0;
    if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2 || major < 8 || minor < 0) {
        return std::nullopt;
    }
    if (major > 9 || (major == 9 && minor > 2)) {
        major = 9;
        minor = 2;
    }
    return "v" + std::to_string(major) + "." + std::to_string(minor);
}

std::string new_guid()
{
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw Error(ErrorKind::internal, "make an import job id: no random bytes");
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0FU) | 0x40U); // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3FU) | 0x80U); // RFC 4122 variant
    static constexpr std::string_view k_hex = "0123456789abcdef";
    std::string guid;
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            guid += '-';
        }
        guid += k_hex[bytes.at(i) >> 4U];
        guid += k_hex[bytes.at(i) & 0x0FU];
    }
    return guid;
}

std::string normalise_guid(std::string guid)
{
    if (guid.size() >= 2 && guid.front() == '{' && guid.back() == '}') {
        guid = guid.substr(1, guid.size() - 2);
    }
    std::transform(guid.begin(), guid.end(), guid.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return guid;
}

bool job_data_succeeded(const std::string& data)
{
    size_t start = data.find("<solutionManifest");
    if (start == std::string::npos) {
        return false;
    }
    size_t end = data.find("</solutionManifest>", start);
    std::string_view manifest = std::string_view(data).substr(start, end == std::string::npos ? end : end - start);
    size_t result = manifest.find("<result ");
    if (result == std::string_view::npos) {
        return false;
    }
    std::string_view tag = manifest.substr(result, manifest.find('>', result) - result);
    return tag.find("result=\"success\"") != std::string_view::npos ||
           tag.find("result='success'") != std::string_view::npos;
}

std::unique_ptr<Org> connect_session(const OrgSession& session, std::optional<Api> api)
{
    if (api == Api::soap) {
        return make_soap_org(session, {});
    }
    // RetrieveVersion on v8.0, which every Web API org serves; the answer names the path to use.
    auto probe = make_web_api_org(session, "v8.0", {});
    try {
        std::string version = probe->version();
        auto path = web_api_path(version);
        if (!path) {
            throw RemoteError("connect to " + session.org_url + ": the org's version '" + version +
                              "' has no Web API; use --api soap");
        }
        return make_web_api_org(session, *path, version);
    } catch (const RemoteError& e) {
        if (api == Api::web_api || e.http_status() != 404) {
            throw;
        }
    }
    auto soap = make_soap_org(session, {});
    (void)soap->version(); // reachable and signed in, or the error says why
    return soap;
}

std::unique_ptr<Org> connect(const ConnectionOptions& options, Secret secret)
{
    OrgSession session;
    session.org_url = normalise_org_url(options.org_url);
    session.settings = make_http_settings(options);
    ConnectionOptions normalised = options;
    normalised.org_url = session.org_url;
    session.tokens = make_token_source(normalised, session.settings, std::make_shared<const Secret>(std::move(secret)));
    return connect_session(session, options.api);
}

} // namespace escprov::remote
