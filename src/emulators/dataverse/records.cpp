// Tables: the org's rows in memory, with an undo journal so that a $batch change set can be
// taken back whole.

#include "emulators/dataverse/records.hpp"

#include "emulators/dataverse/record_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <unordered_map>

namespace escprov::emulator {

namespace {

struct Table {
    TableDef def;
    std::vector<std::pair<std::string, nlohmann::json>> rows; // (id, row), in insertion order
    std::unordered_map<std::string, size_t> index;            // id -> position in rows

    void reindex()
    {
        index.clear();
        for (size_t i = 0; i < rows.size(); ++i) {
            index.emplace(rows[i].first, i);
        }
    }
};

// How to put one row back: its table, id, place and content before the write (nullopt: it did
// not exist).
struct Undo {
    std::string table;
    std::string id;
    size_t position = 0;
    std::optional<nlohmann::json> before;
};

std::string key_of(const std::string& id)
{
    return is_guid(id) ? normalise_guid(id) : id;
}

} // namespace

struct Tables::Impl {
    mutable std::recursive_mutex mutex;
    std::map<std::string, Table> tables;  // by logical name
    uint64_t version = 1000;              // the last versionnumber given to a row
    std::vector<Undo>* journal = nullptr; // set while run_atomically runs

    Table& table_or_throw(const std::string& logical_name)
    {
        auto it = tables.find(logical_name);
        if (it == tables.end()) {
            throw std::runtime_error("the org has no table '" + logical_name + "'");
        }
        return it->second;
    }

    void remember(const std::string& table, const std::string& id, size_t position,
                  std::optional<nlohmann::json> before)
    {
        if (journal != nullptr) {
            journal->push_back({table, id, position, std::move(before)});
        }
    }

    void roll_back(std::vector<Undo>& undo)
    {
        for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
            auto table_it = tables.find(it->table);
            if (table_it == tables.end()) {
                continue; // dropped meanwhile; definitions are not undone
            }
            Table& table = table_it->second;
            auto row = table.index.find(it->id);
            if (!it->before) {
                if (row != table.index.end()) {
                    table.rows.erase(table.rows.begin() + static_cast<std::ptrdiff_t>(row->second));
                    table.reindex();
                }
            } else if (row != table.index.end()) {
                table.rows[row->second].second = *it->before;
            } else {
                size_t position = std::min(it->position, table.rows.size());
                table.rows.insert(table.rows.begin() + static_cast<std::ptrdiff_t>(position), {it->id, *it->before});
                table.reindex();
            }
        }
    }
};

Tables::Tables() : m_impl(std::make_unique<Impl>()) {}
Tables::~Tables() = default;

void Tables::define(const TableDef& table)
{
    std::lock_guard lock(m_impl->mutex);
    auto [it, added] = m_impl->tables.try_emplace(table.logical_name);
    TableDef& def = it->second.def;
    if (added) {
        def = table;
        def.columns.clear();
    }
    std::vector<ColumnDef> wanted = table.columns;
    if (std::none_of(wanted.begin(), wanted.end(),
                     [&](const ColumnDef& c) { return c.logical_name == table.primary_id; })) {
        wanted.insert(wanted.begin(), {table.primary_id, "guid", ""});
    }
    for (const auto& column : wanted) {
        if (std::none_of(def.columns.begin(), def.columns.end(),
                         [&](const ColumnDef& c) { return c.logical_name == column.logical_name; })) {
            def.columns.push_back(column);
        }
    }
}

void Tables::drop(const std::string& logical_name)
{
    std::lock_guard lock(m_impl->mutex);
    m_impl->tables.erase(logical_name);
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
        if (table.def.entity_set == entity_set) {
            return table.def;
        }
    }
    return std::nullopt;
}

std::optional<TableDef> Tables::table(const std::string& logical_name) const
{
    std::lock_guard lock(m_impl->mutex);
    auto it = m_impl->tables.find(logical_name);
    if (it == m_impl->tables.end()) {
        return std::nullopt;
    }
    return it->second.def;
}

