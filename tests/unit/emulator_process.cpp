#include "emulator_process.hpp"

#include "support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace escprov::test {

std::string fake_dataverse_binary()
{
#ifdef ESCPROV_FAKE_DATAVERSE
    return ESCPROV_FAKE_DATAVERSE;
#else
    return "";
#endif
}

FakeDataverse::FakeDataverse(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
{
    std::string binary = fake_dataverse_binary();
    if (binary.empty()) {
        ADD_FAILURE() << "escprov-fake-dataverse was not built";
        return;
    }
    // Both outputs go to files: a pipe nobody reads would stall or kill a chatty emulator.
    char log_template[] = "/tmp/escprov-fake-dataverse-XXXXXX";
    int log_fd = ::mkstemp(log_template);
    m_log_path = log_template;
    char out_template[] = "/tmp/escprov-fake-dataverse-XXXXXX";
    int out_fd = ::mkstemp(out_template);
    m_out_path = out_template;
    if (log_fd < 0 || out_fd < 0) {
        ADD_FAILURE() << "cannot make the emulator's output files";
        return;
    }
    std::vector<std::string> argv_strings{binary};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    m_pid = ::fork();
    if (m_pid == 0) {
        ::dup2(out_fd, 1);
        ::dup2(log_fd, 2);
        for (const auto& [name, value] : env) {
            ::setenv(name.c_str(), value.c_str(), 1);
        }
        std::vector<char*> argv;
        for (std::string& arg : argv_strings) {
            argv.push_back(arg.data());
        }
        argv.push_back(nullptr);
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(out_fd);
    ::close(log_fd);
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && line.find('\n') == std::string::npos) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1; // it died
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        line = read_bytes(m_out_path);
    }
    if (line.find('\n') == std::string::npos) {
        ADD_FAILURE() << "the emulator did not print its URL; its log:\n" << log();
        return;
    }
    m_url = line.substr(0, line.find('\n'));
}

FakeDataverse::~FakeDataverse()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
    for (const std::string& path : {m_log_path, m_out_path}) {
        if (!path.empty()) {
            ::unlink(path.c_str());
        }
    }
}

std::string FakeDataverse::log() const
{
    return m_log_path.empty() ? "" : read_bytes(m_log_path);
}

} // namespace escprov::test
