// The checked-in version profiles (templates/profiles): what they say about real exports (the facts
// issue 9 lists), that re-learning the corpus reproduces them byte for byte, and the command.

#include "profile/learn.hpp"
#include "profile/profile.hpp"
#include "support.hpp"

#include <fstream>
#include <regex>

using namespace escprov;
using namespace escprov::test;
using profile::Usage;

namespace {

const std::string C = "customizations.xml";
const std::string E = "customizations.xml/Entities/Entity/EntityInfo/entity";
const std::string FULL = E + "[type=full]";
const std::string A = E + "/attributes/attribute";
const std::string FORM = "customizations.xml/Entities/Entity/FormXml/forms/systemform";
const std::string VIEW = "customizations.xml/Entities/Entity/SavedQueries/savedqueries/savedquery";
const std::string REL = "customizations.xml/EntityRelationships/EntityRelationship";
const std::string ROLE = REL + "/EntityRelationshipRoles/EntityRelationshipRole";
const std::string OPTIONSET = "customizations.xml/optionsets/optionset";
const std::string WEBRESOURCE = "customizations.xml/WebResources/WebResource";
const std::string CONTROL = FORM + "/form/tabs/tab/columns/column/sections/section/rows/row/cell/control";
const std::string ROOT_COMPONENT = "solution.xml/SolutionManifest/RootComponents/RootComponent";

const profile::Profiles& checked_in()
{
    static const profile::Profiles profiles = profile::Profiles::load(source_dir() / "templates" / "profiles");
    return profiles;
}

std::string_view word(Usage usage)
{
    switch (usage) {
    case Usage::unknown: return "unknown";
    case Usage::never: return "never";
    case Usage::sometimes: return "sometimes";
    case Usage::always: return "always";
    }
    return "?";
}

struct Fact {
    std::vector<std::string> profiles;
    std::string path;
    std::string kind;
    std::string name;
    Usage usage;
};

void expect_facts(const std::vector<Fact>& facts)
{
    const profile::Profiles& profiles = checked_in();
    for (const auto& fact : facts) {
        for (const auto& name : fact.profiles) {
            const profile::Profile* item = profiles.named(name);
            ASSERT_NE(item, nullptr) << name;
            Usage usage = profiles.usage(*item, fact.path, fact.kind, fact.name);
            EXPECT_EQ(usage, fact.usage) << name << " " << fact.path << " " << fact.kind << " " << fact.name << ": "
                                         << word(usage) << ", expected " << word(fact.usage);
        }
    }
}

const std::vector<std::string> k_all = {"5.0", "6.0", "7.0", "8.0", "8.2", "9.0", "9.2"};
const std::vector<std::string> k_from_6 = {"6.0", "7.0", "8.0", "8.2", "9.0", "9.2"};
const std::vector<std::string> k_before_8 = {"5.0", "6.0", "7.0"};
const std::vector<std::string> k_8_on = {"8.0", "8.2", "9.0", "9.2"};
const std::vector<std::string> k_9 = {"9.0", "9.2"};

} // namespace

TEST(ProfileCorpus, EveryTargetVersionHasItsProfile)
{
    const profile::Profiles& profiles = checked_in();
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"5.0", "5.0"}, {"6.0", "6.0"}, {"6.1", "6.0"}, {"7.0", "7.0"}, {"7.1", "7.0"}, {"8.0", "8.0"},
        {"8.1", "8.0"}, {"8.2", "8.2"}, {"9.0", "9.0"}, {"9.1", "9.0"}, {"9.2", "9.2"}, {"10.0", "9.2"}};
    for (const auto& [target, name] : expected) {
        auto version = solution::parse_crm_version(target);
        const profile::Profile* found = profiles.for_version(*version);
        ASSERT_NE(found, nullptr) << target;
        EXPECT_EQ(found->name, name) << target;
    }
    EXPECT_EQ(profiles.for_version(*solution::parse_crm_version("4.0")), nullptr);
    ASSERT_EQ(profiles.all().size(), 7u);
    for (const auto& item : profiles.all()) {
        ASSERT_TRUE(item.fallback.has_value()) << item.name;
        EXPECT_FALSE(item.fallback_reason.empty()) << item.name;
        EXPECT_FALSE(item.sources.empty()) << item.name << " was learned from no export";
    }
    // load_default() finds the same profiles (ESCPROV_PROFILES, else the source tree's).
    EXPECT_EQ(profile::Profiles::load_default().all().size(), profiles.all().size());
}

