// The provisioning engine (src/provision/) against an org in memory: checks, export into a verified
// backup, import with install/upgrade decisions and parsed failures, the whole provision run with
// --dry-run and --until bundle, and restore.

#include "backup/backup.hpp"
#include "cli/connection_options.hpp"
#include "cli/registry.hpp"
#include "connector/connector.hpp"
#include "fake_org.hpp"
#include "provision/checks.hpp"
#include "provision/import_log.hpp"
#include "provision/org_export.hpp"
#include "provision/org_import.hpp"
#include "provision/provision.hpp"
#include "provision/restore.hpp"
#include "support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace escprov::test {
namespace {

fs::path adatum()
{
    return source_dir() / "samples/orgs/crm2016-adatum.zip";
}

bool has_line(const provision::CheckReport& report, const std::string& name, bool ok)
{
    return std::any_of(report.lines.begin(), report.lines.end(),
                       [&](const provision::CheckLine& line) { return line.name == name && line.ok == ok; });
}

TEST(ProvisionChecks, PassOnAnOrgThatHasEverything)
{
    FakeOrg org;
    provision::CheckReport report = provision::run_checks(org);
    EXPECT_TRUE(report.ok()) << provision::render_checks(report);
    EXPECT_TRUE(has_line(report, "privilege prvImportCustomization", true));
    EXPECT_TRUE(has_line(report, "entity list", true));
    EXPECT_NE(provision::render_checks(report).find("8.2.2.112, Dynamics 365 (8.2"), std::string::npos)
        << provision::render_checks(report);
}

TEST(ProvisionChecks, NameAMissingPrivilegeAndAMissingEntity)
{
    FakeOrg org;
    std::erase(org.privileges, "prvImportCustomization");
    std::erase_if(org.entity_list, [](const remote::EntityInfo& e) { return e.logical_name == "campaign"; });
    provision::CheckReport report = provision::run_checks(org);
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(has_line(report, "privilege prvImportCustomization", false));
    EXPECT_TRUE(has_line(report, "privilege prvExportCustomization", true));
    EXPECT_TRUE(has_line(report, "entity campaign", false));
    std::string text = provision::render_checks(report);
    EXPECT_NE(text.find("FAIL  privilege prvImportCustomization"), std::string::npos) << text;
}

TEST(ProvisionChecks, RefuseAVersionEscprovDoesNotBuildFor)
{
    FakeOrg org;
    org.version_text = "4.0.7333.3";
    EXPECT_TRUE(has_line(provision::run_checks(org), "version", false));
}

TEST(ImportLog, TurnsTheJobDataIntoComponentCodeMessageLines)
{
    remote::ImportRequest request;
    request.job_id = "j";
    auto problems = provision::parse_import_job(failed_import(request).job_data);
    ASSERT_EQ(problems.size(), 4u);
    EXPECT_EQ(provision::format_problem(problems[0]),
              "solution EmailServiceConnector: 0x80048031 The import of the solution failed.");
    EXPECT_EQ(provision::format_problem(problems[1]),
              "entity Email Campaign: 0x8004F016 Attribute esc_sendtime has an unknown type");
    EXPECT_EQ(provision::format_problem(problems[2]),
              "missing dependency: requires 1 campaign, needed by 60 Campaign main form");
    EXPECT_TRUE(problems[3].warning);
    EXPECT_TRUE(provision::parse_import_job("not xml <").empty());
}

TEST(ProvisionExport, WritesAVerifiedBackupOfEveryUnmanagedSolution)
{
    TempDir temp;
    FakeOrg org;
    org.solution_list.push_back({"cccc", "AdatumSales", "Adatum Sales", "2.1.0.0", false, true});
    org.exports["Default"] = adatum();
    org.exports["AdatumSales"] = adatum();
    provision::ExportOptions options;
    options.org_url = "https://adatum.example";
    options.backup_path = temp / "backup.zip";
    options.scratch_parent = temp.path();
    options.created_at = 1764000000;
    provision::ExportResult result = provision::export_org(org, options);
    // Default first, the hidden Active solution and the managed System solution not at all.
    EXPECT_EQ(org.exported, (std::vector<std::string>{"Default", "AdatumSales"}));
    backup::Verification verification = backup::verify_backup(result.backup, {});
    ASSERT_TRUE(verification.ok());
    std::vector<std::string> paths;
    for (const auto& file : verification.manifest->files) {
        paths.push_back(file.path);
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"exports/Default_1_0.zip", "exports/AdatumSales_2_1_0_0.zip",
                                               "metadata/entities.json"}));
    EXPECT_EQ(verification.manifest->org_version, "8.2.2.112");
    std::string metadata = zip_entry(result.backup, "metadata/entities.json");
    EXPECT_NE(metadata.find("\"contactid\""), std::string::npos) << "attributes are in the snapshot";
    EXPECT_TRUE(fs::exists(result.default_export));
}

