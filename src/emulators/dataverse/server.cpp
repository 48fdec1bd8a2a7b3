#include "emulators/dataverse/server.hpp"

#include "emulators/dataverse/soap.hpp"
#include "emulators/dataverse/webapi.hpp"
#include "emulators/dataverse/wire.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <regex>
#include <thread>

namespace escprov::emulator {

namespace {

// Threads serving requests: a synchronous import holds one for its whole run.
constexpr size_t k_threads = 16;
const std::string k_soap_path = "/XRMServices/2011/Organization.svc/web";

HttpRequest convert(const httplib::Request& request)
{
    HttpRequest out;
    out.method = request.method;
    std::string target = request.target.empty() ? request.path : request.target;
    size_t question = target.find('?');
    out.path = percent_decode(target.substr(0, question), false);
    out.query = question == std::string::npos ? std::string() : target.substr(question + 1);
    for (const auto& [name, value] : request.headers) {
        out.headers.emplace(ascii_lower(name), value);
    }
    out.body = request.body;
    return out;
}

void send(const HttpResponse& answer, httplib::Response& response)
{
    response.status = answer.status;
    std::string content_type;
    for (const auto& [name, value] : answer.headers) {
        if (ascii_lower(name) == "content-type") {
            content_type = value;
        } else {
            response.set_header(name, value);
        }
    }
    if (!answer.body.empty() || !content_type.empty()) {
        response.set_content(answer.body, content_type.empty() ? "text/plain" : content_type.c_str());
    }
}

HttpResponse throttled(unsigned retry_after)
{
    HttpResponse response = odata_error(
        429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.");
    response.headers.emplace_back("Retry-After", std::to_string(retry_after));
    return response;
}

HttpResponse unavailable()
{
    HttpResponse response;
    response.status = 503;
    response.headers.emplace_back("Content-Type", "text/html");
    response.body = "<html><body><h1>Service Unavailable</h1></body></html>";
    return response;
}

// Sends headers promising a body, a piece of it, then gives up: the client sees the connection
// close before a full answer.
void drop(httplib::Response& response)
{
    response.status = 200;
    response.set_content_provider(1024, "application/json", [](size_t offset, size_t, httplib::DataSink& sink) {
        if (offset == 0) {
            sink.write("{\"value\":[", 10);
        }
        return false;
    });
}

// Which Web API versions an org serves: 8.0 up to its own (8.x: 8.0-8.2; 9.x: 8.0-9.x).
bool serves_webapi_version(int org, const std::string& requested)
{
    static const std::vector<std::string> versions = {"8.0", "8.1", "8.2", "9.0", "9.1", "9.2"};
    if (std::find(versions.begin(), versions.end(), requested) == versions.end()) {
        return false;
    }
    return version_number(requested) <= org;
}

} // namespace

struct Server::Impl {
    explicit Impl(Emulator& given) : emulator(given) {}
    Emulator& emulator;
    httplib::Server http;

    void handle(const httplib::Request& raw, httplib::Response& response)
    {
        HttpRequest request = convert(raw);
        static const std::regex entra(R"(^/[^/]+/oauth2/v2\.0/token$)");
        if (request.path == "/adfs/oauth2/token") {
            send(emulator.auth.serve_adfs_token(request), response);
            return;
        }
        if (std::regex_match(request.path, entra)) {
            send(emulator.auth.serve_entra_token(request), response);
            return;
        }
        if (emulator.faults.latency_ms() > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(emulator.faults.latency_ms()));
        }
        switch (emulator.faults.next_request()) {
        case Fault::too_many_requests: send(throttled(emulator.faults.retry_after()), response); return;
        case Fault::unavailable: send(unavailable(), response); return;
        case Fault::drop: {
            // The org does the work and the answer is lost on the way (a gateway reset): an
            // ImportSolution whose answer drops has still run, as the client must find out.
            httplib::Response lost;
            route(request, lost);
            drop(response);
            return;
        }
        case Fault::none: break;
        }
        route(request, response);
    }

    void route(HttpRequest& request, httplib::Response& response)
    {
        static const std::regex webapi(R"(^/api/data/v(\d+\.\d+)(/.*)?$)");
        std::smatch match;
        if (std::regex_match(request.path, match, webapi)) {
            if (!serves_webapi_version(emulator.org.version_number(), match[1].str())) {
                send(odata_error(404, "", "The Web API version v" + match[1].str() + " is not served by this org."),
                     response);
                return;
            }
            if (auto refusal = authenticate(request)) {
                send(*refusal, response);
                return;
            }
            request.base_url = emulator.base_url + "/api/data/v" + match[1].str();
            request.path = match[2].matched && !match[2].str().empty() ? match[2].str() : "/";
            send(serve_webapi(emulator, request), response);
            return;
        }
        if (request.path == k_soap_path) {
            if (auto refusal = authenticate(request)) {
                send(*refusal, response);
                return;
            }
            request.base_url = emulator.base_url;
            send(serve_soap(emulator, request), response);
            return;
        }
        send(odata_error(404, "", "No resource at " + request.path + "."), response);
    }

    std::optional<HttpResponse> authenticate(const HttpRequest& request)
    {
        if (!request.header("authorization").empty() && emulator.faults.next_authenticated()) {
            emulator.auth.expire_all();
        }
        AuthCheck check = emulator.auth.check(request);
        if (check.outcome != AuthCheck::Outcome::ok) {
            return unauthorized(check, emulator.base_url);
        }
        return std::nullopt;
    }
};

Server::Server(Emulator& emulator) : m_impl(std::make_unique<Impl>(emulator))
{
    auto& http = m_impl->http;
    http.new_task_queue = [] { return new httplib::ThreadPool(k_threads); };
    auto handler = [impl = m_impl.get()](const httplib::Request& request, httplib::Response& response) {
        try {
            impl->handle(request, response);
        } catch (const std::exception& e) {
            send(odata_error(500, "0x80040216", std::string("An unexpected error occurred: ") + e.what()), response);
        }
    };
    http.Get(".*", handler);
    http.Post(".*", handler);
    http.Patch(".*", handler);
    http.Put(".*", handler);
    http.Delete(".*", handler);
    http.set_payload_max_length(size_t(4) << 30);
}

Server::~Server() = default;

int Server::bind(unsigned port)
{
    int bound = port == 0 ? m_impl->http.bind_to_any_port("127.0.0.1")
                          : (m_impl->http.bind_to_port("127.0.0.1", int(port)) ? int(port) : -1);
    if (bound <= 0) {
        throw Error(ErrorKind::output, "escprov-fake-dataverse: listen on 127.0.0.1:" + std::to_string(port) +
                                           ": the port cannot be bound");
    }
    return bound;
}

void Server::run()
{
    m_impl->http.listen_after_bind();
}

void Server::stop()
{
    m_impl->http.stop();
}

} // namespace escprov::emulator
