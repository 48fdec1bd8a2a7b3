#pragma once
// Pieces the emulator's record layer shares between OData queries, FetchXML and $batch: the
// error a request ends with, URL coding, GUIDs, the Prefer header and comparing column values
// the way Dataverse's SQL collation does (strings and GUIDs without regard to case).

#include "emulators/dataverse/http_types.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace escprov::emulator {

// A request the org refuses: thrown inside the record layer and turned into odata_error(status,
// code, message) at its edge (serve_records).
class RequestError : public std::runtime_error {
public:
    RequestError(int status, std::string code, const std::string& message)
        : std::runtime_error(message), m_status(status), m_code(std::move(code))
    {}
    int status() const { return m_status; }
    const std::string& code() const { return m_code; }

private:
    int m_status;
    std::string m_code;
};

// Dataverse's codes for the refusals the record layer makes.
inline constexpr const char* k_code_does_not_exist = "0x80040217";
inline constexpr const char* k_code_bad_request = "0x80060888";
inline constexpr const char* k_code_duplicate = "0x80040237";
inline constexpr const char* k_code_version_mismatch = "0x80060882";

// A 400 with the OData syntax code: a query or body the org cannot read.
[[noreturn]] void throw_bad_request(const std::string& message);

// %XX sequences decoded; `plus_is_space` also turns '+' into ' ' (query strings, as IIS reads them).
std::string url_decode(std::string_view text, bool plus_is_space);
// Every byte but ASCII letters, digits and "-_.~" as %xx with lower-case hex (Dataverse's cookies).
std::string url_encode(std::string_view text);

// The query string split at '&' into decoded (name, value) pairs, in order.
std::vector<std::pair<std::string, std::string>> parse_query_string(std::string_view raw);

// True for a GUID written 8-4-4-4-12 hex digits, optionally inside braces.
bool is_guid(std::string_view text);
// The GUID without braces, in lower case. Precondition: is_guid(text).
std::string normalise_guid(std::string_view text);
// A new random (version 4) GUID in lower case.
std::string random_guid();

// The Prefer header's preferences: odata.maxpagesize (0 when absent), return=representation,
// odata.continue-on-error and the annotations asked for with odata.include-annotations.
struct Preferences {
    size_t max_page_size = 0;
    bool return_representation = false;
    bool continue_on_error = false;
    std::vector<std::string> annotations; // "*" or names such as "Microsoft.Dynamics.CRM.morerecords"
    bool wants_annotation(std::string_view name) const;
};
Preferences parse_prefer(const HttpRequest& request);

// Compares two column values: numbers numerically (a string holding a number counts as one),
// booleans, and strings without regard to ASCII case. nullopt when either is null or they cannot
// be compared.
std::optional<int> compare_values(const nlohmann::json& a, const nlohmann::json& b);

// A JSON response as the Web API sends one: the status, the body and Dataverse's content type
// and OData-Version headers.
HttpResponse json_response(int status, const nlohmann::ordered_json& body);

} // namespace escprov::emulator