TEST(ProvisionExport, FailsWithoutADefaultSolutionAndWritesNothing)
{
    TempDir temp;
    FakeOrg org;
    org.solution_list.clear();
    provision::ExportOptions options;
    options.org_url = "https://adatum.example";
    options.backup_path = temp / "backup.zip";
    options.scratch_parent = temp.path();
    EXPECT_THROW(provision::export_org(org, options), remote::RemoteError);
    EXPECT_TRUE(folder_names(temp.path()).empty());
}

class ProvisionImport : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_hand_off = make_hand_off(m_temp.path());
        ASSERT_FALSE(m_hand_off.managed.empty());
    }
    provision::ImportOptions options() const
    {
        provision::ImportOptions options;
        options.package = m_hand_off.managed;
        options.log_folder = m_temp.path();
        options.new_job_id = [] { return std::string("5f0c2a1e-0000-4000-8000-000000000001"); };
        return options;
    }
    TempDir m_temp;
    HandOff m_hand_off;
};

TEST_F(ProvisionImport, NewInstallPublishesAndVerifies)
{
    FakeOrg org;
    provision::ImportReport report = provision::import_package(org, options());
    EXPECT_TRUE(report.ok()) << provision::render_import(report);
    EXPECT_EQ(report.kind, provision::InstallKind::new_install);
    ASSERT_EQ(org.imports.size(), 1u);
    EXPECT_EQ(org.imports[0].job_id, "5f0c2a1e-0000-4000-8000-000000000001");
    EXPECT_FALSE(org.imports[0].holding_solution);
    ASSERT_EQ(org.publishes.size(), 1u);
    EXPECT_TRUE(std::find(org.publishes[0].first.begin(), org.publishes[0].first.end(), "esc_emailcampaign") !=
                org.publishes[0].first.end());
    EXPECT_TRUE(org.publishes[0].second) << "the connector changes the sitemap";
    EXPECT_NE(provision::render_import(report).find("verified"), std::string::npos);
}

TEST_F(ProvisionImport, AnOlderInstalledVersionIsUpgradedThroughAHoldingSolution)
{
    FakeOrg org;
    org.solution_list.push_back({"dddd", "EmailServiceConnector", "Email Service Connector", "0.9.0.0", true, true});
    provision::ImportReport report = provision::import_package(org, options());
    EXPECT_TRUE(report.ok()) << provision::render_import(report);
    EXPECT_EQ(report.kind, provision::InstallKind::upgrade);
    EXPECT_EQ(report.installed_version, "0.9.0.0");
    ASSERT_EQ(org.imports.size(), 1u);
    EXPECT_TRUE(org.imports[0].holding_solution);
    EXPECT_EQ(org.promoted, (std::vector<std::string>{"EmailServiceConnector"}));
}

TEST_F(ProvisionImport, CrmBefore2016UpgradesInPlace)
{
    FakeOrg org;
    org.version_text = "7.0.0.3543";
    org.solution_list.push_back({"dddd", "EmailServiceConnector", "Email Service Connector", "0.9.0.0", true, true});
    provision::ImportReport report = provision::import_package(org, options());
    EXPECT_EQ(report.kind, provision::InstallKind::upgrade);
    EXPECT_FALSE(org.imports.at(0).holding_solution);
    EXPECT_TRUE(org.promoted.empty());
}

TEST_F(ProvisionImport, ANewerInstalledVersionIsRefusedBeforeAnything)
{
    FakeOrg org;
    org.solution_list.push_back({"dddd", "EmailServiceConnector", "Email Service Connector", "99.0.0.0", true, true});
    try {
        provision::import_package(org, options());
        FAIL() << "imported over a newer version";
    } catch (const remote::RemoteError& error) {
        EXPECT_NE(std::string(error.what()).find("newer than this package's"), std::string::npos) << error.what();
    }
    EXPECT_TRUE(org.imports.empty());
}

TEST_F(ProvisionImport, AFailedImportIsParsedAndItsLogSaved)
{
    FakeOrg org;
    org.on_import = failed_import;
    provision::ImportReport report = provision::import_package(org, options());
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(org.publishes.empty()) << "nothing is published after a failed import";
    std::string text = provision::render_import(report);
    EXPECT_NE(text.find("import FAILED"), std::string::npos) << text;
    EXPECT_NE(text.find("entity Email Campaign: 0x8004F016 Attribute esc_sendtime"), std::string::npos) << text;
    ASSERT_FALSE(report.log_file.empty());
    EXPECT_EQ(report.log_file.parent_path(), m_temp.path());
    std::string log = read_bytes(report.log_file);
    EXPECT_NE(log.find("<MissingDependencies>"), std::string::npos);
    EXPECT_NE(log.find("RetrieveFormattedImportJobResults"), std::string::npos);
}

