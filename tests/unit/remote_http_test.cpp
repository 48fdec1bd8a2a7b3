// The remote client's transport: connection options, secrets, retries and backoff, the --max-wait
// deadline, token sources and what never appears in a message.

#include "remote/auth.hpp"
#include "remote/connection.hpp"
#include "remote/http.hpp"
#include "remote/org.hpp"
#include "remote_support.hpp"
#include "support.hpp"
#include "util/error.hpp"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace escprov::test {
namespace {

using namespace std::chrono_literals;
using remote::HttpClient;
using remote::HttpRequest;

// Sets or clears ESCPROV_SECRET for one test.
class SecretEnv {
public:
    explicit SecretEnv(const char* value)
    {
        if (const char* old = std::getenv("ESCPROV_SECRET")) {
            m_old = old;
        }
        if (value != nullptr) {
            setenv("ESCPROV_SECRET", value, 1);
        } else {
            unsetenv("ESCPROV_SECRET");
        }
    }
    ~SecretEnv()
    {
        if (m_old) {
            setenv("ESCPROV_SECRET", m_old->c_str(), 1);
        } else {
            unsetenv("ESCPROV_SECRET");
        }
    }
    SecretEnv(const SecretEnv&) = delete;
    SecretEnv& operator=(const SecretEnv&) = delete;

private:
    std::optional<std::string> m_old;
};

HttpRequest get(const std::string& url)
{
    HttpRequest request;
    request.url = url;
    request.what = "GET test";
    return request;
}

TEST(RemoteConnection, NormalisesOrgUrls)
{
    EXPECT_EQ(remote::normalise_org_url("HTTPS://Contoso.CRM.Dynamics.com/"), "https://contoso.crm.dynamics.com");
    EXPECT_EQ(remote::normalise_org_url("http://crm01:5555/Contoso/"), "http://crm01:5555/Contoso");
    EXPECT_THROW(remote::normalise_org_url("ftp://x"), Error);
    EXPECT_THROW(remote::normalise_org_url("https://x/?a=b"), Error);
}

TEST(RemoteConnection, RefusesCredentialsInTheUrlWithoutEchoingThem)
{
    try {
        (void)remote::normalise_org_url("https://me:Hunter2Secret@contoso.crm.dynamics.com");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_EQ(std::string(e.what()).find("Hunter2Secret"), std::string::npos) << e.what();
    }
}

TEST(RemoteConnection, NamesAuthKindsAndApis)
{
    for (auto kind : {remote::AuthKind::client_credentials, remote::AuthKind::adfs, remote::AuthKind::ntlm,
                      remote::AuthKind::token}) {
        EXPECT_EQ(remote::parse_auth(remote::auth_name(kind)), kind);
    }
    EXPECT_FALSE(remote::parse_auth("basic"));
    EXPECT_EQ(remote::parse_api("soap"), remote::Api::soap);
    EXPECT_EQ(remote::parse_api("webapi"), remote::Api::web_api);
}

TEST(RemoteConnection, ReadsTheSecretFromTheEnvironment)
{
    SecretEnv env("from-env");
    remote::ConnectionOptions options;
    EXPECT_EQ(remote::read_secret(options).reveal(), "from-env");
}

TEST(RemoteConnection, MissingSecretNamesBothWays)
{
    SecretEnv env(nullptr);
    remote::ConnectionOptions options;
    options.auth = remote::AuthKind::ntlm;
    try {
        (void)remote::read_secret(options);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        std::string message = e.what();
        EXPECT_NE(message.find("ESCPROV_SECRET"), std::string::npos) << message;
        EXPECT_NE(message.find("--secret-file"), std::string::npos) << message;
        EXPECT_NE(message.find("ntlm"), std::string::npos) << message;
    }
}

TEST(RemoteConnection, SecretFileLosesOneNewlineAndWarnsWhenOthersCanReadIt)
{
    TempDir dir;
    auto path = dir / "secret";
    std::ofstream(path) << "s3cret\r\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                           std::filesystem::perms::group_read);
    remote::ConnectionOptions options;
    options.secret_file = path;
    std::string warnings;
    EXPECT_EQ(remote::read_secret(options, &warnings).reveal(), "s3cret");
    EXPECT_NE(warnings.find("chmod 600"), std::string::npos) << warnings;
    EXPECT_EQ(warnings.find("s3cret"), std::string::npos);

    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    warnings.clear();
    (void)remote::read_secret(options, &warnings);
    EXPECT_EQ(warnings, "");
}

TEST(RemoteConnection, SecretMovesAndWipes)
{
    remote::Secret a("abc");
    remote::Secret b(std::move(a));
    EXPECT_EQ(b.reveal(), "abc");
    EXPECT_TRUE(a.empty()); // NOLINT(bugprone-use-after-move): the moved-from secret must be empty
}

TEST(RemoteHttp, ParsesRetryAfterSecondsAndDates)
{
    EXPECT_EQ(remote::parse_retry_after("7", 0), 7s);
    // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
    EXPECT_EQ(remote::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30), 30s);
    EXPECT_EQ(remote::parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30), 0s);
    EXPECT_FALSE(remote::parse_retry_after("soon", 0));
}

