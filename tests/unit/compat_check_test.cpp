// The import-compatibility check: the vocabulary checker against small hand-written profiles,
// every real export of the corpus against its own version's profile (no ESC-VER error), and real
// exports doctored with each defect class of issue 9, which the check must catch.

#include "profile/check.hpp"
#include "support.hpp"
#include "validate/report.hpp"
#include "validate/validator.hpp"
#include "validate/xsd.hpp"
#include "xml/source.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace escprov::test {
namespace {

using profile::Violation;
using profile::ViolationKind;
using profile::ViolationWhat;
using validate::Finding;
using validate::PathReport;
using validate::Severity;

constexpr std::string_view k_attribute = "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute";

// --- the checker against hand-written profiles -----------------------------------------

// Two profiles: 9.2, thin in places and falling back to 9.0.
void write_profiles(const fs::path& dir)
{
    std::string attribute(k_attribute);
    std::string entity = "customizations.xml/Entities/Entity";
    std::string info = entity + "/EntityInfo/entity";
    write_bytes(dir / "9.2.tsv", "profile\t9.2\ncovers\t9.2\t9.*\nfallback\t9.0\tfew 9.2 exports\n"
                                 "source\t9.2.23062.180\tunmanaged\tsome.zip\n"
                                 "context\tcustomizations.xml\t5\n"
                                 "element\tcustomizations.xml\tEntities\t5\t0\n"
                                 "element\tcustomizations.xml\tLanguages\t5\t1\n"
                                 "context\t" +
                                     entity +
                                     "\t5\n"
                                     "element\t" +
                                     entity +
                                     "\tName\t5\t0\n"
                                     "element\t" +
                                     entity +
                                     "\tRibbonDiffXml\t3\t1\n"
                                     "element\t" +
                                     entity +
                                     "\tEntityInfo\t5\t2\n"
                                     "context\t" +
                                     entity +
                                     "/RibbonDiffXml\t3\n"
                                     "context\t" +
                                     info +
                                     "\t5\n"
                                     "element\t" +
                                     info +
                                     "\tIsAuditEnabled\t3\t0\n"
                                     "element\t" +
                                     info +
                                     "\tIsMapiGridEnabled\t5\t1\n"
                                     "element\t" +
                                     info +
                                     "\tattributes\t5\t2\n"
                                     "attribute\t" +
                                     info +
                                     "\tName\t5\n"
                                     "context\t" +
                                     attribute +
                                     "\t20\n"
                                     "element\t" +
                                     attribute +
                                     "\tType\t20\t0\n"
                                     "element\t" +
                                     attribute +
                                     "\tName\t20\t1\n"
                                     "element\t" +
                                     attribute +
                                     "\tLogicalName\t20\t2\n"
                                     "element\t" +
                                     attribute +
                                     "\tIsBaseCurrency\t4\t3\n"
                                     "element\t" +
                                     attribute +
                                     "\tDisplayMask\t15\t4\n"
                                     "attribute\t" +
                                     attribute +
                                     "\tPhysicalName\t20\n"
                                     "swapped\t" +
                                     attribute +
                                     "\tDisplayMask\tLogicalName\n"
                                     "context\t" +
                                     attribute +
                                     "[type=money]\t4\n"
                                     "element\t" +
                                     attribute +
                                     "[type=money]\tType\t4\t0\n"
                                     "element\t" +
                                     attribute +
                                     "[type=money]\tName\t4\t1\n"
                                     "element\t" +
                                     attribute +
                                     "[type=money]\tLogicalName\t4\t2\n"
                                     "attribute\t" +
                                     attribute +
                                     "[type=money]\tPhysicalName\t4\n"
                                     "context\t" +
                                     attribute + "/Thin\t2\n");
    write_bytes(dir / "9.0.tsv", "profile\t9.0\ncovers\t9.0\t9.1\n"
                                 "source\t9.0.0000.2180\tunmanaged\tother.zip\n"
                                 "context\t" +
                                     attribute +
                                     "\t2\n"
                                     "swapped\t" +
                                     attribute +
                                     "\tIsBaseCurrency\tLogicalName\n"
                                     "context\t" +
                                     attribute +
                                     "/Thin\t6\n"
                                     "element\t" +
                                     attribute + "/Thin\tKnown\t6\t0\n");
}

class VocabularyCheck : public ::testing::Test {
protected:
    void SetUp() override
    {
        write_profiles(m_dir.path());
        m_profiles = std::make_unique<profile::Profiles>(profile::Profiles::load(m_dir.path()));
        m_profile = m_profiles->named("9.2");
        ASSERT_NE(m_profile, nullptr);
    }
    // The violations of `document` (customizations.xml text) against profile 9.2.
    std::vector<Violation> check(const std::string& document, bool root_order = true)
    {
        std::vector<Violation> found;
        profile::CustomizationsVocabulary handler(*m_profiles, *m_profile,
                                                  [&](const Violation& violation) { found.push_back(violation); });
        handler.checker().set_check_root_order(root_order);
        xml::Parser parser;
        handler.set_locations(parser);
        xml::MemorySource source(document, "customizations.xml");
        parser.parse(source, handler);
        return found;
    }
    static std::string entity(const std::string& attributes, const std::string& entity_children = "",
                              const std::string& info_children = "<IsMapiGridEnabled>0</IsMapiGridEnabled>")
    {
        return "<ImportExportXml>\n<Entities>\n<Entity>\n<Name>esc_thing</Name>\n" + entity_children +
               "<EntityInfo>\n<entity Name=\"esc_thing\">\n" + info_children + "\n<attributes>\n" + attributes +
               "</attributes>\n</entity>\n</EntityInfo>\n</Entity>\n</Entities>\n<Languages />\n</ImportExportXml>\n";
    }
    static std::string describe(const std::vector<Violation>& found)
    {
        std::string text;
        for (const auto& violation : found) {
            text += std::string(profile::kind_name(violation.kind)) + " " + violation.name + " in " +
                    violation.context + " line " + std::to_string(violation.where.line) + "\n";
        }
        return text;
    }