TEST_F(ProvisionImport, VerifyNamesWhatTheOrgLacksAfterwards)
{
    FakeOrg org;
    org.on_import = [&](const remote::ImportRequest& request) {
        remote::ImportOutcome outcome;
        outcome.succeeded = true; // says so, but installs nothing
        outcome.job_id = request.job_id;
        return outcome;
    };
    provision::ImportReport report = provision::import_package(org, options());
    EXPECT_TRUE(report.succeeded);
    EXPECT_FALSE(report.ok());
    std::string text = provision::render_import(report);
    EXPECT_NE(text.find("solution EmailServiceConnector is not installed"), std::string::npos) << text;
    EXPECT_NE(text.find("entity esc_emailcampaign is missing"), std::string::npos) << text;
    EXPECT_NE(text.find("security role 'Email Marketing Manager' is missing"), std::string::npos) << text;
}

provision::ProvisionOptions provision_options(const fs::path& work)
{
    provision::ProvisionOptions options;
    options.org_url = "https://adatum.example";
    options.work = work;
    options.connector = connector::locate_connector(std::nullopt);
    options.now = 1764000000;
    options.restore_command = "escprov restore --org https://adatum.example --auth token";
    return options;
}

TEST(Provision, DryRunBacksUpMergesAndPackagesButImportsNothing)
{
    TempDir temp;
    FakeOrg org;
    org.exports["Default"] = adatum();
    auto options = provision_options(temp / "work");
    options.dry_run = true;
    provision::ProvisionReport report = provision::provision(org, options);
    std::string text = provision::render_provision(report);
    EXPECT_TRUE(report.ok()) << text;
    EXPECT_TRUE(org.imports.empty());
    EXPECT_TRUE(org.publishes.empty());
    EXPECT_TRUE(backup::verify_backup(report.backup, {}).ok());
    EXPECT_TRUE(fs::exists(report.package)) << text;
    EXPECT_NE(report.package.filename().string().find("_managed.zip"), std::string::npos);
    EXPECT_TRUE(fs::exists(report.merge_report));
    EXPECT_NE(text.find("skipped  import  dry run: nothing was changed in the org"), std::string::npos) << text;
    EXPECT_NE(text.find("plan    would be a new install of EmailServiceConnector 9.2.0.1"), std::string::npos) << text;
}

TEST(Provision, ImportsThePackageItBuiltAndEndsVerified)
{
    TempDir temp;
    FakeOrg org;
    org.exports["Default"] = adatum();
    provision::ProvisionReport report = provision::provision(org, provision_options(temp / "work"));
    std::string text = provision::render_provision(report);
    EXPECT_TRUE(report.ok()) << text;
    ASSERT_EQ(org.imports.size(), 1u);
    EXPECT_EQ(org.imports[0].zip, report.package);
    EXPECT_NE(text.find("result: ok"), std::string::npos) << text;
}

TEST(Provision, AFailedImportPrintsTheRestoreCommand)
{
    TempDir temp;
    FakeOrg org;
    org.exports["Default"] = adatum();
    org.on_import = failed_import;
    provision::ProvisionReport report = provision::provision(org, provision_options(temp / "work"));
    std::string text = provision::render_provision(report);
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.restore_command,
              "escprov restore --org https://adatum.example --auth token " + report.backup.string());
    EXPECT_NE(text.find(report.restore_command), std::string::npos) << text;
    EXPECT_NE(text.find("0x8004F016"), std::string::npos) << text;
    EXPECT_TRUE(fs::exists(report.backup)) << "the backup stays";
}

TEST(Provision, FailedChecksStopBeforeTheExport)
{
    TempDir temp;
    FakeOrg org;
    org.exports["Default"] = adatum();
    std::erase(org.privileges, "prvExportCustomization");
    provision::ProvisionReport report = provision::provision(org, provision_options(temp / "work"));
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(org.exported.empty());
    EXPECT_TRUE(report.restore_command.empty()) << "nothing changed, nothing to restore";
    EXPECT_NE(provision::render_provision(report).find("FAIL  privilege prvExportCustomization"), std::string::npos);
}

TEST(Provision, RefusesAWorkFolderThatIsNotEmpty)
{
    TempDir temp;
    write_bytes(temp / "keep.txt", "x");
    FakeOrg org;
    EXPECT_THROW(provision::provision(org, provision_options(temp.path())), Error);
}

