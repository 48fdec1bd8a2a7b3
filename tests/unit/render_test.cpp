// The connector rendered per target (src/connector/render.hpp): for every target 5.0 ... 9.2, the
// connector alone, every org sample and both corpus org exports are merged (connector mode) and
// packaged, and the package's customizations.xml and solution.xml hold exactly the vocabulary of
// the target's version profile: no element or XML attribute that version never writes, nothing it
// always writes missing. Then one test per defect the renderer fixes (issue 9).

#include "connector/connector.hpp"
#include "connector/render.hpp"
#include "connector/shape.hpp"
#include "merge/engine.hpp"
#include "package/package.hpp"
#include "profile/profile.hpp"
#include "solution/identity.hpp"
#include "support.hpp"
#include "util/error.hpp"
#include "util/text.hpp"
#include "xml/source.hpp"
#include "zip/reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace escprov::test {
namespace {

const std::vector<std::string>& all_targets()
{
    static const std::vector<std::string> targets = {"5.0", "6.0", "6.1", "7.0", "7.1", "8.0",
                                                     "8.1", "8.2", "9.0", "9.1", "9.2"};
    return targets;
}

solution::CrmVersion version(const std::string& text)
{
    return *solution::parse_crm_version(text);
}

const profile::Profiles& profiles()
{
    static const profile::Profiles loaded = profile::Profiles::load(source_dir() / "templates" / "profiles");
    return loaded;
}

connector::ConnectorSource connector_source()
{
    return connector::locate_connector(source_dir() / "solution");
}

xml::Node parse_text(const std::string& text, const std::string& name)
{
    xml::MemorySource source(text, name);
    return xml::parse_document(source);
}

// The rendered connector for `target`, loaded once per target.
const connector::Connector& rendered(const std::string& target)
{
    static std::map<std::string, connector::Connector> cache;
    auto found = cache.find(target);
    if (found == cache.end()) {
        found = cache.emplace(target, connector::load_connector(connector_source(), version(target), {})).first;
    }
    return found->second;
}

// --- the vocabulary walk, written here against profile::Profiles, independent of the renderer ---

// Where the walk differs from the profile, readable: "never customizations.xml/…: element X".
struct Vocabulary {
    std::map<std::string, size_t> problems; // problem -> how often
    // The same about the customer's parts connector mode carries: the forms of the extended
    // entities (but the connector's tab in them) and the org sitemap (but the connector's nodes).
    // From a base of the target's own family they are what the customer's CRM wrote, that
    // version's vocabulary by definition, and are not judged here; from another family nothing
    // the target never writes may stay, and what it always writes but is missing must be in the
    // merge report (the renderer never invents a customer's content).
    std::map<std::string, size_t> customer_problems;
    size_t elements = 0; // elements walked
};

bool is_extended_entity(const xml::Node& entity)
{
    const auto& names = connector::extended_entities();
    return std::find(names.begin(), names.end(), solution::entity_name(entity)) != names.end();
}

// True for an element of the connector's inside a customer part: its tab, its sitemap groups.
bool is_connectors(const xml::Node& element)
{
    for (std::string_view key : {"name", "Id"}) {
        const std::string* value = element.attribute(key);
        if (value != nullptr && ascii_lower(*value).starts_with("esc_")) {
            return true;
        }
    }
    return false;
}

// Where a walk is: inside an extended entity, and inside a customer part.
struct Place {
    bool extended_entity = false;
    bool customer = false;
};

void walk(const profile::Profile& profile, const xml::Node& element, const std::string& path, Vocabulary& vocabulary,
          Place place = {})
{
    ++vocabulary.elements;
    if (path == "customizations.xml/Entities/Entity") {
        place.extended_entity = is_extended_entity(element);
    }
    if ((place.extended_entity && path == "customizations.xml/Entities/Entity/FormXml") ||
        path == "customizations.xml/SiteMap") {
        place.customer = true;
    } else if (place.customer && is_connectors(element)) {
        place.customer = false;
    }
    auto problem = [&](const std::string& text) {
        ++(place.customer ? vocabulary.customer_problems : vocabulary.problems)[text];
    };
    for (const auto& attribute : element.attributes) {
        if (!attribute.name.starts_with("xmlns") &&
            profiles().usage(profile, path, "attribute", attribute.name) == profile::Usage::never) {
            problem("never " + path + " @" + attribute.name);
        }
    }
    if (profile::is_opaque(path)) {
        return;
    }
    std::set<std::string> names;
    for (const auto& child : element.children) {
        if (!child.is_element()) {
            continue;
        }
        names.insert(child.name);
        if (profiles().usage(profile, path, "element", child.name) == profile::Usage::never) {
            problem("never " + path + "/" + child.name);
        }
    }
    // A managed difference (a customer's form in a managed package) holds only what the connector
    // changes: what every full instance has is not missing from it.
    bool difference = false;
    std::function<void(const xml::Node&)> find_mark = [&](const xml::Node& node) {
        difference = difference || node.attribute("solutionaction") != nullptr;
        for (const auto& child : node.children) {
            if (!difference && child.is_element()) {
                find_mark(child);
            }
        }
    };
    find_mark(element);
    for (const auto& name : profiles().always_elements(profile, path)) {
        if (names.count(name) == 0 && !difference) {
            problem("missing " + path + "/" + name);
        }
    }
    std::string plain(profile::plain_path(path));
    for (const auto& child : element.children) {
        if (!child.is_element()) {
            continue;
        }
        // Entity attributes by their <Type>, entity metadata by its shape, as the learner counts them.
        std::string child_path = profile::context_path(plain, child.name);
        if (child_path == "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute") {
            child_path = profile::qualified_path(child_path, trimmed(child.child_text("Type")));
        } else if (child_path == "customizations.xml/Entities/Entity/EntityInfo/entity") {
            bool attributes_only = true;
            for (const auto& grandchild : child.children) {
                attributes_only = attributes_only && (!grandchild.is_element() || grandchild.name == "attributes");
            }
            child_path = profile::qualified_path(child_path, attributes_only ? "attributes" : "full");
        }
        walk(profile, child, child_path, vocabulary, place);
    }
}

std::string entry_text(const fs::path& zip_path, const std::string& name)
{
    zip::Reader reader(zip_path);
    const zip::Entry* entry = reader.find(name);
    return entry != nullptr ? reader.read(*entry) : std::string();
}

Vocabulary package_vocabulary(const fs::path& zip_path, const std::string& target)
{
    const profile::Profile* profile = profiles().for_version(version(target));
    EXPECT_NE(profile, nullptr) << target;
    Vocabulary vocabulary;
    if (profile == nullptr) {
        return vocabulary;
    }
    for (const std::string file : {"customizations.xml", "solution.xml"}) {
        xml::Node root = parse_text(entry_text(zip_path, file), file);
        walk(*profile, root, file, vocabulary);
    }
    return vocabulary;
}

std::string describe(const std::map<std::string, size_t>& problems)
{
    std::string text;
    for (const auto& [problem, count] : problems) {
        text += "  " + problem + " (x" + std::to_string(count) + ")\n";
    }
    return text;
}

// A base to merge into: its file, and the CRM version it was exported from ("" for none).
struct Base {
    fs::path file;
    std::string version;
};

bool same_family(const Base& base, const std::string& target)
{
    return base.version.empty() || version(base.version).family() == version(target).family();
}

// Merges the connector into `base` for `target` (connector mode, a family conflict resolved for
// the target) and packages the result managed. Returns the zip, or "" with a failure recorded.
// Only a base from another family may leave customer forms with something the target always
// writes missing, and the merge report then says so.
fs::path merged_package(const Base& from, const std::string& target, const fs::path& folder,
                        std::vector<std::string>& warnings)
{
    const fs::path& base = from.file;
    merge::MergeOptions options;
    options.target = version(target);
    options.on_conflict = merge::OnConflict::ours;
    fs::path tree = folder / ("merged-" + target);
    merge::Report report = merge::merge(base, connector_source(), options, tree);
    EXPECT_TRUE(report.succeeded()) << base << " " << target;
    warnings = report.warnings;
    for (const auto& warning : report.warnings) {
        bool customer_forms = warning.find("not rendered for CRM " + target + ": the customer forms of ") == 0;
        EXPECT_TRUE(warning.find("not rendered") == std::string::npos || (customer_forms && !same_family(from, target)))
            << base << " " << target << ": " << warning;
    }
    package::PackageOptions package_options;
    package_options.target = version(target);
    package_options.connector = connector_source();
    fs::path zip_path = folder / ("package-" + target + "_managed.zip");
    OutputFile output(zip_path, OutputSpec{"package", "-o", "", "--overwrite", false});
    package::PackageResult result = package::package(tree, output, package_options);
    EXPECT_TRUE(result.written) << base << " " << target;
    return result.written ? zip_path : fs::path();
}

// A base with nothing in it: the connector alone.
fs::path empty_base(const fs::path& folder)
{
    fs::path file = folder / "customizations.xml";
    write_bytes(file, "<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><Entities />"
                      "</ImportExportXml>");
    return file;
}

std::vector<Base> bases(const fs::path& folder)
{
    std::vector<Base> found = {{empty_base(folder), ""}};
    for (const auto& [sample, exported] : std::vector<std::pair<std::string, std::string>>{
             {"crm2011-fabrikam", "5.0"}, {"crm2016-adatum", "8.2"}, {"d365-contoso-9.2", "9.2"}}) {
        found.push_back({source_dir() / "samples" / "orgs" / (sample + ".zip"), exported});
    }
    if (!corpus_dir().empty()) {
        found.push_back({corpus_dir() / "orgs" / "crm2013-online-default-export.zip", "6.0"});
        found.push_back({corpus_dir() / "orgs" / "crm2015-online-default-export.zip", "7.1"});
    }
    return found;
}

class RenderTargetTest : public ::testing::TestWithParam<std::string> {};

std::string target_name(const ::testing::TestParamInfo<std::string>& info)
{
    std::string name = info.param;
    std::replace(name.begin(), name.end(), '.', '_');
    return "crm" + name;
}

INSTANTIATE_TEST_SUITE_P(Targets, RenderTargetTest, ::testing::ValuesIn(all_targets()), target_name);

TEST_P(RenderTargetTest, EveryPackageHasExactlyItsVersionsVocabulary)
{
    if (corpus_dir().empty()) {
        std::cout << "[ NOTE     ] the shared corpus is absent: the corpus org exports are not merged\n";
    }
    TempDir dir;
    size_t index = 0;
    for (const auto& base : bases(dir.path())) {
        fs::path folder = dir / std::to_string(index++);
        fs::create_directories(folder);
        std::vector<std::string> warnings;
        fs::path zip_path = merged_package(base, GetParam(), folder, warnings);
        if (zip_path.empty()) {
            continue;
        }
        Vocabulary vocabulary = package_vocabulary(zip_path, GetParam());
        EXPECT_GT(vocabulary.elements, 100u) << base.file;
        EXPECT_TRUE(vocabulary.problems.empty()) << base.file.filename() << " for " << GetParam() << ":\n"
                                                 << describe(vocabulary.problems);
        if (same_family(base, GetParam())) {
            continue;
        }
        for (const auto& [problem, count] : vocabulary.customer_problems) {
            if (!problem.starts_with("missing")) {
                ADD_FAILURE() << base.file.filename() << " for " << GetParam() << ", in a customer part: " << problem;
                continue;
            }
            // "missing PATH/NAME" is reported as "... always write <NAME> in PATH; ..."
            size_t slash = problem.rfind('/');
            std::string said = "<" + problem.substr(slash + 1) + "> in " + problem.substr(8, slash - 8) + ";";
            bool reported = std::any_of(warnings.begin(), warnings.end(), [&](const std::string& warning) {
                return warning.find(said) != std::string::npos;
            });
            EXPECT_TRUE(reported) << base.file.filename() << " for " << GetParam() << ": " << problem
                                  << " is not in the merge report";
        }
        fs::remove_all(folder);
    }
}

TEST_P(RenderTargetTest, TheConnectorRendersWithoutNotesAndRenderingAgainChangesNothing)
{
    connector::Connector connector = connector::load_connector(connector_source(), version(GetParam()), {});
    for (const auto& left : connector.left_out) {
        EXPECT_FALSE(left.starts_with("not rendered")) << GetParam() << ": " << left;
    }
    connector::Connector again = connector;
    connector::RenderResult result = connector::render(again, profiles());
    EXPECT_TRUE(result.notes.empty());
    ASSERT_EQ(again.sections.size(), connector.sections.size());
    for (size_t i = 0; i < connector.sections.size(); ++i) {
        EXPECT_EQ(again.sections[i].first, connector.sections[i].first);
        ASSERT_EQ(again.sections[i].second.size(), connector.sections[i].second.size());
        for (size_t j = 0; j < connector.sections[i].second.size(); ++j) {
            EXPECT_TRUE(xml::equal_ignoring_layout(again.sections[i].second[j], connector.sections[i].second[j]))
                << GetParam() << " " << connector.sections[i].first << " item " << j;
        }
    }
    for (const auto& [entity, tab] : connector.form_tabs) {
        EXPECT_TRUE(xml::equal_ignoring_layout(again.form_tabs.at(entity), tab)) << entity;
    }
}

// --- one test per defect the renderer fixes (issue 9) ---

bool at_least(const std::string& target, const std::string& first)
{
    solution::CrmVersion a = version(target);
    solution::CrmVersion b = version(first);
    return a.major != b.major ? a.major > b.major : a.minor >= b.minor;
}

const std::vector<xml::Node>& items(const connector::Connector& connector, const std::string& section)
{
    static const std::vector<xml::Node> none;
    const std::vector<xml::Node>* found = connector.section(section);
    return found != nullptr ? *found : none;
}

const xml::Node* entity(const connector::Connector& connector, const std::string& name)
{
    for (const auto& item : items(connector, "Entities")) {
        if (solution::entity_name(item) == name) {
            return &item;
        }
    }
    return nullptr;
}

const xml::Node* relationship(const connector::Connector& connector, const std::string& name)
{
    for (const auto& item : items(connector, "EntityRelationships")) {
        const std::string* found = item.attribute("Name");
        if (found != nullptr && *found == name) {
            return &item;
        }
    }
    return nullptr;
}

const xml::Node* attribute(const connector::Connector& connector, const std::string& entity_name,
                           const std::string& attribute_name)
{
    const xml::Node* found = entity(connector, entity_name);
    const xml::Node* attributes = found != nullptr ? solution::entity_attributes(*found) : nullptr;
    if (attributes != nullptr) {
        for (const xml::Node* candidate : attributes->children_named("attribute")) {
            if (solution::attribute_name(*candidate) == attribute_name) {
                return candidate;
            }
        }
    }
    return nullptr;
}

// Every element named `name` below `node`.
std::vector<const xml::Node*> all_named(const xml::Node& node, const std::string& name)
{
    std::vector<const xml::Node*> found;
    for_each_element(node, [&](const xml::Node& element) {
        if (element.name == name) {
            found.push_back(&element);
        }
    });
    return found;
}

size_t count_in_sections(const connector::Connector& connector, const std::string& name)
{
    size_t count = 0;
    for (const auto& [section, list] : connector.sections) {
        for (const auto& item : list) {
            count += all_named(item, name).size() + (item.name == name ? 1 : 0);
        }
    }
    return count;
}

// The custom entities the connector has for `target`.
std::vector<const xml::Node*> custom_entities(const connector::Connector& connector)
{
    std::vector<const xml::Node*> found;
    for (const auto& item : items(connector, "Entities")) {
        if (solution::entity_name(item).starts_with("esc_")) {
            found.push_back(&item);
        }
    }
    return found;
}

TEST(RenderDefects, RelationshipRoleTypeIsWrittenFrom8On)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        size_t roles = count_in_sections(connector, "EntityRelationshipRole");
        size_t typed = count_in_sections(connector, "RelationshipRoleType");
        EXPECT_GT(roles, 0u) << target;
        if (at_least(target, "8.0")) {
            // Every role of a one-to-many relationship names its side.
            for (const auto& item : items(connector, "EntityRelationships")) {
                if (item.child_text("EntityRelationshipType") != "OneToMany") {
                    continue;
                }
                for (const xml::Node* role : all_named(item, "EntityRelationshipRole")) {
                    EXPECT_NE(role->child("RelationshipRoleType"), nullptr) << target << " " << *item.attribute("Name");
                }
            }
        } else {
            EXPECT_EQ(typed, 0u) << target;
            // 5.x-7.x list only the referenced side's role of a one-to-many relationship.
            const xml::Node* lookup = relationship(connector, "esc_esc_emailaccount_esc_emailcampaign");
            ASSERT_NE(lookup, nullptr);
            EXPECT_EQ(all_named(*lookup, "EntityRelationshipRole").size(), 1u) << target;
        }
    }
}

