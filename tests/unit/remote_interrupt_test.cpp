// SIGINT stops a transfer in flight: libcurl's progress callback sees the flag and the client throws
// Interrupted. The signal handler's flag never resets, so the interrupted side runs in a child test
// process (this binary again, filtered to RemoteInterrupt.ChildSide).

#include "remote/http.hpp"
#include "remote_support.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

#include <csignal>
#include <cstdlib>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

extern char** environ;

namespace escprov::test {
namespace {

using namespace std::chrono_literals;

TEST(RemoteInterrupt, ChildSide)
{
    const char* url = std::getenv("ESCPROV_INTERRUPT_URL");
    if (url == nullptr) {
        GTEST_SKIP() << "runs only as the child of RemoteInterrupt.StopsATransferInFlight";
    }
    install_interrupt_handlers();
    remote::ConnectionOptions options;
    options.timeout = 60s;
    remote::HttpClient client(remote::make_http_settings(options));
    remote::HttpRequest request;
    request.url = std::string(url) + "/slow";
    request.what = "GET slow";
    size_t received = 0;
    request.sink = [&](std::string_view bytes) { received += bytes.size(); };
    std::thread signaller([] {
        std::this_thread::sleep_for(300ms);
        kill(getpid(), SIGINT);
    });
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW((void)client.send(request), Interrupted);
    signaller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_GT(received, 0U); // it was stopped mid-transfer, not before
}

TEST(RemoteInterrupt, StopsATransferInFlight)
{
    ScriptedServer server;
    server.routes().Get("/slow", [](const httplib::Request&, httplib::Response& response) {
        response.set_content_provider(1000, "text/plain", [](size_t offset, size_t, httplib::DataSink& sink) {
            std::this_thread::sleep_for(50ms); // 20 s for the whole answer
            sink.write("x", 1);
            return offset < 1000;
        });
    });
    server.start();

    std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    std::string filter = "--gtest_filter=RemoteInterrupt.ChildSide";
    std::vector<char*> argv = {self.data(), filter.data(), nullptr};
    std::vector<std::string> env_text = {"ESCPROV_INTERRUPT_URL=" + server.url()};
    for (char** e = environ; *e != nullptr; ++e) {
        env_text.emplace_back(*e);
    }
    std::vector<char*> env;
    for (auto& entry : env_text) {
        env.push_back(entry.data());
    }
    env.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    ASSERT_EQ(posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), env.data()), 0);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            FAIL() << "the interrupted transfer did not stop";
        }
        std::this_thread::sleep_for(20ms);
    }
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's checks failed";
}

} // namespace
} // namespace escprov::test
