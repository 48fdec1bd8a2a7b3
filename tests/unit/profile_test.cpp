// Version profiles: the file format, the lookup (thin contexts, fallbacks, overrides) and the
// learner, on small exports each test writes itself. The checked-in profiles and the corpus are
// tested in profile_corpus_test.cpp.

#include "profile/learn.hpp"
#include "profile/profile.hpp"
#include "support.hpp"
#include "util/error.hpp"
#include "xml/reader.hpp"
#include "zip_forge.hpp"

using namespace escprov;
using namespace escprov::test;
using profile::Usage;

namespace {

const std::string k_entity = "customizations.xml/Entities/Entity";
const std::string k_info = "customizations.xml/Entities/Entity/EntityInfo/entity";
const std::string k_attribute = "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute";

// A solution.xml for CRM `version` exported for `package_version` ("" for none).
std::string solution_xml(const std::string& version, const std::string& package_version)
{
    std::string root = "<ImportExportXml version=\"" + version + "\"";
    if (!package_version.empty()) {
        root += " SolutionPackageVersion=\"" + package_version + "\"";
    }
    return root + " languagecode=\"1033\" generatedBy=\"CrmLive\"><SolutionManifest><UniqueName>t</UniqueName>"
                  "<Version>1.0.0.0</Version><Managed>0</Managed><RootComponents>"
                  "<RootComponent type=\"1\" schemaName=\"tst_thing\" behavior=\"0\" /></RootComponents>"
                  "<MissingDependencies /></SolutionManifest></ImportExportXml>";
}

std::string customizations_xml(const std::string& body)
{
    return "<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">" + body + "</ImportExportXml>";
}

// A loose export folder: solution.xml and customizations.xml.
fs::path write_loose(const fs::path& folder, const std::string& version, const std::string& package_version,
                     const std::string& body)
{
    fs::create_directories(folder);
    write_bytes(folder / "solution.xml", solution_xml(version, package_version));
    write_bytes(folder / "customizations.xml", customizations_xml(body));
    return folder;
}

profile::ExportInput loose(const fs::path& folder)
{
    return {profile::ExportInput::Kind::loose, folder, folder.filename().string()};
}

// An entity with the given attributes ("<attribute>…</attribute>" each).
std::string entity(const std::string& name, const std::string& attributes, const std::string& extra = {})
{
    return "<Entity><Name>" + name + "</Name><EntityInfo><entity Name=\"" + name + "\"><LocalizedNames /><attributes>" +
           attributes + "</attributes>" + extra + "</entity></EntityInfo></Entity>";
}

std::string attribute(const std::string& type, const std::string& name, const std::string& extra = {})
{
    return "<attribute PhysicalName=\"" + name + "\"><Type>" + type + "</Type><Name>" + name + "</Name>" + extra +
           "</attribute>";
}

const profile::Profile& named(const std::vector<profile::Profile>& profiles, const std::string& name)
{
    for (const auto& item : profiles) {
        if (item.name == name) {
            return item;
        }
    }
    throw std::runtime_error("no profile " + name);
}

const profile::Context& context_of(const profile::Profile& item, const std::string& path)
{
    auto found = item.contexts.find(path);
    if (found == item.contexts.end()) {
        throw std::runtime_error("no context " + path + " in " + item.name);
    }
    return found->second;
}

uint64_t element_count(const profile::Context& context, const std::string& name)
{
    auto found = context.elements.find(name);
    return found == context.elements.end() ? 0 : found->second;
}

// A profile with one context, for lookup tests.
profile::Profile make_profile(const std::string& name, const std::string& first, const std::string& last,
                              const std::optional<std::string>& fallback)
{
    profile::Profile made;
    made.name = name;
    made.first = first;
    made.last = last;
    made.fallback = fallback;
    made.fallback_reason = fallback ? "the test says so" : "";
    return made;
}

void add_context(profile::Profile& item, const std::string& path, uint64_t instances,
                 const std::map<std::string, uint64_t>& elements)
{
    profile::Context& context = item.contexts[path];
    context.instances = instances;
    size_t rank = 0;
    for (const auto& [name, present] : elements) {
        context.elements[name] = present;
        context.rank[name] = rank++;
    }
}

profile::Profiles load_written(const fs::path& folder, const std::vector<profile::Profile>& profiles)
{
    for (const auto& item : profiles) {
        profile::write_profile(item, folder / (item.name + ".tsv"));
    }
    return profile::Profiles::load(folder);
}

} // namespace

