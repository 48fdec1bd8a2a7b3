// TEMPORARY: a minimal Tables, serve_records and serve_batch so the emulator runs before the
// records layer (records.cpp, batch.cpp, odata*.cpp, fetchxml*.cpp) lands. The lead deletes this
// file when merging that work. It answers GET of an entity set with $select and one
// "$filter=column eq 'value'", and GET of one row by id.

#include "emulators/dataverse/records.hpp"
#include "emulators/dataverse/wire.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>

namespace escprov::emulator {

struct Tables::Impl {
    mutable std::mutex mutex;
    std::map<std::string, TableDef> tables;
    std::map<std::string, std::vector<nlohmann::json>> rows;
};

Tables::Tables() : m_impl(std::make_unique<Impl>()) {}
Tables::~Tables() = default;

void Tables::define(const TableDef& table)
{
    std::lock_guard lock(m_impl->mutex);
    auto& mine = m_impl->tables[table.logical_name];
    if (mine.logical_name.empty()) {
        mine = table;
        return;
    }
    for (const auto& column : table.columns) {
        if (std::none_of(mine.columns.begin(), mine.columns.end(),
                         [&](const ColumnDef& c) { return c.logical_name == column.logical_name; })) {
            mine.columns.push_back(column);
        }
    }
}

void Tables::drop(const std::string& logical_name)
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->tables.erase(logical_name);
    m_impl->rows.erase(logical_name);
}

bool Tables::has_table(const std::string& logical_name) const
{
    std::lock_guard lock(m_impl->mutex);
    return m_impl->tables.count(logical_name) != 0;
}

std::optional<TableDef> Tables::table_for_set(const std::string& entity_set) const
{
    std::lock_guard lock(m_impl->mutex);
    for (const auto& [name, table] : m_impl->tables) {
        if (table.entity_set == entity_set) {
            return table;
        }
    }
    return std::nullopt;
}

std::optional<TableDef> Tables::table(const std::string& logical_name) const
{
    std::lock_guard lock(m_impl->mutex);
    auto it = m_impl->tables.find(logical_name);
    return it == m_impl->tables.end() ? std::nullopt : std::optional<TableDef>(it->second);
}

std::string Tables::insert(const std::string& logical_name, const nlohmann::json& row)
{
    std::lock_guard lock(m_impl->mutex);
    auto it = m_impl->tables.find(logical_name);
    std::string key = it != m_impl->tables.end() ? it->second.primary_id : logical_name + "id";
    nlohmann::json copy = row;
    if (!copy.contains(key) || !copy[key].is_string()) {
        copy[key] = new_guid();
    }
    std::string id = copy[key].get<std::string>();
    m_impl->rows[logical_name].push_back(std::move(copy));
    return id;
}

bool Tables::update(const std::string& logical_name, const std::string& id, const nlohmann::json& changes)
{
    std::lock_guard lock(m_impl->mutex);
    std::string key = logical_name + "id";
    for (auto& row : m_impl->rows[logical_name]) {
        if (row.value(key, "") == id) {
            row.update(changes);
            return true;
        }
    }
    return false;
}

bool Tables::erase(const std::string& logical_name, const std::string& id)
{
    std::lock_guard lock(m_impl->mutex);
    std::string key = logical_name + "id";
    return std::erase_if(m_impl->rows[logical_name],
                         [&](const nlohmann::json& row) { return row.value(key, "") == id; }) > 0;
}

std::optional<nlohmann::json> Tables::find(const std::string& logical_name, const std::string& id) const
{
    std::lock_guard lock(m_impl->mutex);
    std::string key = logical_name + "id";
    auto it = m_impl->rows.find(logical_name);
    if (it == m_impl->rows.end()) {
        return std::nullopt;
    }
    for (const auto& row : it->second) {
        if (row.value(key, "") == id) {
            return row;
        }
    }
    return std::nullopt;
}

std::vector<nlohmann::json> Tables::rows(const std::string& logical_name) const
{
    std::lock_guard lock(m_impl->mutex);
    auto it = m_impl->rows.find(logical_name);
    return it == m_impl->rows.end() ? std::vector<nlohmann::json>() : it->second;
}

namespace {

nlohmann::json selected(const nlohmann::json& row, const std::string& select)
{
    if (select.empty()) {
        return row;
    }
    nlohmann::json out = nlohmann::json::object();
    size_t start = 0;
    while (start <= select.size()) {
        size_t end = select.find(',', start);
        std::string column = select.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (row.contains(column)) {
            out[column] = row[column];
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

} // namespace

std::optional<HttpResponse> serve_records(Tables& tables, const HttpRequest& request)
{
    std::string path = request.path.substr(1);
    size_t open = path.find('(');
    std::string set = path.substr(0, open);
    auto table = tables.table_for_set(set);
    if (!table) {
        return std::nullopt;
    }
    if (request.method != "GET") {
        return odata_error(501, "", "The records stub serves GET only.");
    }
    auto query = parse_form(request.query);
    std::string select = query["$select"];
    if (open != std::string::npos) {
        std::string id = guid_text(path.substr(open));
        auto row = tables.find(table->logical_name, id);
        if (!row) {
            return odata_error(404, "0x80040217", table->logical_name + " With Id = " + id + " Does Not Exist");
        }
        return json_response(request, selected(*row, select), set + "/$entity");
    }
    std::string filter = query["$filter"];
    std::string column;
    std::string value;
    if (size_t eq = filter.find(" eq "); eq != std::string::npos) {
        column = filter.substr(0, eq);
        value = filter.substr(eq + 4);
        if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
            value = value.substr(1, value.size() - 2);
        }
    }
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& row : tables.rows(table->logical_name)) {
        if (!column.empty()) {
            auto it = row.find(column);
            if (it == row.end()) {
                continue;
            }
            std::string text = it->is_string() ? it->get<std::string>() : it->dump();
            if (text != value) {
                continue;
            }
        }
        rows.push_back(selected(row, select));
    }
    return json_response(request, {{"value", rows}}, set);
}

HttpResponse serve_batch(const HttpRequest& /*request*/,
                         const std::function<HttpResponse(const HttpRequest&)>& /*dispatch*/)
{
    return odata_error(501, "", "$batch is not served by the records stub.");
}

} // namespace escprov::emulator
