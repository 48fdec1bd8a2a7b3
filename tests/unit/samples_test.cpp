// The project's own sample solutions (samples/): `info` reads each one as expected, each zip
// holds exactly its folder's files, and each sample is written like a real CRM export and is
// internally consistent (root components against content, unique ids, prefixes, privileges).

#include "solution/schema.hpp"
#include "support.hpp"
#include "xml/node.hpp"
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

struct ExpectedSample {
    std::string folder;
    std::string version;     // SolutionManifest/Version
    std::string crm_version; // the target CRM major.minor
    std::string family;
    int managed = 0;
    std::map<std::string, uint64_t> components; // section -> item count
    uint64_t attributes = 0;
    uint64_t forms = 0;
    uint64_t views = 0;
    std::vector<std::string> entities;
    size_t root_components = 0;
    size_t missing_dependencies = 0;
};

// Names the sample in test output instead of dumping its bytes.
void PrintTo(const ExpectedSample& sample, std::ostream* out)
{
    *out << sample.folder;
}

// What each sample was written to hold; keep in step with samples/README.md.
const std::vector<ExpectedSample>& expected_samples()
{
    static const std::vector<ExpectedSample> samples = {
        {"crm2011-event-management",
         "1.0.0.0",
         "5.0",
         "CRM 2011",
         0,
         {{"Entities", 1},
          {"Roles", 2},
          {"SiteMap", 1},
          {"EntityRelationships", 2},
          {"optionsets", 1},
          {"WebResources", 1},
          {"Workflows", 0},
          {"Languages", 1}},
         16,
         1,
         4,
         {"nwe_event"},
         6,
         0},
        {"crm2016-event-management_managed",
         "2.3.0.12",
         "8.0",
         "CRM 2016",
         1,
         {{"Entities", 3},
          {"Roles", 2},
          {"SiteMap", 1},
          {"EntityRelationships", 8},
          {"optionsets", 1},
          {"WebResources", 1},
          {"Languages", 1}},
         30,
         4,
         8,
         {"Contact", "nwe_event", "nwe_registration"},
         9,
         0},
        {"d365-event-management-9.2",
         "3.0.1.4",
         "9.2",
         "Dynamics 365 / Dataverse",
         0,
         {{"Entities", 2},
          {"Roles", 2},
          {"EntityRelationships", 7},
          {"optionsets", 2},
          {"WebResources", 2},
          {"AppModuleSiteMaps", 1},
          {"AppModules", 1},
          {"Languages", 1}},
         32,
         4,
         8,
         {"nwe_event", "nwe_session"},
         10,
         1},
    };
    return samples;
}

const std::string k_unique_name = "NorthwindEventManagement";
const std::string k_prefix = "nwe";
const std::string k_option_value_prefix = "41782";

fs::path sample_folder(const ExpectedSample& sample)
{
    return source_dir() / "samples" / sample.folder;
}
fs::path sample_zip(const ExpectedSample& sample)
{
    return source_dir() / "samples" / (sample.folder + ".zip");
}

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

bool starts_with_prefix(const std::string& name)
{
    return lower(name).rfind(k_prefix + "_", 0) == 0;
}

std::string attribute_or_empty(const xml::Node& node, std::string_view name)
{
    const std::string* value = node.attribute(name);
    return value != nullptr ? *value : std::string();
}

// The sample's two documents, parsed once per test.
struct SampleDocuments {
    xml::Node solution;
    xml::Node customizations;
    explicit SampleDocuments(const ExpectedSample& sample)
        : solution(parse_file(sample_folder(sample) / "solution.xml")),
          customizations(parse_file(sample_folder(sample) / "customizations.xml"))
    {}
    const xml::Node& section(std::string_view name) const
    {
        const xml::Node* found = customizations.child(name);
        static const xml::Node empty;
        return found != nullptr ? *found : empty;
    }
    std::vector<const xml::Node*> entities() const { return section("Entities").children_named("Entity"); }
    std::set<std::string> entity_names_lower() const
    {
        std::set<std::string> names;
        for (const xml::Node* entity : entities()) {
            names.insert(lower(entity->child_text("Name")));
        }
        return names;
    }
};

class SampleTest : public ::testing::TestWithParam<ExpectedSample> {};

std::string sample_name(const ::testing::TestParamInfo<ExpectedSample>& info)
{
    std::string name;
    for (char c : info.param.folder) {
        name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    }
    return name;
}