TEST(RemoteHttp, Retries429HonouringRetryAfter)
{
    ScriptedServer server;
    std::atomic<int> calls{0};
    server.routes().Get("/x", [&](const httplib::Request&, httplib::Response& response) {
        if (calls++ == 0) {
            response.status = 429;
            response.set_header("Retry-After", "7");
            response.set_content(R"({"error":{"code":"0x80072322","message":"Number of requests exceeded"}})",
                                 "application/json");
            return;
        }
        response.set_content("{}", "application/json");
    });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time));
    auto response = client.send(get(server.url() + "/x"));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(client.last_attempts(), 2);
    ASSERT_EQ(time.sleeps.size(), 1U);
    EXPECT_EQ(time.sleeps[0], 7000ms);
}

TEST(RemoteHttp, Retries503WithExponentialJitteredBackoff)
{
    ScriptedServer server;
    std::atomic<int> calls{0};
    server.routes().Get("/x", [&](const httplib::Request&, httplib::Response& response) {
        if (calls++ < 3) {
            response.status = 503;
            return;
        }
        response.set_content("ok", "text/plain");
    });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time));
    auto response = client.send(get(server.url() + "/x"));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.body, "ok");
    // Full jitter with the dice at 0.5: half of 0.5 s, 1 s, 2 s.
    EXPECT_EQ(time.sleeps, (std::vector<std::chrono::milliseconds>{250ms, 500ms, 1000ms}));
}

TEST(RemoteHttp, BackoffStopsGrowingAtTheCap)
{
    ScriptedServer server;
    server.routes().Get("/x", [&](const httplib::Request&, httplib::Response& response) { response.status = 502; });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time, 600s));
    EXPECT_THROW(client.send(get(server.url() + "/x")), remote::RemoteError);
    ASSERT_GT(time.sleeps.size(), 8U);
    EXPECT_EQ(time.sleeps.back(), 15000ms); // 0.5 × the 30 s cap
}

TEST(RemoteHttp, RetriesADroppedConnection)
{
    ScriptedServer server;
    std::atomic<int> calls{0};
    server.routes().Get("/x", [&](const httplib::Request&, httplib::Response& response) {
        if (calls++ == 0) {
            drop_connection(response);
            return;
        }
        response.set_content("{\"fine\":true}", "application/json");
    });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time));
    auto response = client.send(get(server.url() + "/x"));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(client.last_attempts(), 2);
}

TEST(RemoteHttp, DoesNotResendANonIdempotentRequestThatWasDropped)
{
    ScriptedServer server;
    server.routes().Post("/import",
                         [&](const httplib::Request&, httplib::Response& response) { drop_connection(response); });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time));
    HttpRequest request = get(server.url() + "/import");
    request.method = remote::Method::post;
    request.body = "{}";
    request.idempotent = false;
    try {
        (void)client.send(request);
        FAIL() << "no error";
    } catch (const remote::RemoteError& e) {
        EXPECT_EQ(e.http_status(), 0);
        EXPECT_NE(std::string(e.what()).find("may have reached the org"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.requests(), 1);
}

TEST(RemoteHttp, RetriesARefusedConnection)
{
    // A port nothing listens on: bind one, note it, close it.
    std::string url;
    {
        ScriptedServer closed;
        closed.start();
        url = closed.url();
    }
    FakeTime time;
    HttpClient client(test_settings(time, 5s));
    try {
        (void)client.send(get(url + "/x"));
        FAIL() << "no error";
    } catch (const remote::RemoteError& e) {
        EXPECT_GT(client.last_attempts(), 2);
        EXPECT_NE(std::string(e.what()).find("--max-wait (5 s)"), std::string::npos) << e.what();
    }
}

TEST(RemoteHttp, GivesUpAtMaxWaitWithAClearMessage)
{
    ScriptedServer server;
    server.routes().Get("/x", [&](const httplib::Request&, httplib::Response& response) {
        response.status = 429;
        response.set_header("Retry-After", "20");
    });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time, 50s));
    try {
        (void)client.send(get(server.url() + "/x"));
        FAIL() << "no error";
    } catch (const remote::RemoteError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("GET test: gave up after 3 attempts"), std::string::npos) << message;
        EXPECT_NE(message.find("--max-wait (50 s)"), std::string::npos) << message;
        EXPECT_NE(message.find("HTTP 429"), std::string::npos) << message;
    }
    EXPECT_EQ(time.sleeps, (std::vector<std::chrono::milliseconds>{20000ms, 20000ms}));
}

