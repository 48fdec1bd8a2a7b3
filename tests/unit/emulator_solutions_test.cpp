// escprov-fake-dataverse: the org's state. Export rebuilds the seed's customisations; an import of
// the connector changes the next export and creates tables; imports the org cannot take fail
// as CRM's do (a newer solution version with component-level errors, a missing dependency), and
// leave the org unchanged; asynchronous imports, formatted results, metadata, uninstall.

#include "emulator_support.hpp"

#include <chrono>
#include <thread>

namespace escprov::test {
namespace {

std::string job_guid(int n)
{
    std::string digits = std::to_string(n);
    return "5f0c2a1e-0000-4000-8000-" + std::string(12 - digits.size(), '0') + digits;
}

std::string export_customizations(const FakeDataverse& org, const std::string& version, const std::string& token,
                                  const fs::path& zip)
{
    HttpAnswer exported =
        org.api_post(version, "/ExportSolution", {{"SolutionName", "Default"}, {"Managed", false}}, token);
    EXPECT_EQ(exported.status, 200) << exported.body;
    save_export(exported, zip);
    return zip_entry(zip, "customizations.xml");
}

std::set<std::string> entity_names(const FakeDataverse& org, const std::string& version, const std::string& token)
{
    nlohmann::json body = org.api_get(version, "/EntityDefinitions?$select=LogicalName,EntitySetName", token).json();
    std::set<std::string> names;
    for (const auto& entity : body["value"]) {
        names.insert(entity["LogicalName"].get<std::string>());
    }
    return names;
}

TEST(EmulatorSolutions, DefaultExportIsTheSeedsCustomisations)
{
    TempDir dir;
    FakeDataverse org({"--org-version", "8.2", "--seed", sample_org("crm2016-adatum")});
    std::string token = org.token();
    std::string customizations = export_customizations(org, "8.2", token, dir / "export.zip");
    EXPECT_EQ(customizations, zip_entry(sample_org("crm2016-adatum"), "customizations.xml"));
    EXPECT_EQ(zip_entry(dir / "export.zip", "solution.xml"), zip_entry(sample_org("crm2016-adatum"), "solution.xml"));
    auto names = entity_names(org, "8.2", token);
    for (const char* seeded : {"account", "contact", "list", "campaign", "new_event", "new_venue", "importjob"}) {
        EXPECT_EQ(names.count(seeded), 1u) << seeded;
    }
    HttpAnswer solutions = org.api_get("8.2", "/solutions?$select=uniquename,ismanaged,isvisible", token);
    std::set<std::string> unique_names;
    nlohmann::json rows = solutions.json();
    for (const auto& row : rows["value"]) {
        unique_names.insert(row["uniquename"].get<std::string>());
    }
    EXPECT_EQ(unique_names, (std::set<std::string>{"Active", "Basic", "Default", "System"}));
    HttpAnswer managed_default =
        org.api_post("8.2", "/ExportSolution", {{"SolutionName", "Default"}, {"Managed", true}}, token);
    EXPECT_EQ(managed_default.status, 400);
}

TEST(EmulatorSolutions, ImportingTheConnectorChangesTheNextExport)
{
    TempDir dir;
    HandOff hand_off = make_hand_off(dir.path());
    ASSERT_FALSE(hand_off.managed.empty());
    FakeDataverse org({"--org-version", "8.2", "--seed", sample_org("crm2016-adatum"), "--import-step-ms", "20"});
    std::string token = org.token();
    EXPECT_EQ(org.api_get("8.2", "/esc_emailaccounts", token).status, 404);
    HttpAnswer imported = org.api_post("8.2", "/ImportSolution", import_body(hand_off.managed, job_guid(1)), token);
    ASSERT_EQ(imported.status, 204) << imported.body;
    nlohmann::json job =
        org.api_get("8.2", "/importjobs(" + job_guid(1) + ")?$select=progress,startedon,completedon,solutionname,data",
                    token)
            .json();
    EXPECT_EQ(job["progress"], 100.0);
    EXPECT_EQ(job["solutionname"], "EmailServiceConnector");
    EXPECT_FALSE(job["completedon"].is_null());
    std::string data = job["data"];
    EXPECT_NE(data.find("<solutionManifest "), std::string::npos);
    EXPECT_NE(data.find("result=\"success\""), std::string::npos);
    EXPECT_EQ(data.find("result=\"failure\""), std::string::npos);
    std::string customizations = export_customizations(org, "8.2", token, dir / "after.zip");
    EXPECT_NE(customizations.find(">esc_emailaccount</Name>"), std::string::npos);
    EXPECT_NE(customizations.find(">new_event</Name>"), std::string::npos); // the customer's stay
    // The connector extends Contact: its attributes and tab are layered over the customer's Contact,
    // whose own fields and forms stay.
    size_t contact = customizations.find("<Name LocalizedName=\"Contact\"");
    ASSERT_NE(contact, std::string::npos);
    std::string contact_entity = customizations.substr(contact, customizations.find("</Entity>", contact) - contact);
    EXPECT_NE(contact_entity.find("<LogicalName>new_badgename</LogicalName>"), std::string::npos);
    EXPECT_NE(contact_entity.find("<LogicalName>esc_emailscore</LogicalName>"), std::string::npos);
    EXPECT_NE(contact_entity.find("name=\"esc_EmailMarketing\""), std::string::npos);
    EXPECT_EQ(contact_entity.find("solutionaction"), std::string::npos);
    RunResult validated = run_escprov({"validate", (dir / "after.zip").string()});
    EXPECT_EQ(validated.exit_code, 0) << validated.out << validated.err;
    HttpAnswer table = org.api_get("8.2", "/esc_emailaccounts", token);
    EXPECT_EQ(table.status, 200);
    EXPECT_EQ(entity_names(org, "8.2", token).count("esc_emailaccount"), 1u);
    HttpAnswer row = org.api_get("8.2",
                                 "/solutions?$select=solutionid,version,ismanaged&$filter=uniquename eq "
                                 "'EmailServiceConnector'",
                                 token);
    nlohmann::json rows = row.json();
    ASSERT_EQ(rows["value"].size(), 1u);
    EXPECT_EQ(rows["value"][0]["ismanaged"], true);
    EXPECT_EQ(org.api_post("8.2", "/PublishAllXml", nlohmann::json::object(), token).status, 204);
    EXPECT_EQ(org.api_post("8.2", "/PublishXml",
                           {{"ParameterXml",
                             "<importexportxml><entities><entity>contact</entity></entities></importexportxml>"}},
                           token)
                  .status,
              204);
    // Uninstalling takes the connector's entities and tables away again.
    std::string id = rows["value"][0]["solutionid"];
    EXPECT_EQ(org.del("/api/data/v8.2/solutions(" + id + ")", token).status, 204);
    EXPECT_EQ(export_customizations(org, "8.2", token, dir / "removed.zip").find(">esc_emailaccount</Name>"),
              std::string::npos);
    EXPECT_EQ(org.api_get("8.2", "/esc_emailaccounts", token).status, 404);
}

TEST(EmulatorSolutions, NewerSolutionFailsWithComponentErrorsAndLeavesTheOrgAlone)
{
    TempDir dir;
    fs::path package = connector_package(dir.path(), "d365-contoso-9.2", "9.2");
    ASSERT_FALSE(package.empty());
    FakeDataverse org({"--org-version", "8.2", "--seed", sample_org("crm2016-adatum"), "--import-step-ms", "10"});
    std::string token = org.token();
    HttpAnswer imported = org.api_post("8.2", "/ImportSolution", import_body(package, job_guid(2)), token);
    EXPECT_EQ(imported.status, 400);
    EXPECT_EQ(imported.json()["error"]["code"], "0x80048068");
    nlohmann::json job = org.api_get("8.2", "/importjobs(" + job_guid(2) + ")?$select=data,completedon", token).json();
    std::string data = job["data"];
    EXPECT_NE(data.find("errorcode=\"0x8004F052\""), std::string::npos) << "the version check";
    // A component-level failure: an entity of the package the 8.2 vocabulary does not hold.
    size_t entity_failure = data.find("<entity ");
    entity_failure = data.find("result=\"failure\" errorcode=\"0x80048060\"", entity_failure);
    EXPECT_NE(entity_failure, std::string::npos) << data.substr(0, 2000);
    EXPECT_EQ(export_customizations(org, "8.2", token, dir / "after.zip"),
              zip_entry(sample_org("crm2016-adatum"), "customizations.xml"));
    HttpAnswer results =
        org.api_get("8.2", "/RetrieveFormattedImportJobResults(ImportJobId=@p)?@p=" + job_guid(2), token);
    ASSERT_EQ(results.status, 200);
    std::string formatted = results.json()["FormattedResults"];
    EXPECT_NE(formatted.find("urn:schemas-microsoft-com:office:spreadsheet"), std::string::npos);
    EXPECT_NE(formatted.find("0x80048060"), std::string::npos);
}

TEST(EmulatorSolutions, MissingSystemEntityIsAMissingDependency)
{
    TempDir dir;
    HandOff hand_off = make_hand_off(dir.path());
    ASSERT_FALSE(hand_off.managed.empty());
    FakeDataverse org({"--org-version", "8.2", "--seed", sample_org("crm2016-adatum"), "--remove-entity", "list",
                       "--import-step-ms", "10"});
    std::string token = org.token();
    EXPECT_EQ(entity_names(org, "8.2", token).count("list"), 0u);
    HttpAnswer imported = org.api_post("8.2", "/ImportSolution", import_body(hand_off.managed, job_guid(3)), token);
    EXPECT_EQ(imported.status, 400);
    EXPECT_NE(imported.json()["error"]["message"].get<std::string>().find("components are missing"), std::string::npos);
    std::string data = org.api_get("8.2", "/importjobs(" + job_guid(3) + ")?$select=data", token).json()["data"];
    EXPECT_NE(data.find("<MissingDependencies><MissingDependency><Required type=\"1\" schemaName=\"list\""),
              std::string::npos)
        << data;
    EXPECT_NE(data.find("errorcode=\"0x8004F016\""), std::string::npos);
    EXPECT_EQ(org.api_get("8.2", "/esc_emailaccounts", token).status, 404);
}

TEST(EmulatorSolutions, AsyncImportReportsProgressAndCompletion)
{
    TempDir dir;
    fs::path package = connector_package(dir.path(), "d365-contoso-9.2", "9.2");
    ASSERT_FALSE(package.empty());
    FakeDataverse org({"--org-version", "9.2", "--seed", sample_org("d365-contoso-9.2"), "--import-step-ms", "100"});
    std::string token = org.token();
    HttpAnswer started = org.api_post("9.2", "/ImportSolutionAsync", import_body(package, job_guid(4)), token);
    ASSERT_EQ(started.status, 200) << started.body;
    nlohmann::json ids = started.json();
    EXPECT_EQ(ids["ImportJobKey"], job_guid(4));
    std::string operation = ids["AsyncOperationId"];
    std::set<double> progress_seen;
    nlohmann::json state;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    do {
        nlohmann::json job = org.api_get("9.2", "/importjobs(" + job_guid(4) + ")?$select=progress", token).json();
        progress_seen.insert(job["progress"].get<double>());
        state = org.api_get("9.2", "/asyncoperations(" + operation + ")?$select=statecode,statuscode,message", token)
                    .json();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (state["statecode"] != 3 && std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(state["statecode"], 3);
    EXPECT_EQ(state["statuscode"], 30) << state.dump();
    EXPECT_GE(progress_seen.size(), 3u) << "progress moves in steps";
    EXPECT_NE(export_customizations(org, "9.2", token, dir / "after.zip").find(">esc_emailaccount</Name>"),
              std::string::npos);
}

TEST(EmulatorSolutions, ManagedSolutionCannotGoBackToAnOlderVersion)
{
    TempDir dir;
    HandOff hand_off = make_hand_off(dir.path());
    ASSERT_FALSE(hand_off.managed.empty());
    fs::path newer = dir / "EmailServiceConnector_99_0_0_0_managed.zip";
    RunResult packaged = run_escprov({"package", hand_off.tree.string(), "--managed", "--target", "8.2", "--version",
                                      "99.0.0.0", "-o", newer.string()});
    ASSERT_EQ(packaged.exit_code, 0) << packaged.err;
    FakeDataverse org({"--org-version", "8.2", "--seed", sample_org("crm2016-adatum"), "--import-step-ms", "5"});
    std::string token = org.token();
    ASSERT_EQ(org.api_post("8.2", "/ImportSolution", import_body(newer, job_guid(6)), token).status, 204);
    HttpAnswer older = org.api_post("8.2", "/ImportSolution", import_body(hand_off.managed, job_guid(7)), token);
    EXPECT_EQ(older.status, 400);
    std::string data = org.api_get("8.2", "/importjobs(" + job_guid(7) + ")?$select=data", token).json()["data"];
    EXPECT_NE(data.find("errorcode=\"0x8004F03A\""), std::string::npos);
    // The same version again is an accepted re-import.
    EXPECT_EQ(org.api_post("8.2", "/ImportSolution", import_body(newer, job_guid(8)), token).status, 204);
}

TEST(EmulatorSolutions, HoldingSolutionIsPromoted)
{
    TempDir dir;
    HandOff hand_off = make_hand_off(dir.path());
    ASSERT_FALSE(hand_off.managed.empty());
    FakeDataverse org({"--org-version", "8.2", "--seed", sample_org("crm2016-adatum"), "--import-step-ms", "5"});
    std::string token = org.token();
    nlohmann::json body = import_body(hand_off.managed, job_guid(5));
    body["HoldingSolution"] = true;
    ASSERT_EQ(org.api_post("8.2", "/ImportSolution", body, token).status, 204);
    auto count = [&](const std::string& name) {
        return org.api_get("8.2", "/solutions?$select=uniquename&$filter=uniquename eq '" + name + "'", token)
            .json()["value"]
            .size();
    };
    EXPECT_EQ(count("EmailServiceConnector_Upgrade"), 1u);
    HttpAnswer promoted = org.api_post("8.2", "/DeleteAndPromote", {{"UniqueName", "EmailServiceConnector"}}, token);
    ASSERT_EQ(promoted.status, 200) << promoted.body;
    EXPECT_EQ(promoted.json()["SolutionId"].get<std::string>().size(), 36u);
    EXPECT_EQ(count("EmailServiceConnector_Upgrade"), 0u);
    EXPECT_EQ(count("EmailServiceConnector"), 1u);
}

} // namespace
} // namespace escprov::test
