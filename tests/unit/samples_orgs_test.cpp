// The three customer org exports under samples/orgs/ (whole-organisation Default-solution exports
// of CRM 2011, CRM 2016 / 8.2 and Dynamics 365 9.2, written by the project as merge bases): each
// validates, reports its era, is zipped byte for byte from its folder, survives unpack and pack,
// and holds the sitemap the merge tests rely on.

#include "support.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"
#include "zip/reader.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

using namespace escprov;
using namespace escprov::test;

namespace {

struct ExpectedOrg {
    std::string folder;
    std::string crm_version; // the target CRM major.minor
    std::string family;
    std::string prefix;                    // the Default publisher's customization prefix
    std::string option_value_prefix;       // and its option value prefix
    std::vector<std::string> areas;        // the org SiteMap's Area ids, in order
    std::vector<std::string> customer_ids; // customer Areas/Groups/SubAreas that must be there
    std::vector<std::string> entities;     // entities, as `info` lists them
    size_t app_modules = 0;
};

// Names the org in test output instead of dumping its bytes.
void PrintTo(const ExpectedOrg& org, std::ostream* out)
{
    *out << org.folder;
}

// What each org was written to hold; keep in step with samples/README.md ("Customer org exports").
const std::vector<ExpectedOrg>& expected_orgs()
{
    static const std::vector<ExpectedOrg> orgs = {
        {"crm2011-fabrikam",
         "5.0",
         "CRM 2011",
         "new",
         "10000",
         {"Workplace", "SFA", "MA", "CS", "Settings", "ResourceCenter"},
         {"new_projects"},
         {"Account", "Campaign", "Contact", "Lead", "List", "new_membership", "new_project"},
         0},
        {"crm2016-adatum",
         "8.2",
         "Dynamics 365 (8.2, on-premises)",
         "new",
         "10000",
         {"SFA", "CS", "MA", "new_Events", "Settings", "HLP"},
         {"new_Events", "new_EventPlanning", "new_EventAudience", "new_events", "new_venues"},
         {"Account", "Campaign", "Contact", "Lead", "List", "new_event", "new_venue"},
         0},
        {"d365-contoso-9.2",
         "9.2",
         "Dynamics 365 / Dataverse",
         "contoso",
         "36541",
         {"SFA", "CS", "MA", "Settings", "HLP"},
         {},
         {"Account", "Campaign", "Contact", "contoso_membership", "contoso_visit", "Lead", "List"},
         2},
    };
    return orgs;
}

fs::path org_folder(const ExpectedOrg& org)
{
    return source_dir() / "samples" / "orgs" / org.folder;
}
fs::path org_zip(const ExpectedOrg& org)
{
    return source_dir() / "samples" / "orgs" / (org.folder + ".zip");
}

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// Runs `validate --strict --format json` on `path` and expects no finding but the compatibility note.
void expect_valid_without_findings(const fs::path& path)
{
    RunResult result = run_escprov({"validate", "--strict", "--format", "json", path.string()});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    auto report = nlohmann::json::parse(result.out);
    ASSERT_EQ(report["paths"].size(), 1u);
    EXPECT_EQ(report["paths"][0]["status"], "ok");
    EXPECT_EQ(report["summary"]["error"], 0) << report.dump(2);
    EXPECT_EQ(report["summary"]["warning"], 0) << report.dump(2);
    // A note at most: which version profile the import-compatibility check used (a loose
    // customizations.xml names no version, so it is not checked).
    EXPECT_LE(report["summary"]["note"], 1) << report.dump(2);
    for (const auto& finding : report["paths"][0]["findings"]) {
        EXPECT_EQ(finding["code"], "ESC-VER-005") << report.dump(2);
    }
}

std::map<std::string, std::string> parts_of(const fs::path& zip_path)
{
    zip::Reader reader(zip_path);
    std::map<std::string, std::string> parts;
    for (const auto& entry : reader.entries()) {
        parts[entry.name] = reader.read(entry);
    }
    return parts;
}

class SamplesOrgsTest : public ::testing::TestWithParam<ExpectedOrg> {};

std::string org_name(const ::testing::TestParamInfo<ExpectedOrg>& info)
{
    std::string name;
    for (char c : info.param.folder) {
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
    return name;
}

} // namespace

TEST_P(SamplesOrgsTest, ZipAndFolderDocumentsValidateWithoutFindings)
{
    const ExpectedOrg& org = GetParam();
    {
        SCOPED_TRACE("zip");
        expect_valid_without_findings(org_zip(org));
    }
    // validate reads a zip, an unpacked tree or loose XML, not an export folder: the folder's
    // two documents are checked as loose XML.
    for (const char* name : {"solution.xml", "customizations.xml"}) {
        SCOPED_TRACE(name);
        expect_valid_without_findings(org_folder(org) / name);
    }
}

TEST_P(SamplesOrgsTest, InfoReportsAnUnmanagedDefaultExportOfItsEra)
{
    const ExpectedOrg& org = GetParam();
    RunResult result = run_escprov({"info", "--format", "json", org_zip(org).string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    auto info = nlohmann::json::parse(result.out);
    EXPECT_EQ(info["uniqueName"], "Default");
    EXPECT_EQ(info["managed"], 0);
    EXPECT_EQ(info["crm"]["version"], org.crm_version);
    EXPECT_EQ(info["crm"]["family"], org.family);
    EXPECT_EQ(info["publisher"]["prefix"], org.prefix);
    EXPECT_EQ(info["publisher"]["optionValuePrefix"], org.option_value_prefix);
    EXPECT_EQ(info["entities"].get<std::vector<std::string>>(), org.entities);
    EXPECT_EQ(info["components"].value("AppModules", 0u), org.app_modules);
}

TEST_P(SamplesOrgsTest, ZipHoldsExactlyTheFolderByteForByte)
{
    const ExpectedOrg& org = GetParam();
    zip::Reader reader(org_zip(org));
    std::set<std::string> zip_files;
    for (const auto& entry : reader.entries()) {
        ASSERT_FALSE(entry.is_directory) << entry.name;
        zip_files.insert(entry.name);
        EXPECT_TRUE(reader.read(entry) == read_bytes(org_folder(org) / entry.name)) << entry.name << " differs";
    }
    EXPECT_EQ(zip_files, files_below(org_folder(org)));
    ASSERT_GE(reader.entries().size(), 3u);
    EXPECT_EQ(reader.entries()[0].name, "customizations.xml");
    EXPECT_EQ(reader.entries()[1].name, "[Content_Types].xml");
    EXPECT_EQ(reader.entries()[2].name, "solution.xml");
}

TEST_P(SamplesOrgsTest, UnpackThenPackRoundTripsAndValidates)
{
    const ExpectedOrg& org = GetParam();
    TempDir temp;
    RunResult unpacked = run_escprov({"unpack", org_zip(org).string(), (temp / "tree").string()});
    ASSERT_EQ(unpacked.exit_code, 0) << unpacked.err;
    RunResult packed = run_escprov({"pack", (temp / "tree").string(), (temp / "packed.zip").string()});
    ASSERT_EQ(packed.exit_code, 0) << packed.err;
    expect_valid_without_findings(temp / "packed.zip");

    auto original = parts_of(org_zip(org));
    auto repacked = parts_of(temp / "packed.zip");
    ASSERT_EQ(original.size(), repacked.size());
    for (const auto& [name, bytes] : original) {
        ASSERT_EQ(repacked.count(name), 1u) << name;
        EXPECT_TRUE(repacked[name] == bytes) << name << " differs after unpack and pack";
    }
}

TEST_P(SamplesOrgsTest, OrgSiteMapHoldsTheAreasWritten)
{
    const ExpectedOrg& org = GetParam();
    xml::Node customizations = parse_file(org_folder(org) / "customizations.xml");
    const xml::Node* outer = customizations.child("SiteMap");
    ASSERT_NE(outer, nullptr) << "an unmanaged org export carries the whole org SiteMap";
    const xml::Node* sitemap = outer->child("SiteMap");
    ASSERT_NE(sitemap, nullptr);
    std::vector<std::string> areas;
    for (const xml::Node* area : sitemap->children_named("Area")) {
        areas.push_back(*area->attribute("Id"));
    }
    EXPECT_EQ(areas, org.areas);

    std::set<std::string> ids;
    size_t subareas = 0;
    for_each_element(*sitemap, [&](const xml::Node& node) {
        if (const std::string* id = node.attribute("Id")) {
            ids.insert(*id);
        }
        subareas += node.name == "SubArea" ? 1 : 0;
    });
    for (const auto& id : org.customer_ids) {
        EXPECT_EQ(ids.count(id), 1u) << "customer sitemap node " << id;
    }
    // Every era's default marketing entry points are there for the connector's group to join.
    for (const char* id : {"MA", "nav_lists", "nav_campaigns", "nav_leads", "nav_accts"}) {
        EXPECT_EQ(ids.count(id), 1u) << id;
    }
    EXPECT_GE(subareas, 60u) << "the whole default sitemap, not an excerpt";
}

TEST_P(SamplesOrgsTest, HoldsNothingOfTheConnector)
{
    const ExpectedOrg& org = GetParam();
    for (const auto& name : files_below(org_folder(org))) {
        EXPECT_EQ(lower(name).find("esc_"), std::string::npos) << name;
        EXPECT_EQ(lower(read_bytes(org_folder(org) / name)).find("esc_"), std::string::npos)
            << name << " mentions the connector's prefix: these are customers before the connector";
    }
}

INSTANTIATE_TEST_SUITE_P(SamplesOrgs, SamplesOrgsTest, ::testing::ValuesIn(expected_orgs()), org_name);

TEST(SamplesOrgs, EveryOrgFolderIsCoveredByTheTests)
{
    std::set<std::string> known;
    for (const auto& org : expected_orgs()) {
        known.insert(org.folder);
    }
    for (const auto& entry : fs::directory_iterator(source_dir() / "samples" / "orgs")) {
        // golden/ holds the merge outputs of these samples (tests/unit/merge_test.cpp), not an export.
        if (entry.is_directory() && entry.path().filename() != "golden") {
            EXPECT_EQ(known.count(entry.path().filename().string()), 1u)
                << entry.path().filename().string() << " is not described in samples_orgs_test.cpp";
        }
    }
}