    TempDir m_dir;
    std::unique_ptr<profile::Profiles> m_profiles;
    const profile::Profile* m_profile = nullptr;
};

TEST_F(VocabularyCheck, WhatRealExportsWriteHasNoFinding)
{
    std::string attributes = "<attribute PhysicalName=\"a\">\n<Type>nvarchar</Type>\n<Name>a</Name>\n"
                             "<DisplayMask>x</DisplayMask>\n<LogicalName>a</LogicalName>\n</attribute>\n"
                             "<attribute PhysicalName=\"m\">\n<Type>money</Type>\n<Name>m</Name>\n"
                             "<LogicalName>m</LogicalName>\n</attribute>\n";
    auto found = check(entity(attributes));
    EXPECT_TRUE(found.empty()) << describe(found);
}

TEST_F(VocabularyCheck, AnElementTheVersionNeverWritesIsFoundWhereItIs)
{
    std::string document = entity("", "<ObjectTypeCode>10001</ObjectTypeCode>\n");
    auto found = check(document);
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].kind, ViolationKind::element);
    EXPECT_EQ(found[0].what, ViolationWhat::never_written);
    EXPECT_EQ(found[0].name, "ObjectTypeCode");
    EXPECT_EQ(found[0].context, "customizations.xml/Entities/Entity");
    EXPECT_EQ(found[0].where.line, 5u);
    EXPECT_EQ(found[0].answered_by, "9.2");
}

TEST_F(VocabularyCheck, EntityAttributesAreJudgedByTheirType)
{
    // IsBaseCurrency: some attributes have it, no money attribute does.
    std::string money = "<attribute PhysicalName=\"m\">\n<Type>money</Type>\n<Name>m</Name>\n"
                        "<LogicalName>m</LogicalName>\n<IsBaseCurrency>0</IsBaseCurrency>\n</attribute>\n";
    auto found = check(entity(money));
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].name, "IsBaseCurrency");
    EXPECT_EQ(found[0].context, std::string(k_attribute) + "[type=money]");
    EXPECT_EQ(found[0].where.line, 13u);

    std::string decimal = "<attribute PhysicalName=\"d\">\n<Type>decimal</Type>\n<Name>d</Name>\n"
                          "<LogicalName>d</LogicalName>\n<IsBaseCurrency>0</IsBaseCurrency>\n</attribute>\n";
    found = check(entity(decimal));
    EXPECT_TRUE(found.empty()) << "a thin qualified context answers with the plain one\n" << describe(found);
}

TEST_F(VocabularyCheck, AnXmlAttributeTheVersionNeverWritesIsFound)
{
    auto found = check(entity("<attribute PhysicalName=\"a\" behavior=\"0\">\n<Type>int</Type>\n<Name>a</Name>\n"
                              "<LogicalName>a</LogicalName>\n</attribute>\n"));
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].kind, ViolationKind::attribute);
    EXPECT_EQ(found[0].what, ViolationWhat::never_written);
    EXPECT_EQ(found[0].name, "behavior");
    EXPECT_EQ(found[0].where.line, 9u);
}

