#pragma once
// The Dataverse emulator (escprov-fake-dataverse) as a child process of a test: started on a port
// it picks, its base URL read from its first line of output, killed and reaped when the test ends.

#include <map>
#include <string>
#include <vector>

namespace escprov::test {

class FakeDataverse {
public:
    // Starts the emulator with `args` (after the binary) and `env` added to the environment, and
    // waits (up to 20 s) for its URL. A failure to start fails the test with the emulator's stderr.
    explicit FakeDataverse(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
    ~FakeDataverse();
    FakeDataverse(const FakeDataverse&) = delete;
    FakeDataverse& operator=(const FakeDataverse&) = delete;

    const std::string& url() const { return m_url; }
    bool started() const { return !m_url.empty(); }
    // What the emulator wrote to stderr so far.
    std::string log() const;

private:
    int m_pid = -1;
    std::string m_url;
    std::string m_log_path;
    std::string m_out_path;
};

// The emulator binary the build made, or "" when it was not built.
std::string fake_dataverse_binary();

} // namespace escprov::test
