// POST /$batch: a multipart/mixed body of requests, some grouped in change sets, answered with a
// multipart/mixed body of responses, as Dataverse's OData batch endpoint does.

#include "emulators/dataverse/record_support.hpp"
#include "emulators/dataverse/records.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <map>

namespace escprov::emulator {

namespace {

// At most this many requests in one batch, as Dataverse allows.
constexpr size_t k_max_batch_requests = 1000;

struct BatchRequest {
    HttpRequest request;
    std::string content_id; // inside a change set
};

struct BatchItem {
    std::vector<BatchRequest> requests; // one, or a change set's
    bool change_set = false;
};

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return text;
}

std::string trim(std::string_view text)
{
    auto begin = text.find_first_not_of(" \t\r");
    if (begin == std::string_view::npos) {
        return {};
    }
    auto end = text.find_last_not_of(" \t\r");
    return std::string(text.substr(begin, end - begin + 1));
}

// Reads lines ending in CRLF or LF.
class Lines {
public:
    explicit Lines(std::string_view text) : m_text(text) {}
    bool done() const { return m_next >= m_text.size(); }
    std::string_view next()
    {
        size_t end = m_text.find('\n', m_next);
        std::string_view line =
            m_text.substr(m_next, end == std::string_view::npos ? std::string_view::npos : end - m_next);
        m_next = end == std::string_view::npos ? m_text.size() : end + 1;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        return line;
    }
    std::string_view rest() const { return m_next >= m_text.size() ? std::string_view() : m_text.substr(m_next); }

private:
    std::string_view m_text;
    size_t m_next = 0;
};

// The boundary parameter of a multipart content type, or "".
std::string boundary_of(const std::string& content_type)
{
    std::string lowered = lower(content_type);
    if (lowered.rfind("multipart/mixed", 0) != 0) {
        return {};
    }
    auto at = lowered.find("boundary=");
    if (at == std::string::npos) {
        return {};
    }
    std::string value = content_type.substr(at + 9);
    value = trim(value.substr(0, value.find(';')));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
    }
    return value;
}

// The parts between --boundary lines, up to --boundary--.
std::vector<std::string> split_parts(std::string_view body, const std::string& boundary)
{
    std::vector<std::string> parts;
    std::string delimiter = "--" + boundary;
    Lines lines(body);
    std::optional<std::string> current;
    bool closed = false;
    while (!lines.done()) {
        std::string_view line = lines.next();
        std::string trimmed = trim(line);
        if (trimmed == delimiter || trimmed == delimiter + "--") {
            if (current) {
                // The line break before a delimiter belongs to the delimiter.
                if (!current->empty() && current->back() == '\n') {
                    current->pop_back();
                    if (!current->empty() && current->back() == '\r') {
                        current->pop_back();
                    }
                }
                parts.push_back(std::move(*current));
            }
            current.reset();
            if (trimmed == delimiter + "--") {
                closed = true;
                break;
            }
            current = std::string();
        } else if (current) {
            current->append(line).append("\r\n");
        }
    }
    if (!closed) {
        throw_bad_request("The batch body does not end with the closing boundary '" + delimiter + "--'.");
    }
    return parts;
}

// Header lines up to the first empty line, names in lower case.
std::multimap<std::string, std::string> read_headers(Lines& lines)
{
    std::multimap<std::string, std::string> headers;
    while (!lines.done()) {
        std::string_view line = lines.next();
        if (trim(line).empty()) {
            break;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            throw_bad_request("The batch part header line '" + std::string(line) + "' has no ':'.");
        }
        headers.emplace(lower(trim(line.substr(0, colon))), trim(line.substr(colon + 1)));
    }
    return headers;
}

std::string header_in(const std::multimap<std::string, std::string>& headers, const std::string& name)
{
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

// The path of `url` after the Web API base: "/accounts", or "$1/…" for a Content-ID reference.
std::string path_after_base(std::string url, const std::string& base_url)
{
    if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) {
        auto slash = url.find('/', url.find("//") + 2);
        url = slash == std::string::npos ? "/" : url.substr(slash);
    }
    if (!url.empty() && url.front() == '$') {
        return url;
    }
    static constexpr std::string_view k_api = "/api/data/v";
    auto api = url.find(k_api);
    if (api != std::string::npos) {
        auto slash = url.find('/', api + k_api.size());
        return slash == std::string::npos ? "/" : url.substr(slash);
    }
    (void)base_url;
    return url.front() == '/' ? url : "/" + url;
}

