#include "emulators/dataverse/soap.hpp"

#include "emulators/dataverse/export.hpp"
#include "emulators/dataverse/import_check.hpp"
#include "emulators/dataverse/webapi.hpp"
#include "emulators/dataverse/wire.hpp"
#include "util/text.hpp"
#include "xml/node.hpp"
#include "xml/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>

namespace escprov::emulator {

namespace {

constexpr std::string_view k_action =
    "http://schemas.microsoft.com/xrm/2011/Contracts/Services/IOrganizationService/Execute";
constexpr const char* k_code_bad_request = "0x80040203";
constexpr const char* k_code_no_record = "0x80040217";

const char* const k_envelope_start = R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>)";
const char* const k_envelope_end = "</s:Body></s:Envelope>";

std::string local_name(std::string_view name)
{
    size_t colon = name.find(':');
    return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
}

// The first descendant element (depth first) with this local name, or nullptr.
const xml::Node* find_local(const xml::Node& node, std::string_view name)
{
    for (const auto& child : node.children) {
        if (!child.is_element()) {
            continue;
        }
        if (local_name(child.name) == name) {
            return &child;
        }
        if (const xml::Node* found = find_local(child, name)) {
            return found;
        }
    }
    return nullptr;
}

const xml::Node* child_local(const xml::Node& node, std::string_view name)
{
    for (const auto& child : node.children) {
        if (child.is_element() && local_name(child.name) == name) {
            return &child;
        }
    }
    return nullptr;
}

std::string escaped(std::string_view text)
{
    std::string out;
    xml::escape_text(out, text);
    return out;
}

// CRM's signed decimal ErrorCode for a hex code: "0x80048068" -> "-2147188632".
std::string signed_code(const std::string& hex)
{
    uint32_t value = hex.size() > 2 ? uint32_t(std::stoul(hex.substr(2), nullptr, 16)) : 0;
    return std::to_string(int32_t(value));
}

HttpResponse soap_answer(int status, const std::string& body)
{
    HttpResponse response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "text/xml; charset=utf-8");
    response.body = k_envelope_start + body + k_envelope_end;
    return response;
}

HttpResponse fault(const std::string& hex_code, const std::string& message, const char* faultcode = "s:Client")
{
    return soap_answer(
        500, std::string("<s:Fault><faultcode>") + faultcode + "</faultcode><faultstring xml:lang=\"en-US\">" +
                 escaped(message) +
                 "</faultstring><detail><OrganizationServiceFault xmlns=\"http://schemas.microsoft.com/xrm/2011/"
                 "Contracts\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><ErrorCode>" +
                 signed_code(hex_code) +
                 "</ErrorCode><ErrorDetails xmlns:a=\"http://schemas.datacontract.org/2004/07/"
                 "System.Collections.Generic\" /><Message>" +
                 escaped(message) + "</Message><Timestamp>" + utc_now() +
                 "</Timestamp><InnerFault i:nil=\"true\" /><TraceText i:nil=\"true\" /></OrganizationServiceFault>"
                 "</detail></s:Fault>");
}

// One result value: <a:KeyValuePairOfstringanyType> with the key and a typed value.
std::string result(const std::string& key, const std::string& type, const std::string& value_xml,
                   const std::string& namespaces = "xmlns:d=\"http://www.w3.org/2001/XMLSchema\"")
{
    return "<a:KeyValuePairOfstringanyType><c:key>" + escaped(key) + "</c:key><c:value i:type=\"" + type + "\"" +
           (namespaces.empty() ? "" : " " + namespaces) + ">" + value_xml +
           "</c:value></a:KeyValuePairOfstringanyType>";
}

std::string guid_result(const std::string& key, const std::string& id)
{
    return result(key, "d:guid", id, "xmlns:d=\"http://schemas.microsoft.com/2003/10/Serialization/\"");
}

HttpResponse execute_response(const std::string& name, const std::string& results)
{
    return soap_answer(200, "<ExecuteResponse xmlns=\"http://schemas.microsoft.com/xrm/2011/Contracts/Services\" "
                            "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><ExecuteResult i:type=\"b:" +
                                name +
                                "Response\" xmlns:a=\"http://schemas.microsoft.com/xrm/2011/Contracts\" "
                                "xmlns:b=\"http://schemas.microsoft.com/crm/2011/Contracts\"><a:ResponseName>" +
                                name +
                                "</a:ResponseName><a:Results xmlns:c=\"http://schemas.datacontract.org/2004/07/"
                                "System.Collections.Generic\">" +
                                results + "</a:Results></ExecuteResult></ExecuteResponse>");
}

