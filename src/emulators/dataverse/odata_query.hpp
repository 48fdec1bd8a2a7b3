#pragma once
// The record layer's queries: a filter tree that both OData's $filter and FetchXML's <filter>
// become, sort orders, and the parsers for $filter, $orderby and $select.

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::emulator {

// A comparison a row's column value is tested with. String tests ignore ASCII case, as
// Dataverse's collation does.
enum class FilterOp { eq, ne, gt, ge, lt, le, contains, startswith, endswith, like, in, is_null };

struct Filter {
    enum class Kind { all, any, negate, test };
    Kind kind = Kind::all; // an empty `all` matches every row
    std::vector<Filter> children;
    FilterOp op = FilterOp::eq;
    std::string column;                 // the row's key (a lookup's logical name, not _x_value)
    std::vector<nlohmann::json> values; // one, or several for `in`; none for is_null
};

// A group of filters (all, any, or negate with one child).
Filter filter_group(Filter::Kind kind, std::vector<Filter> children);
// A test of one column.
Filter filter_test(FilterOp op, std::string column, std::vector<nlohmann::json> values);

struct SortKey {
    std::string column;
    bool descending = false;
};

// Maps a property as the client names it ("name", "_parentcustomerid_value") to the row's key.
// Throws RequestError (400, "Could not find a property named …") for a property the table lacks.
using PropertyResolver = std::function<std::string(std::string_view)>;

// Parses a $filter expression: eq ne gt ge lt le, and or not, parentheses, contains/startswith/
// endswith, literals null, true/false, numbers, GUIDs and 'strings' (with '' for a quote).
// Throws RequestError (400) on a syntax error or an unsupported construct.
Filter parse_filter(std::string_view text, const PropertyResolver& resolve);

// Parses "$orderby=name asc,createdon desc". Throws RequestError (400).
std::vector<SortKey> parse_orderby(std::string_view text, const PropertyResolver& resolve);

// Parses "$select=a,b" into the row keys. Throws RequestError (400).
std::vector<std::string> parse_select(std::string_view text, const PropertyResolver& resolve);

// True when `row` (a JSON object keyed by logical name) passes `filter`.
bool matches(const Filter& filter, const nlohmann::json& row);

// True when `a` sorts before `b` under `keys` (nulls first when ascending, as SQL Server does).
bool sorts_before(const std::vector<SortKey>& keys, const nlohmann::json& a, const nlohmann::json& b);

} // namespace escprov::emulator
