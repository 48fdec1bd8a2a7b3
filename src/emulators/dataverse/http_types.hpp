#pragma once
// The emulator's own view of one HTTP exchange, independent of the HTTP library, so that the
// record layer (records.hpp) and $batch can be driven and tested without a socket.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace escprov::emulator {

struct HttpRequest {
    std::string method;                              // "GET", "POST", "PATCH", "PUT", "DELETE"
    std::string path;                                // after the Web API base: "/accounts(…)", "/$batch"
    std::string query;                               // the raw query string without '?', still %-encoded
    std::multimap<std::string, std::string> headers; // names in lower case
    std::string body;
    std::string base_url; // the Web API base as the client addressed it: "http://127.0.0.1:4711/api/data/v9.2"

    // The first value of header `name` (lower case), or "" when absent.
    std::string header(const std::string& name) const
    {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct HttpResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

// A Web API error response: {"error":{"code":"0x…","message":"…"}} with this status.
HttpResponse odata_error(int status, const std::string& code, const std::string& message);

} // namespace escprov::emulator