TEST(RenderDefects, LookupsBefore8AreRelationshipFieldsAndFrom8OnAttributes)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        const xml::Node* lookup = relationship(connector, "esc_esc_emailaccount_esc_emailcampaign");
        ASSERT_NE(lookup, nullptr) << target;
        const xml::Node* createdby = attribute(connector, "esc_emailcampaign", "createdby");
        ASSERT_NE(createdby, nullptr) << target;
        if (at_least(target, "8.0")) {
            EXPECT_NE(attribute(connector, "esc_emailcampaign", "esc_emailaccountid"), nullptr) << target;
            EXPECT_NE(attribute(connector, "esc_emailcampaign", "owningteam"), nullptr) << target;
            EXPECT_NE(attribute(connector, "contact", "esc_emailaccountid"), nullptr) << target;
            EXPECT_EQ(count_in_sections(connector, "field"), 0u) << target;
            EXPECT_EQ(createdby->child("ReferencedEntityObjectTypeCode"), nullptr) << target;
            continue;
        }
        // Custom lookups (and owningteam, owninguser) leave <attributes>, on custom and system entities.
        EXPECT_EQ(attribute(connector, "esc_emailcampaign", "esc_emailaccountid"), nullptr) << target;
        EXPECT_EQ(attribute(connector, "esc_emailcampaign", "owningteam"), nullptr) << target;
        EXPECT_EQ(attribute(connector, "esc_emailcampaign", "owninguser"), nullptr) << target;
        EXPECT_EQ(attribute(connector, "contact", "esc_emailaccountid"), nullptr) << target;
        // Their relationship defines them, as real 5.x-7.x exports write it.
        const xml::Node* field = lookup->child("field");
        ASSERT_NE(field, nullptr) << target;
        EXPECT_EQ(*field->attribute("name"), "esc_emailaccountid");
        EXPECT_EQ(*field->attribute("requiredlevel"), "recommended");
        EXPECT_EQ(*field->attribute("lookupstyle"), "single");
        EXPECT_EQ(*field->attribute("lookupbrowse"), "0");
        EXPECT_EQ(field->child("displaynames")->child("displayname")->attribute("description")->c_str(),
                  std::string("Email Account"));
        // Every one-to-many relationship has a <field>.
        for (const auto& item : items(connector, "EntityRelationships")) {
            if (item.child_text("EntityRelationshipType") == "OneToMany") {
                EXPECT_NE(item.child("field"), nullptr) << target << " " << *item.attribute("Name");
            }
        }
        // The system lookups stay, naming the entity they refer to by its object type code.
        EXPECT_EQ(createdby->child_text("ReferencedEntityObjectTypeCode"), "8") << target;
        EXPECT_EQ(attribute(connector, "esc_emailcampaign", "owningbusinessunit")
                      ->child_text("ReferencedEntityObjectTypeCode"),
                  "10")
            << target;
        EXPECT_EQ(
            attribute(connector, "esc_emailaccount", "organizationid")->child_text("ReferencedEntityObjectTypeCode"),
            "1019")
            << target;
    }
}

