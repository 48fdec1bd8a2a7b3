#pragma once
// escprov-fake-dataverse started by a test: the binary run on a free port with the test's
// options, its base URL read from its first stdout line (with a deadline, never a sleep), killed
// and reaped at the end of the test; and a small HTTP client speaking to it as a Web API or
// SOAP client does.

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace escprov::test {

struct HttpAnswer {
    int status = 0; // 0 when the connection failed or closed before a full answer
    std::string body;
    std::multimap<std::string, std::string> headers; // names as sent
    std::string header(const std::string& name) const;
    nlohmann::json json() const; // the body parsed; null when it is not JSON
};

class FakeDataverse {
public:
    // Starts the emulator with `args` (--port 0 is added) and `environment` set for it only.
    // Fails the test when it does not print its URL within 30 seconds.
    explicit FakeDataverse(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& environment = {});
    ~FakeDataverse();
    FakeDataverse(const FakeDataverse&) = delete;
    FakeDataverse& operator=(const FakeDataverse&) = delete;

    const std::string& url() const { return m_url; }
    // The emulator's stdout and stderr so far.
    std::string output() const;

    HttpAnswer get(const std::string& path, const std::string& token,
                   const std::map<std::string, std::string>& headers = {}) const;
    HttpAnswer post(const std::string& path, const std::string& body, const std::string& content_type,
                    const std::string& token, const std::map<std::string, std::string>& headers = {}) const;
    HttpAnswer del(const std::string& path, const std::string& token) const;
    // A client-credentials token from {url}/tenant/oauth2/v2.0/token; "" when refused.
    std::string token(const std::string& client_id = "escprov-app", const std::string& secret = "s3cret!") const;
    // Web API helpers: {url}/api/data/v{version}{path} with the OData headers.
    HttpAnswer api_get(const std::string& version, const std::string& path, const std::string& token) const;
    HttpAnswer api_post(const std::string& version, const std::string& path, const nlohmann::json& body,
                        const std::string& token) const;
    // A SOAP Execute of `request_name` with the given <a:KeyValuePairOfstringanyType> parameters.
    HttpAnswer soap(const std::string& request_name, const std::string& parameters, const std::string& token) const;

private:
    TempDir m_dir;
    int m_pid = -1;
    std::string m_url;
};

// The OData headers every Web API request carries.
std::map<std::string, std::string> odata_headers();
// {"OverwriteUnmanagedCustomizations":true,"PublishWorkflows":true,"CustomizationFile":…,"ImportJobId":…}
nlohmann::json import_body(const fs::path& zip, const std::string& job_id);
// The zip in an ExportSolution answer, written to `path`.
void save_export(const HttpAnswer& answer, const fs::path& path);
std::string base64(const std::string& bytes);
// A SOAP parameter: <a:KeyValuePairOfstringanyType> with key and a value of XML Schema type `type`.
std::string soap_parameter(const std::string& key, const std::string& type, const std::string& value);
// The seed zip of a sample org: "crm2016-adatum", "crm2011-fabrikam", "d365-contoso-9.2".
std::string sample_org(const std::string& name);
// The connector merged into sample org `org` and packaged managed for `target`, made in `folder`.
fs::path connector_package(const fs::path& folder, const std::string& org, const std::string& target);

} // namespace escprov::test
