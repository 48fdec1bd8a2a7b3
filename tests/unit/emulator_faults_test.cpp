// escprov-fake-dataverse's fault injection: each fault falls on exactly the configured requests
// (counted over every request but the token endpoint's), so a client's retries can be tested
// deterministically.

#include "emulator_support.hpp"

#include <chrono>
#include <thread>

namespace escprov::test {
namespace {

std::vector<std::string> org_92(std::vector<std::string> faults)
{
    std::vector<std::string> args = {"--org-version", "9.2", "--seed", sample_org("d365-contoso-9.2")};
    args.insert(args.end(), faults.begin(), faults.end());
    return args;
}

TEST(EmulatorFaults, EveryThirdRequestIsThrottledWithRetryAfter)
{
    FakeDataverse org(org_92({"--fault-429-every", "3", "--retry-after", "7"}));
    std::string token = org.token();
    std::string token_again = org.token(); // token requests are not counted
    ASSERT_FALSE(token_again.empty());
    std::vector<int> statuses;
    for (int i = 0; i < 6; ++i) {
        HttpAnswer answer = org.api_get("9.2", "/WhoAmI", token);
        statuses.push_back(answer.status);
        if (answer.status == 429) {
            EXPECT_EQ(answer.header("Retry-After"), "7");
            EXPECT_EQ(answer.json()["error"]["code"], "0x80072322");
        }
    }
    EXPECT_EQ(statuses, (std::vector<int>{200, 200, 429, 200, 200, 429}));
}

TEST(EmulatorFaults, EverySecondRequestIsUnavailable)
{
    FakeDataverse org(org_92({"--fault-503-every", "2"}));
    std::string token = org.token();
    std::vector<int> statuses;
    for (int i = 0; i < 4; ++i) {
        statuses.push_back(org.api_get("9.2", "/RetrieveVersion()", token).status);
    }
    EXPECT_EQ(statuses, (std::vector<int>{200, 503, 200, 503}));
}

TEST(EmulatorFaults, DroppedConnectionGivesNoFullAnswer)
{
    FakeDataverse org(org_92({"--fault-drop-every", "2"}));
    std::string token = org.token();
    EXPECT_EQ(org.api_get("9.2", "/WhoAmI", token).status, 200);
    HttpAnswer dropped = org.api_get("9.2", "/WhoAmI", token);
    EXPECT_EQ(dropped.status, 0) << "the client saw a complete answer: " << dropped.body;
    EXPECT_EQ(org.api_get("9.2", "/WhoAmI", token).status, 200);
}

TEST(EmulatorFaults, ImportWhoseAnswerDropsHasStillRun)
{
    TempDir dir;
    fs::path package = connector_package(dir.path(), "d365-contoso-9.2", "9.2");
    ASSERT_FALSE(package.empty());
    FakeDataverse org(org_92({"--fault-drop-every", "2", "--import-step-ms", "10"}));
    std::string token = org.token();
    EXPECT_EQ(org.api_get("9.2", "/WhoAmI", token).status, 200);
    std::string job = "7b0c2a1e-0000-4000-8000-000000000001";
    EXPECT_EQ(org.api_post("9.2", "/ImportSolution", import_body(package, job), token).status, 0);
    // The client finds the job the org ran instead of sending the import again.
    nlohmann::json row;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    do {
        HttpAnswer answer = org.api_get("9.2", "/importjobs(" + job + ")?$select=completedon,progress", token);
        row = answer.status == 200 ? answer.json() : nlohmann::json();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while ((row.is_null() || row["completedon"].is_null()) && std::chrono::steady_clock::now() < deadline);
    ASSERT_TRUE(row.is_object());
    EXPECT_EQ(row["progress"], 100.0);
    HttpAnswer solutions =
        org.api_get("9.2", "/solutions?$select=uniquename&$filter=uniquename eq 'EmailServiceConnector'", token);
    if (solutions.status == 0) { // this request may be a dropped one itself
        solutions =
            org.api_get("9.2", "/solutions?$select=uniquename&$filter=uniquename eq 'EmailServiceConnector'", token);
    }
    EXPECT_EQ(solutions.json()["value"].size(), 1u);
}

TEST(EmulatorFaults, TokensExpireOnTheConfiguredRequest)
{
    FakeDataverse org(org_92({"--expire-tokens-every", "3"}));
    std::string token = org.token();
    EXPECT_EQ(org.api_get("9.2", "/WhoAmI", token).status, 200);
    EXPECT_EQ(org.api_get("9.2", "/WhoAmI", token).status, 200);
    HttpAnswer expired = org.api_get("9.2", "/WhoAmI", token);
    EXPECT_EQ(expired.status, 401);
    EXPECT_NE(expired.header("WWW-Authenticate").find("invalid_token"), std::string::npos);
    // A fresh token works until the next third authenticated request.
    std::string fresh = org.token();
    EXPECT_EQ(org.api_get("9.2", "/WhoAmI", fresh).status, 200);
    EXPECT_EQ(org.api_get("9.2", "/WhoAmI", token).status, 401);
}

TEST(EmulatorFaults, LatencyDelaysEveryAnswer)
{
    FakeDataverse org(org_92({"--latency-ms", "300"}));
    std::string token = org.token();
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(org.api_get("9.2", "/WhoAmI", token).status, 200);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

} // namespace
} // namespace escprov::test
