#pragma once
// FetchXML as the Web API runs it (GET /<set>?fetchXml=…): one <entity> with its attributes,
// filters and orders, and paging by count/page/paging-cookie with Dataverse's cookie annotations.

#include "emulators/dataverse/odata_query.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::emulator {

// Dataverse's default and largest page for FetchXML and OData paging.
inline constexpr size_t k_max_page_size = 5000;

struct FetchQuery {
    std::string entity;
    bool all_attributes = false;
    std::vector<std::string> attributes; // row keys, in the order the fetch names them
    Filter filter;
    std::vector<SortKey> orders;
    size_t count = k_max_page_size; // rows per page
    size_t page = 1;
    std::optional<size_t> top;
    bool return_total_record_count = false;
};

// Parses `xml` for a request on the table `entity` (its logical name); attribute names go through
// `resolve`. Throws RequestError (400) for XML that is not well formed, a different entity, an
// unknown operator or a construct the emulator does not run (link-entity, aggregates).
FetchQuery parse_fetch(std::string_view xml, const std::string& entity, const PropertyResolver& resolve);

// The paging cookie Dataverse returns when more rows follow page `page`:
//   <cookie pagenumber="page+1" pagingcookie="…" istracking="False" />
// where pagingcookie is <cookie page="page"><id last="{LAST}" first="{FIRST}" /></cookie>
// URL-encoded twice. Also the $skiptoken of an OData @odata.nextLink.
std::string paging_cookie(size_t page, const std::string& primary_id, const std::string& first_id,
                          const std::string& last_id);

// The pagenumber of a cookie made by paging_cookie, or nullopt when it holds none.
std::optional<size_t> cookie_page_number(std::string_view cookie);

} // namespace escprov::emulator
