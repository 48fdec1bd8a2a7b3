// The Web API org (CRM 2016 / 8.0 and later, online): JSON over {org}/api/data/vX.Y.

#include "remote/session.hpp"
#include "remote/streams.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"

#include <algorithm>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

namespace escprov::remote {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::vector<std::string> k_headers = {"Accept: application/json", "OData-MaxVersion: 4.0", "OData-Version: 4.0"};

std::string text_of(const json& object, const char* key)
{
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        return {};
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

bool flag_of(const json& object, const char* key)
{
    auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

// The RemoteError for an answer that is not a success: status, CRM's code and message when the body
// is {"error":{"code","message"}}.
RemoteError refusal(const std::string& what, const HttpResponse& response, const std::vector<std::string>& secrets)
{
    std::string code;
    std::string message;
    json body = json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("error") && body["error"].is_object()) {
        code = text_of(body["error"], "code");
        message = text_of(body["error"], "message");
    }
    std::string text = what + ": HTTP " + std::to_string(response.status);
    text += code.empty() ? "" : " " + code;
    text += message.empty() ? "" : " " + message;
    if (message.empty() && response.status == 401) {
        text += " (the org refused the credentials)";
    }
    return {redact(text, secrets), response.status, code};
}

class WebApiOrg : public Org {
public:
    WebApiOrg(OrgSession session, const std::string& path, std::string version)
        : m_session(std::move(session)), m_base(m_session.org_url + "/api/data/" + path), m_version(std::move(version)),
          m_client(m_session.settings, m_session.tokens)
    {}

    Api api() const override { return Api::web_api; }
    std::string endpoint() const override { return m_base; }

    std::string version() override
    {
        if (m_version.empty()) {
            m_version = text_of(get_json("RetrieveVersion()", "RetrieveVersion"), "Version");
        }
        return m_version;
    }

    Identity who_am_i() override
    {
        json answer = get_json("WhoAmI", "WhoAmI");
        return {normalise_guid(text_of(answer, "UserId")), normalise_guid(text_of(answer, "BusinessUnitId")),
                normalise_guid(text_of(answer, "OrganizationId"))};
    }

    std::vector<std::string> user_privileges(const std::string& user_id) override
    {
        json answer =
            get_json("systemusers(" + normalise_guid(user_id) + ")/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()",
                     "RetrieveUserPrivileges");
        std::set<std::string> names;
        if (auto it = answer.find("RolePrivileges"); it != answer.end() && it->is_array()) {
            for (const auto& privilege : *it) {
                if (privilege.is_object()) {
                    names.insert(text_of(privilege, "PrivilegeName"));
                }
            }
        }
        names.erase("");
        return {names.begin(), names.end()};
    }

    std::vector<SolutionInfo> solutions() override
    {
        std::vector<SolutionInfo> found;
        for (const auto& row : get_rows(
                 "solutions?$select=solutionid,uniquename,friendlyname,version,ismanaged,isvisible", "solutions")) {
            SolutionInfo info;
            info.id = normalise_guid(text_of(row, "solutionid"));
            info.unique_name = text_of(row, "uniquename");
            info.friendly_name = text_of(row, "friendlyname");
            info.version = text_of(row, "version");
            info.managed = flag_of(row, "ismanaged");
            info.visible = !row.contains("isvisible") || flag_of(row, "isvisible");
            found.push_back(std::move(info));
        }
        return found;
    }

    std::vector<std::string> role_names() override
    {
        std::set<std::string> names;
        for (const auto& row : get_rows("roles?$select=name", "roles")) {
            names.insert(text_of(row, "name"));
        }
        names.erase("");
        return {names.begin(), names.end()};
    }

    std::vector<EntityInfo> entities(bool with_attributes) override
    {
        std::string query = "EntityDefinitions?$select=LogicalName,SchemaName,EntitySetName,IsCustomEntity";
        if (with_attributes) {
            // Escaped: the '=' inside the value would otherwise end the parameter for some parsers.
            query += "&$expand=" + url_escape("Attributes($select=LogicalName)");
        }
        std::vector<EntityInfo> found;
        for (const auto& row : get_rows(query, "EntityDefinitions")) {
            EntityInfo info;
            info.logical_name = text_of(row, "LogicalName");
            info.schema_name = text_of(row, "SchemaName");
            info.entity_set = text_of(row, "EntitySetName");
            info.custom = flag_of(row, "IsCustomEntity");
            if (auto it = row.find("Attributes"); it != row.end() && it->is_array()) {
                for (const auto& attribute : *it) {
                    if (attribute.is_object()) {
                        info.attributes.push_back(text_of(attribute, "LogicalName"));
                    }
                }
                std::sort(info.attributes.begin(), info.attributes.end());
            }
            found.push_back(std::move(info));
        }
        std::sort(found.begin(), found.end(),
                  [](const EntityInfo& a, const EntityInfo& b) { return a.logical_name < b.logical_name; });
        return found;
    }

    void export_solution(const std::string& unique_name, bool managed, const fs::path& to, Progress* progress) override
    {
        std::string what = "ExportSolution " + unique_name + " on " + m_session.org_url;
        std::ofstream out;
        auto open = [&] {
            out.close();
            out.clear();
            out.open(to, std::ios::binary | std::ios::trunc);
            if (!out) {
                throw_output("export " + unique_name + " to '" + to.string() + "': cannot create the file");
            }
        };
        open();
        uint64_t received = 0;
        Base64Decoder decoder([&](std::string_view bytes) {
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (!out) {
                throw_output("export " + unique_name + " to '" + to.string() + "': cannot write (disk full?)");
            }
        });
        JsonStringExtractor extractor("ExportSolutionFile", [&](std::string_view text) { decoder.feed(text); });
        if (progress != nullptr) {
            progress->begin("receiving", 0, Progress::Unit::bytes);
        }
        HttpRequest request = post("ExportSolution", json{{"SolutionName", unique_name}, {"Managed", managed}}, what);
        request.sink = [&](std::string_view bytes) {
            received += bytes.size();
            if (progress != nullptr) {
                progress->update(received);
            }
            extractor.feed(bytes);
        };
        request.sink_reset = [&] {
            open();
            received = 0;
            extractor.reset();
            decoder.reset();
        };
        try {
            HttpResponse response = m_client.send(request);
            if (response.status != 200) {
                throw refusal(what, response, secrets());
            }
            if (!extractor.found()) {
                throw_input(what + ": the answer holds no ExportSolutionFile");
            }
            decoder.finish();
            out.close();
            if (!out) {
                throw_output("export " + unique_name + " to '" + to.string() + "': cannot write (disk full?)");
            }
        } catch (...) {
            out.close();
            std::error_code ec;
            fs::remove(to, ec);
            throw;
        }
        if (progress != nullptr) {
            progress->finish();
        }
    }

    ImportOutcome import_solution(const ImportRequest& request, const std::function<void(double)>& on_progress) override
    {
        ImportOutcome outcome;
        outcome.job_id = request.job_id.empty() ? new_guid() : normalise_guid(request.job_id);
        std::string prefix = json{
            {"OverwriteUnmanagedCustomizations", request.overwrite_unmanaged},
            {"PublishWorkflows", request.publish_workflows},
            {"ImportJobId",
             outcome.job_id}}.dump();
        prefix.pop_back(); // the closing brace: the file follows
        if (request.holding_solution) {
            prefix += ",\"HoldingSolution\":true";
        }
        prefix += ",\"CustomizationFile\":\"";
        auto body = std::make_shared<EncodedFileBody>(request.zip, prefix, "\"}");
        std::string what = "ImportSolution " + request.zip.filename().string() + " on " + m_session.org_url;
        Watcher watcher{*this, outcome.job_id, on_progress};

        if (at_least(9, 1)) {
            HttpRequest async = post_streamed("ImportSolutionAsync", body, what);
            std::optional<HttpResponse> answer;
            for (int sent = 0; !answer; ++sent) {
                try {
                    answer = m_client.send(async);
                } catch (const RemoteError& e) {
                    if (e.http_status() != 0 || sent > 0) {
                        throw;
                    }
                    // Dropped after sending: did the org take it? Then wait for the job; else send again.
                    if (watcher.job_exists()) {
                        return finish_from_job(watcher.wait_for_job(what), outcome, what);
                    }
                    body->rewind();
                }
            }
            if (answer->status == 200) {
                json started = json::parse(answer->body, nullptr, false);
                std::string operation = started.is_object() ? text_of(started, "AsyncOperationId") : std::string();
                if (operation.empty()) {
                    throw_input(what + ": the answer holds no AsyncOperationId");
                }
                return wait_async(operation, watcher, outcome, what);
            }
            if (answer->status != 404) {
                throw refusal(what, *answer, secrets());
            }
            body->rewind(); // this org has no ImportSolutionAsync after all: the synchronous way
        }
        return import_sync(body, watcher, outcome, what);
    }

    void delete_and_promote(const std::string& unique_name) override
    {
        std::string what = "DeleteAndPromote " + unique_name + " on " + m_session.org_url;
        HttpRequest request = post("DeleteAndPromote", json{{"UniqueName", unique_name}}, what);
        request.idempotent = false;
        HttpResponse response = m_client.send(request);
        if (response.status != 200 && response.status != 204) {
            throw refusal(what, response, secrets());
        }
    }

    void publish(const std::vector<std::string>& entities, bool sitemap) override
    {
        std::string what;
        HttpRequest request;
        if (entities.empty() && !sitemap) {
            what = "PublishAllXml on " + m_session.org_url;
            request = post("PublishAllXml", json::object(), what);
        } else {
            std::string xml = "<importexportxml><entities>";
            for (const auto& entity : entities) {
                xml += "<entity>" + entity + "</entity>";
            }
            xml += "</entities>";
            xml += sitemap ? "<nodes><node>sitemap</node></nodes>" : "";
            xml += "</importexportxml>";
            what = "PublishXml on " + m_session.org_url;
            request = post("PublishXml", json{{"ParameterXml", xml}}, what);
        }
        HttpResponse response = m_client.send(request);
        if (response.status != 204 && response.status != 200) {
            throw refusal(what, response, secrets());
        }
    }

    void delete_solution(const std::string& solution_id) override
    {
        std::string what = "delete solution " + solution_id + " on " + m_session.org_url;
        HttpRequest request = make("solutions(" + normalise_guid(solution_id) + ")", Method::del, what);
        HttpResponse response = m_client.send(request);
        if (response.status != 204 && response.status != 200) {
            throw refusal(what, response, secrets());
        }
    }

private:
    // Polls the import job (importjobs(<id>)) and reports its progress.
    struct Watcher {
        WebApiOrg& org;
        std::string job_id;
        const std::function<void(double)>& on_progress;
        double last = -1;

        // The job row, or nullopt while the org has none (404).
        std::optional<json> poll(HttpClient& client, bool with_data)
        {
            std::string query = "importjobs(" + job_id + ")?$select=progress,startedon,completedon,solutionname";
            query += with_data ? ",data" : "";
            HttpRequest request =
                org.make(query, Method::get, "poll import job " + job_id + " on " + org.m_session.org_url);
            HttpResponse response = client.send(request);
            if (response.status == 404) {
                return std::nullopt;
            }
            if (response.status != 200) {
                throw refusal(request.what, response, org.secrets());
            }
            json row = parse(response, request.what);
            if (auto it = row.find("progress"); it != row.end() && it->is_number() && on_progress) {
                double progress = it->get<double>();
                if (progress != last) {
                    last = progress;
                    on_progress(progress);
                }
            }
            return row;
        }
        bool job_exists() { return poll(org.m_client, false).has_value(); }
        // Polls until the job has completed; returns its row with data.
        json wait_for_job(const std::string& what)
        {
            for (;;) {
                auto row = poll(org.m_client, true);
                if (!row) {
                    throw RemoteError(what + ": the org has no import job " + job_id + " after the request failed");
                }
                if (!text_of(*row, "completedon").empty()) {
                    return *row;
                }
                org.pause(what);
            }
        }
    };

    ImportOutcome& finish_from_job(const json& row, ImportOutcome& outcome, const std::string& what)
    {
        outcome.job_data = text_of(row, "data");
        outcome.succeeded = job_data_succeeded(outcome.job_data);
        if (!outcome.succeeded) {
            outcome.formatted = formatted_results(outcome.job_id, what);
        }
        return outcome;
    }

    ImportOutcome wait_async(const std::string& operation, Watcher& watcher, ImportOutcome& outcome,
                             const std::string& what)
    {
        std::string path =
            "asyncoperations(" + normalise_guid(operation) + ")?$select=statecode,statuscode,message,friendlymessage";
        for (;;) {
            json state = get_json(path, what + ": poll asynchronous operation");
            (void)watcher.poll(m_client, false);
            if (text_of(state, "statecode") == "3") {
                outcome.succeeded = text_of(state, "statuscode") == "30";
                outcome.message = text_of(state, "friendlymessage");
                if (outcome.message.empty()) {
                    outcome.message = text_of(state, "message");
                }
                break;
            }
            pause(what);
        }
        if (auto row = watcher.poll(m_client, true)) {
            outcome.job_data = text_of(*row, "data");
        }
        if (!outcome.succeeded) {
            outcome.formatted = formatted_results(outcome.job_id, what);
        }
        return std::move(outcome);
    }

    // ImportSolution on a worker thread with its own connection, while this one polls the job.
    ImportOutcome import_sync(const std::shared_ptr<EncodedFileBody>& body, Watcher& watcher, ImportOutcome& outcome,
                              const std::string& what)
    {
        for (int sent = 0;; ++sent) {
            HttpRequest request = post_streamed("ImportSolution", body, what);
            request.long_running = true;
            auto settings = m_session.settings;
            auto tokens = m_session.tokens;
            auto future = std::async(std::launch::async, [settings, tokens, request] {
                HttpClient client(settings, tokens);
                return client.send(request);
            });
            while (future.wait_for(m_session.poll_interval) != std::future_status::ready) {
                try {
                    (void)watcher.poll(m_client, false);
                } catch (const Error&) {
                    // Progress is a courtesy; the import request decides.
                }
            }
            try {
                HttpResponse response = future.get();
                if (response.status == 204 || response.status == 200) {
                    outcome.succeeded = true;
                    if (auto row = watcher.poll(m_client, true)) {
                        outcome.job_data = text_of(*row, "data");
                    }
                    if (watcher.on_progress && watcher.last < 100) {
                        watcher.on_progress(100);
                    }
                    return std::move(outcome);
                }
                if (response.status != 502 && response.status != 504) {
                    RemoteError error = refusal(what, response, secrets());
                    outcome.message = error.what();
                    if (response.status >= 500 || response.status == 401 || response.status == 403) {
                        throw error;
                    }
                    if (auto row = watcher.poll(m_client, true)) {
                        outcome.job_data = text_of(*row, "data");
                    }
                    outcome.formatted = formatted_results(outcome.job_id, what);
                    return std::move(outcome);
                }
            } catch (const RemoteError& e) {
                if (e.http_status() != 0) {
                    throw;
                }
            }
            // The request failed after it was sent (dropped, timed out, a gateway gave up): the org
            // may still be importing. Poll the job; send again only when the org never started it.
            if (watcher.job_exists()) {
                return finish_from_job(watcher.wait_for_job(what), outcome, what);
            }
            if (sent > 0) {
                throw RemoteError(what + ": the request failed twice before the org started an import job");
            }
            body->rewind();
        }
    }

    std::string formatted_results(const std::string& job_id, const std::string& what)
    {
        try {
            json answer = get_json("RetrieveFormattedImportJobResults(ImportJobId=@p)?@p=" + job_id,
                                   what + ": RetrieveFormattedImportJobResults");
            return text_of(answer, "FormattedResults");
        } catch (const Error&) {
            return {}; // the job's data still says what failed
        }
    }

    void pause(const std::string& what)
    {
        check_interrupted();
        if (m_client.remaining() <= m_session.poll_interval) {
            throw RemoteError(what + ": the import did not finish within --max-wait (" +
                              std::to_string(m_session.settings->max_wait.count()) + " s)");
        }
        m_session.settings->timing.sleep(m_session.poll_interval);
    }

    bool at_least(int major, int minor)
    {
        int have_major = 0;
        int have_minor = 0;
        if (std::sscanf(version().c_str(), "%d.%d", &have_major, &have_minor) != 2) {
            return false;
        }
        return have_major > major || (have_major == major && have_minor >= minor);
    }

    const std::vector<std::string>& secrets() const { return m_session.settings->redact; }

    HttpRequest make(const std::string& path, Method method, const std::string& what) const
    {
        HttpRequest request;
        request.method = method;
        request.url = m_base + "/" + path;
        request.headers = k_headers;
        request.what = what;
        return request;
    }

    HttpRequest post(const std::string& action, const json& body, const std::string& what) const
    {
        HttpRequest request = make(action, Method::post, what);
        request.headers.emplace_back("Content-Type: application/json");
        request.body = body.dump();
        return request;
    }

    HttpRequest post_streamed(const std::string& action, const std::shared_ptr<EncodedFileBody>& body,
                              const std::string& what) const
    {
        HttpRequest request = make(action, Method::post, what);
        request.headers.emplace_back("Content-Type: application/json");
        request.body_source = [body](char* buffer, size_t size) { return body->read(buffer, size); };
        request.body_rewind = [body] { body->rewind(); };
        request.body_size = static_cast<int64_t>(body->size());
        request.idempotent = false;
        return request;
    }

    static json parse(const HttpResponse& response, const std::string& what)
    {
        json answer = json::parse(response.body, nullptr, false);
        if (!answer.is_object()) {
            throw_input(what + ": the org's answer is not a JSON object");
        }
        return answer;
    }

    json get_json(const std::string& path, const std::string& operation)
    {
        std::string what = operation + " on " + m_session.org_url;
        HttpResponse response = m_client.send(make(path, Method::get, what));
        if (response.status != 200) {
            throw refusal(what, response, secrets());
        }
        return parse(response, what);
    }

    // Every row of a collection, following @odata.nextLink.
    std::vector<json> get_rows(const std::string& path, const std::string& operation)
    {
        std::vector<json> rows;
        std::string what = operation + " on " + m_session.org_url;
        HttpRequest request = make(path, Method::get, what);
        for (int page = 0; page < 100000; ++page) {
            HttpResponse response = m_client.send(request);
            if (response.status != 200) {
                throw refusal(what, response, secrets());
            }
            json answer = parse(response, what);
            auto value = answer.find("value");
            if (value == answer.end() || !value->is_array()) {
                throw_input(what + ": the org's answer has no \"value\" array");
            }
            for (auto& row : *value) {
                rows.push_back(std::move(row));
            }
            std::string next = text_of(answer, "@odata.nextLink");
            if (next.empty()) {
                break;
            }
            if (!next.starts_with(m_session.org_url + "/")) {
                throw_input(what + ": the next page's link leads away from the org");
            }
            request.url = next;
        }
        return rows;
    }

    OrgSession m_session;
    std::string m_base;
    std::string m_version;
    HttpClient m_client;
};

} // namespace

std::unique_ptr<Org> make_web_api_org(const OrgSession& session, const std::string& path, const std::string& version)
{
    return std::make_unique<WebApiOrg>(session, path, version);
}

} // namespace escprov::remote
