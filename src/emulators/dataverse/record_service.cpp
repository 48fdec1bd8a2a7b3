// serve_records: the Web API on an entity set — create, retrieve, update, upsert and delete one
// row, and query the set with OData options or FetchXML, paged as Dataverse pages.

#include "emulators/dataverse/fetchxml.hpp"
#include "emulators/dataverse/odata_query.hpp"
#include "emulators/dataverse/record_rows.hpp"
#include "emulators/dataverse/record_support.hpp"
#include "emulators/dataverse/records.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace escprov::emulator {

namespace {

using ordered_json = nlohmann::ordered_json;

// The parts of a record path: "/accounts(<key>)/name".
struct RecordPath {
    std::string entity_set;
    std::optional<std::string> key; // what is inside the parentheses
    std::optional<std::string> property;
};

// Splits the path, or nullopt when it is not a record path (a function or action, bound or not).
std::optional<RecordPath> split_path(const std::string& path)
{
    std::string_view rest(path);
    if (!rest.empty() && rest.front() == '/') {
        rest.remove_prefix(1);
    }
    RecordPath parts;
    size_t end = rest.find_first_of("(/");
    parts.entity_set = std::string(rest.substr(0, end));
    if (parts.entity_set.empty() || parts.entity_set.find('.') != std::string::npos ||
        parts.entity_set.front() == '$') {
        return std::nullopt;
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (!rest.empty() && rest.front() == '(') {
        bool quoted = false;
        size_t close = std::string_view::npos;
        for (size_t i = 1; i < rest.size(); ++i) {
            if (rest[i] == '\'') {
                quoted = !quoted;
            } else if (rest[i] == ')' && !quoted) {
                close = i;
                break;
            }
        }
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        parts.key = std::string(rest.substr(1, close - 1));
        rest = rest.substr(close + 1);
    }
    if (!rest.empty()) {
        if (rest.front() != '/' || !parts.key) {
            return std::nullopt;
        }
        std::string property(rest.substr(1));
        // A bound function or action ("Microsoft.Dynamics.CRM.X()") or a deeper path is not ours.
        if (property.empty() || property.find_first_of("/.()$") != std::string::npos) {
            return std::nullopt;
        }
        parts.property = property;
    }
    return parts;
}

std::string entity_url(const HttpRequest& request, const TableDef& table, const std::string& id)
{
    return request.base_url + "/" + table.entity_set + "(" + id + ")";
}

// The row `key` names: a GUID, "<primaryid>=<guid>" or an alternate key "k1='x',k2=5". Returns
// the id, or nullopt when no row matches (`wanted_id` then holds the id a GUID key asks for, and
// `alternate` the column values of an alternate key).
std::optional<std::string> find_by_key(const Tables& tables, const TableDef& table, const std::string& key,
                                       std::string& wanted_id, nlohmann::json& alternate)
{
    std::string_view text(key);
    std::string prefix = table.primary_id + "=";
    if (text.rfind(prefix, 0) == 0) {
        text.remove_prefix(prefix.size());
    }
    if (is_guid(text)) {
        wanted_id = normalise_guid(text);
        return tables.find(table.logical_name, wanted_id) ? std::optional<std::string>(wanted_id) : std::nullopt;
    }
    // An alternate key: comma-separated name=value pairs, values being OData literals.
    alternate = nlohmann::json::object();
    Filter all = filter_group(Filter::Kind::all, {});
    auto resolve = odata_resolver(table);
    size_t start = 0;
    while (start < key.size()) {
        size_t equals = key.find('=', start);
        if (equals == std::string::npos) {
            throw_bad_request("Bad Request - Error in query syntax.");
        }
        std::string name = key.substr(start, equals - start);
        size_t end = equals + 1;
        bool quoted = false;
        while (end < key.size() && (quoted || key[end] != ',')) {
            if (key[end] == '\'') {
                quoted = !quoted;
            }
            ++end;
        }
        std::string literal = key.substr(equals + 1, end - equals - 1);
        std::string condition = name;
        condition.append(" eq ").append(literal);
        Filter test = parse_filter(condition, resolve);
        if (test.kind != Filter::Kind::test) {
            throw_bad_request("Bad Request - Error in query syntax.");
        }
        alternate[test.column] = test.values.at(0);
        all.children.push_back(std::move(test));
        start = end + 1;
    }
    std::vector<std::string> found;
    for (const auto& row : tables.rows(table.logical_name)) {
        if (matches(all, row)) {
            found.push_back(row.at(table.primary_id).get<std::string>());
        }
    }
    if (found.size() > 1) {
        throw_bad_request("The alternate key matches more than one " + table.logical_name + " record.");
    }
    if (found.empty()) {
        return std::nullopt;
    }
    wanted_id = found.front();
    return found.front();
}

const char* edm_type(const std::string& type)
{
    if (type == "int" || type == "picklist") {
        return "Edm.Int32";
    }
    if (type == "decimal" || type == "money") {
        return "Edm.Decimal";
    }
    if (type == "double") {
        return "Edm.Double";
    }
    if (type == "bool") {
        return "Edm.Boolean";
    }
    if (type == "guid") {
        return "Edm.Guid";
    }
    if (type == "datetime") {
        return "Edm.DateTimeOffset";
    }
    return "Edm.String";
}

// A value the column can hold, GUIDs in lower case; throws 400 otherwise.
nlohmann::json checked_value(const ColumnDef* column, const std::string& name, const nlohmann::json& value)
{
    if (value.is_null() || column == nullptr) {
        return value;
    }
    const std::string& type = column->type;
    bool fits = true;
    if (type == "int" || type == "picklist") {
        fits = value.is_number_integer();
    } else if (type == "decimal" || type == "money" || type == "double") {
        fits = value.is_number();
    } else if (type == "bool") {
        fits = value.is_boolean();
    } else if (type == "guid") {
        fits = value.is_string() && is_guid(value.get<std::string>());
        if (fits) {
            return normalise_guid(value.get<std::string>());
        }
    } else {
        fits = value.is_string();
    }
    if (!fits) {
        throw_bad_request("Cannot convert the literal '" + value.dump() + "' to the expected type '" + edm_type(type) +
                          "' of property '" + name + "'.");
    }
    return value;
}

// The id a bind value ("/accounts(<id>)", "accounts(<id>)" or a full URL) points at; throws 400
// for a malformed one and 404 when that row does not exist.
std::string bound_id(const Tables& tables, const HttpRequest& request, const std::string& value)
{
    std::string_view text(value);
    if (text.rfind(request.base_url, 0) == 0) {
        text.remove_prefix(request.base_url.size());
    }
    auto parts = split_path(std::string(text));
    if (!parts || !parts->key || parts->property || !is_guid(*parts->key)) {
        throw_bad_request("The @odata.bind value '" + value + "' is not a reference to a record.");
    }
    auto target = tables.table_for_set(parts->entity_set);
    if (!target) {
        throw RequestError(404, "0x8006088a", "Resource not found for the segment '" + parts->entity_set + "'.");
    }
    std::string id = normalise_guid(*parts->key);
    if (!tables.find(target->logical_name, id)) {
        throw_does_not_exist(*target, id, k_code_does_not_exist);
    }
    return id;
}

// The request body as row changes keyed by logical name.
nlohmann::json parse_changes(const Tables& tables, const TableDef& table, const HttpRequest& request)
{
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        throw_bad_request("The request body is not a JSON object.");
    }
    nlohmann::json changes = nlohmann::json::object();
    for (const auto& [key, value] : body.items()) {
        static constexpr std::string_view k_bind = "@odata.bind";
        if (key.size() > k_bind.size() && key.compare(key.size() - k_bind.size(), k_bind.size(), k_bind) == 0) {
            std::string navigation = key.substr(0, key.size() - k_bind.size());
            const ColumnDef* column = column_named(table, navigation);
            for (size_t underscore = navigation.rfind('_');
                 column == nullptr && underscore != std::string::npos && underscore > 0;
                 underscore = navigation.rfind('_', underscore - 1)) {
                column = column_named(table, navigation.substr(0, underscore)); // parentcustomerid_contact
            }
            if (column == nullptr || column->type != "lookup") {
                throw_bad_request("An undeclared property '" + navigation +
                                  "' which only has property annotations in the payload but no property value was "
                                  "found in the payload. In OData, only declared navigation properties and declared "
                                  "named streams can be represented as properties without values.");
            }
            if (!value.is_null() && !value.is_string()) {
                throw_bad_request("The @odata.bind value of '" + navigation + "' must be a string.");
            }
            changes[column->logical_name] = value.is_null()
                                                ? nlohmann::json()
                                                : nlohmann::json(bound_id(tables, request, value.get<std::string>()));
            continue;
        }
        if (key.find('@') != std::string::npos) {
            continue; // an instance annotation such as @odata.type
        }
        const ColumnDef* column = column_named(table, key);
        bool known = (column != nullptr && column->type != "lookup") || (column == nullptr && open_schema(table));
        if (!known || key == "versionnumber") {
            throw_bad_request("The property '" + key + "' does not exist on type 'Microsoft.Dynamics.CRM." +
                              table.logical_name +
                              "'. Make sure to only use property names that are defined by the type.");
        }
        changes[key] = checked_value(column, key, value);
    }
    return changes;
}

std::vector<std::string> select_of(const std::vector<std::pair<std::string, std::string>>& query, const TableDef& table)
{
    for (const auto& [name, value] : query) {
        if (name == "$select") {
            return parse_select(value, odata_resolver(table));
        }
    }
    return {};
}

HttpResponse written(const HttpRequest& request, const Tables& tables, const TableDef& table, const std::string& id,
                     bool created)
{
    Preferences preferences = parse_prefer(request);
    HttpResponse response;
    if (preferences.return_representation) {
        auto query = parse_query_string(request.query);
        auto select = select_of(query, table);
        ordered_json body;
        body["@odata.context"] = request.base_url + "/$metadata#" + table.entity_set + "/$entity";
        body.update(present(table, *tables.find(table.logical_name, id), select.empty() ? nullptr : &select, false,
                            preferences));
        response = json_response(created ? 201 : 200, body);
        response.headers.emplace_back("Preference-Applied", "return=representation");
    } else {
        response.status = 204;
        response.headers.emplace_back("OData-Version", "4.0");
    }
    response.headers.emplace_back("OData-EntityId", entity_url(request, table, id));
    return response;
}

HttpResponse create(Tables& tables, const TableDef& table, const HttpRequest& request)
{
    HttpResponse response;
    tables.run_atomically([&] {
        nlohmann::json changes = parse_changes(tables, table, request);
        if (auto given = changes.find(table.primary_id); given != changes.end() && !given->is_null()) {
            if (tables.find(table.logical_name, given->get<std::string>())) {
                throw RequestError(412, k_code_duplicate, "A record with matching key values already exists.");
            }
        }
        std::string id = tables.insert(table.logical_name, changes);
        response = written(request, tables, table, id, true);
        return true;
    });
    return response;
}

HttpResponse upsert(Tables& tables, const TableDef& table, const HttpRequest& request, const std::string& key)
{
    std::string if_match = request.header("if-match");
    std::string if_none_match = request.header("if-none-match");
    HttpResponse response;
    tables.run_atomically([&] {
        std::string wanted_id;
        nlohmann::json alternate;
        auto id = find_by_key(tables, table, key, wanted_id, alternate);
        if (!if_match.empty()) {
            if (!id) {
                throw RequestError(404, "",
                                   table.logical_name + " With Id = " + (wanted_id.empty() ? key : wanted_id) +
                                       " Does Not Exist");
            }
            if (if_match != "*" && if_match != etag_of(*tables.find(table.logical_name, *id))) {
                throw RequestError(
                    412, k_code_version_mismatch,
                    "The version of the existing record doesn't match the RowVersion property provided.");
            }
        }
        if (if_none_match == "*" && id) {
            throw RequestError(412, "", "A record with matching key values already exists.");
        }
        nlohmann::json changes = parse_changes(tables, table, request);
        if (id) {
            tables.update(table.logical_name, *id, changes);
            response = written(request, tables, table, *id, false);
        } else {
            for (const auto& [column, value] : alternate.items()) {
                changes[column] = value;
            }
            if (!wanted_id.empty()) {
                changes[table.primary_id] = wanted_id;
            }
            std::string created = tables.insert(table.logical_name, changes);
            response = written(request, tables, table, created, true);
        }
        return true;
    });
    return response;
}

// The existing row `key` names, or a 404.
std::string existing_id(const Tables& tables, const TableDef& table, const std::string& key)
{
    std::string wanted_id;
    nlohmann::json alternate;
    auto id = find_by_key(tables, table, key, wanted_id, alternate);
    if (!id) {
        throw_does_not_exist(table, wanted_id.empty() ? key : wanted_id, k_code_does_not_exist);
    }
    return *id;
}

// The existing row `key` names (a copy taken under the tables' lock), or a 404: the row may go
// between finding its id and reading it when another request deletes it.
nlohmann::json existing_row(const Tables& tables, const TableDef& table, const std::string& key)
{
    std::string id = existing_id(tables, table, key);
    auto row = tables.find(table.logical_name, id);
    if (!row) {
        throw_does_not_exist(table, id, k_code_does_not_exist);
    }
    return *row;
}

HttpResponse no_content()
{
    HttpResponse response;
    response.status = 204;
    response.headers.emplace_back("OData-Version", "4.0");
    return response;
}

HttpResponse serve_property(Tables& tables, const TableDef& table, const HttpRequest& request, const std::string& key,
                            const std::string& property)
{
    std::string column = odata_resolver(table)(property);
    if (request.method == "GET") {
        nlohmann::json row = existing_row(tables, table, key);
        std::string id = row.at(table.primary_id).get<std::string>();
        auto it = row.find(column);
        if (it == row.end() || it->is_null()) {
            return no_content();
        }
        ordered_json body;
        body["@odata.context"] =
            request.base_url + "/$metadata#" + table.entity_set + "(" + id + ")/" + odata_name(table, column);
        body["value"] = *it;
        return json_response(200, body);
    }
    if (request.method == "PUT" || request.method == "DELETE") {
        const ColumnDef* definition = column_named(table, column);
        if (definition != nullptr && definition->type == "lookup") {
            throw_bad_request("A lookup is set with @odata.bind, not through its _value property.");
        }
        nlohmann::json value;
        if (request.method == "PUT") {
            nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
            if (body.is_discarded() || !body.is_object() || !body.contains("value")) {
                throw_bad_request("The request body must be a JSON object with a 'value' property.");
            }
            value = checked_value(definition, column, body["value"]);
        }
        tables.run_atomically([&] {
            std::string id = existing_id(tables, table, key);
            tables.update(table.logical_name, id, {{column, value}});
            return true;
        });
        return no_content();
    }
    throw RequestError(405, k_code_bad_request,
                       "The requested resource does not support http method '" + request.method + "'.");
}

HttpResponse retrieve(const Tables& tables, const TableDef& table, const HttpRequest& request, const std::string& key)
{
    nlohmann::json row = existing_row(tables, table, key);
    std::string if_none_match = request.header("if-none-match");
    if (!if_none_match.empty() && if_none_match == etag_of(row)) {
        HttpResponse response;
        response.status = 304;
        return response;
    }
    auto query = parse_query_string(request.query);
    for (const auto& [name, value] : query) {
        if (!name.empty() && name.front() == '$' && name != "$select") {
            throw_bad_request("The query parameter '" + name +
                              "' is not supported on a single record by the emulator.");
        }
    }
    auto select = select_of(query, table);
    ordered_json body;
    body["@odata.context"] = request.base_url + "/$metadata#" + table.entity_set + "/$entity";
    body.update(present(table, row, select.empty() ? nullptr : &select, false, parse_prefer(request)));
    return json_response(200, body);
}

} // namespace