// The request's parameters: key -> value element.
std::map<std::string, const xml::Node*> parameters(const xml::Node& request)
{
    std::map<std::string, const xml::Node*> out;
    const xml::Node* list = child_local(request, "Parameters");
    if (list == nullptr) {
        return out;
    }
    for (const auto& pair : list->children) {
        if (!pair.is_element() || local_name(pair.name) != "KeyValuePairOfstringanyType") {
            continue;
        }
        const xml::Node* key = child_local(pair, "key");
        const xml::Node* value = child_local(pair, "value");
        if (key != nullptr && value != nullptr) {
            out[trimmed(key->text_content())] = value;
        }
    }
    return out;
}

std::string text_of(const std::map<std::string, const xml::Node*>& values, const std::string& key)
{
    auto it = values.find(key);
    return it == values.end() ? std::string() : trimmed(it->second->text_content());
}

std::string typed_value(const nlohmann::json& value)
{
    if (value.is_boolean()) {
        return std::string("<c:value i:type=\"d:boolean\" xmlns:d=\"http://www.w3.org/2001/XMLSchema\">") +
               (value.get<bool>() ? "true" : "false") + "</c:value>";
    }
    if (value.is_number_integer()) {
        return "<c:value i:type=\"d:int\" xmlns:d=\"http://www.w3.org/2001/XMLSchema\">" + value.dump() + "</c:value>";
    }
    if (value.is_number()) {
        return "<c:value i:type=\"d:double\" xmlns:d=\"http://www.w3.org/2001/XMLSchema\">" + value.dump() +
               "</c:value>";
    }
    std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (guid_text(text) == text && !text.empty()) {
        return "<c:value i:type=\"d:guid\" xmlns:d=\"http://schemas.microsoft.com/2003/10/Serialization/\">" + text +
               "</c:value>";
    }
    return "<c:value i:type=\"d:string\" xmlns:d=\"http://www.w3.org/2001/XMLSchema\">" + escaped(text) + "</c:value>";
}

// RetrieveMultiple with a FetchExpression: <fetch><entity name><attribute name/>…<filter><condition
// attribute operator="eq" value/></filter></entity></fetch> over the entity's table.
HttpResponse retrieve_multiple(Emulator& emulator, const std::map<std::string, const xml::Node*>& values)
{
    auto query = values.find("Query");
    const xml::Node* fetch_text = query == values.end() ? nullptr : child_local(*query->second, "Query");
    if (fetch_text == nullptr) {
        return fault(k_code_bad_request, "RetrieveMultiple needs a Query holding a FetchExpression.");
    }
    std::string fetch_xml = fetch_text->text_content();
    xml::MemorySource source(fetch_xml, "Query");
    xml::Node fetch;
    try {
        fetch = xml::parse_document(source);
    } catch (const std::exception& e) {
        return fault(k_code_bad_request, std::string("The FetchXML is not well-formed: ") + e.what());
    }
    const xml::Node* entity = fetch.child("entity");
    const std::string* name = entity != nullptr ? entity->attribute("name") : nullptr;
    if (name == nullptr || !emulator.org.tables().has_table(*name)) {
        return fault(k_code_bad_request, "The entity '" + (name != nullptr ? *name : std::string()) +
                                             "' does not exist in this organization.");
    }
    std::vector<std::string> columns;
    for (const xml::Node* attribute : entity->children_named("attribute")) {
        if (const std::string* column = attribute->attribute("name")) {
            columns.push_back(*column);
        }
    }
    std::vector<std::pair<std::string, std::string>> conditions;
    for (const xml::Node* filter : entity->children_named("filter")) {
        for (const xml::Node* condition : filter->children_named("condition")) {
            const std::string* column = condition->attribute("attribute");
            const std::string* value = condition->attribute("value");
            if (column != nullptr && value != nullptr) {
                conditions.emplace_back(*column, *value);
            }
        }
    }
    std::string id_column = *name + "id";
    std::string entities;
    for (const auto& row : emulator.org.tables().rows(*name)) {
        bool match = std::all_of(conditions.begin(), conditions.end(), [&](const auto& condition) {
            auto it = row.find(condition.first);
            if (it == row.end()) {
                return false;
            }
            std::string text = it->is_string() ? it->template get<std::string>() : it->dump();
            return ascii_lower(text) == ascii_lower(condition.second);
        });
        if (!match) {
            continue;
        }
        std::string attributes;
        for (const auto& [column, value] : row.items()) {
            if (value.is_null() ||
                (!columns.empty() && std::find(columns.begin(), columns.end(), column) == columns.end())) {
                continue;
            }
            attributes += "<a:KeyValuePairOfstringanyType><c:key>" + escaped(column) + "</c:key>" + typed_value(value) +
                          "</a:KeyValuePairOfstringanyType>";
        }
        entities += "<a:Entity><a:Attributes>" + attributes +
                    "</a:Attributes><a:EntityState i:nil=\"true\" /><a:FormattedValues /><a:Id>" +
                    row.value(id_column, std::string()) + "</a:Id><a:LogicalName>" + escaped(*name) +
                    "</a:LogicalName><a:RelatedEntities /></a:Entity>";
    }
    std::string collection = "<a:Entities>" + entities + "</a:Entities><a:EntityName>" + escaped(*name) +
                             "</a:EntityName><a:MinActiveRowVersion>-1</a:MinActiveRowVersion><a:MoreRecords>false"
                             "</a:MoreRecords><a:PagingCookie i:nil=\"true\" /><a:TotalRecordCount>-1"
                             "</a:TotalRecordCount><a:TotalRecordCountLimitExceeded>false"
                             "</a:TotalRecordCountLimitExceeded>";
    return execute_response("RetrieveMultiple", result("EntityCollection", "a:EntityCollection", collection, ""));
}

