// GET on an entity set: the OData query options ($select, $filter, $orderby, $top, $count) with
// paging by Prefer: odata.maxpagesize and $skiptoken, or a fetchXml query with count/page/paging
// cookies, as Dataverse answers them.

#include "emulators/dataverse/fetchxml.hpp"
#include "emulators/dataverse/record_rows.hpp"

#include <algorithm>
#include <charconv>

namespace escprov::emulator {

namespace {

using ordered_json = nlohmann::ordered_json;

// The rows of the table that pass `filter`, sorted by `orders` (insertion order among equals).
std::vector<nlohmann::json> select_rows(const Tables& tables, const TableDef& table, const Filter& filter,
                                        const std::vector<SortKey>& orders)
{
    std::vector<nlohmann::json> rows;
    for (auto& row : tables.rows(table.logical_name)) {
        if (matches(filter, row)) {
            rows.push_back(std::move(row));
        }
    }
    if (!orders.empty()) {
        std::stable_sort(rows.begin(), rows.end(),
                         [&](const nlohmann::json& a, const nlohmann::json& b) { return sorts_before(orders, a, b); });
    }
    return rows;
}

std::string id_of(const TableDef& table, const nlohmann::json& row)
{
    return row.at(table.primary_id).get<std::string>();
}

std::string context_of(const HttpRequest& request, const TableDef& table, const std::vector<std::string>& select)
{
    std::string context = request.base_url + "/$metadata#" + table.entity_set;
    if (!select.empty()) {
        context += "(";
        for (size_t i = 0; i < select.size(); ++i) {
            context += (i == 0 ? "" : ",") + odata_name(table, select[i]);
        }
        context += ")";
    }
    return context;
}

size_t whole_number(const std::string& name, const std::string& text)
{
    size_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        throw_bad_request("Invalid value '" + text + "' for the query option '" + name + "'.");
    }
    return value;
}

HttpResponse serve_fetch(const Tables& tables, const TableDef& table, const HttpRequest& request,
                         const std::string& fetch_xml)
{
    FetchQuery fetch = parse_fetch(fetch_xml, table.logical_name, fetch_resolver(table));
    auto rows = select_rows(tables, table, fetch.filter, fetch.orders);
    size_t total = rows.size();
    size_t offset = 0;
    size_t size = fetch.top ? *fetch.top : fetch.count;
    if (!fetch.top) {
        offset = std::min(total, (fetch.page - 1) * fetch.count);
    }
    size_t end = std::min(total, offset + size);
    bool more = !fetch.top && end < total;
    Preferences preferences = parse_prefer(request);

    ordered_json body;
    body["@odata.context"] =
        context_of(request, table, fetch.all_attributes ? std::vector<std::string>() : fetch.attributes);
    if (fetch.return_total_record_count) {
        body["@Microsoft.Dynamics.CRM.totalrecordcount"] = std::min(total, k_max_page_size);
        body["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"] = total > k_max_page_size;
    }
    if (more) {
        // Dataverse sends the cookie whenever more rows follow, asked for or not; clients page on it.
        body["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"] =
            paging_cookie(fetch.page, table.primary_id, id_of(table, rows[offset]), id_of(table, rows[end - 1]));
    }
    if (preferences.wants_annotation("Microsoft.Dynamics.CRM.morerecords")) {
        body["@Microsoft.Dynamics.CRM.morerecords"] = more;
    }
    ordered_json value = ordered_json::array();
    for (size_t i = offset; i < end; ++i) {
        value.push_back(present(table, rows[i], fetch.all_attributes ? nullptr : &fetch.attributes, true, preferences));
    }
    body["value"] = std::move(value);
    return json_response(200, body);
}

} // namespace

HttpResponse serve_collection(const Tables& tables, const TableDef& table, const HttpRequest& request)
{
    auto query = parse_query_string(request.query);
    PropertyResolver resolve = odata_resolver(table);
    std::vector<std::string> select;
    Filter filter;
    std::vector<SortKey> orders;
    std::optional<size_t> top;
    bool count = false;
    size_t page = 1;
    std::optional<std::string> fetch_xml;
    bool odata_options = false;
    for (const auto& [name, value] : query) {
        if (name == "$select") {
            select = parse_select(value, resolve);
        } else if (name == "$filter") {
            filter = parse_filter(value, resolve);
        } else if (name == "$orderby") {
            orders = parse_orderby(value, resolve);
        } else if (name == "$top") {
            top = whole_number(name, value);
        } else if (name == "$count") {
            if (value != "true" && value != "false") {
                throw_bad_request("Invalid value '" + value + "' for the query option '$count'.");
            }
            count = value == "true";
        } else if (name == "$skiptoken") {
            auto number = cookie_page_number(value);
            if (!number) {
                throw_bad_request("The $skiptoken '" + value + "' is not one this org issued.");
            }
            page = *number;
        } else if (name == "fetchXml") {
            fetch_xml = value;
            continue;
        } else if (name == "$expand" || name == "$apply" || name == "$search") {
            throw RequestError(501, k_code_bad_request,
                               "The query option '" + name + "' is not supported by the emulator.");
        } else if (!name.empty() && name.front() == '$') {
            throw_bad_request("The query parameter " + name + " is not supported");
        } else {
            continue; // parameter aliases (@p1) and other parameters
        }
        odata_options = true;
    }
    if (fetch_xml) {
        if (odata_options) {
            throw_bad_request("A fetchXml query cannot be combined with OData query options.");
        }
        return serve_fetch(tables, table, request, *fetch_xml);
    }

    auto rows = select_rows(tables, table, filter, orders);
    size_t total = rows.size();
    Preferences preferences = parse_prefer(request);
    size_t page_size = k_max_page_size;
    if (preferences.max_page_size > 0 && !top) {
        page_size = std::min(preferences.max_page_size, k_max_page_size);
    }
    size_t offset = top ? 0 : std::min(total, (page - 1) * page_size);
    size_t end = top ? std::min(total, *top) : std::min(total, offset + page_size);

    ordered_json body;
    body["@odata.context"] = context_of(request, table, select);
    if (count) {
        body["@odata.count"] = std::min(top ? end : total, k_max_page_size);
    }
    ordered_json value = ordered_json::array();
    for (size_t i = offset; i < end; ++i) {
        value.push_back(present(table, rows[i], select.empty() ? nullptr : &select, false, preferences));
    }
    body["value"] = std::move(value);
    if (!top && end < total) {
        // The next page's link repeats the query, as sent, with the token of the following page.
        std::string link = request.base_url + request.path + "?";
        size_t start = 0;
        std::string_view raw(request.query);
        while (start <= raw.size()) {
            size_t amp = raw.find('&', start);
            std::string_view item =
                raw.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
            std::string name = url_decode(item.substr(0, item.find('=')), true);
            if (!item.empty() && name != "$skiptoken") {
                link.append(item).push_back('&');
            }
            if (amp == std::string_view::npos) {
                break;
            }
            start = amp + 1;
        }
        link += "$skiptoken=" + url_encode(paging_cookie(page, table.primary_id, id_of(table, rows[offset]),
                                                         id_of(table, rows[end - 1])));
        body["@odata.nextLink"] = link;
    }
    HttpResponse response = json_response(200, body);
    if (preferences.max_page_size > 0 && !top) {
        response.headers.emplace_back("Preference-Applied", "odata.maxpagesize=" + std::to_string(page_size));
    }
    return response;
}

} // namespace escprov::emulator
