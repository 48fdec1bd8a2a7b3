// The remote client against the Dataverse emulator (escprov-fake-dataverse) over loopback: each
// generation of org (SOAP 2011, Web API 8.2 with the synchronous import, 9.2 with ImportSolutionAsync),
// then the same with faults injected. Skipped when the emulator is not built.

#include "remote/session.hpp"
#include "remote_support.hpp"
#include "support.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

namespace escprov::test {
namespace {

using namespace std::chrono_literals;

const std::string k_secret = "emulator-secret-8d1f";

struct OrgCase {
    std::string version;
    std::string seed;     // samples/orgs/…
    std::string solution; // samples/… imported
    remote::Api api;
    bool imports = true; // false: the org refuses the solution (its version check)
};

std::string read_start(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::string head(2, '\0');
    in.read(head.data(), 2);
    return head;
}

void drive(const OrgCase& org_case, const std::vector<std::string>& faults)
{
    std::string binary = fake_dataverse_binary();
    if (binary.empty()) {
        GTEST_SKIP() << "escprov-fake-dataverse is not built (set ESCPROV_FAKE_DATAVERSE to use one)";
    }
    std::string samples = std::string(ESCPROV_SOURCE_DIR) + "/samples/";
    std::vector<std::string> args = {"--port",           "0",
                                     "--org-version",    org_case.version,
                                     "--seed",           samples + "orgs/" + org_case.seed,
                                     "--client-id",      "app-1",
                                     "--import-step-ms", "20"};
    args.insert(args.end(), faults.begin(), faults.end());
    ChildServer emulator(binary, args, {{"ESCPROV_FAKE_SECRET", k_secret}});

    remote::ConnectionOptions options;
    options.org_url = emulator.url();
    options.authority = emulator.url();
    options.tenant = "contoso";
    options.client_id = "app-1";
    options.max_wait = 120s;
    options.timeout = 30s;
    std::unique_ptr<remote::Org> org;
    try {
        org = remote::connect(options, remote::Secret(k_secret));
    } catch (const Error& e) {
        FAIL() << e.what();
    }
    EXPECT_EQ(org->api(), org_case.api);
    EXPECT_TRUE(org->version().starts_with(org_case.version)) << org->version();
    auto me = org->who_am_i();
    EXPECT_EQ(me.user_id.size(), 36U) << me.user_id;
    auto privileges = org->user_privileges(me.user_id);
    EXPECT_TRUE(std::find(privileges.begin(), privileges.end(), "prvImportCustomization") != privileges.end());
    auto solutions = org->solutions();
    EXPECT_TRUE(std::any_of(solutions.begin(), solutions.end(),
                            [](const remote::SolutionInfo& s) { return s.unique_name == "Default"; }));
    auto entities = org->entities(true);
    auto contact = std::find_if(entities.begin(), entities.end(),
                                [](const remote::EntityInfo& e) { return e.logical_name == "contact"; });
    ASSERT_NE(contact, entities.end());
    EXPECT_FALSE(contact->attributes.empty());

    TempDir dir;
    org->export_solution("Default", false, dir / "Default.zip", nullptr);
    EXPECT_EQ(read_start(dir / "Default.zip"), "PK");

    remote::ImportRequest request;
    request.zip = samples + org_case.solution;
    request.job_id = remote::new_guid();
    double last = -1;
    auto outcome = org->import_solution(request, [&](double progress) { last = progress; });
    EXPECT_EQ(outcome.job_id, request.job_id);
    if (!org_case.imports) {
        EXPECT_FALSE(outcome.succeeded);
        EXPECT_NE(outcome.message.find("0x80048068"), std::string::npos) << outcome.message;
        EXPECT_NE(outcome.job_data.find("result=\"failure\""), std::string::npos) << outcome.job_data.substr(0, 2000);
        return;
    }
    EXPECT_TRUE(outcome.succeeded) << outcome.message << "\n" << outcome.job_data.substr(0, 2000);
    EXPECT_GE(last, 0);
    org->publish({}, false);
    org->publish({"contact"}, true);
    auto after = org->solutions();
    ASSERT_GT(after.size(), solutions.size());
    // Uninstall what was imported: the one solution that was not there before.
    auto added = std::find_if(after.begin(), after.end(), [&](const remote::SolutionInfo& s) {
        return std::none_of(solutions.begin(), solutions.end(),
                            [&](const remote::SolutionInfo& old) { return old.id == s.id; });
    });
    ASSERT_NE(added, after.end());
    org->delete_solution(added->id);
    EXPECT_EQ(org->solutions().size(), solutions.size());
}

TEST(RemoteEmulator, Crm2011OverSoap)
{
    drive({"5.0", "crm2011-fabrikam.zip", "crm2011-event-management.zip", remote::Api::soap}, {});
}

TEST(RemoteEmulator, Crm2016OverWebApi81)
{
    drive({"8.1", "crm2016-adatum.zip", "crm2016-event-management_managed.zip", remote::Api::web_api}, {});
}

TEST(RemoteEmulator, ARefusedImportOn82IsAnOutcomeWithTheJobLog)
{
    // The 8.1-era sample lacks what the 8.2 profile demands (WebResource LanguageCode).
    drive({"8.2", "crm2016-adatum.zip", "crm2016-event-management_managed.zip", remote::Api::web_api, false}, {});
}

TEST(RemoteEmulator, Dynamics92WithImportSolutionAsync)
{
    drive({"9.2", "d365-contoso-9.2.zip", "d365-event-management-9.2.zip", remote::Api::web_api}, {});
}

TEST(RemoteEmulator, Dynamics92WithFaults)
{
    drive({"9.2", "d365-contoso-9.2.zip", "d365-event-management-9.2.zip", remote::Api::web_api},
          {"--fault-429-every", "5", "--retry-after", "1", "--fault-503-every", "7", "--fault-drop-every", "11",
           "--expire-tokens-every", "6"});
}

TEST(RemoteEmulator, Crm2011WithFaults)
{
    drive({"5.0", "crm2011-fabrikam.zip", "crm2011-event-management.zip", remote::Api::soap},
          {"--fault-429-every", "5", "--retry-after", "1", "--fault-503-every", "7", "--fault-drop-every", "11",
           "--expire-tokens-every", "6"});
}

} // namespace
} // namespace escprov::test
