// The Option 1 run end to end over loopback: escprov check, provision, export, import and restore
// against the Dataverse emulator, for a CRM 2011 org (SOAP), a CRM 2016 org (Web API 8.2) and a
// Dataverse 9.2 org, with and without faults, and the secret looked for in everything escprov wrote.

#include "provision/org_import.hpp"
#include "remote_support.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

namespace escprov::test {
namespace {

// Fixed for these tests; never on a command line: escprov reads ESCPROV_SECRET, the emulator
// ESCPROV_FAKE_SECRET.
const std::string k_secret = "s3cret-Vr9q2Lw7xZ-not-for-logs";

class SecretInEnvironment {
public:
    SecretInEnvironment() { ::setenv("ESCPROV_SECRET", k_secret.c_str(), 1); }
    ~SecretInEnvironment() { ::unsetenv("ESCPROV_SECRET"); }
};

struct OrgCase {
    std::string name;
    std::string version;
    std::string seed;
    std::vector<std::string> faults;
};

void PrintTo(const OrgCase& org, std::ostream* out)
{
    *out << org.name;
}

std::vector<std::string> connection(const std::string& url)
{
    return {"--org",         url,           "--auth", "client-credentials", "--tenant", "contoso", "--client-id",
            "escprov-tests", "--authority", url,      "--max-wait",         "600"};
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more)
{
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

std::unique_ptr<ChildServer> start(const OrgCase& org, const std::vector<std::string>& extra = {})
{
    std::vector<std::string> args{"--port",           "0",
                                  "--org-version",    org.version,
                                  "--seed",           (source_dir() / "samples/orgs" / org.seed).string(),
                                  "--client-id",      "escprov-tests",
                                  "--import-step-ms", "20"};
    args.insert(args.end(), org.faults.begin(), org.faults.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ChildServer>(
        fake_dataverse_binary(), args,
        std::vector<std::pair<std::string, std::string>>{{"ESCPROV_FAKE_SECRET", k_secret}});
}

// Every file below `folder`, zips opened (their entries read), as one text to search.
std::string everything_below(const fs::path& folder)
{
    std::string text;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (!entry.is_regular_file()) {
            continue;
        }
        text += read_bytes(entry.path());
    }
    return text;
}

fs::path only_file(const fs::path& folder, const std::string& pattern)
{
    std::regex match(pattern);
    fs::path found;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (std::regex_match(entry.path().filename().string(), match)) {
            EXPECT_TRUE(found.empty()) << "two files match " << pattern << " in " << folder;
            found = entry.path();
        }
    }
    EXPECT_FALSE(found.empty()) << "no file matches " << pattern << " in " << folder;
    return found;
}

class ProvisionEndToEnd : public ::testing::TestWithParam<OrgCase> {};

TEST_P(ProvisionEndToEnd, ProvisionsTheOrgAndItsNextExportHoldsTheConnector)
{
    if (fake_dataverse_binary().empty()) {
        GTEST_SKIP() << "escprov-fake-dataverse was not built";
    }
    const OrgCase& org = GetParam();
    auto emulator = start(org);
    SecretInEnvironment secret;
    TempDir temp;

    RunResult check = run_escprov(with({"check"}, connection(emulator->url())));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

    RunResult run = run_escprov(with({"provision", "--out", (temp / "run").string()}, connection(emulator->url())));
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("result: ok"), std::string::npos) << run.out;