TEST(ProfileCorpus, Version5To7WriteTheOldVocabulary)
{
    expect_facts({
        // RelationshipRoleType and indicationOfSubgrid are 8.x vocabulary (5.0 by override).
        {k_before_8, ROLE, "element", "RelationshipRoleType", Usage::never},
        {k_before_8, CONTROL, "attribute", "indicationOfSubgrid", Usage::never},
        // No RootComponent @behavior before 8.0, on every one from 8.0.
        {k_before_8, ROOT_COMPONENT, "attribute", "behavior", Usage::never},
        {k_8_on, ROOT_COMPONENT, "attribute", "behavior", Usage::always},
        // The sections the connector wrote empty: no real 5.x-8.x export has them.
        {{"5.0", "6.0", "7.0", "8.0", "8.2"}, C, "element", "CustomControls", Usage::never},
        {{"5.0", "6.0", "7.0", "8.0", "8.2"}, C, "element", "ServiceEndpoints", Usage::never},
        {{"5.0", "6.0", "7.0", "8.0", "8.2"}, C, "element", "AppModuleSiteMaps", Usage::never},
        {{"5.0", "6.0", "7.0", "8.0", "8.2"}, C, "element", "AppModules", Usage::never},
        // Custom lookups of 5.x-7.x live in the relationship's <field>, never after. Every
        // one-to-many relationship has one; a many-to-many relationship (none in the 5.x-8.x
        // exports here) has no referencing side, so overrides.tsv makes it "sometimes".
        {{"6.0", "7.0"}, REL, "element", "field", Usage::sometimes},
        {{"8.2", "9.0", "9.2"}, REL, "element", "field", Usage::never},
        {{"8.2", "9.0", "9.2"}, A, "element", "ReferencedEntityObjectTypeCode", Usage::never},
        // CRM 2011 forms have no FormPresentation / FormActivationState; later ones always do.
        {{"5.0"}, FORM, "element", "FormPresentation", Usage::never},
        {{"5.0"}, FORM, "element", "FormActivationState", Usage::never},
        {k_from_6, FORM, "element", "FormPresentation", Usage::always},
        {k_from_6, FORM, "element", "FormActivationState", Usage::always},
        {{"8.0"}, ROLE, "element", "NavigationPropertyName", Usage::never},
        {{"6.0"}, REL, "element", "IsHierarchical", Usage::never},
        {{"7.0", "8.0", "8.2", "9.0", "9.2"}, REL, "element", "IsHierarchical", Usage::always},
    });
}

TEST(ProfileCorpus, IntroducedVersionIsWrittenFrom6On)
{
    for (const std::string& path : {E, A, FORM, VIEW, REL, OPTIONSET, WEBRESOURCE}) {
        SCOPED_TRACE(path);
        expect_facts({{{"5.0"}, path, "element", "IntroducedVersion", Usage::never}});
    }
    for (const std::string& path : {FULL, A, FORM, VIEW, REL, OPTIONSET}) {
        SCOPED_TRACE(path);
        expect_facts({{k_from_6, path, "element", "IntroducedVersion", Usage::always}});
    }
    expect_facts({{{"6.0", "7.0", "8.0", "8.2", "9.0"}, WEBRESOURCE, "element", "IntroducedVersion", Usage::always}});
}

TEST(ProfileCorpus, Version9DroppedWhatEarlierVersionsWrote)
{
    expect_facts({
        {k_9, A + "[type=money]", "element", "IsBaseCurrency", Usage::never},
        {k_9, "customizations.xml/Entities/Entity", "element", "ObjectTypeCode", Usage::never},
        {{"6.0", "7.0", "8.2"}, "customizations.xml/Entities/Entity", "element", "ObjectTypeCode", Usage::always},
        {k_9, VIEW, "element", "returnedtypecode", Usage::never},
        {{"6.0", "7.0", "8.2"}, VIEW, "element", "returnedtypecode", Usage::always},
        {k_9, VIEW + "/layoutxml/grid", "attribute", "object", Usage::never},
        {{"6.0", "8.2"}, VIEW + "/layoutxml/grid", "attribute", "object", Usage::always},
        {k_9, C, "element", "EntityDataProviders", Usage::always},
        {{"8.2"}, C, "element", "EntityDataProviders", Usage::never},
        // Recent 9.2 exports write ConnectionRoles (an override: no 9.2 export here has one).
        {{"9.2"}, C, "element", "ConnectionRoles", Usage::sometimes},
    });
    // No real export types an attribute bigint.
    for (const auto& item : checked_in().all()) {
        EXPECT_EQ(item.contexts.count(A + "[type=bigint]"), 0u) << item.name;
    }
}

