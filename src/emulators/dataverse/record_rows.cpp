#include "emulators/dataverse/record_rows.hpp"

#include <algorithm>

namespace escprov::emulator {

namespace {

using ordered_json = nlohmann::ordered_json;

[[noreturn]] void throw_no_property(const TableDef& table, std::string_view name)
{
    throw_bad_request("Could not find a property named '" + std::string(name) + "' on type 'Microsoft.Dynamics.CRM." +
                      table.logical_name + "'.");
}

} // namespace

const ColumnDef* column_named(const TableDef& table, std::string_view name)
{
    auto it = std::find_if(table.columns.begin(), table.columns.end(),
                           [&](const ColumnDef& column) { return column.logical_name == name; });
    return it == table.columns.end() ? nullptr : &*it;
}

bool open_schema(const TableDef& table)
{
    return table.columns.size() <= 1;
}

// The OData name of a column: lookups read as _x_value.
std::string odata_name(const TableDef& table, const std::string& key)
{
    const ColumnDef* column = column_named(table, key);
    return column != nullptr && column->type == "lookup" ? "_" + key + "_value" : key;
}

PropertyResolver odata_resolver(const TableDef& table)
{
    return [&table](std::string_view name) -> std::string {
        if (name.size() > 7 && name.front() == '_' && name.substr(name.size() - 6) == "_value") {
            std::string inner(name.substr(1, name.size() - 7));
            const ColumnDef* column = column_named(table, inner);
            if ((column != nullptr && column->type == "lookup") || (column == nullptr && open_schema(table))) {
                return inner;
            }
            throw_no_property(table, name);
        }
        const ColumnDef* column = column_named(table, name);
        if ((column != nullptr && column->type != "lookup") || name == "versionnumber" ||
            (column == nullptr && open_schema(table))) {
            return std::string(name);
        }
        throw_no_property(table, name);
    };
}

PropertyResolver fetch_resolver(const TableDef& table)
{
    return [&table](std::string_view name) -> std::string {
        if (column_named(table, name) != nullptr || name == "versionnumber" || open_schema(table)) {
            return std::string(name);
        }
        throw_bad_request("'" + table.logical_name + "' entity doesn't contain attribute with Name = '" +
                          std::string(name) + "' and NameMapping = 'Logical'.");
    };
}

[[noreturn]] void throw_does_not_exist(const TableDef& table, const std::string& id, const std::string& code)
{
    throw RequestError(404, code, table.logical_name + " With Id = " + id + " Does Not Exist");
}

std::string etag_of(const nlohmann::json& row)
{
    auto it = row.find("versionnumber");
    return "W/\"" + (it == row.end() ? std::string("0") : it->dump()) + "\"";
}

// A row as the Web API returns it: @odata.etag, then `select` (the id always), or every column.
// FetchXML leaves out null values (`skip_nulls`).
ordered_json present(const TableDef& table, const nlohmann::json& row, const std::vector<std::string>* select,
                     bool skip_nulls, const Preferences& preferences)
{
    ordered_json out;
    out["@odata.etag"] = etag_of(row);
    std::vector<std::string> keys;
    if (select != nullptr) {
        keys = *select;
        if (std::find(keys.begin(), keys.end(), table.primary_id) == keys.end()) {
            keys.push_back(table.primary_id);
        }
    } else {
        for (const auto& column : table.columns) {
            keys.push_back(column.logical_name);
        }
        for (const auto& [key, value] : row.items()) {
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
                keys.push_back(key);
            }
        }
    }
    for (const auto& key : keys) {
        auto it = row.find(key);
        nlohmann::json value = it == row.end() ? nlohmann::json() : *it;
        if (skip_nulls && value.is_null()) {
            continue;
        }
        std::string name = odata_name(table, key);
        out[name] = value;
        const ColumnDef* column = column_named(table, key);
        if (column != nullptr && column->type == "lookup" && !value.is_null() && !column->target.empty() &&
            preferences.wants_annotation("Microsoft.Dynamics.CRM.lookuplogicalname")) {
            out[name + "@Microsoft.Dynamics.CRM.lookuplogicalname"] = column->target;
        }
    }
    return out;
}

} // namespace escprov::emulator
