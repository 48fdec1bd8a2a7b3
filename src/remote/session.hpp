#pragma once
// What both org implementations share: the org's URL, the job's HTTP settings and token source, and
// how often an import is polled. Made by connect(); tests make them directly to shorten the waits.

#include "remote/auth.hpp"
#include "remote/http.hpp"
#include "remote/org.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace escprov::remote {

struct OrgSession {
    std::string org_url; // normalised, no trailing '/'
    std::shared_ptr<HttpSettings> settings;
    std::shared_ptr<TokenSource> tokens; // null: no bearer token (ntlm)
    std::chrono::milliseconds poll_interval{1000};
};

// The Web API at {org}/api/data/{path} ("v9.2"); `version` is the org's RetrieveVersion answer.
std::unique_ptr<Org> make_web_api_org(const OrgSession& session, const std::string& path, const std::string& version);
// The Organization service's SOAP endpoint; `version` may be empty (asked for on first use).
std::unique_ptr<Org> make_soap_org(const OrgSession& session, const std::string& version);

// connect() with a session made by the caller (tests): probes and returns the org.
std::unique_ptr<Org> connect_session(const OrgSession& session, std::optional<Api> api);

// "v9.2" for "9.2.24012.196": major.minor, capped at 9.2; nullopt for text that is not a version or is
// before 8.0.
std::optional<std::string> web_api_path(const std::string& version);

// A new random GUID, lower case without braces (import job ids).
std::string new_guid();

// The lower-case GUID without braces.
std::string normalise_guid(std::string guid);

// Whether an import job's `data` says the solution was imported (its solutionManifest's result).
bool job_data_succeeded(const std::string& data);

} // namespace escprov::remote
