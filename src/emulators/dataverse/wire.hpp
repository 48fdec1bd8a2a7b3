#pragma once
// Small wire helpers the emulator's units share: base64, %-decoding, query strings and forms,
// GUIDs, timestamps, and the JSON answer every Web API response is built with.

#include "emulators/dataverse/http_types.hpp"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace escprov::emulator {

// Standard base64 with padding.
std::string base64_encode(std::string_view bytes);
// Decodes standard base64 (white space ignored); nullopt when `text` is not base64.
std::optional<std::string> base64_decode(std::string_view text);

// Decodes %XX escapes; with `plus_is_space`, '+' becomes ' ' (forms and query strings).
std::string percent_decode(std::string_view text, bool plus_is_space);
// "a=1&b=x%20y" -> {a:1, b:"x y"}; the first value of a repeated name wins.
std::map<std::string, std::string> parse_form(std::string_view text);

// A random version-4 GUID in lower case, without braces.
std::string new_guid();
// A GUID derived from `name` (the same name gives the same GUID), for ids that must be stable.
std::string stable_guid(std::string_view name);
// The GUID in "(…)" or "{…}" or bare, normalised to lower case without braces; "" when none.
std::string guid_text(std::string_view text);
// The current UTC time as CRM writes it in JSON: "2026-12-03T20:23:13Z".
std::string utc_now();

// A 200 (or `status`) JSON answer with the OData headers and "@odata.context" set to
// `{base_url}/$metadata#{context}` when `context` is not empty.
HttpResponse json_response(const HttpRequest& request, nlohmann::json body, const std::string& context,
                           int status = 200);
// A 204 answer with the OData headers.
HttpResponse no_content();

// The Web API major.minor of an org version ("8.2") as a comparable number (82).
int version_number(std::string_view major_minor);

} // namespace escprov::emulator
