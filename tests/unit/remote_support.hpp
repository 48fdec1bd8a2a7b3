#pragma once
// A loopback HTTP server inside the test binary (cpp-httplib) that plays the answers a test scripts,
// and a fake clock for the retry loop, so the remote client's tests neither wait nor touch the net.

#include "remote/http.hpp"
#include "remote/session.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace escprov::test {

// Serves on 127.0.0.1 and a port the system picks; routes are added before start().
class ScriptedServer {
public:
    ScriptedServer() = default;
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    httplib::Server& routes() { return m_server; }
    // Binds, starts serving on a thread and waits (bounded) until it accepts.
    void start();
    // "http://127.0.0.1:PORT".
    const std::string& url() const { return m_url; }
    // How many requests reached the server.
    int requests() const { return m_requests.load(); }
    // Every request's "METHOD path" line, in order.
    std::vector<std::string> log() const;
    // A copy of every request's headers and body joined, for secret scans.
    std::string everything_received() const;

private:
    httplib::Server m_server;
    std::thread m_thread;
    std::string m_url;
    std::atomic<int> m_requests{0};
    mutable std::mutex m_mutex;
    std::vector<std::string> m_log;
    std::string m_received;
};

// A clock that only the sleeper moves, and a record of every sleep.
struct FakeTime {
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
    std::vector<std::chrono::milliseconds> sleeps;
    std::mutex mutex;
    remote::Timing timing();
};

// Options for an org on `url` with the fake timing, a max wait and a timeout of 10 s.
std::shared_ptr<remote::HttpSettings> test_settings(FakeTime& time,
                                                    std::chrono::seconds max_wait = std::chrono::seconds(60));

// Answers with a header and a declared length but then closes the connection.
void drop_connection(httplib::Response& response);

} // namespace escprov::test

namespace escprov::test {

// A server program started for a test: its first stdout line is its base URL. Stopped (SIGTERM,
// then SIGKILL) and reaped by the destructor.
class ChildServer {
public:
    // Throws std::runtime_error when it cannot start or prints no URL within 20 s.
    ChildServer(const std::string& program, const std::vector<std::string>& args,
                const std::vector<std::pair<std::string, std::string>>& env = {});
    ~ChildServer();
    ChildServer(const ChildServer&) = delete;
    ChildServer& operator=(const ChildServer&) = delete;
    const std::string& url() const { return m_url; }

private:
    int m_pid = -1;
    int m_out = -1;
    std::string m_url;
};

// The Dataverse emulator binary: the environment's ESCPROV_FAKE_DATAVERSE, else the one this build made
// (the compile definition of the same name); "" when none.
std::string fake_dataverse_binary();

} // namespace escprov::test