TEST(RemoteHttp, ReturnsAFinalRefusalAsItIs)
{
    ScriptedServer server;
    server.routes().Get("/x", [&](const httplib::Request&, httplib::Response& response) {
        response.status = 403;
        response.set_content(R"({"error":{"code":"0x80040220","message":"no"}})", "application/json");
    });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time));
    auto response = client.send(get(server.url() + "/x"));
    EXPECT_EQ(response.status, 403);
    EXPECT_EQ(client.last_attempts(), 1);
    EXPECT_TRUE(time.sleeps.empty());
}

TEST(RemoteHttp, StreamsABodyUpAndAnAnswerDown)
{
    ScriptedServer server;
    server.routes().Post("/echo", [&](const httplib::Request& request, httplib::Response& response) {
        response.set_content(request.body, "application/octet-stream");
    });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time));
    std::string sent(300000, 'x');
    for (size_t i = 0; i < sent.size(); ++i) {
        sent[i] = static_cast<char>('a' + i % 26);
    }
    size_t offset = 0;
    HttpRequest request = get(server.url() + "/echo");
    request.method = remote::Method::post;
    request.headers = {"Content-Type: application/octet-stream"};
    request.body_source = [&](char* buffer, size_t size) {
        size_t take = std::min(size, sent.size() - offset);
        sent.copy(buffer, take, offset);
        offset += take;
        return take;
    };
    request.body_rewind = [&] { offset = 0; };
    request.body_size = static_cast<int64_t>(sent.size());
    std::string received;
    request.sink = [&](std::string_view bytes) { received.append(bytes); };
    auto response = client.send(request);
    EXPECT_EQ(response.status, 200);
    EXPECT_TRUE(response.body.empty());
    EXPECT_EQ(received.size(), sent.size());
    EXPECT_TRUE(received == sent);
}

TEST(RemoteHttp, AnExceptionInTheSinkCrossesNoCallback)
{
    ScriptedServer server;
    server.routes().Get("/x", [&](const httplib::Request&, httplib::Response& response) {
        response.set_content(std::string(100000, 'y'), "text/plain");
    });
    server.start();
    FakeTime time;
    HttpClient client(test_settings(time));
    HttpRequest request = get(server.url() + "/x");
    request.sink = [](std::string_view) { throw Error(ErrorKind::output, "disk full"); };
    try {
        (void)client.send(request);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::output);
        EXPECT_STREQ(e.what(), "disk full");
    }
}

// ---- tokens --------------------------------------------------------------------------------------

constexpr const char* k_secret = "Sup3r-S3cret~Value";

TEST(RemoteAuth, ClientCredentialsFetchAToken_AndRefreshOnceOn401)
{
    ScriptedServer server;
    std::atomic<int> issued{0};
    std::mutex mutex;
    std::string form;
    server.routes().Post("/tenant-1/oauth2/v2.0/token",
                         [&](const httplib::Request& request, httplib::Response& response) {
                             {
                                 std::lock_guard lock(mutex);
                                 form = request.body;
                             }
                             int n = ++issued;
                             response.set_content(R"({"token_type":"Bearer","expires_in":3600,"access_token":"tok)" +
                                                      std::to_string(n) + "\"}",
                                                  "application/json");
                         });
    server.routes().Get("/api", [&](const httplib::Request& request, httplib::Response& response) {
        // The first token is "expired".
        if (request.get_header_value("Authorization") != "Bearer tok2") {
            response.status = 401;
            response.set_header("WWW-Authenticate", R"(Bearer error="invalid_token")");
            return;
        }
        response.set_content("{}", "application/json");
    });
    server.start();
    FakeTime time;
    auto settings = test_settings(time);
    remote::ConnectionOptions options;
    options.org_url = server.url();
    options.authority = server.url();
    options.tenant = "tenant-1";
    options.client_id = "app-1";
    auto tokens = remote::make_token_source(options, settings, std::make_shared<const remote::Secret>(k_secret));
    HttpClient client(settings, tokens);
    EXPECT_EQ(client.send(get(server.url() + "/api")).status, 200);
    EXPECT_EQ(issued.load(), 2);
    std::lock_guard lock(mutex);
    EXPECT_NE(form.find("grant_type=client_credentials"), std::string::npos) << form;
    EXPECT_NE(form.find("client_id=app-1"), std::string::npos) << form;
    EXPECT_NE(form.find("scope=" + remote::form_escape(server.url() + "/.default")), std::string::npos) << form;
    EXPECT_NE(form.find("client_secret=Sup3r-S3cret~Value"), std::string::npos) << form;
}