TEST_F(VocabularyCheck, WhatEveryExportWritesIsMissed)
{
    auto found = check(entity("", "", "<IsAuditEnabled>0</IsAuditEnabled>"));
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].what, ViolationWhat::always_missing);
    EXPECT_EQ(found[0].name, "IsMapiGridEnabled");
    EXPECT_EQ(found[0].context, "customizations.xml/Entities/Entity/EntityInfo/entity[type=full]")
        << "entity metadata is judged by its shape";
    EXPECT_EQ(found[0].where.line, 6u) << "reported at the element that lacks it";

    found = check("<ImportExportXml>\n<Entities>\n<Entity>\n<Name>x</Name>\n<EntityInfo>\n<entity>\n"
                  "<IsMapiGridEnabled>0</IsMapiGridEnabled>\n<attributes />\n</entity>\n</EntityInfo>\n"
                  "</Entity>\n</Entities>\n<Languages />\n</ImportExportXml>\n");
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].kind, ViolationKind::attribute);
    EXPECT_EQ(found[0].name, "Name");
}

TEST_F(VocabularyCheck, AnOrderNoExportShowsIsFoundAndSwappedPairsPass)
{
    std::string late_type = "<attribute PhysicalName=\"a\">\n<Name>a</Name>\n<LogicalName>a</LogicalName>\n"
                            "<Type>int</Type>\n</attribute>\n";
    auto found = check(entity(late_type));
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].kind, ViolationKind::order);
    EXPECT_EQ(found[0].what, ViolationWhat::order_unseen);
    EXPECT_EQ(found[0].name, "Type");
    EXPECT_FALSE(found[0].before.empty());
    EXPECT_EQ(found[0].where.line, 12u);

    // DisplayMask before LogicalName contradicts the ranks, but real exports show both orders.
    std::string swapped = "<attribute PhysicalName=\"a\">\n<Type>int</Type>\n<Name>a</Name>\n"
                          "<DisplayMask>x</DisplayMask>\n<LogicalName>a</LogicalName>\n</attribute>\n";
    found = check(entity(swapped));
    EXPECT_TRUE(found.empty()) << describe(found);

    // A repeated child counts at its last place: Name, Type, Name puts a Name after Type (fine)
    // and Type after a Name (not).
    std::string repeated = "<attribute PhysicalName=\"a\">\n<Name>a</Name>\n<Type>int</Type>\n<Name>a</Name>\n"
                           "<LogicalName>a</LogicalName>\n</attribute>\n";
    found = check(entity(repeated));
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].name, "Type");
}

TEST_F(VocabularyCheck, AnOrderAnyVersionShowsBothWaysPasses)
{
    // 9.2 ranks LogicalName before IsBaseCurrency; 9.0 exports show both orders, and CRM does not
    // tighten an order it once left free.
    std::string order = "<attribute PhysicalName=\"a\">\n<Type>int</Type>\n<Name>a</Name>\n"
                        "<IsBaseCurrency>0</IsBaseCurrency>\n<LogicalName>a</LogicalName>\n</attribute>\n";
    auto found = check(entity(order));
    EXPECT_TRUE(found.empty()) << describe(found);
}

TEST_F(VocabularyCheck, AManagedDifferenceIsNotAskedForWhatFullInstancesHave)
{
    // Entity metadata without IsMapiGridEnabled is one finding; holding a node a managed
    // difference adds (@solutionaction) it is a difference, which carries only what changed.
    std::string added = "<attribute PhysicalName=\"a\" solutionaction=\"Added\">\n<Type>int</Type>\n"
                        "<Name>a</Name>\n<LogicalName>a</LogicalName>\n</attribute>\n";
    auto found = check(entity(added, "", "<IsAuditEnabled>0</IsAuditEnabled>"));
    EXPECT_TRUE(found.empty()) << "solutionaction is a difference's mark in every version\n" << describe(found);
    found = check(entity("", "", "<IsAuditEnabled>0</IsAuditEnabled>"));
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].what, ViolationWhat::always_missing) << "the same entity without the difference";
}

TEST_F(VocabularyCheck, RootOrderIsLeftToTheSectionCheckWhenAsked)
{
    std::string document = "<ImportExportXml>\n<Languages />\n<Entities />\n</ImportExportXml>\n";
    auto found = check(document);
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].context, "customizations.xml");
    EXPECT_TRUE(check(document, false).empty());
}

TEST_F(VocabularyCheck, OpaqueContentAndThinContextsGiveNoFinding)
{
    // RibbonDiffXml has a vocabulary of its own; its children are never looked at.
    auto found = check(entity("", "<RibbonDiffXml>\n<CustomActions><Bogus /></CustomActions>\n</RibbonDiffXml>\n"));
    EXPECT_TRUE(found.empty()) << describe(found);
    // Unknown: no profile knows a context with this path.
    found = check(entity("<attribute PhysicalName=\"a\">\n<Type>int</Type>\n<Name>a</Name>\n"
                         "<LogicalName>a</LogicalName>\n<Deeper><Anything /></Deeper>\n</attribute>\n"));
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].name, "Deeper") << "the attribute context knows it never has <Deeper>";
}

