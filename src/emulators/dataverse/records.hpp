#pragma once
// The org's records, as the Web API serves them: tables (one per entity, by logical name and entity
// set), rows as JSON objects, and the OData subset clients use on them: create, retrieve, update,
// upsert, delete; $select, $filter, $orderby, $top, $count; paging with Prefer: odata.maxpagesize
// and @odata.nextLink; FetchXML with paging cookies; $batch with change sets. Thread-safe: the
// emulator's HTTP threads and its import worker share one Tables.

#include "emulators/dataverse/http_types.hpp"

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace escprov::emulator {

struct ColumnDef {
    std::string logical_name;
    std::string type;   // "string", "memo", "int", "decimal", "double", "bool", "datetime", "guid",
                        // "lookup", "picklist", "money"
    std::string target; // for a lookup: the logical name of the table it points at
};

struct TableDef {
    std::string logical_name;       // "account"
    std::string entity_set;         // "accounts"
    std::string primary_id;         // "accountid"
    std::string primary_name;       // "name"; may be empty
    std::vector<ColumnDef> columns; // the primary id is added when missing
};

class Tables {
public:
    Tables();
    ~Tables();
    Tables(const Tables&) = delete;
    Tables& operator=(const Tables&) = delete;

    // Adds the table, or adds the columns it lacks when it exists (an import that extends an entity).
    void define(const TableDef& table);
    // Removes a table and its rows (an uninstalled solution's entity).
    void drop(const std::string& logical_name);
    bool has_table(const std::string& logical_name) const;
    // The table serving `entity_set`, or nullopt.
    std::optional<TableDef> table_for_set(const std::string& entity_set) const;
    std::optional<TableDef> table(const std::string& logical_name) const;

    // Direct access for the emulator's own state (solutions, importjobs, asyncoperations): `row` is
    // a JSON object keyed by logical name, a lookup's value being the GUID it points at; the primary
    // id is generated when absent (GUIDs are kept in lower case). Every write sets the row's
    // `versionnumber` to a number higher than any before (its @odata.etag). Returns the id. Throws
    // std::runtime_error when the table is not defined or a row with that id exists.
    std::string insert(const std::string& logical_name, const nlohmann::json& row);
    // Merges `changes` into the row; false when there is no such row.
    bool update(const std::string& logical_name, const std::string& id, const nlohmann::json& changes);
    bool erase(const std::string& logical_name, const std::string& id);
    // A copy of the row, or nullopt.
    std::optional<nlohmann::json> find(const std::string& logical_name, const std::string& id) const;
    // Every row of the table, in insertion order (copies).
    std::vector<nlohmann::json> rows(const std::string& logical_name) const;

    // Runs `body` holding the tables exclusively: no other thread reads or writes until it ends.
    // When `body` returns false or throws, every row written inside it (insert, update, erase) is
    // put back as it was and the exception, if any, propagates. Table definitions (define, drop)
    // are not undone. A nested call that fails takes back only its own writes.
    void run_atomically(const std::function<bool()>& body);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Serves a request on an entity set ("/accounts", "/accounts(<id>)", "/accounts(<id>)/name",
// "/contacts?fetchXml=…"). Returns nullopt when the path names no table, or names a function or
// action ("/systemusers(<id>)/Microsoft.Dynamics.CRM.X()"): the caller answers 404 or tries its
// other routes. Refusals come back as odata_error responses; JSON answers carry Content-Type
// (odata.metadata=minimal) and OData-Version. The caller checks authentication and headers.
std::optional<HttpResponse> serve_records(Tables& tables, const HttpRequest& request);

// Serves POST /$batch: splits the multipart body, hands each part (outside change sets in order;
// inside a change set atomically, with Content-ID references) to `dispatch`, and assembles the
// multipart response. Honours Prefer: odata.continue-on-error.
// Change sets are not rolled back by this form (it has no tables to undo): use the next one.
HttpResponse serve_batch(const HttpRequest& request, const std::function<HttpResponse(const HttpRequest&)>& dispatch);
// The same, with each change set run inside tables.run_atomically: a change set with a failing
// request leaves no write of its earlier requests behind, as Dataverse's transaction does.
HttpResponse serve_batch(Tables& tables, const HttpRequest& request,
                         const std::function<HttpResponse(const HttpRequest&)>& dispatch);

} // namespace escprov::emulator