HttpResponse retrieve_all_entities(Emulator& emulator, const std::map<std::string, const xml::Node*>& values)
{
    bool with_attributes = text_of(values, "EntityFilters").find("Attributes") != std::string::npos;
    std::vector<EntityInfo> entities;
    {
        std::lock_guard lock(emulator.org.mutex);
        entities = emulator.org.entities();
    }
    std::string out;
    for (const auto& entity : entities) {
        out += "<e:EntityMetadata><e:MetadataId>" + stable_guid("entity:" + entity.logical_name) + "</e:MetadataId>";
        if (with_attributes) {
            out += "<e:Attributes>";
            for (const auto& attribute : entity.attributes) {
                out += "<e:AttributeMetadata><e:LogicalName>" + escaped(attribute) +
                       "</e:LogicalName></e:AttributeMetadata>";
            }
            out += "</e:Attributes>";
        }
        out += std::string("<e:IsCustomEntity>") +
               (entity.logical_name.find('_') != std::string::npos ? "true" : "false") + "</e:IsCustomEntity>" +
               "<e:LogicalName>" + escaped(entity.logical_name) + "</e:LogicalName><e:SchemaName>" +
               escaped(entity.schema_name) + "</e:SchemaName></e:EntityMetadata>";
    }
    return execute_response("RetrieveAllEntities",
                            result("EntityMetadata", "e:ArrayOfEntityMetadata", out,
                                   "xmlns:e=\"http://schemas.microsoft.com/xrm/2011/Metadata\""));
}

HttpResponse user_privileges(Emulator& emulator, const std::map<std::string, const xml::Node*>& values)
{
    std::string id = guid_text(text_of(values, "UserId"));
    if (id != emulator.org.user_id()) {
        return fault(k_code_no_record, "systemuser With Id = " + text_of(values, "UserId") + " Does Not Exist");
    }
    std::string out;
    for (const auto& name : granted_privileges(emulator)) {
        out += "<b:RolePrivilege><b:BusinessUnitId>" + emulator.org.business_unit_id() +
               "</b:BusinessUnitId><b:Depth>Global</b:Depth><b:PrivilegeId>" + stable_guid("privilege:" + name) +
               "</b:PrivilegeId><b:PrivilegeName>" + escaped(name) + "</b:PrivilegeName></b:RolePrivilege>";
    }
    return execute_response("RetrieveUserPrivileges", result("RolePrivileges", "b:ArrayOfRolePrivilege", out, ""));
}

HttpResponse import_solution(Emulator& emulator, const std::map<std::string, const xml::Node*>& values)
{
    auto zip = base64_decode(text_of(values, "CustomizationFile"));
    if (!zip || zip->empty()) {
        return fault(k_code_bad_request, "ImportSolution needs CustomizationFile (base64Binary).");
    }
    ImportRequest import;
    import.zip = std::move(*zip);
    std::string job_id = text_of(values, "ImportJobId");
    if (!job_id.empty()) {
        import.job_id = guid_text(job_id);
        if (import.job_id.empty()) {
            return fault(k_code_bad_request, "ImportJobId is not a guid: " + job_id);
        }
    }
    import.holding = text_of(values, "HoldingSolution") == "true";
    auto [id, async_id] = emulator.importer.start(std::move(import));
    ImportOutcome outcome = emulator.importer.wait(id);
    if (!outcome.succeeded) {
        return fault(k_code_import_failed, outcome.message);
    }
    return execute_response("ImportSolution", "");
}