TEST_F(VocabularyCheck, AThinContextIsAnsweredByTheFallbackProfile)
{
    std::string attribute = "<attribute PhysicalName=\"a\">\n<Type>int</Type>\n<Name>a</Name>\n"
                            "<LogicalName>a</LogicalName>\n<Thin><Unknown /></Thin>\n</attribute>\n";
    // <Thin> itself is not in the attribute context: one finding there; inside it the 9.0 profile answers.
    auto found = check(entity(attribute));
    auto from_fallback =
        std::find_if(found.begin(), found.end(), [](const Violation& v) { return v.name == "Unknown"; });
    ASSERT_NE(from_fallback, found.end()) << describe(found);
    EXPECT_EQ(from_fallback->answered_by, "9.0");
    EXPECT_EQ(from_fallback->context, std::string(k_attribute) + "/Thin");
}

TEST_F(VocabularyCheck, ADocumentTreeIsCheckedLikeAStream)
{
    std::string document = entity("", "<ObjectTypeCode>1</ObjectTypeCode>\n");
    xml::MemorySource source(document, "customizations.xml");
    xml::Node root = xml::parse_document(source);
    std::vector<Violation> found;
    profile::VocabularyChecker checker(*m_profiles, *m_profile, "customizations.xml",
                                       [&](const Violation& violation) { found.push_back(violation); });
    std::string file = "in-memory.xml";
    profile::check_document(checker, root, &file);
    ASSERT_EQ(found.size(), 1u) << describe(found);
    EXPECT_EQ(found[0].name, "ObjectTypeCode");
    ASSERT_NE(found[0].where.file, nullptr);
    EXPECT_EQ(*found[0].where.file, file);
}

// --- the schema patches -------------------------------------------------------------------

