#include "remote_support.hpp"

#include <stdexcept>

namespace escprov::test {

ScriptedServer::~ScriptedServer()
{
    m_server.stop();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void ScriptedServer::start()
{
    m_server.set_logger([this](const httplib::Request& request, const httplib::Response& /*response*/) {
        std::lock_guard lock(m_mutex);
        m_log.push_back(request.method + " " + request.path);
        for (const auto& [name, value] : request.headers) {
            m_received += name + ": " + value + "\n";
        }
        m_received += request.body + "\n";
    });
    m_server.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
        ++m_requests;
        return httplib::Server::HandlerResponse::Unhandled;
    });
    m_server.set_tcp_nodelay(true);
    int port = m_server.bind_to_any_port("127.0.0.1");
    if (port <= 0) {
        throw std::runtime_error("test server: cannot bind a loopback port");
    }
    m_url = "http://127.0.0.1:" + std::to_string(port);
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!m_server.is_running() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::vector<std::string> ScriptedServer::log() const
{
    std::lock_guard lock(m_mutex);
    return m_log;
}

std::string ScriptedServer::everything_received() const
{
    std::lock_guard lock(m_mutex);
    return m_received;
}

remote::Timing FakeTime::timing()
{
    remote::Timing timing;
    timing.now = [this] {
        std::lock_guard lock(mutex);
        return now;
    };
    timing.sleep = [this](std::chrono::milliseconds delay) {
        std::lock_guard lock(mutex);
        sleeps.push_back(delay);
        now += delay;
    };
    timing.random = [] { return 0.5; };
    return timing;
}

std::shared_ptr<remote::HttpSettings> test_settings(FakeTime& time, std::chrono::seconds max_wait)
{
    remote::ConnectionOptions options;
    options.max_wait = max_wait;
    options.timeout = std::chrono::seconds(10);
    return remote::make_http_settings(options, time.timing());
}

void drop_connection(httplib::Response& response)
{
    response.set_content_provider(
        1000, "application/json",
        [](size_t /*offset*/, size_t /*length*/, httplib::DataSink& /*sink*/) { return false; });
}

} // namespace escprov::test