HttpResponse dispatch(Emulator& emulator, const std::string& name,
                      const std::map<std::string, const xml::Node*>& values)
{
    if (name == "WhoAmI") {
        return execute_response("WhoAmI", guid_result("UserId", emulator.org.user_id()) +
                                              guid_result("BusinessUnitId", emulator.org.business_unit_id()) +
                                              guid_result("OrganizationId", emulator.org.organization_id()));
    }
    if (name == "RetrieveVersion") {
        return execute_response("RetrieveVersion", result("Version", "d:string", emulator.org.build_version()));
    }
    if (name == "RetrieveUserPrivileges") {
        return user_privileges(emulator, values);
    }
    if (name == "RetrieveMultiple") {
        return retrieve_multiple(emulator, values);
    }
    if (name == "RetrieveAllEntities") {
        return retrieve_all_entities(emulator, values);
    }
    if (name == "ExportSolution") {
        std::string solution = text_of(values, "SolutionName");
        if (solution.empty()) {
            return fault(k_code_bad_request, "ExportSolution needs SolutionName.");
        }
        auto exported = export_solution(emulator.org, solution, text_of(values, "Managed") == "true");
        if (auto* refusal = std::get_if<ExportRefusal>(&exported)) {
            return fault(refusal->code, refusal->message);
        }
        return execute_response("ExportSolution", result("ExportSolutionFile", "d:base64Binary",
                                                         base64_encode(std::get<std::string>(exported))));
    }
    if (name == "ImportSolution") {
        return import_solution(emulator, values);
    }
    if (name == "PublishAllXml") {
        return execute_response("PublishAllXml", "");
    }
    if (name == "PublishXml") {
        if (text_of(values, "ParameterXml").find("<importexportxml") == std::string::npos) {
            return fault(k_code_bad_request, "PublishXml needs ParameterXml holding an <importexportxml> document.");
        }
        return execute_response("PublishXml", "");
    }
    if (name == "RetrieveFormattedImportJobResults") {
        auto results = emulator.importer.formatted_results(guid_text(text_of(values, "ImportJobId")));
        if (!results) {
            return fault(k_code_no_record, "importjob With Id = " + text_of(values, "ImportJobId") + " Does Not Exist");
        }
        return execute_response("RetrieveFormattedImportJobResults",
                                result("FormattedResults", "d:string", escaped(*results)));
    }
    if (name == "Delete") {
        auto target = values.find("Target");
        const xml::Node* id = target == values.end() ? nullptr : child_local(*target->second, "Id");
        const xml::Node* logical = target == values.end() ? nullptr : child_local(*target->second, "LogicalName");
        if (id == nullptr || logical == nullptr || trimmed(logical->text_content()) != "solution") {
            return fault(k_code_bad_request, "The emulator deletes only solutions (Target: EntityReference solution).");
        }
        bool removed = false;
        {
            std::lock_guard lock(emulator.org.mutex);
            removed = emulator.org.uninstall_by_id(guid_text(id->text_content()));
        }
        if (!removed) {
            return fault(k_code_no_record, "solution With Id = " + trimmed(id->text_content()) + " Does Not Exist");
        }
        return execute_response("Delete", "");
    }
    return fault(k_code_bad_request, "The request " + name + " is not supported by this organization service.");
}

} // namespace

HttpResponse serve_soap(Emulator& emulator, const HttpRequest& request)
{
    if (request.method != "POST") {
        return fault(k_code_bad_request, "The Organization service takes POST only.");
    }
    if (request.header("content-type").rfind("text/xml", 0) != 0) {
        HttpResponse response;
        response.status = 415;
        response.body = "Cannot process the message because the content type '" + request.header("content-type") +
                        "' was not the expected type 'text/xml; charset=utf-8'.";
        response.headers.emplace_back("Content-Type", "text/plain");
        return response;
    }
    std::string action = request.header("soapaction");
    if (action.size() >= 2 && action.front() == '"' && action.back() == '"') {
        action = action.substr(1, action.size() - 2);
    }
    if (action != k_action) {
        return fault(
            k_code_bad_request,
            "The message with Action '" + action +
                "' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.",
            "a:ActionNotSupported");
    }
    xml::MemorySource source(request.body, "request");
    xml::Node envelope;
    try {
        envelope = xml::parse_document(source);
    } catch (const std::exception& e) {
        return fault(k_code_bad_request, std::string("The request is not well-formed XML: ") + e.what());
    }
    const xml::Node* execute = find_local(envelope, "Execute");
    const xml::Node* body = execute != nullptr ? child_local(*execute, "request") : nullptr;
    if (body == nullptr) {
        return fault(k_code_bad_request, "The Body holds no Execute/request.");
    }
    std::string name;
    if (const xml::Node* request_name = child_local(*body, "RequestName")) {
        name = trimmed(request_name->text_content());
    }
    if (name.empty()) {
        const std::string* type = body->attribute("i:type");
        if (type != nullptr) {
            name = local_name(*type);
            if (name.size() > 7 && name.compare(name.size() - 7, 7, "Request") == 0) {
                name.resize(name.size() - 7);
            }
        }
    }
    return dispatch(emulator, name, parameters(*body));
}

} // namespace escprov::emulator
