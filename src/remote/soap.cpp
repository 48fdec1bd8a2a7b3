// The Organization service's SOAP endpoint (CRM 2011–2015, still served later): Execute requests to
// {org}/XRMServices/2011/Organization.svc/web.

#include "remote/session.hpp"
#include "remote/streams.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"
#include "xml/writer.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <future>
#include <map>
#include <set>

namespace escprov::remote {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_xsd = "xmlns:d=\"http://www.w3.org/2001/XMLSchema\"";

std::string escaped(std::string_view text)
{
    std::string out;
    xml::escape_text(out, text);
    return out;
}

std::string_view local_name(std::string_view name)
{
    size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

const xml::Node* find(const xml::Node& node, std::string_view local)
{
    if (node.is_element() && local_name(node.name) == local) {
        return &node;
    }
    for (const auto& child : node.children) {
        if (const xml::Node* found = find(child, local)) {
            return found;
        }
    }
    return nullptr;
}

void find_all(const xml::Node& node, std::string_view local, std::vector<const xml::Node*>& out)
{
    if (node.is_element() && local_name(node.name) == local) {
        out.push_back(&node);
        return;
    }
    for (const auto& child : node.children) {
        find_all(child, local, out);
    }
}

std::vector<const xml::Node*> children(const xml::Node& node, std::string_view local)
{
    std::vector<const xml::Node*> found;
    for (const auto& child : node.children) {
        if (child.is_element() && local_name(child.name) == local) {
            found.push_back(&child);
        }
    }
    return found;
}

std::string child_text(const xml::Node& node, std::string_view local)
{
    auto found = children(node, local);
    return found.empty() ? std::string() : found.front()->text_content();
}

// The text of a typed value: plain text, or the <Value>/<Id> inside an OptionSetValue, Money or
// EntityReference.
std::string value_text(const xml::Node& value)
{
    if (!value.has_element_children()) {
        return value.text_content();
    }
    for (std::string_view inner : {"Value", "Id"}) {
        if (auto found = children(value, inner); !found.empty()) {
            return found.front()->text_content();
        }
    }
    return {};
}

// The key → value elements of a KeyValuePairOfstringanyType collection.
std::map<std::string, const xml::Node*> pairs(const xml::Node& collection)
{
    std::map<std::string, const xml::Node*> found;
    for (const xml::Node* pair : children(collection, "KeyValuePairOfstringanyType")) {
        auto values = children(*pair, "value");
        found[child_text(*pair, "key")] = values.empty() ? nullptr : values.front();
    }
    return found;
}

std::string parameter(const std::string& key, const std::string& type, const std::string& value,
                      std::string_view namespaces = k_xsd)
{
    return "<a:KeyValuePairOfstringanyType><c:key>" + key + "</c:key><c:value i:type=\"" + type + "\" " +
           std::string(namespaces) + ">" + value + "</c:value></a:KeyValuePairOfstringanyType>";
}
std::string string_parameter(const std::string& key, const std::string& value)
{
    return parameter(key, "d:string", escaped(value));
}
std::string bool_parameter(const std::string& key, bool value)
{
    return parameter(key, "d:boolean", value ? "true" : "false");
}
std::string guid_parameter(const std::string& key, const std::string& value)
{
    return parameter(key, "e:guid", value, "xmlns:e=\"http://schemas.microsoft.com/2003/10/Serialization/\"");
}

// The envelope around an Execute request, split where a streamed parameter goes.
std::string envelope_head(const std::string& request_type)
{
    return "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
           "<Execute xmlns=\"http://schemas.microsoft.com/xrm/2011/Contracts/Services\" "
           "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
           "<request i:type=\"" +
           request_type +
           "\" xmlns:a=\"http://schemas.microsoft.com/xrm/2011/Contracts\" "
           "xmlns:b=\"http://schemas.microsoft.com/crm/2011/Contracts\">"
           "<a:Parameters xmlns:c=\"http://schemas.datacontract.org/2004/07/System.Collections.Generic\">";
}
std::string envelope_tail(const std::string& name)
{
    return "</a:Parameters><a:RequestId i:nil=\"true\"/><a:RequestName>" + name +
           "</a:RequestName></request></Execute></s:Body></s:Envelope>";
}

// "b:ExportSolutionRequest" for CRM messages, "a:…" for the core ones in the xrm contracts.
std::string request_type(const std::string& name)
{
    static const std::set<std::string> k_core = {"RetrieveMultiple", "RetrieveAllEntities", "Delete"};
    return (k_core.contains(name) ? "a:" : "b:") + name + "Request";
}

xml::Node parse_xml(const std::string& body, const std::string& what)
{
    try {
        xml::MemorySource source(body, "the org's answer");
        xml::Limits limits;
        limits.max_token_bytes = 1ULL << 30U;
        return xml::parse_document(source, limits);
    } catch (const Error& e) {
        throw_input(what + ": the org's answer is not XML: " + e.what());
    }
}

// The RemoteError for a fault or another failed answer: ErrorCode as hex, Message.
RemoteError fault(const std::string& what, const HttpResponse& response, const std::vector<std::string>& secrets)
{
    std::string text = what + ": HTTP " + std::to_string(response.status);
    std::string code;
    try {
        xml::MemorySource source(response.body, "fault");
        xml::Node root = xml::parse_document(source);
        std::string message;
        if (const xml::Node* detail = find(root, "OrganizationServiceFault")) {
            std::string decimal = child_text(*detail, "ErrorCode");
            message = child_text(*detail, "Message");
            if (!decimal.empty()) {
                auto number = static_cast<int64_t>(std::stoll(decimal));
                std::array<char, 16> hex{};
                std::snprintf(hex.data(), hex.size(), "0x%08" PRIX32, static_cast<uint32_t>(number));
                code = hex.data();
            }
        }
        if (message.empty()) {
            if (const xml::Node* reason = find(root, "faultstring")) {
                message = reason->text_content();
            }
        }
        text += code.empty() ? "" : " " + code;
        text += message.empty() ? "" : " " + message;
    } catch (const std::exception&) {
        if (response.status == 401) {
            text += " (the org refused the credentials)";
        }
    }
    return {redact(text, secrets), response.status, code};
}

class SoapOrg : public Org {
public:
    SoapOrg(OrgSession session, std::string version)
        : m_session(std::move(session)), m_endpoint(m_session.org_url + "/XRMServices/2011/Organization.svc/web"),
          m_version(std::move(version)), m_client(m_session.settings, m_session.tokens)
    {}

    Api api() const override { return Api::soap; }
    std::string endpoint() const override { return m_endpoint; }

    std::string version() override
    {
        if (m_version.empty()) {
            m_version = result_text(execute("RetrieveVersion", ""), "Version");
        }
        return m_version;
    }

    Identity who_am_i() override
    {
        xml::Node answer = execute("WhoAmI", "");
        return {normalise_guid(result_text(answer, "UserId")), normalise_guid(result_text(answer, "BusinessUnitId")),
                normalise_guid(result_text(answer, "OrganizationId"))};
    }

    std::vector<std::string> user_privileges(const std::string& user_id) override
    {
        xml::Node answer = execute("RetrieveUserPrivileges", guid_parameter("UserId", normalise_guid(user_id)));
        std::vector<const xml::Node*> names;
        find_all(answer, "PrivilegeName", names);
        std::set<std::string> sorted;
        for (const xml::Node* name : names) {
            sorted.insert(name->text_content());
        }
        sorted.erase("");
        return {sorted.begin(), sorted.end()};
    }

    std::vector<std::string> role_names() override
    {
        std::set<std::string> names;
        for (auto& row : fetch("<fetch><entity name=\"role\"><attribute name=\"name\"/></entity></fetch>")) {
            names.insert(row["name"]);
        }
        names.erase("");
        return {names.begin(), names.end()};
    }

    std::vector<SolutionInfo> solutions() override
    {
        std::vector<SolutionInfo> found;
        for (auto& row : fetch("<fetch><entity name=\"solution\"><attribute name=\"solutionid\"/>"
                               "<attribute name=\"uniquename\"/><attribute name=\"friendlyname\"/>"
                               "<attribute name=\"version\"/><attribute name=\"ismanaged\"/>"
                               "<attribute name=\"isvisible\"/></entity></fetch>")) {
            SolutionInfo info;
            info.id = normalise_guid(row["solutionid"]);
            info.unique_name = row["uniquename"];
            info.friendly_name = row["friendlyname"];
            info.version = row["version"];
            info.managed = row["ismanaged"] == "true";
            info.visible = !row.contains("isvisible") || row["isvisible"] == "true";
            found.push_back(std::move(info));
        }
        return found;
    }

    std::vector<EntityInfo> entities(bool with_attributes) override
    {
        xml::Node answer =
            execute("RetrieveAllEntities",
                    parameter("EntityFilters", "g:EntityFilters", with_attributes ? "Entity Attributes" : "Entity",
                              "xmlns:g=\"http://schemas.microsoft.com/xrm/2011/Metadata\"") +
                        bool_parameter("RetrieveAsIfPublished", true));
        std::vector<const xml::Node*> metadata;
        find_all(answer, "EntityMetadata", metadata);
        std::vector<EntityInfo> found;
        for (const xml::Node* entity : metadata) {
            if (!entity->has_element_children()) {
                continue; // the collection's own wrapper repeats the name in some answers
            }
            EntityInfo info;
            info.logical_name = child_text(*entity, "LogicalName");
            info.schema_name = child_text(*entity, "SchemaName");
            info.custom = child_text(*entity, "IsCustomEntity") == "true";
            for (const xml::Node* attributes : children(*entity, "Attributes")) {
                for (const auto& attribute : attributes->children) {
                    if (attribute.is_element()) {
                        info.attributes.push_back(child_text(attribute, "LogicalName"));
                    }
                }
            }
            std::sort(info.attributes.begin(), info.attributes.end());
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
        SoapValueExtractor extractor("ExportSolutionFile", [&](std::string_view text) { decoder.feed(text); });
        HttpRequest request = make(
            "ExportSolution", string_parameter("SolutionName", unique_name) + bool_parameter("Managed", managed), what);
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
        if (progress != nullptr) {
            progress->begin("receiving", 0, Progress::Unit::bytes);
        }
        try {
            HttpResponse response = m_client.send(request);
            if (response.status != 200) {
                throw fault(what, response, secrets());
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
        std::string what = "ImportSolution " + request.zip.filename().string() + " on " + m_session.org_url;
        std::string params = bool_parameter("OverwriteUnmanagedCustomizations", request.overwrite_unmanaged) +
                             bool_parameter("PublishWorkflows", request.publish_workflows) +
                             guid_parameter("ImportJobId", outcome.job_id);
        if (request.holding_solution) {
            params += bool_parameter("HoldingSolution", true);
        }
        std::string prefix = envelope_head(request_type("ImportSolution")) + params +
                             "<a:KeyValuePairOfstringanyType><c:key>CustomizationFile</c:key>"
                             "<c:value i:type=\"d:base64Binary\" " +
                             std::string(k_xsd) + ">";
        std::string suffix = "</c:value></a:KeyValuePairOfstringanyType>" + envelope_tail("ImportSolution");
        auto body = std::make_shared<EncodedFileBody>(request.zip, prefix, suffix);
        double last = -1;
        auto poll = [&]() -> std::optional<std::map<std::string, std::string>> {
            auto rows = fetch("<fetch><entity name=\"importjob\"><attribute name=\"progress\"/>"
                              "<attribute name=\"completedon\"/><attribute name=\"data\"/>"
                              "<filter><condition attribute=\"importjobid\" operator=\"eq\" value=\"" +
                              outcome.job_id + "\"/></filter></entity></fetch>");
            if (rows.empty()) {
                return std::nullopt;
            }
            if (!rows.front()["progress"].empty() && on_progress) {
                double progress = std::atof(rows.front()["progress"].c_str());
                if (progress != last) {
                    last = progress;
                    on_progress(progress);
                }
            }
            return rows.front();
        };

        for (int sent = 0;; ++sent) {
            HttpRequest import = make_streamed(body, what);
            auto settings = m_session.settings;
            auto tokens = m_session.tokens;
            auto future = std::async(std::launch::async, [settings, tokens, import] {
                HttpClient client(settings, tokens);
                return client.send(import);
            });
            while (future.wait_for(m_session.poll_interval) != std::future_status::ready) {
                try {
                    (void)poll();
                } catch (const Error&) {
                    // Progress is a courtesy; the import request decides.
                }
            }
            try {
                HttpResponse response = future.get();
                if (response.status == 200) {
                    outcome.succeeded = true;
                    if (auto row = poll()) {
                        outcome.job_data = (*row)["data"];
                    }
                    return outcome;
                }
                if (response.status != 502 && response.status != 504) {
                    RemoteError error = fault(what, response, secrets());
                    if (response.status != 500) {
                        throw error;
                    }
                    outcome.message = error.what();
                    if (auto row = poll()) {
                        outcome.job_data = (*row)["data"];
                    }
                    outcome.formatted = formatted_results(outcome.job_id);
                    return outcome;
                }
            } catch (const RemoteError& e) {
                if (e.http_status() != 0) {
                    throw;
                }
            }
            // Failed after sending: poll the job; send again only if the org never started it.
            if (auto row = poll()) {
                while ((*row)["completedon"].empty()) {
                    pause(what);
                    row = poll();
                    if (!row) {
                        throw RemoteError(what + ": the import job " + outcome.job_id + " disappeared");
                    }
                }
                outcome.job_data = (*row)["data"];
                outcome.succeeded = job_data_succeeded(outcome.job_data);
                if (!outcome.succeeded) {
                    outcome.formatted = formatted_results(outcome.job_id);
                }
                return outcome;
            }
            if (sent > 0) {
                throw RemoteError(what + ": the request failed twice before the org started an import job");
            }
            body->rewind();
        }
    }

    void delete_and_promote(const std::string& unique_name) override
    {
        (void)execute("DeleteAndPromote", string_parameter("UniqueName", unique_name), false);
    }

    void publish(const std::vector<std::string>& entities, bool sitemap) override
    {
        if (entities.empty() && !sitemap) {
            (void)execute("PublishAllXml", "");
            return;
        }
        std::string xml = "<importexportxml><entities>";
        for (const auto& entity : entities) {
            xml += "<entity>" + entity + "</entity>";
        }
        xml += "</entities>";
        xml += sitemap ? "<nodes><node>sitemap</node></nodes>" : "";
        xml += "</importexportxml>";
        (void)execute("PublishXml", string_parameter("ParameterXml", xml));
    }

    void delete_solution(const std::string& solution_id) override
    {
        (void)execute("Delete", parameter("Target", "a:EntityReference",
                                          "<a:Id>" + normalise_guid(solution_id) +
                                              "</a:Id><a:LogicalName>solution</a:LogicalName><a:Name i:nil=\"true\"/>",
                                          ""));
    }

private:
    const std::vector<std::string>& secrets() const { return m_session.settings->redact; }

    HttpRequest make(const std::string& name, const std::string& params, const std::string& what) const
    {
        HttpRequest request;
        request.method = Method::post;
        request.url = m_endpoint;
        request.headers = {"Content-Type: text/xml; charset=utf-8", "Accept: text/xml",
                           "SOAPAction: http://schemas.microsoft.com/xrm/2011/Contracts/Services/IOrganizationService/"
                           "Execute"};
        request.body = envelope_head(request_type(name)) + params + envelope_tail(name);
        request.what = what;
        return request;
    }

    HttpRequest make_streamed(const std::shared_ptr<EncodedFileBody>& body, const std::string& what) const
    {
        HttpRequest request = make("ImportSolution", "", what);
        request.body.clear();
        request.body_source = [body](char* buffer, size_t size) { return body->read(buffer, size); };
        request.body_rewind = [body] { body->rewind(); };
        request.body_size = static_cast<int64_t>(body->size());
        request.idempotent = false;
        request.long_running = true;
        return request;
    }

    // Sends one Execute and returns the parsed answer; a fault or another status throws RemoteError.
    xml::Node execute(const std::string& name, const std::string& params, bool idempotent = true)
    {
        std::string what = name + " on " + m_session.org_url;
        HttpRequest request = make(name, params, what);
        request.idempotent = idempotent;
        HttpResponse response = m_client.send(request);
        if (response.status != 200) {
            throw fault(what, response, secrets());
        }
        return parse_xml(response.body, what);
    }

    static std::string result_text(const xml::Node& answer, const std::string& key)
    {
        const xml::Node* results = find(answer, "Results");
        if (results == nullptr) {
            return {};
        }
        auto values = pairs(*results);
        auto it = values.find(key);
        return it == values.end() || it->second == nullptr ? std::string() : value_text(*it->second);
    }

    // The rows of a RetrieveMultiple with a FetchExpression: attribute name → text.
    std::vector<std::map<std::string, std::string>> fetch(const std::string& fetch_xml)
    {
        xml::Node answer = execute("RetrieveMultiple", parameter("Query", "a:FetchExpression",
                                                                 "<a:Query>" + escaped(fetch_xml) + "</a:Query>", ""));
        std::vector<std::map<std::string, std::string>> rows;
        std::vector<const xml::Node*> entities;
        find_all(answer, "Entities", entities);
        for (const xml::Node* list : entities) {
            for (const xml::Node* entity : children(*list, "Entity")) {
                std::map<std::string, std::string> row;
                for (const xml::Node* attributes : children(*entity, "Attributes")) {
                    for (const auto& [key, value] : pairs(*attributes)) {
                        row[key] = value == nullptr ? std::string() : value_text(*value);
                    }
                }
                rows.push_back(std::move(row));
            }
        }
        return rows;
    }

    std::string formatted_results(const std::string& job_id)
    {
        try {
            return result_text(execute("RetrieveFormattedImportJobResults", guid_parameter("ImportJobId", job_id)),
                               "FormattedResults");
        } catch (const Error&) {
            return {};
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

    OrgSession m_session;
    std::string m_endpoint;
    std::string m_version;
    HttpClient m_client;
};

} // namespace

std::unique_ptr<Org> make_soap_org(const OrgSession& session, const std::string& version)
{
    return std::make_unique<SoapOrg>(session, version);
}

} // namespace escprov::remote