    fs::path backup = only_file(temp / "run/backup", "escprov-backup-.*\\.zip");
    RunResult verify = run_escprov({"backup", "verify", backup.string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

    // The org's own export, taken afterwards, holds every entity and role the package brought.
    fs::path package = only_file(temp / "run", "EmailServiceConnector_.*_managed\\.zip");
    provision::PackageFacts facts = provision::read_package(package, {});
    RunResult after = run_escprov(with({"export", "--out", (temp / "after").string()}, connection(emulator->url())));
    ASSERT_EQ(after.exit_code, 0) << after.out << after.err;
    fs::path after_backup = only_file(temp / "after", "escprov-backup-.*\\.zip");
    RunResult extract = run_escprov({"backup", "extract", after_backup.string(), (temp / "extracted").string()});
    ASSERT_EQ(extract.exit_code, 0) << extract.err;
    fs::path default_export = only_file(temp / "extracted/exports", "Default_.*\\.zip");
    std::string customizations = zip_entry(default_export, "customizations.xml");
    size_t connector_entities = 0;
    for (const std::string& entity : facts.entities) {
        if (entity.starts_with("esc_")) {
            ++connector_entities;
            EXPECT_NE(customizations.find(">" + entity + "<"), std::string::npos) << entity;
        }
    }
    EXPECT_GT(connector_entities, 8u);
    ASSERT_EQ(facts.roles.size(), 4u);
    for (const std::string& role : facts.roles) {
        EXPECT_NE(customizations.find("name=\"" + role + "\""), std::string::npos) << role;
    }

    // No secret in anything escprov printed or wrote.
    for (const RunResult* result : {&check, &run, &verify, &after}) {
        EXPECT_EQ(result->out.find(k_secret), std::string::npos);
        EXPECT_EQ(result->err.find(k_secret), std::string::npos);
    }
    EXPECT_EQ(everything_below(temp.path()).find(k_secret), std::string::npos);
}

// An import the org refuses (a plug-in of the customer's aborting it, --reject-entity) ends the run with
// exit 1, the import job's errors as lines, the log beside the backup, and the command that restores
// the backup — which then works.
TEST(ProvisionEndToEndFailure, AFailedImportPrintsItsErrorsAndTheRestoreCommandThatWorks)
{
    if (fake_dataverse_binary().empty()) {
        GTEST_SKIP() << "escprov-fake-dataverse was not built";
    }
    OrgCase org{"Dataverse92", "9.2", "d365-contoso-9.2.zip", {}};
    auto emulator = start(org, {"--reject-entity", "esc_emailcampaign"});
    SecretInEnvironment secret;
    TempDir temp;
    RunResult run = run_escprov(with({"provision", "--out", (temp / "run").string()}, connection(emulator->url())));
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("import FAILED"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("esc_emailcampaign: 0x80040265 ISV code aborted the operation"), std::string::npos)
        << run.out;
    fs::path backup = only_file(temp / "run/backup", "escprov-backup-.*\\.zip");
    only_file(temp / "run/backup", "import-EmailServiceConnector-.*\\.log");
    std::string marker = "restores the org's customisations:\n  ";
    size_t at = run.out.find(marker);
    ASSERT_NE(at, std::string::npos) << run.out;
    std::string command = run.out.substr(at + marker.size());
    command = command.substr(0, command.find('\n'));
    EXPECT_EQ(command.substr(0, 16), "escprov restore ");
    EXPECT_NE(command.find(backup.string()), std::string::npos) << command;
    EXPECT_EQ(command.find(k_secret), std::string::npos);

    // The printed command, run as printed (its words split as a shell would: none is quoted here).
    std::vector<std::string> words;
    for (size_t start = 8; start < command.size();) {
        size_t end = command.find(' ', start);
        words.push_back(command.substr(start, end == std::string::npos ? std::string::npos : end - start));
        start = end == std::string::npos ? command.size() : end + 1;
    }
    RunResult restore = run_escprov(words);
    EXPECT_EQ(restore.exit_code, 0) << restore.out << restore.err;
    EXPECT_NE(restore.out.find("published all customisations"), std::string::npos) << restore.out;
    EXPECT_EQ(everything_below(temp.path()).find(k_secret), std::string::npos);
}

const std::vector<std::string> k_faults = {"--fault-429-every",     "7",  "--retry-after",      "1",
                                           "--fault-503-every",     "11", "--fault-drop-every", "13",
                                           "--expire-tokens-every", "17"};

INSTANTIATE_TEST_SUITE_P(Orgs, ProvisionEndToEnd,
                         ::testing::Values(OrgCase{"Crm2011Soap", "5.0", "crm2011-fabrikam.zip", {}},
                                           OrgCase{"Crm2016WebApi82", "8.2", "crm2016-adatum.zip", {}},
                                           OrgCase{"Dataverse92", "9.2", "d365-contoso-9.2.zip", {}},
                                           OrgCase{"Crm2011SoapWithFaults", "5.0", "crm2011-fabrikam.zip", k_faults},
                                           OrgCase{"Crm2016WithFaults", "8.2", "crm2016-adatum.zip", k_faults},
                                           OrgCase{"Dataverse92WithFaults", "9.2", "d365-contoso-9.2.zip", k_faults}),
                         [](const ::testing::TestParamInfo<OrgCase>& info) { return info.param.name; });

} // namespace
} // namespace escprov::test