std::string Tables::insert(const std::string& logical_name, const nlohmann::json& row)
{
    std::lock_guard lock(m_impl->mutex);
    Table& table = m_impl->table_or_throw(logical_name);
    nlohmann::json data = row.is_object() ? row : nlohmann::json::object();
    const std::string& primary = table.def.primary_id;
    std::string id;
    if (data.contains(primary) && data[primary].is_string() && !data[primary].get<std::string>().empty()) {
        id = key_of(data[primary].get<std::string>());
    } else {
        id = random_guid();
    }
    if (table.index.count(id) != 0) {
        throw std::runtime_error("table '" + logical_name + "' already has a row with id " + id);
    }
    data[primary] = id;
    data["versionnumber"] = ++m_impl->version;
    table.rows.emplace_back(id, std::move(data));
    table.index.emplace(id, table.rows.size() - 1);
    m_impl->remember(logical_name, id, table.rows.size() - 1, std::nullopt);
    return id;
}

bool Tables::update(const std::string& logical_name, const std::string& id, const nlohmann::json& changes)
{
    std::lock_guard lock(m_impl->mutex);
    auto table_it = m_impl->tables.find(logical_name);
    if (table_it == m_impl->tables.end()) {
        return false;
    }
    Table& table = table_it->second;
    auto row = table.index.find(key_of(id));
    if (row == table.index.end()) {
        return false;
    }
    nlohmann::json& data = table.rows[row->second].second;
    m_impl->remember(logical_name, row->first, row->second, data);
    for (const auto& [key, value] : changes.items()) {
        if (key != table.def.primary_id) {
            data[key] = value;
        }
    }
    data["versionnumber"] = ++m_impl->version;
    return true;
}

bool Tables::erase(const std::string& logical_name, const std::string& id)
{
    std::lock_guard lock(m_impl->mutex);
    auto table_it = m_impl->tables.find(logical_name);
    if (table_it == m_impl->tables.end()) {
        return false;
    }
    Table& table = table_it->second;
    auto row = table.index.find(key_of(id));
    if (row == table.index.end()) {
        return false;
    }
    size_t position = row->second;
    m_impl->remember(logical_name, row->first, position, table.rows[position].second);
    table.rows.erase(table.rows.begin() + static_cast<std::ptrdiff_t>(position));
    table.reindex();
    return true;
}

std::optional<nlohmann::json> Tables::find(const std::string& logical_name, const std::string& id) const
{
    std::lock_guard lock(m_impl->mutex);
    auto table_it = m_impl->tables.find(logical_name);
    if (table_it == m_impl->tables.end()) {
        return std::nullopt;
    }
    const Table& table = table_it->second;
    auto row = table.index.find(key_of(id));
    if (row == table.index.end()) {
        return std::nullopt;
    }
    return table.rows[row->second].second;
}

std::vector<nlohmann::json> Tables::rows(const std::string& logical_name) const
{
    std::lock_guard lock(m_impl->mutex);
    std::vector<nlohmann::json> out;
    auto table_it = m_impl->tables.find(logical_name);
    if (table_it != m_impl->tables.end()) {
        out.reserve(table_it->second.rows.size());
        for (const auto& [id, row] : table_it->second.rows) {
            out.push_back(row);
        }
    }
    return out;
}

void Tables::run_atomically(const std::function<bool()>& body)
{
    std::lock_guard lock(m_impl->mutex);
    std::vector<Undo> own;
    bool outermost = m_impl->journal == nullptr;
    if (outermost) {
        m_impl->journal = &own;
    }
    std::vector<Undo>& journal = *m_impl->journal;
    size_t mark = journal.size(); // a nested call takes back only its own writes
    auto take_back = [&] {
        std::vector<Undo> tail(journal.begin() + static_cast<std::ptrdiff_t>(mark), journal.end());
        journal.erase(journal.begin() + static_cast<std::ptrdiff_t>(mark), journal.end());
        m_impl->roll_back(tail);
    };
    bool keep = false;
    try {
        keep = body();
    } catch (...) {
        take_back();
        if (outermost) {
            m_impl->journal = nullptr;
        }
        throw;
    }
    if (!keep) {
        take_back();
    }
    if (outermost) {
        m_impl->journal = nullptr;
    }
}

} // namespace escprov::emulator