TEST(SchemaPatches, MicrosoftsDotNetSchemasBecomeStandardOnes)
{
    std::string text = "<xs:schema xmlns:xs=\"https://www.w3.org/2001/XMLSchema\">\n"
                       "<xs:pattern value=\"^(100|[0-9]{1,2})%$\" />\n"
                       "<xs:pattern value =\"(\\$webresource:|/)(.)+\"/>\n"
                       "<xs:pattern value=\"(?![cC][rR][mM]_)([A-Za-z0-9])+([_])+([A-Za-z0-9_])*\"/>\n"
                       "<xs:choice minOccurs=\"0\" maxOccurs =\"100000\"><xs:element name=\"a\" maxOccurs=\"5\"/>"
                       "</xs:choice>\n<xs:documentation>costs 5$</xs:documentation>\n</xs:schema>\n";
    std::string patched = validate::patch_schema_text(text);
    EXPECT_NE(patched.find("xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""), std::string::npos) << patched;
    EXPECT_NE(patched.find("value=\"(100|[0-9]{1,2})%\""), std::string::npos) << patched;
    EXPECT_NE(patched.find("value =\"([$]webresource:|/)(.)+\""), std::string::npos) << patched;
    EXPECT_NE(patched.find("value=\"([A-Za-z0-9])+([_])+([A-Za-z0-9_])*\""), std::string::npos) << patched;
    EXPECT_NE(patched.find("costs 5$"), std::string::npos) << "text outside patterns stays";
    EXPECT_NE(patched.find("maxOccurs =\"unbounded\"><xs:element name=\"a\" maxOccurs=\"5\"/>"), std::string::npos)
        << patched;
}

// --- the real world ------------------------------------------------------------------------

std::vector<std::pair<std::string, std::string>> zip_entries(const fs::path& path)
{
    zip::Reader reader(path);
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& entry : reader.entries()) {
        if (!entry.is_directory) {
            entries.emplace_back(entry.name, reader.read(entry));
        }
    }
    return entries;
}

// Writes `original` again as `target` with `part` edited by `edit`; false when `edit` found
// nothing to change.
bool doctor(const fs::path& original, const fs::path& target, const std::string& part,
            const std::function<bool(std::string&)>& edit)
{
    auto entries = zip_entries(original);
    bool edited = false;
    zip::Writer writer(target, AtomicFile::Overwrite::yes);
    for (auto& [name, bytes] : entries) {
        if (name == part) {
            edited = edit(bytes);
        }
        writer.add_bytes(name, bytes);
    }
    writer.commit();
    return edited;
}

// Inserts `text` after the first `anchor` found after the first `scope` (from the start when empty).
std::function<bool(std::string&)> insert_after(std::string scope, std::string anchor, std::string text)
{
    return [=](std::string& bytes) {
        size_t from = scope.empty() ? 0 : bytes.find(scope);
        size_t at = from == std::string::npos ? std::string::npos : bytes.find(anchor, from);
        if (at == std::string::npos) {
            return false;
        }
        bytes.insert(at + anchor.size(), text);
        return true;
    };
}

std::vector<fs::path> every_real_export()
{
    std::vector<fs::path> paths = corpus_zips();
    for (const auto& entry : fs::directory_iterator(corpus_dir() / "orgs")) {
        if (entry.path().extension() == ".zip") {
            paths.push_back(entry.path());
        }
    }
    for (const auto& tree : corpus_trees()) {
        paths.push_back(tree);
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

std::vector<Finding> matching(const PathReport& report, std::string_view code, const std::string& needle)
{
    std::vector<Finding> found;
    for (const auto& finding : report.findings) {
        if (finding.code == code && finding.message.find(needle) != std::string::npos) {
            found.push_back(finding);
        }
    }
    return found;
}

// validate's options as the command sets them by default: the compatibility check on.
validate::Options with_compat()
{
    validate::Options options;
    options.compat.enabled = true;
    return options;
}

std::string dump(const PathReport& report)
{
    return validate::render({report}, validate::Format::text, false);
}

// A false error on a real export is a bug: every one checks clean against its own version.
TEST(CompatCorpus, EveryRealExportHasNoCompatibilityErrorAgainstItsOwnVersion)
{
    ESCPROV_REQUIRE_CORPUS();
    auto paths = every_real_export();
    ASSERT_GE(paths.size(), 36u);
    size_t checked = 0;
    for (const auto& path : paths) {
        SCOPED_TRACE(path.string());
        PathReport report = validate::validate_path(path, with_compat());
        ASSERT_FALSE(report.failure) << *report.failure;
        std::string errors;
        for (const auto& finding : report.findings) {
            if (finding.code.starts_with("ESC-VER-") && finding.severity == Severity::error) {
                errors += finding.file + ":" + std::to_string(finding.line) + ": " + finding.code + ": " +
                          finding.message + "\n";
            }
        }
        EXPECT_TRUE(errors.empty()) << errors;
        checked += matching(report, "ESC-VER-005", "checked against version profile").size();
    }
    EXPECT_GE(checked, paths.size() - 2) << "the check ran on (nearly) every export";
}

// One real export doctored with one defect class of issue 9.
struct Defect {
    std::string label;
    std::string export_path; // below the corpus
    std::string part;        // the file doctored and expected in the finding
    std::function<bool(std::string&)> edit;
    std::string code;
    std::string needle; // in the finding's message
};

std::vector<Defect> defects()
{
    const std::string third_party = "solutions/WaelHamze__xrm-ci-framework/"
                                    "CRM365__Xrm.Framework.CI.Sample__Lib__Solutions__ThirdParty_1_0_0_0.zip";
    const std::string change_tracking =
        "solutions/microsoft__PowerApps-Samples/"
        "dataverse__orgsvc__CSharp__Changetracking__Changetracking__ChangeTrackingSample_"
        "1_0_0_0_managed.zip";
    return {
        {"a 9.2 money attribute with IsBaseCurrency",
         "solutions/microsoft__PowerApps-Samples/"
         "component-framework__CodeInterpreterControl__solutions__CodeInterpreterSample_1_0_0_0_managed.zip",
         "customizations.xml",
         insert_after("<Type>money</Type>", "</LogicalName>", "<IsBaseCurrency>0</IsBaseCurrency>"), "ESC-VER-001",
         "'IsBaseCurrency'"},
        {"a 9.x Entity with ObjectTypeCode",
         "solutions/microsoft__PowerApps-Samples/"
         "dataverse__webapi__PS__ColumnLevelSecurity__ExportedFiles__ColumnLevelSecuritySampleSolution.zip",
         "customizations.xml", insert_after("<Entity>", "</Name>", "<ObjectTypeCode>10001</ObjectTypeCode>"),
         "ESC-VER-001", "'ObjectTypeCode'"},
        {"a 7.1 EntityRelationshipRole with RelationshipRoleType", change_tracking, "customizations.xml",
         insert_after("<EntityRelationshipRole>", "</NavPaneOrder>", "<RelationshipRoleType>0</RelationshipRoleType>"),
         "ESC-VER-001", "'RelationshipRoleType'"},
        {"a 7.1 form control with indicationOfSubgrid", change_tracking, "customizations.xml",
         insert_after("", "<control ", "indicationOfSubgrid=\"false\" "), "ESC-VER-002", "'indicationOfSubgrid'"},
        {"a 5.0 RootComponent with behavior",
         "solutions/scottdurow__SparkleXrm/SparkleXrmSamples__MultiEntitySearch_1_0_0_0_managed.zip", "solution.xml",
         insert_after("", "<RootComponent ", "behavior=\"0\" "), "ESC-VER-002", "'behavior'"},
        {"an 8.2 export with an empty AppModules section", third_party, "customizations.xml",
         [](std::string& bytes) {
             size_t at = bytes.find("<Languages>");
             if (at == std::string::npos) {
                 return false;
             }
             bytes.insert(at, "<AppModules />\r\n  ");
             return true;
         },
         "ESC-VER-001", "'AppModules'"},
        {"an 8.2 entity without IsMapiGridEnabled", third_party, "customizations.xml",
         [](std::string& bytes) {
             size_t begin = bytes.find("<IsMapiGridEnabled>");
             size_t end = bytes.find("</IsMapiGridEnabled>", begin);
             if (begin == std::string::npos || end == std::string::npos) {
                 return false;
             }
             bytes.erase(begin, end + std::string_view("</IsMapiGridEnabled>").size() - begin);
             return true;
         },
         "ESC-VER-003", "'IsMapiGridEnabled'"},
        {"an 8.2 attribute with its Type last", third_party, "customizations.xml",
         [](std::string& bytes) {
             size_t attribute = bytes.find("<attribute PhysicalName=");
             size_t begin = bytes.find("<Type>", attribute);
             size_t end = bytes.find("</Type>", begin);
             size_t close = bytes.find("</attribute>", end);
             if (attribute == std::string::npos || end == std::string::npos || close == std::string::npos) {
                 return false;
             }
             end += std::string_view("</Type>").size();
             std::string type = bytes.substr(begin, end - begin);
             bytes.insert(close, type);
             bytes.erase(begin, end - begin);
             return true;
         },
         "ESC-VER-004", "element 'Type' comes after"},
    };
}

TEST(CompatCorpus, EachDefectClassOfTheIssueIsCaughtInADoctoredRealExport)
{
    ESCPROV_REQUIRE_CORPUS();
    TempDir temp;
    for (const Defect& defect : defects()) {
        SCOPED_TRACE(defect.label);
        fs::path original = corpus_dir() / defect.export_path;
        ASSERT_TRUE(fs::is_regular_file(original)) << original;
        fs::path doctored = temp / "doctored.zip";
        ASSERT_TRUE(doctor(original, doctored, defect.part, defect.edit)) << "the doctoring found its anchor";

        PathReport clean = validate::validate_path(original, with_compat());
        EXPECT_TRUE(matching(clean, defect.code, defect.needle).empty()) << dump(clean);

        PathReport report = validate::validate_path(doctored, with_compat());
        auto found = matching(report, defect.code, defect.needle);
        ASSERT_FALSE(found.empty()) << dump(report);
        EXPECT_EQ(found[0].file, doctored.string() + "!" + defect.part) << "the zip as its path was given";
        EXPECT_EQ(found[0].severity, validate::rule(defect.code).severity);
        if (defect.code != "ESC-VER-003") {
            EXPECT_GT(found[0].line, 0u);
        }
    }
}

TEST(CompatCorpus, TargetChecksAgainstAnotherVersionAndNoCompatTurnsItOff)
{
    ESCPROV_REQUIRE_CORPUS();
    // A 9.2 export held against 7.1: 9.x vocabulary (RelationshipRoleType, IntroducedVersion...)
    // that CRM 2015 never writes.
    fs::path export_92 = corpus_dir() / "solutions/microsoft__PowerApps-Samples/"
                                        "dataverse__webapi__PS__ColumnLevelSecurity__ExportedFiles__"
                                        "ColumnLevelSecuritySampleSolution.zip";
    validate::Options options = with_compat();
    options.compat.target = solution::parse_crm_version("7.1");
    PathReport report = validate::validate_path(export_92, options);
    EXPECT_GT(report.count(Severity::error), 0u) << dump(report);
    auto note = matching(report, "ESC-VER-005", "for CRM 7.1 (from --target)");
    EXPECT_EQ(note.size(), 1u) << dump(report);

    options.compat.enabled = false;
    report = validate::validate_path(export_92, options);
    for (const auto& finding : report.findings) {
        EXPECT_FALSE(finding.code.starts_with("ESC-VER-")) << finding.message;
    }

    // A loose customizations.xml says no version: checked only with --target.
    TempDir temp;
    zip::Reader reader(export_92);
    for (const auto& entry : reader.entries()) {
        if (entry.name == "customizations.xml") {
            write_bytes(temp / "customizations.xml", reader.read(entry));
        }
    }
    report = validate::validate_path(temp / "customizations.xml", with_compat());
    EXPECT_TRUE(matching(report, "ESC-VER-005", "").empty()) << dump(report);
    validate::Options target = with_compat();
    target.compat.target = solution::parse_crm_version("9.2");
    report = validate::validate_path(temp / "customizations.xml", target);
    EXPECT_EQ(matching(report, "ESC-VER-005", "from --target").size(), 1u) << dump(report);
}

TEST(CompatCommand, ReportsCarryTheCompatFamilyAndTargetIsChecked)
{
    ESCPROV_REQUIRE_CORPUS();
    fs::path original = corpus_dir() / "solutions/WaelHamze__xrm-ci-framework/"
                                       "CRM365__Xrm.Framework.CI.Sample__Lib__Solutions__ThirdParty_1_0_0_0.zip";
    TempDir temp;
    fs::path doctored = temp / "doctored.zip";
    ASSERT_TRUE(doctor(original, doctored, "customizations.xml", insert_after("", "<Entity>", "<Bogus />")));

    RunResult text = run_escprov({"validate", doctored.string()});
    EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
    EXPECT_NE(text.out.find(": error: ESC-VER-001: element 'Bogus'"), std::string::npos) << text.out;
    EXPECT_EQ(run_escprov({"validate", "--no-compat", doctored.string()}).exit_code, 0);

    fs::path junit = temp / "junit.xml";
    run_escprov({"validate", "--format", "junit", "-o", junit.string(), doctored.string()});
    std::string bytes = read_bytes(junit);
    xml::MemorySource source(bytes, "junit.xml");
    xml::Node root = xml::parse_document(source);
    const xml::Node* compat = nullptr;
    for (const xml::Node* test : root.children_named("testsuite")[0]->children_named("testcase")) {
        if (*test->attribute("name") == "compat") {
            compat = test;
        }
    }
    ASSERT_NE(compat, nullptr) << bytes;
    ASSERT_NE(compat->child("failure"), nullptr) << bytes;
    EXPECT_NE(compat->child("failure")->text_content().find("ESC-VER-001"), std::string::npos);

    RunResult sarif = run_escprov({"validate", "--format", "sarif", doctored.string()});
    auto json = nlohmann::json::parse(sarif.out);
    bool found = false;
    for (const auto& result : json["runs"][0]["results"]) {
        if (result["ruleId"] == "ESC-VER-001") {
            found = true;
            EXPECT_EQ(result["level"], "error");
            EXPECT_EQ(json["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"].get<size_t>()]["id"],
                      "ESC-VER-001");
        }
    }
    EXPECT_TRUE(found) << sarif.out;

    // --target: a version, and one a profile covers.
    EXPECT_EQ(run_escprov({"validate", "--target", "nine", doctored.string()}).exit_code, 2);
    RunResult uncovered = run_escprov({"validate", "--target", "4.0", doctored.string()});
    EXPECT_EQ(uncovered.exit_code, 2);
    EXPECT_NE(uncovered.err.find("no version profile covers --target 4.0"), std::string::npos) << uncovered.err;
    EXPECT_EQ(run_escprov({"validate", "--target", "9.2", "--no-compat", doctored.string()}).exit_code, 2);
    RunResult as_70 = run_escprov({"validate", "--target", "7.0", original.string()});
    EXPECT_EQ(as_70.exit_code, 1) << "8.2 vocabulary in a 7.0 import\n" << as_70.out;
}

TEST(CompatCorpus, RepeatsAreReportedOnceWithACount)
{
    ESCPROV_REQUIRE_CORPUS();
    // Every attribute of a real 8.2 export given an XML attribute CRM never writes there.
    fs::path original = corpus_dir() / "solutions/WaelHamze__xrm-ci-framework/"
                                       "CRM365__Xrm.Framework.CI.Sample__Lib__Solutions__ThirdParty_1_0_0_0.zip";
    TempDir temp;
    size_t inserted = 0;
    ASSERT_TRUE(doctor(original, temp / "doctored.zip", "customizations.xml", [&](std::string& bytes) {
        const std::string anchor = "<attribute PhysicalName=";
        for (size_t at = bytes.find(anchor); at != std::string::npos; at = bytes.find(anchor, at + anchor.size())) {
            bytes.insert(at + std::string_view("<attribute ").size(), "escbogus=\"1\" ");
            ++inserted;
        }
        return inserted > 1;
    }));
    PathReport report = validate::validate_path(temp / "doctored.zip", with_compat());
    auto found = matching(report, "ESC-VER-002", "'escbogus'");
    ASSERT_EQ(found.size(), 1u) << dump(report);
    EXPECT_NE(found[0].message.find("and " + std::to_string(inserted - 1) + " more like it in this file"),
              std::string::npos)
        << found[0].message;
}

TEST(CompatCorpus, TheWholeFileIsCheckedAgainstTheNineZeroSchema)
{
    ESCPROV_REQUIRE_CORPUS();
    fs::path original = corpus_dir() / "solutions/WaelHamze__xrm-ci-framework/"
                                       "CRM365__Xrm.Framework.CI.Sample__Lib__Solutions__ThirdParty_1_0_0_0.zip";
    TempDir temp;
    ASSERT_TRUE(doctor(original, temp / "doctored.zip", "customizations.xml", [](std::string& bytes) {
        size_t at = bytes.find("<Languages>");
        bytes.insert(at, "<AppModules />\r\n  ");
        return at != std::string::npos;
    }));
    validate::Options options;
    options.schemas = corpus_dir() / "xsd";
    options.compat.enabled = false;
    PathReport clean = validate::validate_path(original, options);
    EXPECT_TRUE(matching(clean, "ESC-XSD-002", "").empty()) << "CustomizationsSolution.xsd compiles\n" << dump(clean);
    EXPECT_TRUE(matching(clean, "ESC-XSD-001", "AppModules").empty()) << dump(clean);

    PathReport report = validate::validate_path(temp / "doctored.zip", options);
    auto found = matching(report, "ESC-XSD-001", "AppModule");
    ASSERT_EQ(found.size(), 1u) << dump(report);
    EXPECT_EQ(found[0].file, (temp / "doctored.zip").string() + "!customizations.xml");
    std::string doctored_text;
    for (const auto& [name, bytes] : zip_entries(temp / "doctored.zip")) {
        if (name == "customizations.xml") {
            doctored_text = bytes;
        }
    }
    size_t offset = doctored_text.find("<AppModules />");
    EXPECT_EQ(found[0].line, 1 + static_cast<uint64_t>(std::count(
                                     doctored_text.begin(), doctored_text.begin() + static_cast<long>(offset), '\n')));
}

} // namespace
} // namespace escprov::test

