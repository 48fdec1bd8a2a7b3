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

#include <csignal>
#include <filesystem>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace escprov::test {

ChildServer::ChildServer(const std::string& program, const std::vector<std::string>& args,
                         const std::vector<std::pair<std::string, std::string>>& env)
{
    std::array<int, 2> pipe_fds{};
    if (pipe(pipe_fds.data()) != 0) {
        throw std::runtime_error("start " + program + ": no pipe");
    }
    std::vector<std::string> argv_text = {program};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    m_pid = fork();
    if (m_pid == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        for (const auto& [name, value] : env) {
            setenv(name.c_str(), value.c_str(), 1);
        }
        execv(program.c_str(), argv.data());
        _exit(127);
    }
    close(pipe_fds[1]);
    m_out = pipe_fds[0];
    if (m_pid < 0) {
        throw std::runtime_error("start " + program + ": fork failed");
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::string line;
    while (line.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd wait{m_out, POLLIN, 0};
        if (left.count() <= 0 || poll(&wait, 1, static_cast<int>(left.count())) <= 0) {
            throw std::runtime_error("start " + program + ": no URL on stdout within 20 s");
        }
        std::array<char, 256> buffer{};
        ssize_t got = read(m_out, buffer.data(), buffer.size());
        if (got <= 0) {
            throw std::runtime_error("start " + program + ": it exited before printing its URL");
        }
        line.append(buffer.data(), static_cast<size_t>(got));
    }
    m_url = line.substr(0, line.find('\n'));
}

ChildServer::~ChildServer()
{
    if (m_pid > 0) {
        kill(m_pid, SIGTERM);
        for (int i = 0; i < 200; ++i) {
            if (waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
                m_pid = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (m_pid > 0) {
            kill(m_pid, SIGKILL);
            waitpid(m_pid, nullptr, 0);
        }
    }
    if (m_out >= 0) {
        close(m_out);
    }
}

std::string fake_dataverse_binary()
{
    if (const char* path = std::getenv("ESCPROV_FAKE_DATAVERSE"); path != nullptr && *path != '\0') {
        return path;
    }
#ifdef ESCPROV_FAKE_DATAVERSE // the build's emulator (tests/CMakeLists.txt, once the emulator is built)
    if (std::filesystem::exists(ESCPROV_FAKE_DATAVERSE)) {
        return ESCPROV_FAKE_DATAVERSE;
    }
#endif
    return {};
}

} // namespace escprov::test