TEST(ProfileCorpus, EveryVersionWritesTheEntityFlags)
{
    for (const std::string flag :
         {"IsMapiGridEnabled", "IsConnectionsEnabled", "IsDocumentManagementEnabled", "AutoRouteToOwnerQueue"}) {
        SCOPED_TRACE(flag);
        expect_facts({{k_all, FULL, "element", flag, Usage::always}});
    }
    // A system entity carried with only some attributes has none of them.
    expect_facts({{k_9, E + "[type=attributes]", "element", "IsMapiGridEnabled", Usage::never}});
}

TEST(ProfileCorpus, Version8AndLaterWriteTheNewAttributeVocabulary)
{
    for (const std::string name :
         {"SourceType", "IsGlobalFilterEnabled", "IsSortableEnabled", "CanModifyGlobalFilterSettings"}) {
        SCOPED_TRACE(name);
        expect_facts({{{"8.0", "8.2", "9.0"}, A, "element", name, Usage::always}});
    }
    expect_facts({
        {{"6.0"}, A, "element", "IsGlobalFilterEnabled", Usage::never},
        {k_9, A, "element", "IsDataSourceSecret", Usage::always},
        {{"8.2"}, A, "element", "IsDataSourceSecret", Usage::never},
        {{"8.2", "9.0", "9.2"}, A + "[type=datetime]", "element", "Behavior", Usage::always},
        {{"8.2", "9.0"}, A + "[type=datetime]", "element", "CanChangeDateTimeBehavior", Usage::always},
        {{"6.0"}, A + "[type=datetime]", "element", "Behavior", Usage::never},
        {{"8.2"}, FORM, "element", "IsCustomizable", Usage::always},
        {{"8.2"}, FORM, "element", "CanBeDeleted", Usage::always},
        // 9.2: two Contact forms of a pac tree are form differences (ordinalvalue, solutionaction),
        // which carry neither; pack used to hide them in a doubled <forms> wrapper.
        {{"9.2"}, FORM, "element", "IsCustomizable", Usage::sometimes},
        {{"9.2"}, FORM, "element", "CanBeDeleted", Usage::sometimes},
        {{"9.0"}, ROLE, "element", "NavigationPropertyName", Usage::always},
        {k_all, "solution.xml/SolutionManifest", "element", "MissingDependencies", Usage::always},
    });
}

TEST(ProfileCorpus, ThinAreasAreSaidInTheFiles)
{
    std::string five = read_bytes(source_dir() / "templates" / "profiles" / "5.0.tsv");
    EXPECT_NE(five.find("# weak: only 3 exports of this version"), std::string::npos);
    EXPECT_NE(five.find("# instances: Entity 2, entity metadata 0, attribute 0"), std::string::npos);
    EXPECT_NE(five.find("\nfallback\t6.0\t"), std::string::npos);
    std::string nine = read_bytes(source_dir() / "templates" / "profiles" / "9.2.tsv");
    EXPECT_EQ(nine.find("# weak:"), std::string::npos);
}

TEST(ProfileCorpus, RelearningTheCorpusReproducesTheCheckedInProfiles)
{
    ESCPROV_REQUIRE_CORPUS();
    fs::path profiles = source_dir() / "templates" / "profiles";
    profile::Learner learner;
    for (const fs::path& root : {corpus_dir() / "solutions", corpus_dir() / "orgs"}) {
        for (const auto& input : profile::find_exports(root).exports) {
            learner.add(input);
        }
    }
    auto learned = learner.profiles(profile::read_overrides(profiles / "overrides.tsv"));
    EXPECT_TRUE(profile::contradicted_overrides(learned).empty());
    for (const auto& item : learned) {
        SCOPED_TRACE(item.name);
        // On a difference: escprov profile learn ../shared/corpus/solutions ../shared/corpus/orgs
        //                  -o templates/profiles --overwrite   (and review the diff)
        EXPECT_TRUE(profile::format_profile(item) == read_bytes(profiles / (item.name + ".tsv")))
            << "templates/profiles/" << item.name << ".tsv is not what the corpus gives; regenerate it";
    }
}