TEST(ProfileFile, RoundTripKeepsEveryRowAndTheBytes)
{
    TempDir dir;
    profile::Profile written = make_profile("8.2", "8.2", "8.*", "8.0");
    written.sources.push_back({"8.2.0000.0773", "managed", "solutions/b.zip"});
    written.sources.push_back({"8.2.0000.0795", "unmanaged", "solutions/a.zip"});
    add_context(written, k_entity, 6, {{"Name", 6}, {"ObjectTypeCode", 5}});
    profile::Context& entity_context = written.contexts[k_entity];
    entity_context.attributes["unmodified"] = 2;
    entity_context.swapped.emplace("Name", "ObjectTypeCode");
    add_context(written, k_entity + "/Name", 6, {});
    written.contexts[k_entity + "/Name"].value = std::make_pair(uint64_t{3}, std::string("Account with spaces"));
    written.overrides.push_back({k_entity, "element", "Extra", "never", "a reason, with punctuation"});
    profile::write_profile(written, dir / "8.2.tsv");

    profile::Profile read = profile::read_profile(dir / "8.2.tsv");
    EXPECT_EQ(read.name, "8.2");
    EXPECT_EQ(read.first, "8.2");
    EXPECT_EQ(read.last, "8.*");
    EXPECT_EQ(read.fallback, std::optional<std::string>("8.0"));
    EXPECT_EQ(read.fallback_reason, "the test says so");
    ASSERT_EQ(read.sources.size(), 2u);
    EXPECT_EQ(read.sources[0].label, "solutions/a.zip"); // sorted by label
    EXPECT_EQ(read.sources[0].managed, "unmanaged");
    const profile::Context& back = context_of(read, k_entity);
    EXPECT_EQ(back.instances, 6u);
    EXPECT_EQ(element_count(back, "ObjectTypeCode"), 5u);
    EXPECT_EQ(back.rank.at("ObjectTypeCode"), 1u);
    EXPECT_EQ(back.attributes.at("unmodified"), 2u);
    EXPECT_EQ(back.swapped.count({"Name", "ObjectTypeCode"}), 1u);
    EXPECT_EQ(context_of(read, k_entity + "/Name").value->second, "Account with spaces");
    ASSERT_EQ(read.overrides.size(), 1u);
    EXPECT_EQ(read.overrides[0].reason, "a reason, with punctuation");
    // Written again, the same bytes: the format is deterministic and comments are derived.
    EXPECT_EQ(profile::format_profile(read), read_bytes(dir / "8.2.tsv"));
}

TEST(ProfileFile, MalformedRowsNameFileAndLine)
{
    TempDir dir;
    const std::string head = "profile\t9.2\ncovers\t9.2\t*\n";
    const std::string context = "context\tx\t4\n";
    struct Case {
        std::string text;
        std::string line;  // the file:line the message must name
        std::string cause; // and a part of its cause
    };
    const std::vector<Case> cases = {
        {head + "bogus\tx\n", ":3", "unknown row kind 'bogus'"},
        {head + "context\tx\n", ":3", "needs 2 fields (PATH INSTANCES), found 1"},
        {head + "element\tx\ta\t1\t0\n", ":3", "before its context row"},
        {head + context + "element\tx\ta\t5\t0\n", ":4", "more than the context's 4 instances"},
        {head + context + "attribute\tx\ta\tmany\n", ":4", "PRESENT must be a whole number"},
        {head + context + "element\tx\ta\t1\t0\nelement\tx\ta\t1\t1\n", ":5", "a second element row for 'a'"},
        {head + context + "swapped\tx\tb\ta\n", ":4", "name order"},
        {head + context + "override\tx\telement\ta\tmaybe\twhy\n", ":4", "never, always or sometimes"},
        {head + context + "context\tx\t4\n", ":4", "a second context row"},
        {"covers\t9.2\t*\n", ":1", "the first row must be the profile row"},
        {"profile\t9.2\ncovers\tnine\t*\n", ":2", "covers needs FIRST as major.minor"},
        {head + context + "value\tx\t2\t\n", ":4", "field 3 of a value row is empty"},
    };
    for (const auto& item : cases) {
        SCOPED_TRACE(item.text);
        write_bytes(dir / "bad.tsv", item.text);
        try {
            profile::read_profile(dir / "bad.tsv");
            ADD_FAILURE() << "read_profile accepted a malformed file";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::input);
            std::string message = e.what();
            EXPECT_NE(message.find("bad.tsv" + item.line + "'"), std::string::npos) << message;
            EXPECT_NE(message.find(item.cause), std::string::npos) << message;
        }
    }
    write_bytes(dir / "bad.tsv", "profile\t9.2\n");
    EXPECT_THROW(profile::read_profile(dir / "bad.tsv"), Error); // no covers row
}