TEST(RenderDefects, FormControlsHaveNoIndicationOfSubgridBefore8)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        size_t marked = 0;
        auto count = [&](const xml::Node& node) {
            for_each_element(node, [&](const xml::Node& element) {
                marked += element.attribute("indicationOfSubgrid") != nullptr ? 1 : 0;
            });
        };
        for (const auto& item : items(connector, "Entities")) {
            count(item);
        }
        for (const auto& [name, tab] : connector.form_tabs) {
            count(tab);
        }
        if (!at_least(target, "8.0")) {
            EXPECT_EQ(marked, 0u) << target;
        } else if (at_least(target, "9.0")) {
            EXPECT_GT(marked, 0u) << target << ": 9.x exports mark subgrids";
        }
    }
}

TEST(RenderDefects, Version9WritesNoObjectTypeCodeReturnedTypeCodeGridObjectOrBaseCurrency)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        bool nine = at_least(target, "9.0");
        size_t codes = 0;
        for (const auto& item : items(connector, "Entities")) {
            codes += item.child("ObjectTypeCode") != nullptr ? 1 : 0;
        }
        size_t grids_with_object = 0;
        for (const auto& item : items(connector, "Entities")) {
            for (const xml::Node* grid : all_named(item, "grid")) {
                grids_with_object += grid->attribute("object") != nullptr ? 1 : 0;
            }
        }
        EXPECT_EQ(codes == 0, nine) << target;
        EXPECT_EQ(count_in_sections(connector, "returnedtypecode") == 0, nine) << target;
        EXPECT_EQ(grids_with_object == 0, nine) << target;
        EXPECT_EQ(count_in_sections(connector, "IsBaseCurrency"), 0u) << target;
    }
    // The 9.x money attributes are there, without IsBaseCurrency.
    const xml::Node* money = attribute(rendered("9.2"), "esc_emailroidetail", "esc_value");
    ASSERT_NE(money, nullptr);
    EXPECT_EQ(money->child_text("Type"), "money");
}