std::optional<HttpResponse> serve_records(Tables& tables, const HttpRequest& request)
{
    auto parts = split_path(request.path);
    if (!parts) {
        return std::nullopt;
    }
    auto table = tables.table_for_set(parts->entity_set);
    if (!table) {
        return std::nullopt;
    }
    try {
        if (parts->property) {
            return serve_property(tables, *table, request, *parts->key, *parts->property);
        }
        if (!parts->key) {
            if (request.method == "GET") {
                return serve_collection(tables, *table, request);
            }
            if (request.method == "POST") {
                return create(tables, *table, request);
            }
        } else if (request.method == "GET") {
            return retrieve(tables, *table, request, *parts->key);
        } else if (request.method == "PATCH") {
            return upsert(tables, *table, request, *parts->key);
        } else if (request.method == "DELETE") {
            tables.run_atomically([&] {
                std::string id = existing_id(tables, *table, *parts->key);
                std::string if_match = request.header("if-match");
                if (!if_match.empty() && if_match != "*" &&
                    if_match != etag_of(*tables.find(table->logical_name, id))) {
                    throw RequestError(
                        412, k_code_version_mismatch,
                        "The version of the existing record doesn't match the RowVersion property provided.");
                }
                tables.erase(table->logical_name, id);
                return true;
            });
            return no_content();
        }
        throw RequestError(405, k_code_bad_request,
                           "The requested resource does not support http method '" + request.method + "'.");
    } catch (const RequestError& error) {
        return odata_error(error.status(), error.code(), error.what());
    }
}

} // namespace escprov::emulator
