#pragma once
// How the record layer names and shows a table's columns: the properties a client may use in
// queries and bodies, and a row as the Web API returns it.

#include "emulators/dataverse/odata_query.hpp"
#include "emulators/dataverse/record_support.hpp"
#include "emulators/dataverse/records.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace escprov::emulator {

// The column named `name`, or nullptr.
const ColumnDef* column_named(const TableDef& table, std::string_view name);

// True for a table defined with no column but its id (the emulator's own bookkeeping tables may
// be): it takes any property. Other tables take only the properties they define.
bool open_schema(const TableDef& table);

// The OData name of the row key `key`: lookups read as _x_value.
std::string odata_name(const TableDef& table, const std::string& key);

// Resolves OData property names (lookups only as _x_value; versionnumber). The resolver refers
// to `table`, which must outlive it. Throws RequestError 400 "Could not find a property named …".
PropertyResolver odata_resolver(const TableDef& table);

// Resolves FetchXML attribute names (logical names, lookups too). Throws RequestError 400.
PropertyResolver fetch_resolver(const TableDef& table);

// Throws RequestError(404, code, "<logical name> With Id = <id> Does Not Exist").
[[noreturn]] void throw_does_not_exist(const TableDef& table, const std::string& id, const std::string& code);

// The row's @odata.etag: W/"<versionnumber>".
std::string etag_of(const nlohmann::json& row);

// A row as the Web API returns it: @odata.etag, then the columns of `select` (and the primary id
// always), or every column when `select` is null. `skip_nulls` leaves out null values, as
// FetchXML results do. A lookup's lookuplogicalname annotation is added when asked for.
nlohmann::ordered_json present(const TableDef& table, const nlohmann::json& row, const std::vector<std::string>* select,
                               bool skip_nulls, const Preferences& preferences);

// Serves GET on the entity set: OData query options or fetchXml, paged (record_query.cpp).
// Throws RequestError.
HttpResponse serve_collection(const Tables& tables, const TableDef& table, const HttpRequest& request);

} // namespace escprov::emulator