TEST(RenderDefects, EveryCustomEntityHasTheSystemAttributesRealExportsList)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        for (const xml::Node* item : custom_entities(connector)) {
            std::string name = solution::entity_name(*item);
            for (const std::string system : {"createdby", "createdonbehalfby", "modifiedby", "modifiedonbehalfby",
                                             "createdon", "modifiedon", "statecode", "statuscode"}) {
                EXPECT_NE(attribute(connector, name, system), nullptr) << target << " " << name << " " << system;
            }
            EXPECT_EQ(attribute(connector, name, "versionnumber"), nullptr) << target << " " << name;
            bool user_owned =
                item->child("EntityInfo")->child("entity")->child_text("OwnershipTypeMask") == "UserOwned";
            for (const std::string owner_name : {"owneridname", "owneridtype", "owneridyominame"}) {
                bool listed = attribute(connector, name, owner_name) != nullptr;
                EXPECT_EQ(listed, user_owned && !at_least(target, "9.0")) << target << " " << name << " " << owner_name;
            }
        }
    }
}

TEST(RenderDefects, IntroducedVersionIsWrittenFrom6OnWithTheConnectorsVersion)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        std::string expected = connector::introduced_version(connector.version);
        size_t written = 0;
        size_t wrong = 0;
        for (const auto& [section, list] : connector.sections) {
            for (const auto& item : list) {
                for (const xml::Node* introduced : all_named(item, "IntroducedVersion")) {
                    ++written;
                    wrong += introduced->text_content() != expected ? 1 : 0;
                }
            }
        }
        EXPECT_EQ(wrong, 0u) << target;
        if (!at_least(target, "6.0")) {
            EXPECT_EQ(written, 0u) << target;
            continue;
        }
        const xml::Node* campaign = entity(connector, "esc_emailcampaign");
        ASSERT_NE(campaign, nullptr);
        EXPECT_EQ(campaign->child("EntityInfo")->child("entity")->child_text("IntroducedVersion"), expected) << target;
        EXPECT_EQ(attribute(connector, "esc_emailcampaign", "esc_subject")->child_text("IntroducedVersion"), expected)
            << target;
        for (const xml::Node* form : all_named(*campaign, "systemform")) {
            EXPECT_EQ(form->child_text("IntroducedVersion"), expected) << target;
        }
        for (const xml::Node* view : all_named(*campaign, "savedquery")) {
            EXPECT_EQ(view->child_text("IntroducedVersion"), expected) << target;
        }
        for (const auto& item : items(connector, "EntityRelationships")) {
            EXPECT_EQ(item.child_text("IntroducedVersion"), expected) << target;
        }
        for (const auto& item : items(connector, "optionsets")) {
            EXPECT_EQ(item.child_text("IntroducedVersion"), expected) << target;
        }
    }
    EXPECT_EQ(connector::introduced_version("9.2.0.1"), "9.2.0.1");
    EXPECT_EQ(connector::introduced_version("2.1"), "2.1.0.0");
}