BatchRequest parse_request(const std::string& part, const HttpRequest& outer)
{
    Lines lines(part);
    auto mime = read_headers(lines);
    BatchRequest item;
    item.content_id = header_in(mime, "content-id");
    std::string request_line;
    while (!lines.done() && request_line.empty()) {
        request_line = trim(lines.next());
    }
    auto first_space = request_line.find(' ');
    auto last_space = request_line.rfind(' ');
    if (first_space == std::string::npos || last_space == first_space) {
        throw_bad_request("The batch part's request line '" + request_line + "' is not 'METHOD URL HTTP/1.1'.");
    }
    HttpRequest& request = item.request;
    request.method = request_line.substr(0, first_space);
    std::string url = trim(request_line.substr(first_space + 1, last_space - first_space - 1));
    std::string path = path_after_base(url, outer.base_url);
    auto question = path.find('?');
    request.path = path.substr(0, question);
    request.query = question == std::string::npos ? std::string() : path.substr(question + 1);
    request.headers = read_headers(lines);
    // The batch's own headers (authorization, OData-Version) apply to each part unless it sets them.
    for (const auto& [name, value] : outer.headers) {
        if (name != "content-type" && name != "content-length" && name != "prefer" &&
            request.headers.count(name) == 0) {
            request.headers.emplace(name, value);
        }
    }
    std::string body(lines.rest());
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) {
        body.pop_back();
    }
    request.body = body;
    request.base_url = outer.base_url;
    if (request.path == "/$batch") {
        throw_bad_request("A batch cannot hold another batch.");
    }
    return item;
}

std::vector<BatchItem> parse_batch(const HttpRequest& request)
{
    std::string boundary = boundary_of(request.header("content-type"));
    if (boundary.empty()) {
        throw_bad_request("A $batch request needs Content-Type: multipart/mixed with a boundary.");
    }
    std::vector<BatchItem> items;
    size_t count = 0;
    for (const auto& part : split_parts(request.body, boundary)) {
        Lines lines(part);
        auto mime = read_headers(lines);
        std::string inner = boundary_of(header_in(mime, "content-type"));
        BatchItem item;
        if (!inner.empty()) {
            item.change_set = true;
            for (const auto& change : split_parts(lines.rest(), inner)) {
                item.requests.push_back(parse_request(change, request));
            }
        } else {
            item.requests.push_back(parse_request(part, request));
        }
        count += item.requests.size();
        items.push_back(std::move(item));
    }
    if (count > k_max_batch_requests) {
        throw_bad_request("The batch holds " + std::to_string(count) + " requests; the maximum is " +
                          std::to_string(k_max_batch_requests) + ".");
    }
    return items;
}

const char* reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 412: return "Precondition Failed";
    case 429: return "Too Many Requests";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status < 500 ? "Error" : "Internal Server Error";
    }
}

std::string response_part(const HttpResponse& response, const std::string& content_id)
{
    std::string out = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n";
    if (!content_id.empty()) {
        out += "Content-ID: " + content_id + "\r\n";
    }
    out.append("\r\nHTTP/1.1 ").append(std::to_string(response.status)).append(" ").append(reason(response.status));
    out.append("\r\n");
    for (const auto& [name, value] : response.headers) {
        out.append(name).append(": ").append(value).append("\r\n");
    }
    out.append("\r\n").append(response.body).append("\r\n");
    return out;
}

// Replaces a leading $N in the path and "$N" bind values in the body with what request N created.
void resolve_references(HttpRequest& request, const std::map<std::string, std::string>& created)
{
    auto reference = [&](const std::string& text) -> std::optional<std::string> {
        if (text.empty() || text.front() != '$') {
            return std::nullopt;
        }
        auto end = text.find('/');
        std::string id = text.substr(1, end == std::string::npos ? std::string::npos : end - 1);
        auto found = created.find(id);
        if (found == created.end()) {
            throw_bad_request("Content-ID Reference: '$" + id + "' does not exist in the batch context.");
        }
        return found->second + (end == std::string::npos ? std::string() : text.substr(end));
    };
    std::string path = request.path.front() == '/' ? request.path.substr(1) : request.path;
    if (auto replaced = reference(path)) {
        request.path = *replaced;
    }
    if (request.body.find("\"$") == std::string::npos) {
        return;
    }
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return;
    }
    for (auto& [key, value] : body.items()) {
        if (key.size() > 11 && key.substr(key.size() - 11) == "@odata.bind" && value.is_string()) {
            if (auto replaced = reference(value.get<std::string>())) {
                value = *replaced;
            }
        }
    }
    request.body = body.dump();
}