TEST(ProfileFile, OverridesFileNeedsProfilesAndAReason)
{
    TempDir dir;
    write_bytes(dir / "overrides.tsv", "# comment\noverride\t5.0,6.0\tx\tattribute\tbehavior\tnever\tissue 9\n");
    auto rules = profile::read_overrides(dir / "overrides.tsv");
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_EQ(rules[0].profiles, (std::vector<std::string>{"5.0", "6.0"}));
    EXPECT_EQ(rules[0].fix.kind, "attribute");
    EXPECT_EQ(rules[0].fix.reason, "issue 9");

    for (const std::string bad :
         {"override\t5.0,,6.0\tx\telement\ta\tnever\twhy\n", "override\t5.0\tx\telement\ta\tnever\n", "context\tx\t3\n",
          "override\t5.0\tx\tchild\ta\tnever\twhy\n"}) {
        SCOPED_TRACE(bad);
        write_bytes(dir / "overrides.tsv", "# first line\n" + bad);
        try {
            profile::read_overrides(dir / "overrides.tsv");
            ADD_FAILURE() << "read_overrides accepted a malformed row";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("overrides.tsv:2'"), std::string::npos) << e.what();
        }
    }
}

TEST(ProfilePaths, ContextPathsQualifiersAndOpaqueContent)
{
    EXPECT_EQ(profile::context_path("customizations.xml", "Entities"), "customizations.xml/Entities");
    EXPECT_EQ(profile::qualified_path(k_attribute, "money"), k_attribute + "[type=money]");
    EXPECT_EQ(profile::plain_path(k_attribute + "[type=money]"), k_attribute);
    EXPECT_EQ(profile::plain_path(k_attribute), k_attribute);
    // Descendants of a qualified context use the plain path.
    EXPECT_EQ(profile::context_path(k_attribute + "[type=money]", "Type"), k_attribute + "/Type");

    EXPECT_TRUE(profile::is_opaque(k_entity + "/RibbonDiffXml"));
    EXPECT_TRUE(profile::is_opaque("customizations.xml/RibbonDiffXml"));
    EXPECT_TRUE(profile::is_opaque("customizations.xml/Entities/Entity/SavedQueries/savedqueries/savedquery/fetchxml"));
    std::string control =
        "customizations.xml/Entities/Entity/FormXml/forms/systemform/form/tabs/tab/columns/column/sections/"
        "section/rows/row/cell/control";
    EXPECT_TRUE(profile::is_opaque(control + "/parameters"));
    EXPECT_FALSE(profile::is_opaque(control));
    EXPECT_FALSE(profile::is_opaque("customizations.xml/parameters")); // only a control's parameters
    EXPECT_FALSE(profile::is_opaque(
        "customizations.xml/Entities/Entity/SavedQueries/savedqueries/savedquery/layoutxml")); // CRM's own grid
    EXPECT_TRUE(profile::is_inside_opaque(k_entity + "/RibbonDiffXml/CustomActions"));
    EXPECT_FALSE(profile::is_inside_opaque(k_entity + "/RibbonDiffXml"));
}

