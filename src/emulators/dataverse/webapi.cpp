#include "emulators/dataverse/webapi.hpp"

#include "emulators/dataverse/export.hpp"
#include "emulators/dataverse/records.hpp"
#include "emulators/dataverse/wire.hpp"
#include "util/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>
#include <optional>
#include <variant>

namespace escprov::emulator {

namespace {

constexpr const char* k_code_bad_payload = "0x80040203";
constexpr const char* k_code_not_found = "0x8006088a";
constexpr const char* k_code_no_record = "0x80040217";

using Json = nlohmann::json;

HttpResponse not_found_segment(const std::string& segment)
{
    return odata_error(404, k_code_not_found, "Resource not found for the segment '" + segment + "'.");
}

bool starts_with(std::string_view text, std::string_view prefix)
{
    return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

// The first path segment without its key or parentheses: "/solutions(…)" -> "solutions".
std::string first_segment(const std::string& path)
{
    size_t start = path.empty() || path[0] != '/' ? 0 : 1;
    size_t end = path.find_first_of("(/", start);
    return path.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The text between the first '(' and its ')' after `prefix`.
std::string key_of(const std::string& path, std::string_view prefix)
{
    size_t open = path.find('(', prefix.size());
    size_t close = path.find(')', open == std::string::npos ? 0 : open);
    if (open == std::string::npos || close == std::string::npos) {
        return {};
    }
    return path.substr(open + 1, close - open - 1);
}

// Checks the body of an action: a JSON object with a JSON content type. Returns the object or
// the refusal.
std::variant<Json, HttpResponse> action_body(const HttpRequest& request, bool body_required)
{
    if (request.body.empty()) {
        if (body_required) {
            return odata_error(400, k_code_bad_payload, "The request body is empty; the action needs its parameters.");
        }
        return Json::object();
    }
    if (request.header("content-type").find("application/json") == std::string::npos) {
        return odata_error(415, "",
                           "The content type '" + request.header("content-type") +
                               "' is not supported; send application/json.");
    }
    Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return odata_error(400, k_code_bad_payload, "The request body is not a JSON object.");
    }
    return body;
}

// A required or optional parameter of the right JSON type, or the 400 a real org answers.
std::optional<HttpResponse> check_parameter(const Json& body, const char* name, Json::value_t type, bool required,
                                            const char* edm)
{
    auto it = body.find(name);
    if (it == body.end()) {
        if (required) {
            return odata_error(400, k_code_bad_payload,
                               std::string("The parameter '") + name + "' is required and was not provided.");
        }
        return std::nullopt;
    }
    if (it->type() != type) {
        return odata_error(400, k_code_bad_payload,
                           std::string("Cannot convert the value of parameter '") + name + "' to the expected type '" +
                               edm + "'.");
    }
    return std::nullopt;
}

HttpResponse retrieve_version(Emulator& emulator, const HttpRequest& request)
{
    return json_response(request, {{"Version", emulator.org.build_version()}},
                         "Microsoft.Dynamics.CRM.RetrieveVersionResponse");
}

HttpResponse who_am_i(Emulator& emulator, const HttpRequest& request)
{
    return json_response(request,
                         {{"BusinessUnitId", emulator.org.business_unit_id()},
                          {"UserId", emulator.org.user_id()},
                          {"OrganizationId", emulator.org.organization_id()}},
                         "Microsoft.Dynamics.CRM.WhoAmIResponse");
}

HttpResponse user_privileges(Emulator& emulator, const HttpRequest& request)
{
    std::string id = guid_text(key_of(request.path, "/systemusers"));
    if (id != emulator.org.user_id()) {
        return odata_error(404, k_code_no_record,
                           "systemuser With Id = " + key_of(request.path, "/systemusers") + " Does Not Exist");
    }
    Json privileges = Json::array();
    for (const auto& name : granted_privileges(emulator)) {
        privileges.push_back({{"Depth", "Global"},
                              {"PrivilegeId", stable_guid("privilege:" + name)},
                              {"BusinessUnitId", emulator.org.business_unit_id()},
                              {"PrivilegeName", name}});
    }
    return json_response(request, {{"RolePrivileges", privileges}},
                         "Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse");
}

std::vector<std::string> split_list(const std::string& text)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        std::string part = trimmed(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (!part.empty()) {
            out.push_back(part);
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

Json entity_definition(const EntityInfo& entity, const std::vector<std::string>& select, bool with_attributes)
{
    Json all = {{"MetadataId", stable_guid("entity:" + entity.logical_name)},
                {"LogicalName", entity.logical_name},
                {"SchemaName", entity.schema_name},
                {"EntitySetName", entity.entity_set},
                {"IsCustomEntity", entity.logical_name.find('_') != std::string::npos}};
    Json out = Json::object();
    out["MetadataId"] = all["MetadataId"];
    for (auto& [key, value] : all.items()) {
        if (select.empty() || std::find(select.begin(), select.end(), key) != select.end()) {
            out[key] = value;
        }
    }
    if (with_attributes) {
        Json attributes = Json::array();
        for (const auto& attribute : entity.attributes) {
            attributes.push_back({{"LogicalName", attribute},
                                  {"MetadataId", stable_guid("attribute:" + entity.logical_name + "." + attribute)}});
        }
        out["Attributes"] = attributes;
    }
    return out;
}

HttpResponse entity_definitions(Emulator& emulator, const HttpRequest& request)
{
    auto query = parse_form(request.query);
    std::vector<std::string> select = split_list(query["$select"]);
    bool with_attributes = query["$expand"].rfind("Attributes", 0) == 0;
    std::vector<EntityInfo> entities;
    {
        std::lock_guard lock(emulator.org.mutex);
        entities = emulator.org.entities();
    }
    const std::string& path = request.path;
    if (path == "/EntityDefinitions") {
        Json rows = Json::array();
        for (const auto& entity : entities) {
            rows.push_back(entity_definition(entity, select, with_attributes));
        }
        return json_response(request, {{"value", rows}}, "EntityDefinitions");
    }
    std::string key = key_of(path, "/EntityDefinitions");
    std::string name;
    if (starts_with(key, "LogicalName=")) {
        name = key.substr(12);
        if (name.size() >= 2 && name.front() == '\'' && name.back() == '\'') {
            name = name.substr(1, name.size() - 2);
        }
    }
    auto it = std::find_if(entities.begin(), entities.end(), [&](const EntityInfo& e) {
        return e.logical_name == name || stable_guid("entity:" + e.logical_name) == guid_text(key);
    });
    if (it == entities.end()) {
        return odata_error(404, k_code_no_record, "Could not find an entity with name " + name + ".");
    }
    std::string rest = path.substr(path.find(')') + 1);
    if (rest == "/Attributes") {
        Json attributes = Json::array();
        for (const auto& attribute : it->attributes) {
            attributes.push_back({{"LogicalName", attribute},
                                  {"MetadataId", stable_guid("attribute:" + it->logical_name + "." + attribute)}});
        }
        return json_response(request, {{"value", attributes}},
                             "EntityDefinitions('" + it->logical_name + "')/Attributes");
    }
    if (!rest.empty()) {
        return not_found_segment(rest.substr(1));
    }
    return json_response(request, entity_definition(*it, select, with_attributes), "EntityDefinitions/$entity");
}

HttpResponse export_action(Emulator& emulator, const HttpRequest& request)
{
    auto parsed = action_body(request, true);
    if (auto* refusal = std::get_if<HttpResponse>(&parsed)) {
        return *refusal;
    }
    const Json& body = std::get<Json>(parsed);
    if (auto bad = check_parameter(body, "SolutionName", Json::value_t::string, true, "Edm.String")) {
        return *bad;
    }
    if (auto bad = check_parameter(body, "Managed", Json::value_t::boolean, true, "Edm.Boolean")) {
        return *bad;
    }
    auto exported = export_solution(emulator.org, body["SolutionName"].get<std::string>(), body["Managed"].get<bool>());
    if (auto* refusal = std::get_if<ExportRefusal>(&exported)) {
        return odata_error(refusal->status, refusal->code, refusal->message);
    }
    return json_response(request, {{"ExportSolutionFile", base64_encode(std::get<std::string>(exported))}},
                         "Microsoft.Dynamics.CRM.ExportSolutionResponse");
}

HttpResponse import_action(Emulator& emulator, const HttpRequest& request, bool async)
{
    if (async && emulator.org.version_number() < 91) {
        return not_found_segment("ImportSolutionAsync");
    }
    auto parsed = action_body(request, true);
    if (auto* refusal = std::get_if<HttpResponse>(&parsed)) {
        return *refusal;
    }
    const Json& body = std::get<Json>(parsed);
    for (const char* name : {"OverwriteUnmanagedCustomizations", "PublishWorkflows"}) {
        if (auto bad = check_parameter(body, name, Json::value_t::boolean, true, "Edm.Boolean")) {
            return *bad;
        }
    }
    if (auto bad = check_parameter(body, "CustomizationFile", Json::value_t::string, true, "Edm.Binary")) {
        return *bad;
    }
    if (auto bad = check_parameter(body, "ImportJobId", Json::value_t::string, false, "Edm.Guid")) {
        return *bad;
    }
    if (auto bad = check_parameter(body, "HoldingSolution", Json::value_t::boolean, false, "Edm.Boolean")) {
        return *bad;
    }
    ImportRequest import;
    if (body.contains("ImportJobId")) {
        import.job_id = guid_text(body["ImportJobId"].get<std::string>());
        if (import.job_id.empty()) {
            return odata_error(400, k_code_bad_payload,
                               "Cannot convert the value of parameter 'ImportJobId' to "
                               "the expected type 'Edm.Guid'.");
        }
    }
    auto zip = base64_decode(body["CustomizationFile"].get<std::string>());
    if (!zip) {
        return odata_error(
            400, k_code_bad_payload,
            "Cannot convert the value of parameter 'CustomizationFile' to the expected type 'Edm.Binary'.");
    }
    import.zip = std::move(*zip);
    import.holding = body.value("HoldingSolution", false);
    auto [job_id, async_id] = emulator.importer.start(std::move(import));
    if (async) {
        return json_response(request, {{"AsyncOperationId", async_id}, {"ImportJobKey", job_id}},
                             "Microsoft.Dynamics.CRM.ImportSolutionAsyncResponse");
    }
    ImportOutcome outcome = emulator.importer.wait(job_id);
    if (!outcome.succeeded) {
        return odata_error(400, k_code_import_failed, outcome.message);
    }
    return no_content();
}

HttpResponse formatted_results(Emulator& emulator, const HttpRequest& request)
{
    std::string key = key_of(request.path, "/RetrieveFormattedImportJobResults");
    std::string id;
    if (starts_with(key, "ImportJobId=")) {
        std::string value = key.substr(12);
        if (starts_with(value, "@")) {
            value = parse_form(request.query)[value];
        }
        id = guid_text(value);
    }
    if (id.empty()) {
        return odata_error(400, k_code_bad_payload, "The parameter 'ImportJobId' is required and was not provided.");
    }
    auto results = emulator.importer.formatted_results(id);
    if (!results) {
        return odata_error(404, k_code_no_record, "importjob With Id = " + id + " Does Not Exist");
    }
    return json_response(request, {{"FormattedResults", *results}},
                         "Microsoft.Dynamics.CRM.RetrieveFormattedImportJobResultsResponse");
}

HttpResponse publish(const HttpRequest& request, bool all)
{
    auto parsed = action_body(request, !all);
    if (auto* refusal = std::get_if<HttpResponse>(&parsed)) {
        return *refusal;
    }
    if (!all) {
        const Json& body = std::get<Json>(parsed);
        if (auto bad = check_parameter(body, "ParameterXml", Json::value_t::string, true, "Edm.String")) {
            return *bad;
        }
        if (body["ParameterXml"].get<std::string>().find("<importexportxml") == std::string::npos) {
            return odata_error(400, k_code_bad_payload, "ParameterXml is not an <importexportxml> document.");
        }
    }
    return no_content();
}

HttpResponse delete_and_promote(Emulator& emulator, const HttpRequest& request)
{
    if (emulator.org.version_number() < 80) {
        return not_found_segment("DeleteAndPromote");
    }
    auto parsed = action_body(request, true);
    if (auto* refusal = std::get_if<HttpResponse>(&parsed)) {
        return *refusal;
    }
    const Json& body = std::get<Json>(parsed);
    if (auto bad = check_parameter(body, "UniqueName", Json::value_t::string, true, "Edm.String")) {
        return *bad;
    }
    std::string name = body["UniqueName"].get<std::string>();
    std::optional<std::string> id;
    {
        std::lock_guard lock(emulator.org.mutex);
        id = emulator.org.promote(name);
    }
    if (!id) {
        return odata_error(404, k_code_no_record, "No holding solution " + name + "_Upgrade is installed.");
    }
    return json_response(request, {{"SolutionId", *id}}, "Microsoft.Dynamics.CRM.DeleteAndPromoteResponse");
}

HttpResponse delete_solution(Emulator& emulator, const HttpRequest& request)
{
    std::string id = guid_text(key_of(request.path, "/solutions"));
    bool removed = false;
    {
        std::lock_guard lock(emulator.org.mutex);
        removed = emulator.org.uninstall_by_id(id);
    }
    if (!removed) {
        return odata_error(404, k_code_no_record, "solution With Id = " + id + " Does Not Exist");
    }
    return no_content();
}

std::optional<HttpResponse> check_headers(const HttpRequest& request)
{
    std::string odata_version = request.header("odata-version");
    if (!odata_version.empty() && odata_version != "4.0") {
        return odata_error(400, "",
                           "The OData-Version header value '" + odata_version +
                               "' is not supported; this service speaks OData 4.0.");
    }
    std::string max_version = request.header("odata-maxversion");
    if (!max_version.empty() && max_version != "4.0") {
        return odata_error(400, "", "The OData-MaxVersion header value '" + max_version + "' is not supported.");
    }
    bool has_body = !request.body.empty() && request.method != "GET" && request.method != "DELETE";
    std::string content_type = request.header("content-type");
    if (has_body && request.path != "/$batch" && content_type.find("application/json") == std::string::npos) {
        return odata_error(415, "", "The content type '" + content_type + "' is not supported; send application/json.");
    }
    return std::nullopt;
}

} // namespace

std::vector<std::string> granted_privileges(Emulator& emulator)
{
    std::vector<std::string> names = {"prvImportCustomization", "prvExportCustomization", "prvPublishCustomization",
                                      "prvCreateEntity",        "prvReadEntity",          "prvWriteEntity",
                                      "prvCreateAttribute",     "prvReadAttribute",       "prvWriteAttribute",
                                      "prvReadSolution",        "prvCreateSolution",      "prvWriteSolution",
                                      "prvDeleteSolution",      "prvReadPublisher",       "prvCreatePublisher",
                                      "prvReadAsyncOperation",  "prvReadImportJob",       "prvCreateImportJob"};
    std::vector<EntityInfo> entities;
    {
        std::lock_guard lock(emulator.org.mutex);
        entities = emulator.org.entities();
    }
    for (const auto& entity : entities) {
        for (const char* verb : {"Create", "Read", "Write", "Delete", "Append", "AppendTo", "Assign", "Share"}) {
            names.push_back(std::string("prv") + verb + entity.schema_name);
        }
    }
    const auto& denied = emulator.options.deny_privileges;
    std::erase_if(names, [&](const std::string& name) {
        return std::any_of(denied.begin(), denied.end(),
                           [&](const std::string& d) { return ascii_lower(d) == ascii_lower(name); });
    });
    return names;
}

HttpResponse serve_webapi(Emulator& emulator, const HttpRequest& request)
{
    if (auto refusal = check_headers(request)) {
        return *refusal;
    }
    const std::string& path = request.path;
    const std::string& method = request.method;
    if (method == "GET" && (path == "/RetrieveVersion()" || path == "/RetrieveVersion")) {
        return retrieve_version(emulator, request);
    }
    if (method == "GET" && (path == "/WhoAmI" || path == "/WhoAmI()")) {
        return who_am_i(emulator, request);
    }
    if (method == "GET" && starts_with(path, "/systemusers(") &&
        (path.find("RetrieveUserPrivileges") != std::string::npos)) {
        return user_privileges(emulator, request);
    }
    if (method == "GET" && starts_with(path, "/EntityDefinitions")) {
        return entity_definitions(emulator, request);
    }
    if (method == "GET" && starts_with(path, "/RetrieveFormattedImportJobResults(")) {
        return formatted_results(emulator, request);
    }
    if (method == "POST") {
        if (path == "/ExportSolution") {
            return export_action(emulator, request);
        }
        if (path == "/ImportSolution") {
            return import_action(emulator, request, false);
        }
        if (path == "/ImportSolutionAsync") {
            return import_action(emulator, request, true);
        }
        if (path == "/PublishAllXml") {
            return publish(request, true);
        }
        if (path == "/PublishXml") {
            return publish(request, false);
        }
        if (path == "/DeleteAndPromote") {
            return delete_and_promote(emulator, request);
        }
        if (path == "/$batch") {
            return serve_batch(emulator.org.tables(), request,
                               [&](const HttpRequest& part) { return serve_webapi(emulator, part); });
        }
    }
    if (method == "DELETE" && starts_with(path, "/solutions(") && path.back() == ')') {
        return delete_solution(emulator, request);
    }
    if (auto answer = serve_records(emulator.org.tables(), request)) {
        return *answer;
    }
    return not_found_segment(first_segment(path));
}

} // namespace escprov::emulator