TEST(RenderDefects, RelationshipsAreHierarchicalFrom7AndNameNavigationPropertiesFrom82)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        for (const auto& item : items(connector, "EntityRelationships")) {
            EXPECT_EQ(item.child("IsHierarchical") != nullptr, at_least(target, "7.0")) << target;
        }
        size_t roles = count_in_sections(connector, "EntityRelationshipRole");
        size_t named = count_in_sections(connector, "NavigationPropertyName");
        EXPECT_EQ(named, at_least(target, "8.2") ? roles : 0u) << target;
    }
    // The lookup's side is named by the lookup's schema name, the other by the relationship's name.
    const xml::Node* lookup = relationship(rendered("9.2"), "esc_esc_emailaccount_esc_emailcampaign");
    ASSERT_NE(lookup, nullptr);
    for (const xml::Node* role : all_named(*lookup, "EntityRelationshipRole")) {
        EXPECT_EQ(role->child_text("NavigationPropertyName"), role->child_text("RelationshipRoleType") == "1"
                                                                  ? "esc_EmailAccountId"
                                                                  : "esc_esc_emailaccount_esc_emailcampaign");
    }
}

TEST(RenderDefects, EveryCustomEntityWritesTheEntityFlagsAndThe8192View)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        for (const xml::Node* item : custom_entities(connector)) {
            const xml::Node* metadata = item->child("EntityInfo")->child("entity");
            for (const std::string flag : {"IsConnectionsEnabled", "IsDocumentManagementEnabled",
                                           "AutoRouteToOwnerQueue", "IsMapiGridEnabled"}) {
                EXPECT_NE(metadata->child(flag), nullptr)
                    << target << " " << solution::entity_name(*item) << " " << flag;
            }
            size_t offline = 0;
            for (const xml::Node* view : all_named(*item, "savedquery")) {
                offline += view->child_text("querytype") == "8192" ? 1 : 0;
            }
            EXPECT_EQ(offline, 1u) << target << " " << solution::entity_name(*item);
        }
        // The system entities the connector extends carry only their attributes.
        const xml::Node* contact = entity(connector, "contact");
        ASSERT_NE(contact, nullptr);
        for (const auto& child : contact->child("EntityInfo")->child("entity")->children) {
            EXPECT_TRUE(!child.is_element() || child.name == "attributes") << target << " " << child.name;
        }
    }
}