TEST(ProfileCommand, LearnWritesEveryProfileAndRefusesToOverwrite)
{
    ESCPROV_REQUIRE_CORPUS();
    TempDir dir;
    fs::path out = dir / "profiles";
    std::string overrides = (source_dir() / "templates" / "profiles" / "overrides.tsv").string();
    std::vector<std::string> args = {"profile",     "learn",  (corpus_dir() / "orgs").string(), "-o", out.string(),
                                     "--overrides", overrides};
    RunResult first = run_escprov(args);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_TRUE(first.err.empty()) << first.err;
    EXPECT_EQ(folder_names(out),
              (std::vector<std::string>{"5.0.tsv", "6.0.tsv", "7.0.tsv", "8.0.tsv", "8.2.tsv", "9.0.tsv", "9.2.tsv"}));
    EXPECT_NE(first.out.find("6.0  1 export, "), std::string::npos) << first.out;
    std::string six = read_bytes(out / "6.0.tsv");
    EXPECT_NE(six.find("\nsource\t6.0.0000.1018\tunmanaged\torgs/crm2013-online-default-export.zip\n"),
              std::string::npos);

    write_bytes(out / "9.2.tsv", "kept");
    RunResult again = run_escprov(args);
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("the file exists; nothing was written"), std::string::npos) << again.err;
    EXPECT_EQ(read_bytes(out / "9.2.tsv"), "kept");

    args.push_back("--overwrite");
    RunResult replaced = run_escprov(args);
    EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_NE(read_bytes(out / "9.2.tsv"), "kept");
    EXPECT_EQ(read_bytes(out / "6.0.tsv"), six);
}

