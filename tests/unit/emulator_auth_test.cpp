// escprov-fake-dataverse: sign-in (Entra ID and AD FS token endpoints, bearer checks, expiry,
// the reverse proxy's user) and the requests a real org refuses (headers, body shapes, versions).

#include "emulator_support.hpp"

#include <chrono>
#include <set>
#include <thread>

namespace escprov::test {
namespace {

const std::map<std::string, std::string> k_secret_env = {{"ESCPROV_FAKE_SECRET", "s3cret!"},
                                                         {"ESCPROV_FAKE_PASSWORD", "pa55word"}};

std::vector<std::string> org_82(std::vector<std::string> more = {})
{
    std::vector<std::string> args = {"--org-version", "8.2",         "--seed", sample_org("crm2016-adatum"),
                                     "--client-id",   "escprov-app", "--user", "svc-escprov"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

TEST(EmulatorAuth, ClientCredentialsTokenOpensTheWebApi)
{
    FakeDataverse org(org_82(), k_secret_env);
    std::string token = org.token();
    ASSERT_FALSE(token.empty());
    HttpAnswer version = org.api_get("8.0", "/RetrieveVersion()", token);
    EXPECT_EQ(version.status, 200);
    EXPECT_EQ(version.json()["Version"], "8.2.2.112");
    EXPECT_EQ(version.header("OData-Version"), "4.0");
    EXPECT_NE(version.header("Content-Type").find("application/json"), std::string::npos);
    HttpAnswer who = org.api_get("8.2", "/WhoAmI", token);
    ASSERT_EQ(who.status, 200);
    EXPECT_EQ(who.json()["@odata.context"],
              org.url() + "/api/data/v8.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse");
    EXPECT_EQ(who.json()["UserId"].get<std::string>().size(), 36u);
    // The secret came from the environment and appears nowhere in the emulator's output.
    EXPECT_EQ(org.output().find("s3cret!"), std::string::npos);
}

TEST(EmulatorAuth, WrongSecretIsInvalidClient)
{
    FakeDataverse org(org_82(), k_secret_env);
    EXPECT_TRUE(org.token("escprov-app", "wrong").empty());
    EXPECT_TRUE(org.token("another-app", "s3cret!").empty());
    HttpAnswer refused = org.post(
        "/tenant/oauth2/v2.0/token",
        "grant_type=client_credentials&client_id=escprov-app&client_secret=nope&scope=" + org.url() + "/.default",
        "application/x-www-form-urlencoded", "");
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.json()["error"], "invalid_client");
    HttpAnswer no_scope = org.post("/tenant/oauth2/v2.0/token",
                                   "grant_type=client_credentials&client_id=escprov-app&client_secret=s3cret%21",
                                   "application/x-www-form-urlencoded", "");
    EXPECT_EQ(no_scope.status, 400);
    EXPECT_EQ(no_scope.json()["error"], "invalid_scope");
}

TEST(EmulatorAuth, AdfsPasswordAndClientGrants)
{
    FakeDataverse org(org_82(), k_secret_env);
    HttpAnswer password = org.post("/adfs/oauth2/token",
                                   "grant_type=password&client_id=escprov-app&username=svc-escprov&password=pa55word"
                                   "&resource=" +
                                       org.url(),
                                   "application/x-www-form-urlencoded", "");
    ASSERT_EQ(password.status, 200);
    std::string token = password.json().value("access_token", "");
    EXPECT_EQ(org.api_get("8.2", "/WhoAmI", token).status, 200);
    HttpAnswer bad =
        org.post("/adfs/oauth2/token",
                 "grant_type=password&client_id=escprov-app&username=svc-escprov&password=x&resource=" + org.url(),
                 "application/x-www-form-urlencoded", "");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.json()["error"], "invalid_grant");
    HttpAnswer client = org.post("/adfs/oauth2/token",
                                 "grant_type=client_credentials&client_id=escprov-app&client_secret=s3cret%21"
                                 "&resource=" +
                                     org.url(),
                                 "application/x-www-form-urlencoded", "");
    EXPECT_EQ(client.status, 200);
}

TEST(EmulatorAuth, MissingOrUnknownTokenIsRefusedWithTheAuthority)
{
    FakeDataverse org(org_82(), k_secret_env);
    for (const std::string& token : {std::string(), std::string("forged-token")}) {
        HttpAnswer refused = org.api_get("8.2", "/WhoAmI", token);
        EXPECT_EQ(refused.status, 401);
        EXPECT_EQ(refused.header("WWW-Authenticate"),
                  "Bearer authorization_uri=" + org.url() + "/common/oauth2/authorize, resource_id=" + org.url() + "/");
    }
    EXPECT_EQ(org.soap("WhoAmI", "", "").status, 401);
}

TEST(EmulatorAuth, ExpiredTokenSaysSo)
{
    FakeDataverse org(org_82({"--token-lifetime", "1"}), k_secret_env);
    std::string token = org.token();
    EXPECT_EQ(org.api_get("8.2", "/WhoAmI", token).status, 200);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    HttpAnswer answer;
    do {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        answer = org.api_get("8.2", "/WhoAmI", token);
    } while (answer.status == 200 && std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(answer.status, 401);
    EXPECT_EQ(answer.header("WWW-Authenticate"),
              "Bearer error=\"invalid_token\", error_description=\"The access token expired\"");
    EXPECT_EQ(org.api_get("8.2", "/WhoAmI", org.token()).status, 200);
}

TEST(EmulatorAuth, ProxyUserIsTrustedOnlyWhenAsked)
{
    FakeDataverse trusting(org_82({"--trust-proxy-user"}), k_secret_env);
    auto headers = odata_headers();
    headers["X-Remote-User"] = "ADATUM\\svc-escprov";
    EXPECT_EQ(trusting.get("/api/data/v8.2/WhoAmI", "", headers).status, 200);
    FakeDataverse strict(org_82(), k_secret_env);
    EXPECT_EQ(strict.get("/api/data/v8.2/WhoAmI", "", headers).status, 401);
}

TEST(EmulatorAuth, RefusesWhatARealOrgRefuses)
{
    FakeDataverse org(org_82(), k_secret_env);
    std::string token = org.token();
    auto old_odata = odata_headers();
    old_odata["OData-Version"] = "3.0";
    EXPECT_EQ(org.get("/api/data/v8.2/WhoAmI", token, old_odata).status, 400);
    HttpAnswer not_json =
        org.post("/api/data/v8.2/ExportSolution", "SolutionName=Default", "text/plain", token, odata_headers());
    EXPECT_EQ(not_json.status, 415);
    HttpAnswer broken =
        org.post("/api/data/v8.2/ExportSolution", "{\"SolutionName\":", "application/json", token, odata_headers());
    EXPECT_EQ(broken.status, 400);
    EXPECT_EQ(broken.json()["error"]["code"], "0x80040203");
    HttpAnswer wrong_type =
        org.api_post("8.2", "/ExportSolution", {{"SolutionName", "Default"}, {"Managed", "no"}}, token);
    EXPECT_EQ(wrong_type.status, 400);
    EXPECT_NE(wrong_type.json()["error"]["message"].get<std::string>().find("Managed"), std::string::npos);
    HttpAnswer missing = org.api_post("8.2", "/ExportSolution", {{"Managed", false}}, token);
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(org.api_get("9.0", "/WhoAmI", token).status, 404); // an 8.2 org serves v8.0-v8.2
    HttpAnswer unknown = org.api_get("8.2", "/nosuchthings", token);
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.json()["error"]["code"], "0x8006088a");
    HttpAnswer async = org.api_post("8.2", "/ImportSolutionAsync", {}, token);
    EXPECT_EQ(async.status, 404);
    EXPECT_EQ(async.json()["error"]["message"], "Resource not found for the segment 'ImportSolutionAsync'.");
}

TEST(EmulatorAuth, OrgsBeforeCrm2016HaveNoWebApi)
{
    FakeDataverse org({"--org-version", "7.0", "--seed", sample_org("crm2011-fabrikam")});
    std::string token = org.token("any-app", "any-secret"); // no --client-id: an open org
    ASSERT_FALSE(token.empty());
    EXPECT_EQ(org.api_get("8.0", "/RetrieveVersion()", token).status, 404);
    HttpAnswer who = org.soap("WhoAmI", "", token);
    EXPECT_EQ(who.status, 200);
    EXPECT_NE(who.body.find("<c:key>UserId</c:key>"), std::string::npos);
}

TEST(EmulatorAuth, DeniedPrivilegeIsMissingFromTheUsersPrivileges)
{
    FakeDataverse org(org_82({"--deny-privilege", "prvImportCustomization"}), k_secret_env);
    std::string token = org.token();
    std::string user = org.api_get("8.2", "/WhoAmI", token).json()["UserId"];
    HttpAnswer privileges =
        org.api_get("8.2", "/systemusers(" + user + ")/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()", token);
    ASSERT_EQ(privileges.status, 200);
    std::set<std::string> names;
    nlohmann::json body = privileges.json();
    for (const auto& privilege : body["RolePrivileges"]) {
        names.insert(privilege["PrivilegeName"].get<std::string>());
        EXPECT_EQ(privilege["Depth"], "Global");
    }
    EXPECT_EQ(names.count("prvImportCustomization"), 0u);
    EXPECT_EQ(names.count("prvPublishCustomization"), 1u);
    EXPECT_EQ(names.count("prvReadAccount"), 1u);
    EXPECT_EQ(org.api_get("8.2",
                          "/systemusers(00000000-0000-0000-0000-000000000001)/"
                          "Microsoft.Dynamics.CRM.RetrieveUserPrivileges()",
                          token)
                  .status,
              404);
}

} // namespace
} // namespace escprov::test