TEST(RenderDefects, AttributesWriteTheVocabularyOfTheirVersion)
{
    // Each in the versions whose real exports write it on every such attribute (the 7.x profile
    // is learned from 7.1 exports: date-time behaviour came with CRM 2015 Update 1; 9.2 exports
    // write CanChangeDateTimeBehavior on 95% of date-time attributes, so it is not added there).
    struct Fact {
        std::string attribute; // of esc_emailcampaign
        std::string name;
        std::string first;
        std::string last = "9.2";
    };
    const std::vector<Fact> facts = {
        {"esc_datesent", "SourceType", "7.0"},
        {"esc_datesent", "Behavior", "7.0"},
        {"esc_datesent", "CanChangeDateTimeBehavior", "7.0", "9.1"},
        {"esc_subject", "IsGlobalFilterEnabled", "8.0"},
        {"esc_subject", "IsSortableEnabled", "8.0"},
        {"esc_datesent", "CanModifyGlobalFilterSettings", "8.0"},
        {"esc_subject", "IsDataSourceSecret", "9.0"},
    };
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        for (const auto& fact : facts) {
            const xml::Node* found = attribute(connector, "esc_emailcampaign", fact.attribute);
            ASSERT_NE(found, nullptr) << target << " " << fact.attribute;
            bool expected = at_least(target, fact.first) && at_least(fact.last, target);
            EXPECT_EQ(found->child(fact.name) != nullptr, expected)
                << target << " " << fact.attribute << " " << fact.name;
        }
    }
}