TEST(ProfileLearn, CountsChildrenAttributesAndValues)
{
    TempDir dir;
    profile::Learner learner;
    std::string guid = "{6b3f1c1e-0000-4000-8000-000000000001}";
    for (int i = 0; i < 3; ++i) {
        std::string extra = i < 2 ? "<IsMapiGridEnabled>1</IsMapiGridEnabled>" : "";
        std::string body = "<Entities>" + entity("tst_e" + std::to_string(i), attribute("nvarchar", "tst_a"), extra) +
                           "</Entities><WebResources><WebResource><WebResourceId>" + guid +
                           "</WebResourceId><DisplayName>Shown to people</DisplayName>"
                           "<IntroducedVersion>1.0</IntroducedVersion></WebResource></WebResources>";
        auto folder = write_loose(dir / ("e" + std::to_string(i)), "9.2.23062.180", "9.2", body);
        EXPECT_EQ(learner.add(loose(folder)), "9.2");
    }
    auto profiles = learner.profiles();
    ASSERT_EQ(profiles.size(), profile::families().size()); // every family, also the empty ones
    const profile::Profile& learned = named(profiles, "9.2");
    EXPECT_EQ(learned.sources.size(), 3u);
    EXPECT_EQ(learned.sources[0].version, "9.2.23062.180");
    EXPECT_EQ(learned.sources[0].managed, "unmanaged");
    EXPECT_EQ(context_of(learned, "customizations.xml").instances, 3u);
    EXPECT_EQ(context_of(learned, "customizations.xml").attributes.at("xmlns:xsi"), 3u);
    const profile::Context& info = context_of(learned, k_info);
    EXPECT_EQ(info.instances, 3u);
    EXPECT_EQ(element_count(info, "IsMapiGridEnabled"), 2u);
    EXPECT_EQ(element_count(info, "attributes"), 3u);
    EXPECT_EQ(info.attributes.at("Name"), 3u);
    EXPECT_EQ(
        context_of(learned, "solution.xml/SolutionManifest/RootComponents/RootComponent").attributes.at("behavior"),
        3u);
    // The usual value of a leaf, but never a GUID or a label.
    const profile::Context& flag = context_of(learned, k_info + "/IsMapiGridEnabled");
    ASSERT_TRUE(flag.value.has_value());
    EXPECT_EQ(*flag.value, std::make_pair(uint64_t{2}, std::string("1")));
    EXPECT_EQ(*context_of(learned, "customizations.xml/WebResources/WebResource/IntroducedVersion").value,
              std::make_pair(uint64_t{3}, std::string("1.0")));
    EXPECT_FALSE(context_of(learned, "customizations.xml/WebResources/WebResource/WebResourceId").value);
    EXPECT_FALSE(context_of(learned, "customizations.xml/WebResources/WebResource/DisplayName").value);
    // Names differ per instance: no usual value.
    EXPECT_FALSE(context_of(learned, k_entity + "/Name").value);
    EXPECT_TRUE(named(profiles, "6.0").contexts.empty());
}

TEST(ProfileLearn, RanksChildrenByMajorityAndReportsSwappedPairs)
{
    TempDir dir;
    profile::Learner learner;
    // Three say A B C, one says B A; D only ever follows C.
    const std::vector<std::string> orders = {"<A/><B/><C/>", "<A/><B/><C/><D/>", "<A/><B/><C/>", "<B/><A/>"};
    for (size_t i = 0; i < orders.size(); ++i) {
        auto folder = write_loose(dir / ("o" + std::to_string(i)), "9.2.1.1", "9.2",
                                  "<Languages><Language>" + orders[i] + "</Language></Languages>");
        learner.add(loose(folder));
    }
    auto profiles = learner.profiles();
    const profile::Context& language = context_of(named(profiles, "9.2"), "customizations.xml/Languages/Language");
    EXPECT_EQ(language.rank.at("A"), 0u);
    EXPECT_EQ(language.rank.at("B"), 1u);
    EXPECT_EQ(language.rank.at("C"), 2u);
    EXPECT_EQ(language.rank.at("D"), 3u);
    EXPECT_EQ(language.swapped, (std::set<std::pair<std::string, std::string>>{{"A", "B"}}));
}

TEST(ProfileLearn, AnOrderNoRankCanKeepIsSwapped)
{
    TempDir dir;
    profile::Learner learner;
    // X before Y, Y before Z, Z before X: each seen one way only, and no order keeps all three.
    const std::vector<std::string> orders = {"<X/><Y/>", "<Y/><Z/>", "<Z/><X/>"};
    for (size_t i = 0; i < orders.size(); ++i) {
        auto folder = write_loose(dir / ("c" + std::to_string(i)), "9.2.1.1", "9.2",
                                  "<Languages><Language>" + orders[i] + "</Language></Languages>");
        learner.add(loose(folder));
    }
    auto profiles = learner.profiles();
    const profile::Context& cycle = context_of(named(profiles, "9.2"), "customizations.xml/Languages/Language");
    ASSERT_EQ(cycle.rank.size(), 3u);
    // Every order an export showed agrees with the rank or is listed as swapped.
    for (const auto& [first, second] :
         std::vector<std::pair<std::string, std::string>>{{"X", "Y"}, {"Y", "Z"}, {"Z", "X"}}) {
        bool kept = cycle.rank.at(first) < cycle.rank.at(second);
        bool listed = cycle.swapped.contains({std::min(first, second), std::max(first, second)});
        EXPECT_TRUE(kept || listed) << first << " before " << second;
    }
    EXPECT_EQ(cycle.swapped.size(), 1u);
}