// The path, after the base, of the entity a response's OData-EntityId names.
std::string entity_path(const HttpResponse& response, const std::string& base_url)
{
    for (const auto& [name, value] : response.headers) {
        if (lower(name) == "odata-entityid") {
            return value.rfind(base_url, 0) == 0 ? value.substr(base_url.size()) : value;
        }
    }
    return {};
}

HttpResponse error_of(const std::exception& error)
{
    if (const auto* refused = dynamic_cast<const RequestError*>(&error)) {
        return odata_error(refused->status(), refused->code(), refused->what());
    }
    return odata_error(500, "0x80040216", error.what()); // an unexpected error, as CRM names it
}

using Atomically = std::function<void(const std::function<bool()>&)>;

HttpResponse run_batch(const HttpRequest& request, const std::function<HttpResponse(const HttpRequest&)>& dispatch,
                       const Atomically& atomically)
{
    std::vector<BatchItem> items;
    try {
        items = parse_batch(request);
    } catch (const RequestError& error) {
        return error_of(error);
    }
    Preferences preferences = parse_prefer(request);
    auto safe_dispatch = [&](const HttpRequest& part) {
        try {
            return dispatch(part);
        } catch (const std::exception& error) {
            return error_of(error);
        }
    };
    std::string boundary = "batchresponse_" + random_guid();
    std::string body;
    int status = 200;
    for (auto& item : items) {
        std::string part;
        bool failed = false;
        if (!item.change_set) {
            HttpResponse response = safe_dispatch(item.requests.front().request);
            failed = response.status >= 400;
            part = response_part(response, "");
        } else {
            std::string inner = "changesetresponse_" + random_guid();
            std::string responses;
            std::optional<std::pair<HttpResponse, std::string>> failure;
            atomically([&] {
                std::map<std::string, std::string> created;
                for (auto& change : item.requests) {
                    HttpResponse response;
                    try {
                        if (change.request.method == "GET") {
                            throw_bad_request("A change set cannot hold a GET request.");
                        }
                        resolve_references(change.request, created);
                        response = safe_dispatch(change.request);
                    } catch (const RequestError& error) {
                        response = error_of(error);
                    }
                    if (response.status >= 400) {
                        failure.emplace(response, change.content_id);
                        return false;
                    }
                    if (!change.content_id.empty()) {
                        created[change.content_id] = entity_path(response, request.base_url);
                    }
                    responses += "--" + inner + "\r\n" + response_part(response, change.content_id);
                }
                return true;
            });
            if (failure) {
                failed = true;
                part = response_part(failure->first, failure->second);
            } else {
                part = "Content-Type: multipart/mixed; boundary=" + inner + "\r\n\r\n";
                part.append(responses).append("--").append(inner).append("--\r\n");
            }
        }
        body.append("--").append(boundary).append("\r\n").append(part);
        if (failed && !preferences.continue_on_error) {
            status = 400;
            break;
        }
    }
    body += "--" + boundary + "--\r\n";
    HttpResponse response;
    response.status = status;
    response.headers = {{"Content-Type", "multipart/mixed; boundary=" + boundary}, {"OData-Version", "4.0"}};
    if (preferences.continue_on_error) {
        response.headers.emplace_back("Preference-Applied", "odata.continue-on-error");
    }
    response.body = std::move(body);
    return response;
}

} // namespace

HttpResponse serve_batch(const HttpRequest& request, const std::function<HttpResponse(const HttpRequest&)>& dispatch)
{
    return run_batch(request, dispatch, [](const std::function<bool()>& body) { body(); });
}

HttpResponse serve_batch(Tables& tables, const HttpRequest& request,
                         const std::function<HttpResponse(const HttpRequest&)>& dispatch)
{
    return run_batch(request, dispatch, [&tables](const std::function<bool()>& body) { tables.run_atomically(body); });
}

} // namespace escprov::emulator