TEST(RemoteAuth, RefreshesBeforeExpiry)
{
    ScriptedServer server;
    std::atomic<int> issued{0};
    server.routes().Post("/adfs/oauth2/token", [&](const httplib::Request& request, httplib::Response& response) {
        EXPECT_NE(request.body.find("grant_type=password"), std::string::npos);
        EXPECT_NE(request.body.find("resource="), std::string::npos);
        ++issued;
        response.set_content(R"({"token_type":"Bearer","expires_in":120,"access_token":"t"})", "application/json");
    });
    server.routes().Get("/api", [&](const httplib::Request&, httplib::Response& response) {
        response.set_content("{}", "application/json");
    });
    server.start();
    FakeTime time;
    auto settings = test_settings(time, 3600s);
    remote::ConnectionOptions options;
    options.auth = remote::AuthKind::adfs;
    options.org_url = server.url();
    options.authority = server.url() + "/adfs";
    options.client_id = "app";
    options.user = "CONTOSO\\svc";
    auto tokens = remote::make_token_source(options, settings, std::make_shared<const remote::Secret>(k_secret));
    HttpClient client(settings, tokens);
    (void)client.send(get(server.url() + "/api"));
    (void)client.send(get(server.url() + "/api"));
    EXPECT_EQ(issued.load(), 1);
    time.now += 61s; // within a minute of the 120 s lifetime
    (void)client.send(get(server.url() + "/api"));
    EXPECT_EQ(issued.load(), 2);
}

TEST(RemoteAuth, TokenEndpointErrorsQuoteTheEndpointButNeverTheSecret)
{
    ScriptedServer server;
    server.routes().Post("/t/oauth2/v2.0/token", [&](const httplib::Request&, httplib::Response& response) {
        response.status = 401;
        // A careless endpoint that echoes what it got.
        response.set_content(
            std::string(
                R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided: )") +
                k_secret + "\"}",
            "application/json");
    });
    server.start();
    FakeTime time;
    auto settings = test_settings(time);
    remote::ConnectionOptions options;
    options.org_url = server.url();
    options.authority = server.url();
    options.tenant = "t";
    options.client_id = "c";
    auto tokens = remote::make_token_source(options, settings, std::make_shared<const remote::Secret>(k_secret));
    HttpClient client(settings, tokens);
    try {
        (void)client.send(get(server.url() + "/api"));
        FAIL() << "no error";
    } catch (const remote::RemoteError& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("invalid_client: AADSTS7000215: Invalid client secret provided"), std::string::npos)
            << message;
        EXPECT_NE(message.find("sign in at " + server.url() + "/t/oauth2/v2.0/token"), std::string::npos) << message;
        EXPECT_EQ(message.find(k_secret), std::string::npos) << message;
        EXPECT_EQ(e.http_status(), 401);
        EXPECT_EQ(e.code(), "invalid_client");
    }
}

TEST(RemoteAuth, FixedTokenIsSentAndNotRefreshed)
{
    ScriptedServer server;
    std::atomic<int> calls{0};
    server.routes().Get("/api", [&](const httplib::Request& request, httplib::Response& response) {
        ++calls;
        response.status = request.get_header_value("Authorization") == "Bearer fixed" ? 401 : 500;
    });
    server.start();
    FakeTime time;
    auto settings = test_settings(time);
    remote::ConnectionOptions options;
    options.auth = remote::AuthKind::token;
    auto tokens = remote::make_token_source(options, settings, std::make_shared<const remote::Secret>("fixed"));
    HttpClient client(settings, tokens);
    EXPECT_EQ(client.send(get(server.url() + "/api")).status, 401);
    EXPECT_EQ(calls.load(), 1);
}

TEST(RemoteAuth, OptionsTheAuthKindNeeds)
{
    FakeTime time;
    remote::ConnectionOptions options;
    options.client_id = "c";
    EXPECT_THROW(remote::make_token_source(options, test_settings(time), std::make_shared<const remote::Secret>("s")),
                 Error);
    options.auth = remote::AuthKind::ntlm;
    EXPECT_THROW(remote::make_token_source(options, test_settings(time), std::make_shared<const remote::Secret>("s")),
                 Error);
    options.user = "CONTOSO\\me";
    auto settings = test_settings(time);
    EXPECT_EQ(remote::make_token_source(options, settings, std::make_shared<const remote::Secret>("s")), nullptr);
    EXPECT_EQ(settings->ntlm_user, "CONTOSO\\me");
}

} // namespace
} // namespace escprov::test