TEST(RenderDefects, FormsWriteTheirFlagsAsTheVersionDoes)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        const xml::Node* campaign = entity(connector, "esc_emailcampaign");
        ASSERT_NE(campaign, nullptr);
        for (const xml::Node* form : all_named(*campaign, "systemform")) {
            bool eleven = !at_least(target, "6.0");
            EXPECT_EQ(form->child("FormPresentation") == nullptr, eleven) << target;
            EXPECT_EQ(form->child("FormActivationState") == nullptr, eleven) << target;
            if (at_least(target, "8.2")) {
                EXPECT_EQ(form->child_text("IsCustomizable"), "1") << target;
                EXPECT_EQ(form->child_text("CanBeDeleted"), "1") << target;
            }
        }
    }
}

TEST(RenderDefects, SectionsAreThoseTheVersionWritesInItsOrder)
{
    for (const auto& target : all_targets()) {
        const connector::Connector& connector = rendered(target);
        std::vector<std::string> names;
        for (const auto& [name, list] : connector.sections) {
            names.push_back(name);
        }
        auto has = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) != names.end(); };
        if (!at_least(target, "9.0")) {
            for (const std::string name :
                 {"CustomControls", "ServiceEndpoints", "AppModuleSiteMaps", "AppModules", "EntityDataProviders"}) {
                EXPECT_FALSE(has(name)) << target << " " << name;
            }
        } else {
            EXPECT_TRUE(has("EntityDataProviders")) << target;
            EXPECT_TRUE(has("AppModules")) << target;
        }
        // In the order of the version's profile.
        const profile::Profile* profile = profiles().for_version(version(target));
        const profile::Context* root = profiles().context(*profile, "customizations.xml");
        ASSERT_NE(root, nullptr);
        for (size_t i = 1; i < names.size(); ++i) {
            auto before = root->rank.find(names[i - 1]);
            auto after = root->rank.find(names[i]);
            if (before != root->rank.end() && after != root->rank.end()) {
                EXPECT_LT(before->second, after->second) << target << ": " << names[i - 1] << ", " << names[i];
            }
        }
        // Root attributes: 9.0 and 9.1 exports write no organisation attributes, later 9.2 ones do.
        bool organisation = xml::find_attribute(connector.customizations_root, "OrganizationVersion") != nullptr;
        EXPECT_EQ(organisation, at_least(target, "9.2")) << target;
    }
}