TEST(ProfileLearn, QualifiesEntityAttributesByTypeAndEntitiesByShape)
{
    TempDir dir;
    std::string attributes = attribute("money", "tst_price", "<Accuracy>2</Accuracy>") +
                             attribute("money", "tst_cost", "<Accuracy>2</Accuracy>") +
                             attribute("nvarchar", "tst_name", "<MaxLength>100</MaxLength>");
    // A system entity carried with one attribute only: just <attributes>.
    std::string partial = "<Entity><Name>Account</Name><EntityInfo><entity Name=\"Account\"><attributes>" +
                          attribute("nvarchar", "tst_extra") + "</attributes></entity></EntityInfo></Entity>";
    auto folder =
        write_loose(dir / "q", "9.2.1.1", "9.2",
                    "<Entities>" + entity("tst_thing", attributes, "<IsMapiGridEnabled>1</IsMapiGridEnabled>") +
                        partial + "</Entities>");
    profile::Learner learner;
    learner.add(loose(folder));
    auto profiles = learner.profiles();
    const profile::Profile& learned = named(profiles, "9.2");
    EXPECT_EQ(context_of(learned, k_attribute).instances, 4u);
    const profile::Context& money = context_of(learned, k_attribute + "[type=money]");
    EXPECT_EQ(money.instances, 2u);
    EXPECT_EQ(element_count(money, "Accuracy"), 2u);
    EXPECT_EQ(element_count(money, "MaxLength"), 0u);
    EXPECT_EQ(money.attributes.at("PhysicalName"), 2u);
    EXPECT_EQ(context_of(learned, k_attribute + "[type=nvarchar]").instances, 2u);
    // Descendants of a qualified attribute are counted under the plain path only.
    EXPECT_EQ(context_of(learned, k_attribute + "/Accuracy").instances, 2u);
    EXPECT_EQ(learned.contexts.count(k_attribute + "[type=money]/Accuracy"), 0u);

    const profile::Context& full = context_of(learned, k_info + "[type=full]");
    EXPECT_EQ(full.instances, 1u);
    EXPECT_EQ(element_count(full, "IsMapiGridEnabled"), 1u);
    EXPECT_EQ(context_of(learned, k_info + "[type=attributes]").instances, 1u);
    EXPECT_EQ(element_count(context_of(learned, k_info), "IsMapiGridEnabled"), 1u);
    EXPECT_EQ(context_of(learned, k_info).instances, 2u);
}

TEST(ProfileLearn, LeavesOpaqueContentOut)
{
    TempDir dir;
    std::string ribbon = "<RibbonDiffXml><CustomActions><CustomAction Id=\"x\"><Button Id=\"b\" /></CustomAction>"
                         "</CustomActions></RibbonDiffXml>";
    auto folder = write_loose(dir / "r", "9.2.1.1", "9.2",
                              "<Entities><Entity><Name>a</Name>" + ribbon + "</Entity></Entities>" + ribbon);
    profile::Learner learner;
    learner.add(loose(folder));
    auto profiles = learner.profiles();
    const profile::Profile& learned = named(profiles, "9.2");
    const profile::Context& ribbons = context_of(learned, k_entity + "/RibbonDiffXml");
    EXPECT_EQ(ribbons.instances, 1u);
    EXPECT_TRUE(ribbons.elements.empty());
    for (const auto& [path, context] : learned.contexts) {
        EXPECT_FALSE(profile::is_inside_opaque(path)) << path;
    }
    EXPECT_EQ(context_of(learned, "customizations.xml/RibbonDiffXml").instances, 1u);
}

