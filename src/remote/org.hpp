#pragma once
// One CRM organisation, as the remote commands see it, whatever the endpoint underneath: the Web API
// (webapi.cpp) or the Organization service's SOAP endpoint (soap.cpp). connect() probes which one the
// org speaks. Every call may throw Error: ErrorKind::input for an answer the org should not have
// given (not JSON, wrong shape); refusals and unreachable orgs are RemoteError below (exit 1).
// Calls retry transient failures themselves (http.hpp); what reaches the caller is final.

#include "remote/connection.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::remote {

// A request the org refused or that could not be completed after every retry. The message names
// the operation, the org and the cause ("ExportSolution on https://contoso.crm.dynamics.com: HTTP 403
// 0x80040220 Principal user is missing prvExportCustomization privilege"). Never holds a secret.
class RemoteError : public Error {
public:
    RemoteError(const std::string& message, int http_status = 0, std::string code = {})
        : Error(ErrorKind::remote, message), m_status(http_status), m_code(std::move(code))
    {}
    int http_status() const { return m_status; }       // 0: no HTTP answer (refused, reset, timed out)
    const std::string& code() const { return m_code; } // CRM's error code, "0x80040220", or empty

private:
    int m_status;
    std::string m_code;
};

struct Identity {
    std::string user_id; // GUIDs in lower case without braces
    std::string business_unit_id;
    std::string organization_id;
};

struct SolutionInfo {
    std::string id;
    std::string unique_name;
    std::string friendly_name;
    std::string version; // "1.0.0.0"
    bool managed = false;
    bool visible = true; // isvisible: false for CRM's internal Active/Basic solutions
};

struct EntityInfo {
    std::string logical_name;
    std::string schema_name;
    std::string entity_set; // Web API collection ("accounts"); empty on SOAP
    bool custom = false;
    std::vector<std::string> attributes; // logical names, sorted; filled only when asked for
};

struct ImportRequest {
    std::filesystem::path zip;
    std::string job_id; // client-generated GUID, lower case
    bool overwrite_unmanaged = true;
    bool publish_workflows = true;
    bool holding_solution = false; // import as a holding solution for an upgrade (8.0 and later)
};

struct ImportOutcome {
    bool succeeded = false;
    std::string job_id;
    std::string job_data;  // the import job's `data` XML (<importexportxml>…), may be empty
    std::string message;   // the async operation's message, or the import request's error
    std::string formatted; // RetrieveFormattedImportJobResults, fetched when it failed; may be empty
};

class Org {
public:
    virtual ~Org() = default;
    Org() = default;
    Org(const Org&) = delete;
    Org& operator=(const Org&) = delete;

    virtual Api api() const = 0;
    // The URL requests go to ("https://x/api/data/v9.2", "https://x/XRMServices/2011/Organization.svc/web").
    virtual std::string endpoint() const = 0;
    // RetrieveVersion: "9.2.24012.196".
    virtual std::string version() = 0;
    virtual Identity who_am_i() = 0;
    // The names of the privileges `user_id` holds through its roles ("prvImportCustomization"), sorted.
    virtual std::vector<std::string> user_privileges(const std::string& user_id) = 0;
    // Every solution in the org.
    virtual std::vector<SolutionInfo> solutions() = 0;
    // The names of the org's security roles (each name once), sorted.
    virtual std::vector<std::string> role_names() = 0;
    // Every entity, with its attributes when `with_attributes`.
    virtual std::vector<EntityInfo> entities(bool with_attributes) = 0;
    // ExportSolution into `to` (a new file), streamed: the zip is never held whole in memory.
    // `progress` (may be null) is shown the bytes received.
    virtual void export_solution(const std::string& unique_name, bool managed, const std::filesystem::path& to,
                                 Progress* progress) = 0;
    // Imports and waits for the import to end (bounded by --max-wait), reporting the import job's
    // progress (0–100) to `on_progress` (may be empty). Uses ImportSolutionAsync where the org has
    // it, else ImportSolution while polling importjobs; a request that times out while the org keeps
    // importing is followed by polling. A failed import is an outcome, not an exception.
    virtual ImportOutcome import_solution(const ImportRequest& request,
                                          const std::function<void(double)>& on_progress) = 0;
    // DeleteAndPromote: finishes an upgrade imported as a holding solution.
    virtual void delete_and_promote(const std::string& unique_name) = 0;
    // PublishXml for these entities (logical names), and the sitemap when `sitemap`; PublishAllXml
    // when `entities` is empty and `sitemap` false.
    virtual void publish(const std::vector<std::string>& entities, bool sitemap) = 0;
    // Deletes (uninstalls) a solution by id.
    virtual void delete_solution(const std::string& solution_id) = 0;
};

// Signs in and probes the org: the Web API first (RetrieveVersion on /api/data/v8.0, then the
// highest path the version has), else the SOAP endpoint; `options.api` skips probing. Throws
// RemoteError when the org cannot be reached or refuses the credentials (the message says which),
// Error(usage) for options that do not fit the auth kind.
std::unique_ptr<Org> connect(const ConnectionOptions& options, Secret secret);

} // namespace escprov::remote