TEST_P(SampleTest, InfoReportsWhatTheSampleHolds)
{
    const ExpectedSample& sample = GetParam();
    RunResult result = run_escprov({"info", "--format", "json", sample_zip(sample).string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.err, "");
    auto info = nlohmann::json::parse(result.out);

    EXPECT_EQ(info["uniqueName"], k_unique_name);
    EXPECT_EQ(info["version"], sample.version);
    EXPECT_EQ(info["managed"], sample.managed);
    EXPECT_EQ(info["publisher"]["uniqueName"], "NorthwindEvents");
    EXPECT_EQ(info["publisher"]["prefix"], k_prefix);
    EXPECT_EQ(info["publisher"]["optionValuePrefix"], k_option_value_prefix);
    EXPECT_EQ(info["crm"]["version"], sample.crm_version);
    EXPECT_EQ(info["crm"]["family"], sample.family);
    for (const auto& [section, count] : sample.components) {
        ASSERT_TRUE(info["components"].contains(section)) << "section " << section << " missing";
        EXPECT_EQ(info["components"][section], count) << "section " << section;
    }
    EXPECT_EQ(info["entityParts"]["attributes"], sample.attributes);
    EXPECT_EQ(info["entityParts"]["forms"], sample.forms);
    EXPECT_EQ(info["entityParts"]["views"], sample.views);
    EXPECT_EQ(info["entities"].get<std::vector<std::string>>(), sample.entities);
    EXPECT_EQ(info["rootComponents"].size(), sample.root_components);
    EXPECT_EQ(info["missingDependencies"].size(), sample.missing_dependencies);
}

TEST_P(SampleTest, ZipHoldsExactlyTheFolderInExportOrder)
{
    const ExpectedSample& sample = GetParam();
    zip::Reader reader(sample_zip(sample));
    std::set<std::string> folder_files = files_below(sample_folder(sample));
    std::set<std::string> zip_files;
    for (const auto& entry : reader.entries()) {
        ASSERT_FALSE(entry.is_directory) << entry.name;
        zip_files.insert(entry.name);
        EXPECT_EQ(reader.read(entry), read_bytes(sample_folder(sample) / entry.name)) << entry.name << " differs";
    }
    EXPECT_EQ(zip_files, folder_files);
    ASSERT_GE(reader.entries().size(), 3u);
    EXPECT_EQ(reader.entries()[0].name, "customizations.xml");
    EXPECT_EQ(reader.entries()[1].name, "[Content_Types].xml");
    EXPECT_EQ(reader.entries()[2].name, "solution.xml");
}

TEST_P(SampleTest, FilesAreWrittenLikeACrmExport)
{
    const ExpectedSample& sample = GetParam();
    for (const char* name : {"solution.xml", "customizations.xml"}) {
        std::string bytes = read_bytes(sample_folder(sample) / name);
        EXPECT_EQ(bytes.rfind("<ImportExportXml ", 0), 0u) << name << ": no BOM, no declaration";
        size_t lines = 0;
        for (size_t at = bytes.find('\n'); at != std::string::npos; at = bytes.find('\n', at + 1)) {
            ++lines;
            ASSERT_TRUE(at > 0 && bytes[at - 1] == '\r') << name << ": bare LF at byte " << at;
            ASSERT_NE(bytes[at + 1], '\t') << name << ": tab indent at byte " << at;
        }
        EXPECT_GT(lines, 10u) << name;
        EXPECT_EQ(bytes.find("\"/>"), std::string::npos) << name << ": empty elements are written '<x />'";
    }
    std::string types = read_bytes(sample_folder(sample) / "[Content_Types].xml");
    EXPECT_EQ(types.rfind("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><Types ", 0), 0u);
}

TEST_P(SampleTest, ContentTypesCoverEveryPart)
{
    const ExpectedSample& sample = GetParam();
    xml::Node types = parse_file(sample_folder(sample) / "[Content_Types].xml");
    std::set<std::string> defaults;
    std::set<std::string> overrides;
    for (const xml::Node* item : types.children_named("Default")) {
        defaults.insert(attribute_or_empty(*item, "Extension"));
    }
    for (const xml::Node* item : types.children_named("Override")) {
        overrides.insert(attribute_or_empty(*item, "PartName"));
    }
    EXPECT_TRUE(defaults.count("xml")) << "no Default for xml";
    std::set<std::string> needed;
    for (const auto& file : files_below(sample_folder(sample))) {
        std::string leaf = file.substr(file.rfind('/') + 1);
        size_t dot = leaf.rfind('.');
        if (dot == std::string::npos) {
            needed.insert("/" + file);
        } else {
            EXPECT_TRUE(defaults.count(leaf.substr(dot + 1))) << "no Default for " << file;
        }
    }
    EXPECT_EQ(overrides, needed);
}

TEST_P(SampleTest, SectionsFollowTheSchemaOrder)
{
    SampleDocuments documents(GetParam());
    size_t previous = 0;
    for (const auto& section : documents.customizations.children) {
        if (!section.is_element()) {
            continue;
        }
        auto rank = solution::section_rank(section.name);
        ASSERT_TRUE(rank.has_value()) << "unknown section " << section.name;
        EXPECT_GE(*rank, previous) << section.name << " is out of order";
        previous = *rank;
    }
}

TEST_P(SampleTest, RootComponentsAndContentAgree)
{
    SampleDocuments documents(GetParam());
    const xml::Node* roots = documents.solution.child("SolutionManifest")->child("RootComponents");
    ASSERT_NE(roots, nullptr);

    // What the content holds, by component type.
    std::map<int, std::set<std::string>> content;
    for (const xml::Node* entity : documents.entities()) {
        content[1].insert(lower(entity->child_text("Name")));
    }
    for (const xml::Node* set : documents.section("optionsets").children_named("optionset")) {
        content[9].insert(lower(attribute_or_empty(*set, "Name")));
    }
    for (const xml::Node* role : documents.section("Roles").children_named("Role")) {
        content[20].insert(lower(attribute_or_empty(*role, "id")));
    }
    for_each_element(documents.section("Entities"), [&](const xml::Node& node) {
        if (node.name == "systemform") {
            content[60].insert(lower(node.child_text("formid")));
        }
    });
    for (const xml::Node* resource : documents.section("WebResources").children_named("WebResource")) {
        content[61].insert(lower(resource->child_text("Name")));
    }
    if (documents.customizations.child("SiteMap") != nullptr) {
        content[62].insert("");
    }
    for (const xml::Node* map : documents.section("AppModuleSiteMaps").children_named("AppModuleSiteMap")) {
        content[62].insert(lower(map->child_text("SiteMapUniqueName")));
    }
    for (const xml::Node* app : documents.section("AppModules").children_named("AppModule")) {
        content[80].insert(lower(app->child_text("UniqueName")));
    }

    std::map<int, std::set<std::string>> covered;
    for (const xml::Node* root : roots->children_named("RootComponent")) {
        int type = std::stoi(attribute_or_empty(*root, "type"));
        std::string key = lower(attribute_or_empty(*root, "schemaName") + attribute_or_empty(*root, "id"));
        EXPECT_TRUE(content[type].count(key))
            << "root component type " << type << " '" << key << "' is not in the content";
        covered[type].insert(key);
    }
    // Every custom component is covered: entities and option sets by prefix, and every role,
    // web resource, sitemap and app the sample ships.
    for (int type : {1, 9}) {
        for (const auto& name : content[type]) {
            if (starts_with_prefix(name)) {
                EXPECT_TRUE(covered[type].count(name)) << "type " << type << " '" << name << "' has no root component";
            }
        }
    }
    for (int type : {20, 61, 62, 80}) {
        for (const auto& name : content[type]) {
            EXPECT_TRUE(covered[type].count(name)) << "type " << type << " '" << name << "' has no root component";
        }
    }
}

TEST_P(SampleTest, IdentitiesAreUniqueAndNamesCarryThePublisherPrefix)
{
    SampleDocuments documents(GetParam());
    std::set<std::string> form_ids;
    std::set<std::string> view_ids;
    for (const xml::Node* entity : documents.entities()) {
        std::string entity_name = entity->child_text("Name");
        std::set<std::string> attribute_names;
        for_each_element(*entity, [&](const xml::Node& node) {
            if (node.name == "systemform") {
                EXPECT_TRUE(form_ids.insert(lower(node.child_text("formid"))).second) << "duplicate form id";
            } else if (node.name == "savedquery") {
                EXPECT_TRUE(view_ids.insert(lower(node.child_text("savedqueryid"))).second) << "duplicate view id";
            } else if (node.name == "attribute" && node.attribute("PhysicalName") != nullptr) {
                std::string name = node.child_text("LogicalName");
                EXPECT_TRUE(attribute_names.insert(name).second) << entity_name << ": duplicate attribute " << name;
                if (node.child_text("IsCustomField") == "1") {
                    EXPECT_TRUE(starts_with_prefix(name)) << entity_name << "." << name << " lacks the prefix";
                }
            }
        });
        if (starts_with_prefix(entity_name)) {
            EXPECT_FALSE(attribute_names.empty()) << entity_name << " has no attributes";
        }
    }

    std::set<std::string> sitemap_ids;
    for (const auto* section : {"SiteMap", "AppModuleSiteMaps"}) {
        for_each_element(documents.section(section), [&](const xml::Node& node) {
            if (node.name == "Area" || node.name == "Group" || node.name == "SubArea") {
                std::string id = attribute_or_empty(node, "Id");
                EXPECT_FALSE(id.empty()) << node.name << " without Id";
                EXPECT_TRUE(sitemap_ids.insert(id).second) << "duplicate sitemap id " << id;
            }
        });
    }

    for (const xml::Node* set : documents.section("optionsets").children_named("optionset")) {
        EXPECT_TRUE(starts_with_prefix(attribute_or_empty(*set, "Name")));
        for_each_element(*set, [&](const xml::Node& node) {
            if (node.name == "option") {
                EXPECT_EQ(attribute_or_empty(node, "value").rfind(k_option_value_prefix, 0), 0u)
                    << "option value " << attribute_or_empty(node, "value") << " lacks the option-value prefix";
            }
        });
    }
    for (const xml::Node* resource : documents.section("WebResources").children_named("WebResource")) {
        EXPECT_TRUE(starts_with_prefix(resource->child_text("Name"))) << resource->child_text("Name");
        std::string part = resource->child_text("FileName");
        ASSERT_EQ(part.rfind('/', 0), 0u);
        EXPECT_TRUE(fs::is_regular_file(sample_folder(GetParam()) / part.substr(1))) << part << " is not in the folder";
    }
}

TEST_P(SampleTest, PrivilegesNameEntitiesOfTheSample)
{
    SampleDocuments documents(GetParam());
    std::set<std::string> entities = documents.entity_names_lower();
    // Longest verbs first, so "AppendTo" is not read as "Append" + "To...".
    const std::vector<std::string> verbs = {"AppendTo", "Append", "Assign", "Create",
                                            "Delete",   "Read",   "Share",  "Write"};
    const std::set<std::string> levels = {"Basic", "Local", "Deep", "Global"};
    size_t privileges = 0;
    for (const xml::Node* role : documents.section("Roles").children_named("Role")) {
        EXPECT_FALSE(attribute_or_empty(*role, "name").empty());
        for (const xml::Node* privilege : role->child("RolePrivileges")->children_named("RolePrivilege")) {
            ++privileges;
            std::string name = attribute_or_empty(*privilege, "name");
            EXPECT_TRUE(levels.count(attribute_or_empty(*privilege, "level"))) << name;
            ASSERT_EQ(name.rfind("prv", 0), 0u) << name;
            auto verb = std::find_if(verbs.begin(), verbs.end(),
                                     [&](const std::string& v) { return name.compare(3, v.size(), v) == 0; });
            ASSERT_NE(verb, verbs.end()) << name;
            std::string entity = lower(name.substr(3 + verb->size()));
            EXPECT_TRUE(entities.count(entity)) << name << " names an entity the sample does not hold";
        }
    }
    EXPECT_GT(privileges, 0u);
}

INSTANTIATE_TEST_SUITE_P(Samples, SampleTest, ::testing::ValuesIn(expected_samples()), sample_name);

TEST(Samples, EveryFolderIsCoveredByTheTests)
{
    std::set<std::string> tested;
    for (const auto& sample : expected_samples()) {
        tested.insert(sample.folder);
    }
    std::set<std::string> present;
    for (const auto& item : fs::directory_iterator(source_dir() / "samples")) {
        if (item.is_directory() && fs::exists(item.path() / "solution.xml")) {
            present.insert(item.path().filename().string());
        }
    }
    EXPECT_EQ(present, tested);
}

} // namespace