TEST(ProfileLearn, SortsExportsByTheVersionTheyWereExportedFor)
{
    TempDir dir;
    fs::path corpus = dir / "corpus";
    // A 6.1 export made for 6.0 counts as 6.0; CRM 2011 writes minimumversion.
    write_loose(corpus / "old" / "loose", "6.1.0000.0581", "6.0", "<Roles />");
    std::string manifest_2011 = "<ImportExportXml version=\"5.0.9690.3557\" minimumversion=\"5.0\">"
                                "<SolutionManifest><UniqueName>t</UniqueName><Managed>1</Managed>"
                                "<RootComponents /></SolutionManifest></ImportExportXml>";
    ZipForge()
        .add("solution.xml", manifest_2011)
        .add("customizations.xml", customizations_xml("<Roles />"))
        .write(corpus / "b2011.zip");
    ZipForge().add("readme.txt", "not a solution").write(corpus / "a-other.zip");
    fs::create_directories(corpus / "tree" / "Other");
    write_bytes(corpus / "tree" / "Other" / "Solution.xml", solution_xml("9.1.0.643", "9.1"));
    write_bytes(corpus / "tree" / "Other" / "Customizations.xml", customizations_xml("<Roles />"));
    write_bytes(corpus / "notes.txt", "ignored");

    profile::FoundExports found = profile::find_exports(corpus);
    ASSERT_EQ(found.exports.size(), 3u);
    EXPECT_EQ(found.exports[0].label, "corpus/b2011.zip");
    EXPECT_EQ(found.exports[0].kind, profile::ExportInput::Kind::zip);
    EXPECT_EQ(found.exports[1].label, "corpus/old/loose");
    EXPECT_EQ(found.exports[1].kind, profile::ExportInput::Kind::loose);
    EXPECT_EQ(found.exports[2].label, "corpus/tree");
    EXPECT_EQ(found.exports[2].kind, profile::ExportInput::Kind::tree);
    ASSERT_EQ(found.skipped.size(), 1u);
    EXPECT_EQ(found.skipped[0].rfind("corpus/a-other.zip: ", 0), 0u) << found.skipped[0];

    profile::Learner learner;
    EXPECT_EQ(learner.add(found.exports[0]), "5.0");
    EXPECT_EQ(learner.add(found.exports[1]), "6.0");
    EXPECT_EQ(learner.add(found.exports[2]), "9.0");
    auto profiles = learner.profiles();
    EXPECT_EQ(named(profiles, "6.0").sources[0].version, "6.1.0000.0581");
    EXPECT_EQ(named(profiles, "5.0").sources[0].managed, "managed");
    EXPECT_EQ(context_of(named(profiles, "9.0"), "customizations.xml/Roles").instances, 1u);

    // A single zip given directly is labelled by its folder and name.
    EXPECT_EQ(profile::find_exports(corpus / "b2011.zip").exports[0].label, "corpus/b2011.zip");
    EXPECT_THROW(profile::find_exports(corpus / "missing"), Error);
}

TEST(ProfileLearn, AFailedExportLeavesTheProfilesAsTheyWere)
{
    TempDir dir;
    profile::Learner learner;
    learner.add(loose(write_loose(dir / "good", "9.2.1.1", "9.2", "<Roles />")));
    std::string before = profile::format_profile(named(learner.profiles(), "9.2"));
    fs::path broken = write_loose(dir / "broken", "9.2.1.1", "9.2", "<Roles />");
    write_bytes(broken / "customizations.xml", "<ImportExportXml><Entities><Entity></Entities></ImportExportXml>");
    EXPECT_THROW(learner.add(loose(broken)), xml::ParseError);
    EXPECT_EQ(profile::format_profile(named(learner.profiles(), "9.2")), before);

    fs::path ancient = write_loose(dir / "ancient", "4.0.7333.3", "", "<Roles />");
    EXPECT_THROW(learner.add(loose(ancient)), Error);
}

