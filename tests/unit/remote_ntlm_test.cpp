// --auth ntlm against a real NTLM server: Apache httpd with mod_auth_gssapi and gss-ntlmssp
// (tests/ntlm) as a reverse proxy in front of the Dataverse emulator, which trusts the proxy's
// X-Remote-User. Skipped when the emulator, the proxy scripts or Apache's modules are missing.

#include "remote/session.hpp"
#include "remote_support.hpp"
#include "support.hpp"
#include "util/error.hpp"

#include <cstdio>
#include <cstdlib>

#include <sys/wait.h>

#include <gtest/gtest.h>

namespace escprov::test {
namespace {

using namespace std::chrono_literals;

const std::string k_user = "ESCPROV\\svc-crm";
const std::string k_password = "Ntlm-Pa55-7c2e";

fs::path ntlm_scripts()
{
    if (const char* dir = std::getenv("ESCPROV_NTLM_DIR"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    return fs::path(ESCPROV_SOURCE_DIR) / "tests" / "ntlm";
}

// The proxy started by tests/ntlm/start-ntlm-proxy.sh; stopped by its stop script.
class NtlmProxy {
public:
    NtlmProxy(const std::string& backend, const fs::path& workdir) : m_workdir(workdir)
    {
        setenv("NTLM_PROXY_USER", k_user.c_str(), 1);
        setenv("NTLM_PROXY_PASSWORD", k_password.c_str(), 1); // the environment, never a command line
        std::string command =
            "'" + (ntlm_scripts() / "start-ntlm-proxy.sh").string() + "' '" + backend + "' '" + workdir.string() + "'";
        FILE* out = popen(command.c_str(), "r");
        unsetenv("NTLM_PROXY_PASSWORD");
        if (out == nullptr) {
            return;
        }
        std::array<char, 512> line{};
        if (fgets(line.data(), static_cast<int>(line.size()), out) != nullptr) {
            m_url = line.data();
            while (!m_url.empty() && (m_url.back() == '\n' || m_url.back() == '\r')) {
                m_url.pop_back();
            }
        }
        while (fgets(line.data(), static_cast<int>(line.size()), out) != nullptr) {
        }
        int status = pclose(out);
        m_exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        m_started = m_exit == 0;
    }
    ~NtlmProxy()
    {
        if (m_started) {
            std::string command = "'" + (ntlm_scripts() / "stop-ntlm-proxy.sh").string() + "' '" + m_workdir.string() +
                                  "' >/dev/null 2>&1";
            (void)std::system(command.c_str());
        }
    }
    NtlmProxy(const NtlmProxy&) = delete;
    NtlmProxy& operator=(const NtlmProxy&) = delete;
    int exit_code() const { return m_exit; }
    const std::string& url() const { return m_url; }

private:
    fs::path m_workdir;
    std::string m_url;
    int m_exit = -1;
    bool m_started = false;
};

TEST(RemoteNtlm, SignsInThroughARealNtlmProxy)
{
    std::string binary = fake_dataverse_binary();
    if (binary.empty() || !fs::exists(ntlm_scripts() / "start-ntlm-proxy.sh")) {
        GTEST_SKIP() << "needs escprov-fake-dataverse and tests/ntlm (set ESCPROV_FAKE_DATAVERSE, ESCPROV_NTLM_DIR)";
    }
    std::string samples = std::string(ESCPROV_SOURCE_DIR) + "/samples/";
    ChildServer emulator(binary,
                         {"--port", "0", "--org-version", "9.2", "--seed", samples + "orgs/d365-contoso-9.2.zip",
                          "--trust-proxy-user", "--user", k_user, "--import-step-ms", "20"});
    TempDir work;
    NtlmProxy proxy(emulator.url(), work / "proxy");
    if (proxy.exit_code() == 3) {
        GTEST_SKIP() << "Apache httpd, mod_auth_gssapi or gss-ntlmssp is not installed";
    }
    ASSERT_EQ(proxy.exit_code(), 0) << "the NTLM proxy did not start";

    remote::ConnectionOptions options;
    options.org_url = proxy.url();
    options.auth = remote::AuthKind::ntlm;
    options.user = k_user;
    options.max_wait = 60s;
    options.timeout = 30s;
    auto org = remote::connect(options, remote::Secret(k_password));
    EXPECT_EQ(org->api(), remote::Api::web_api);
    EXPECT_EQ(org->endpoint(), proxy.url() + "/api/data/v9.2");
    EXPECT_EQ(org->who_am_i().user_id.size(), 36U);
    org->export_solution("Default", false, work / "Default.zip", nullptr);
    EXPECT_GT(fs::file_size(work / "Default.zip"), 1000U);
    remote::ImportRequest request;
    request.zip = samples + "d365-event-management-9.2.zip";
    auto outcome = org->import_solution(request, {});
    EXPECT_TRUE(outcome.succeeded) << outcome.message;

    // A wrong password: the proxy refuses, and the message holds no password.
    try {
        (void)remote::connect(options, remote::Secret("wrong-" + k_password));
        FAIL() << "a wrong password was accepted";
    } catch (const remote::RemoteError& e) {
        EXPECT_EQ(e.http_status(), 401) << e.what();
        EXPECT_EQ(std::string(e.what()).find(k_password), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace escprov::test