TEST(ProfileCommand, LearnWarnsAboutContradictedOverrides)
{
    ESCPROV_REQUIRE_CORPUS();
    TempDir dir;
    write_bytes(dir / "overrides.tsv", "override\t6.0\tcustomizations.xml/Entities/Entity\telement\tObjectTypeCode\t"
                                       "never\tdeliberately wrong\n");
    RunResult run = run_escprov({"profile", "learn", (corpus_dir() / "orgs").string(), "-o", (dir / "out").string(),
                                 "--overrides", (dir / "overrides.tsv").string()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("warning: override contradicted by the data: 6.0 customizations.xml/Entities/Entity "
                           "element ObjectTypeCode"),
              std::string::npos)
        << run.err;
}

TEST(ProfileCommand, ShowPrintsWhatAVersionWrites)
{
    std::string profiles = (source_dir() / "templates" / "profiles").string();
    RunResult money = run_escprov({"profile", "show", "9.2", "--profiles", profiles, "--context", A + "[type=money]"});
    ASSERT_EQ(money.exit_code, 0) << money.err;
    EXPECT_NE(money.out.find("CRM 9.2: profile 9.2"), std::string::npos) << money.out;
    EXPECT_NE(money.out.find("Accuracy"), std::string::npos) << money.out;
    EXPECT_EQ(money.out.find("IsBaseCurrency"), std::string::npos) << money.out;

    RunResult roots = run_escprov({"profile", "show", "6.1", "--profiles", profiles, "--context", ROOT_COMPONENT});
    ASSERT_EQ(roots.exit_code, 0) << roots.err;
    EXPECT_NE(roots.out.find("CRM 6.1: profile 6.0"), std::string::npos) << roots.out;
    EXPECT_NE(roots.out.find("type"), std::string::npos);
    EXPECT_EQ(roots.out.find("behavior"), std::string::npos) << "neither 5.0 nor 7.0 writes it";

    // 9.0 never writes Entity/ObjectTypeCode; show names the neighbour that does.
    RunResult entity = run_escprov(
        {"profile", "show", "9.0", "--profiles", profiles, "--context", "customizations.xml/Entities/Entity"});
    ASSERT_EQ(entity.exit_code, 0) << entity.err;
    EXPECT_NE(entity.out.find("ObjectTypeCode"), std::string::npos) << "8.2, a neighbour, writes it";
    EXPECT_NE(entity.out.find("never (8.2 100%)"), std::string::npos) << entity.out;

    // A name only an override gives is shown as the override says, with no share of instances.
    RunResult sections =
        run_escprov({"profile", "show", "9.2", "--profiles", profiles, "--context", "customizations.xml"});
    ASSERT_EQ(sections.exit_code, 0) << sections.err;
    std::smatch sitemap;
    ASSERT_TRUE(std::regex_search(sections.out, sitemap, std::regex("element +SiteMap +([^\n]*)"))) << sections.out;
    EXPECT_TRUE(sitemap[1].str().starts_with("sometimes  (override: ")) << sitemap[1].str();

    RunResult thin = run_escprov({"profile", "show", "5.0", "--profiles", profiles, "--context", FORM + "\t"});
    EXPECT_EQ(thin.exit_code, 0);
    EXPECT_NE(thin.out.find("No context starts with"), std::string::npos);
}

TEST(ProfileCommand, LearningUsesMemoryByContextsNotByExportSize)
{
    TempDir dir;
    // One entity with `count` attributes, each with its own names and label.
    auto write_export = [&dir](const std::string& name, int count) {
        fs::path folder = dir / name;
        fs::create_directories(folder);
        write_bytes(folder / "solution.xml", "<ImportExportXml version=\"9.2.1.1\" SolutionPackageVersion=\"9.2\">"
                                             "<SolutionManifest><UniqueName>t</UniqueName><Managed>0</Managed>"
                                             "<RootComponents /></SolutionManifest></ImportExportXml>");
        std::ofstream out(folder / "customizations.xml", std::ios::binary);
        out << "<ImportExportXml><Entities><Entity><Name>e</Name><EntityInfo><entity Name=\"e\"><attributes>";
        for (int i = 0; i < count; ++i) {
            std::string n = std::to_string(i);
            out << "<attribute PhysicalName=\"tst_a" << n << "\"><Type>nvarchar</Type><Name>tst_a" << n
                << "</Name><LogicalName>tst_a" << n << "</LogicalName><MaxLength>" << n
                << "</MaxLength><displaynames><displayname description=\"Attribute " << n
                << " with a long label\" languagecode=\"1033\" /></displaynames></attribute>";
        }
        out << "</attributes></entity></EntityInfo></Entity></Entities></ImportExportXml>";
        return folder;
    };
    fs::path small = write_export("small", 2000);   // about half a megabyte
    fs::path large = write_export("large", 100000); // about 28 MB
    ASSERT_GT(fs::file_size(large / "customizations.xml"), 25u << 20);
    RunResult few = run_escprov({"profile", "learn", small.string(), "-o", (dir / "out-small").string()});
    RunResult many = run_escprov({"profile", "learn", large.string(), "-o", (dir / "out-large").string()});
    ASSERT_EQ(few.exit_code, 0) << few.err;
    ASSERT_EQ(many.exit_code, 0) << many.err;
    EXPECT_EQ(read_bytes(dir / "out-large" / "9.2.tsv")
                  .find("\nvalue\tcustomizations.xml/Entities/Entity/EntityInfo/"
                        "entity/attributes/attribute/Name\t"),
              std::string::npos)
        << "100,000 distinct names have no usual value";
    // Fifty times the input, the same contexts: the peak may not grow by more than a few megabytes.
    EXPECT_LT(many.peak_rss_bytes, few.peak_rss_bytes + (8u << 20))
        << few.peak_rss_bytes / 1024 << " KB for 0.5 MB, " << many.peak_rss_bytes / 1024 << " KB for 28 MB";
}

TEST(ProfileCommand, UsageErrorsExit2)
{
    const std::vector<std::vector<std::string>> bad = {
        {"profile"},
        {"profile", "forget"},
        {"profile", "learn", "-o", "x"},
        {"profile", "learn", "somewhere"},
        {"profile", "show"},
        {"profile", "show", "nine"},
        {"profile", "show", "9.2", "extra"},
        {"profile", "show", "9.2", "-o", "x"},
        {"profile", "learn", "somewhere", "-o", "x", "--context", "y"},
    };
    for (const auto& args : bad) {
        RunResult run = run_escprov(args);
        EXPECT_EQ(run.exit_code, 2) << args.size() << ": " << run.err;
        EXPECT_NE(run.err.find("escprov: error: profile"), std::string::npos) << run.err;
    }
    TempDir dir;
    RunResult missing = run_escprov({"profile", "learn", (dir / "absent").string(), "-o", (dir / "out").string()});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_FALSE(fs::exists(dir / "out"));
    RunResult empty = run_escprov({"profile", "learn", dir.path().string(), "-o", (dir / "out").string()});
    EXPECT_EQ(empty.exit_code, 2);
    EXPECT_NE(empty.err.find("no solution export found"), std::string::npos) << empty.err;
}