TEST(ProfileLookup, ThinContextsFallBackAlongTheChainAndStopOnACycle)
{
    TempDir dir;
    profile::Profile six = make_profile("6.0", "6.0", "6.*", "7.0");
    profile::Profile seven = make_profile("7.0", "7.0", "7.*", "6.0");
    profile::Profile eight = make_profile("8.0", "8.0", "8.*", "7.0");
    add_context(eight, "x", 2, {{"a", 2}}); // thin: answered by 7.0
    add_context(seven, "x", 5, {{"a", 5}, {"b", 1}});
    add_context(eight, "y", 1, {});
    add_context(seven, "y", 2, {});
    add_context(six, "y", 1, {}); // thin everywhere: the 7.0 -> 6.0 -> 7.0 chain stops
    add_context(eight, "z[type=money]", 1, {{"c", 1}});
    add_context(eight, "z", 4, {{"c", 4}}); // a thin qualified context is answered by its plain path
    auto profiles = load_written(dir.path(), {six, seven, eight});

    const profile::Profile& p8 = *profiles.named("8.0");
    std::string from;
    const profile::Context* x = profiles.context(p8, "x", &from);
    ASSERT_NE(x, nullptr);
    EXPECT_EQ(from, "7.0");
    EXPECT_EQ(x->instances, 5u);
    EXPECT_EQ(profiles.context(p8, "y"), nullptr);
    EXPECT_EQ(profiles.usage(p8, "y", "element", "a"), Usage::unknown);
    ASSERT_NE(profiles.context(p8, "z[type=money]", &from), nullptr);
    EXPECT_EQ(from, "8.0");
    EXPECT_EQ(profiles.usage(p8, "z[type=money]", "element", "c"), Usage::always);

    EXPECT_EQ(profiles.usage(p8, "x", "element", "a"), Usage::always);
    EXPECT_EQ(profiles.usage(p8, "x", "element", "c"), Usage::never);
    // 8.0's own two instances have no b: the fallback's "sometimes" stands, never "always".
    EXPECT_EQ(profiles.usage(p8, "x", "element", "b"), Usage::sometimes);
    EXPECT_EQ(profiles.usage(*profiles.named("7.0"), "x", "element", "b"), Usage::sometimes);
}

TEST(ProfileLookup, OwnEvidenceIsNeverContradictedAndOverridesWin)
{
    TempDir dir;
    profile::Profile five = make_profile("5.0", "5.0", "5.*", "6.0");
    profile::Profile six = make_profile("6.0", "6.0", "6.*", std::nullopt);
    add_context(five, "f", 1, {{"Name", 1}, {"own", 1}}); // thin, but it shows "own" is written
    add_context(six, "f", 10, {{"IntroducedVersion", 10}, {"Name", 10}, {"own", 0}});
    add_context(five, "g", 2, {{"lacking", 1}}); // one of 5.0's own two lacks it
    add_context(six, "g", 10, {{"lacking", 10}});
    five.overrides.push_back({"f", "element", "IntroducedVersion", "never", "issue 9"});
    five.overrides.push_back({"f", "element", "Added", "always", "issue 9"});
    five.overrides.push_back({"f[type=full]", "element", "Flag", "always", "issue 9"});
    auto profiles = load_written(dir.path(), {five, six});
    const profile::Profile& p5 = *profiles.named("5.0");

    EXPECT_EQ(profiles.usage(p5, "f", "element", "own"), Usage::sometimes);
    EXPECT_EQ(profiles.usage(p5, "g", "element", "lacking"), Usage::sometimes);
    EXPECT_EQ(profiles.usage(p5, "f", "element", "IntroducedVersion"), Usage::never);
    // An override on the plain path answers for the qualified path too, not the other way round.
    EXPECT_EQ(profiles.usage(p5, "f[type=full]", "element", "IntroducedVersion"), Usage::never);
    EXPECT_EQ(profiles.usage(p5, "f[type=full]", "element", "Flag"), Usage::always);
    EXPECT_NE(profiles.usage(p5, "f", "element", "Flag"), Usage::always);
    EXPECT_EQ(profiles.always_elements(p5, "f"), (std::vector<std::string>{"Name", "Added"}));
    EXPECT_EQ(profiles.always_elements(*profiles.named("6.0"), "f"),
              (std::vector<std::string>{"IntroducedVersion", "Name"}));
    EXPECT_EQ(profiles.usage(p5, "f", "attribute", "anything"), Usage::never);
}