TEST(RenderDefects, CustomerFormsFromAnotherFamilyLoseWhatTheTargetNeverWrites)
{
    TempDir dir;
    merge::MergeOptions options;
    options.target = version("5.0");
    options.on_conflict = merge::OnConflict::ours;
    fs::path base = source_dir() / "samples" / "orgs" / "d365-contoso-9.2.zip";
    merge::Report report = merge::merge(base, connector_source(), options, dir / "out");
    ASSERT_TRUE(report.succeeded());
    xml::Node form = parse_file(dir / "out" / "Entities" / "Contact" / "FormXml" / "main" /
                                folder_names(dir / "out" / "Entities" / "Contact" / "FormXml" / "main").front());
    EXPECT_EQ(form.child("FormPresentation"), nullptr);
    EXPECT_EQ(form.child("FormActivationState"), nullptr);
    EXPECT_EQ(form.child("IntroducedVersion"), nullptr);
    bool said = std::any_of(report.notes.begin(), report.notes.end(), [](const std::string& note) {
        return note.starts_with("removed for CRM 5.0") && note.find("<FormPresentation>") != std::string::npos;
    });
    EXPECT_TRUE(said) << "the report names what was removed from the customer's forms";
}

TEST(RenderDefects, ATargetWithoutAProfileIsAUsageError)
{
    connector::Connector connector = rendered("9.2");
    connector.target = version("4.0");
    try {
        connector::render(connector, profiles());
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(error.kind(), ErrorKind::usage);
        EXPECT_NE(std::string(error.what()).find("4.0"), std::string::npos);
    }
}

} // namespace
} // namespace escprov::test