namespace escprov::test {
namespace {

// The kind of a schema finding: its message without where, how many more, or the content model.
std::set<std::string> schema_finding_kinds(const fs::path& path)
{
    validate::Options options;
    options.schemas = corpus_dir() / "xsd";
    options.compat.enabled = false;
    std::set<std::string> kinds;
    for (const auto& finding : validate::validate_path(path, options).findings) {
        if (finding.code != "ESC-XSD-001") {
            continue;
        }
        std::string kind = finding.message.substr(finding.message.find(".xsd: ") + 6);
        kind = kind.substr(0, std::min(kind.find(" (and "), kind.find(" for content model")));
        kinds.insert(kind);
    }
    return kinds;
}

TEST(CompatCorpus, EightAndNinePackagesShowNoSchemaFindingRealExportsDoNotShow)
{
    ESCPROV_REQUIRE_CORPUS();
    // What Microsoft's 9.0 schema says of real 8.x and 9.x exports.
    std::set<std::string> real;
    size_t exports = 0;
    for (const auto& entry : fs::recursive_directory_iterator(corpus_dir())) {
        if (entry.path().extension() != ".zip") {
            continue;
        }
        zip::Reader reader(entry.path());
        auto manifest = reader.find("solution.xml");
        if (!manifest) {
            continue;
        }
        std::string text = reader.read(*manifest);
        size_t at = text.find(" version=\"");
        if (at == std::string::npos || (text[at + 10] != '8' && text[at + 10] != '9')) {
            continue;
        }
        auto kinds = schema_finding_kinds(entry.path());
        real.insert(kinds.begin(), kinds.end());
        ++exports;
    }
    ASSERT_GE(exports, 10u);
    TempDir work;
    for (const auto& [sample, target] : std::vector<std::pair<std::string, std::string>>{
             {"crm2016-adatum", "8.2"}, {"d365-contoso-9.2", "9.0"}, {"d365-contoso-9.2", "9.2"}}) {
        SCOPED_TRACE(target);
        fs::path tree = work / ("merged-" + target);
        fs::path zip_path = work / ("esc-" + target + "_managed.zip");
        ASSERT_EQ(run_escprov({"merge", "--base", (source_dir() / "samples" / "orgs" / (sample + ".zip")).string(),
                               "--target", target, "--on-conflict", "ours", "--out", tree.string()})
                      .exit_code,
                  0);
        RunResult package =
            run_escprov({"package", tree.string(), "--managed", "--target", target, "-o", zip_path.string()});
        ASSERT_EQ(package.exit_code, 0) << package.err;
        for (const auto& kind : schema_finding_kinds(zip_path)) {
            EXPECT_TRUE(real.contains(kind)) << "no real 8.x/9.x export shows: " << kind;
        }
    }
}

} // namespace
} // namespace escprov::test