TEST(ProfileLookup, ANameWrittenBeforeAndAfterIsNotNever)
{
    TempDir dir;
    profile::Profile seven = make_profile("7.0", "7.0", "7.*", std::nullopt);
    profile::Profile eight = make_profile("8.0", "8.0", "8.*", std::nullopt);
    profile::Profile nine = make_profile("9.0", "9.0", "*", std::nullopt);
    add_context(seven, "root", 5, {{"SiteMap", 1}, {"Gone", 2}});
    add_context(eight, "root", 5, {});
    add_context(nine, "root", 5, {{"SiteMap", 2}});
    auto profiles = load_written(dir.path(), {nine, seven, eight}); // loaded in version order whatever the names
    ASSERT_EQ(profiles.all().front().name, "7.0");
    const profile::Profile& p8 = *profiles.named("8.0");
    EXPECT_EQ(profiles.usage(p8, "root", "element", "SiteMap"), Usage::sometimes);
    EXPECT_EQ(profiles.usage(p8, "root", "element", "Gone"), Usage::never);
    EXPECT_EQ(profiles.usage(*profiles.named("9.0"), "root", "element", "Gone"), Usage::never);
}

TEST(ProfileLookup, AnAbsenceThatCouldBeChanceIsNotNever)
{
    // 7.0 writes Rare in 5% of its instances: three 8.0 instances all lack it with 86% chance, a
    // hundred with under 1%.
    for (uint64_t instances : {3, 100}) {
        TempDir dir;
        profile::Profile seven = make_profile("7.0", "7.0", "7.*", std::nullopt);
        profile::Profile eight = make_profile("8.0", "8.0", "*", std::nullopt);
        add_context(seven, "root", 100, {{"Rare", 5}, {"Common", 90}});
        add_context(eight, "root", instances, {{"Common", instances}});
        auto profiles = load_written(dir.path(), {seven, eight});
        EXPECT_EQ(profiles.usage(*profiles.named("8.0"), "root", "element", "Rare"),
                  instances == 3 ? Usage::sometimes : Usage::never)
            << instances;
    }
}

TEST(ProfileLookup, OpaqueChildrenAreUnknown)
{
    TempDir dir;
    profile::Profile nine = make_profile("9.2", "9.2", "*", std::nullopt);
    add_context(nine, k_entity + "/RibbonDiffXml", 10, {});
    auto profiles = load_written(dir.path(), {nine});
    EXPECT_EQ(profiles.usage(*profiles.named("9.2"), k_entity + "/RibbonDiffXml", "element", "CustomActions"),
              Usage::unknown);
    EXPECT_EQ(profiles.usage(*profiles.named("9.2"), k_entity + "/RibbonDiffXml", "attribute", "x"), Usage::never);
}

TEST(ProfileLookup, LoadRefusesAMissingFallbackAndAMisnamedFile)
{
    TempDir dir;
    profile::write_profile(make_profile("9.2", "9.2", "*", "9.0"), dir / "9.2.tsv");
    EXPECT_THROW(profile::Profiles::load(dir.path()), Error);
    fs::remove(dir / "9.2.tsv");
    profile::write_profile(make_profile("9.2", "9.2", "*", std::nullopt), dir / "9.0.tsv");
    EXPECT_THROW(profile::Profiles::load(dir.path()), Error);
    fs::remove(dir / "9.0.tsv");
    write_bytes(dir / "overrides.tsv", "");
    EXPECT_THROW(profile::Profiles::load(dir.path()), Error); // overrides.tsv is no profile
    EXPECT_THROW(profile::Profiles::load(dir / "absent"), Error);
}

TEST(ProfileLearn, OverridesAreCarriedAndCheckedAgainstTheData)
{
    TempDir dir;
    profile::Learner learner;
    for (int i = 0; i < 3; ++i) {
        learner.add(loose(write_loose(dir / ("c" + std::to_string(i)), "9.2.1.1", "9.2", "<Roles />")));
    }
    std::vector<profile::OverrideRule> rules = {
        {{"9.2", "9.0"}, {"customizations.xml", "element", "Roles", "never", "wrong on purpose"}},
        {{"9.2"}, {"customizations.xml", "element", "Dashboards", "never", "agrees with the data"}},
        {{"6.0"}, {"customizations.xml", "element", "Roles", "never", "no 6.0 data: nothing to check"}},
    };
    auto profiles = learner.profiles(rules);
    EXPECT_EQ(named(profiles, "9.2").overrides.size(), 2u);
    EXPECT_EQ(named(profiles, "9.0").overrides.size(), 1u);
    EXPECT_TRUE(named(profiles, "8.2").overrides.empty());
    auto notes = profile::contradicted_overrides(profiles);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_NE(notes[0].find("9.2 customizations.xml element Roles"), std::string::npos) << notes[0];
    EXPECT_NE(notes[0].find("3 of 3 instances"), std::string::npos) << notes[0];
}