TEST(Restore, ReimportsDefaultFirstAfterRemovingTheConnector)
{
    TempDir temp;
    FakeOrg org;
    org.solution_list.push_back({"cccc", "AdatumSales", "Adatum Sales", "2.1.0.0", false, true});
    org.exports["Default"] = adatum();
    org.exports["AdatumSales"] = adatum();
    provision::ExportOptions export_options;
    export_options.org_url = "https://adatum.example";
    export_options.backup_path = temp / "backup.zip";
    export_options.scratch_parent = temp.path();
    provision::export_org(org, export_options);
    org.solution_list.push_back({"eeee", "EmailServiceConnector", "Email Service Connector", "1.0.0.0", true, true});

    provision::RestoreOptions options;
    options.backup = temp / "backup.zip";
    options.remove_connector = true;
    provision::RestoreReport report = provision::restore(org, options);
    EXPECT_TRUE(report.ok()) << report.failure;
    EXPECT_EQ(org.deleted, (std::vector<std::string>{"eeee"}));
    ASSERT_EQ(org.imports.size(), 2u);
    EXPECT_EQ(org.imports[0].zip.filename(), "Default_1_0.zip");
    EXPECT_EQ(org.imports[1].zip.filename(), "AdatumSales_2_1_0_0.zip");
    ASSERT_EQ(org.publishes.size(), 1u);
    EXPECT_TRUE(org.publishes[0].first.empty() && !org.publishes[0].second) << "publish all";
    EXPECT_EQ(folder_names(temp.path()), (std::vector<std::string>{"backup.zip"})) << "no scratch left behind";
}

TEST(Restore, ADamagedBackupChangesNothing)
{
    TempDir temp;
    FakeOrg org;
    org.exports["Default"] = adatum();
    provision::ExportOptions export_options;
    export_options.org_url = "https://adatum.example";
    export_options.backup_path = temp / "backup.zip";
    export_options.scratch_parent = temp.path();
    provision::export_org(org, export_options);
    std::string bytes = read_bytes(temp / "backup.zip");
    bytes[bytes.size() / 3] ^= 0x55;
    write_bytes(temp / "backup.zip", bytes);
    provision::RestoreOptions options;
    options.backup = temp / "backup.zip";
    options.remove_connector = true;
    provision::RestoreReport report;
    try {
        report = provision::restore(org, options);
    } catch (const Error&) {
        // a zip too damaged to open is an input error: nothing was done either
    }
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(org.imports.empty());
    EXPECT_TRUE(org.deleted.empty());
}

TEST(ConnectionOptions, ASecretOnTheCommandLineIsRefusedByEveryRemoteCommand)
{
    const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
        {"check", {}},         {"export", {"--out", "x"}}, {"import", {"FILE"}}, {"provision", {"--out", "x"}},
        {"restore", {"FILE"}}, {"apply", {"FILE"}}};
    for (const auto& [command, rest] : commands) {
        for (const char* option : {"--secret", "--password", "--client-secret", "--token"}) {
            auto parsed = cli::make_command(command);
            ASSERT_TRUE(parsed);
            std::vector<std::string> args = {"--org", "https://contoso.example", "--auth", "token",
                                             option,  "hunter2-secret"};
            args.insert(args.end(), rest.begin(), rest.end());
            try {
                parsed->parse(args);
                FAIL() << command << " " << option << " was taken";
            } catch (const Error& error) {
                std::string message = error.what();
                EXPECT_EQ(error.kind(), ErrorKind::usage);
                EXPECT_NE(message.find(std::string(option) + ": escprov never takes a secret"), std::string::npos)
                    << message;
                EXPECT_NE(message.find("ESCPROV_SECRET"), std::string::npos) << message;
                EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
            }
        }
    }
}

TEST(ConnectionOptions, EachAuthKindNamesWhatItStillNeeds)
{
    auto message = [](std::vector<std::string> args) {
        try {
            cli::make_command("check")->parse(args);
        } catch (const Error& error) {
            return std::string(error.what());
        }
        return std::string("(accepted)");
    };
    EXPECT_NE(message({"--org", "https://x.example"}).find("needs --tenant and --client-id"), std::string::npos);
    EXPECT_NE(message({"--org", "https://x.example", "--auth", "ntlm"}).find("needs --user"), std::string::npos);
    EXPECT_NE(message({"--org", "https://x.example", "--auth", "adfs", "--client-id", "c"}).find("--authority"),
              std::string::npos);
    EXPECT_NE(message({"--org", "ftp://x.example", "--auth", "token"}).find("http"), std::string::npos);
    EXPECT_EQ(message({"--org", "https://x.example/Org/", "--auth", "token"}), "(accepted)");
}

TEST(ConnectionOptions, RestoreCommandQuotesForTheShellAndHoldsNoSecret)
{
    EXPECT_EQ(cli::shell_quoted("https://x.example/Org"), "https://x.example/Org");
    EXPECT_EQ(cli::shell_quoted("DOM\\user"), "'DOM\\user'");
    EXPECT_EQ(cli::shell_quoted("it's"), "'it'\\''s'");
    EXPECT_EQ(cli::shell_quoted(""), "''");
}

} // namespace
} // namespace escprov::test
