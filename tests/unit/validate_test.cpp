// escprov validate: one test per check with a small generated bad input, the report formats,
// the exit codes, and the real-world corpus (every real export gives zero errors).

#include "support.hpp"

#include "solution/input.hpp"
#include "validate/finding.hpp"
#include "validate/report.hpp"
#include "validate/validator.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace escprov::test {
namespace {

using validate::Finding;
using validate::PathReport;
using validate::Severity;

// A small, valid unmanaged solution whose parts each test edits.
struct SolutionParts {
    std::string managed = "0";
    std::string version_attributes = R"(version="9.2.0.0" SolutionPackageVersion="9.2")";
    std::string unique_name = "<UniqueName>EscTest</UniqueName>";
    std::string solution_version = "1.0.0.0";
    std::string roots = R"(      <RootComponent type="1" schemaName="esc_thing" behavior="0" />
      <RootComponent type="61" schemaName="esc_/scripts/app.js" />
      <RootComponent type="20" id="{11111111-1111-1111-1111-111111111111}" />)";
    std::string entity_extra; // inside <Entity>, after <Name>
    std::string attributes = R"(            <attribute PhysicalName="esc_code">
              <Type>nvarchar</Type>
              <LogicalName>esc_code</LogicalName>
              <IsCustomField>1</IsCustomField>
            </attribute>)";
    std::string privileges = R"(          <RolePrivilege name="prvReadesc_thing" level="Global" />
          <RolePrivilege name="prvReadAccount" level="Deep" />)";
    std::string before_roles; // sections before <Roles>
    std::string after_roles;  // sections between <Roles> and <WebResources>
    std::string web_resources = R"(    <WebResource>
      <WebResourceId>{22222222-2222-2222-2222-222222222222}</WebResourceId>
      <Name>esc_/scripts/app.js</Name>
      <WebResourceType>3</WebResourceType>
      <FileName>/WebResources/esc_/scripts/app.js</FileName>
    </WebResource>)";
    std::string after_web_resources;
    std::string customizations_root = "ImportExportXml";
    std::optional<std::string> content_types =
        std::string("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><Types "
                    "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    "<Default Extension=\"xml\" ContentType=\"application/octet-stream\" />"
                    "<Default Extension=\"js\" ContentType=\"application/octet-stream\" /></Types>");
    std::vector<std::pair<std::string, std::string>> extra_parts = {{"WebResources/esc_/scripts/app.js", "alert(1);"}};

    std::string solution_xml() const
    {
        return "<ImportExportXml " + version_attributes + R"( languagecode="1033" generatedBy="CrmLive">
  <SolutionManifest>
    )" + unique_name +
               R"(
    <Version>)" +
               solution_version + R"(</Version>
    <Managed>)" +
               managed + R"(</Managed>
    <Publisher>
      <UniqueName>escpublisher</UniqueName>
      <CustomizationPrefix>esc</CustomizationPrefix>
      <CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix>
    </Publisher>
    <RootComponents>
)" + roots + R"(
    </RootComponents>
  </SolutionManifest>
</ImportExportXml>
)";
    }
    std::string customizations_xml() const
    {
        return "<" + customizations_root + R"(>
  <Entities>
    <Entity>
      <Name LocalizedName="Thing" OriginalName="Thing">esc_thing</Name>
)" + entity_extra +
               R"(
      <EntityInfo>
        <entity Name="esc_thing">
          <attributes>
)" + attributes +
               R"(
          </attributes>
        </entity>
      </EntityInfo>
    </Entity>
  </Entities>
)" + before_roles +
               R"(
  <Roles>
    <Role id="{11111111-1111-1111-1111-111111111111}" name="Esc User">
      <RolePrivileges>
)" + privileges +
               R"(
      </RolePrivileges>
    </Role>
  </Roles>
)" + after_roles +
               R"(
  <WebResources>
)" + web_resources +
               R"(
  </WebResources>
)" + after_web_resources +
               R"(
  <Languages>
    <Language>1033</Language>
  </Languages>
</)" + customizations_root +
               ">\n";
    }
    fs::path write_zip(const fs::path& path) const
    {
        zip::Writer writer(path, AtomicFile::Overwrite::yes);
        writer.add_bytes("solution.xml", solution_xml());
        writer.add_bytes("customizations.xml", customizations_xml());
        if (content_types) {
            writer.add_bytes("[Content_Types].xml", *content_types);
        }
        for (const auto& [name, bytes] : extra_parts) {
            writer.add_bytes(name, bytes);
        }
        writer.commit();
        return path;
    }
};

// The 1-based line of the first line of `text` holding `needle` (0 when absent).
uint64_t line_of(const std::string& text, const std::string& needle)
{
    size_t at = text.find(needle);
    if (at == std::string::npos) {
        return 0;
    }
    return static_cast<uint64_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n')) + 1;
}

class Validate : public ::testing::Test {
protected:
    PathReport check(const SolutionParts& parts, const std::string& name = "EscTest_1_0_0_0.zip",
                     std::optional<fs::path> schemas = std::nullopt)
    {
        validate::Options options;
        options.schemas = schemas;
        // A made-up solution is no real export's shape: the compatibility check has its own tests.
        options.compat.enabled = false;
        return validate::validate_path(parts.write_zip(m_dir / name), options);
    }
    static std::vector<Finding> with_code(const PathReport& report, std::string_view code)
    {
        std::vector<Finding> found;
        std::copy_if(report.findings.begin(), report.findings.end(), std::back_inserter(found),
                     [code](const Finding& finding) { return finding.code == code; });
        return found;
    }
    static std::string dump(const PathReport& report)
    {
        return validate::render({report}, validate::Format::text, false);
    }
    // Asserts exactly one finding with `code`, in `file_suffix`, on the line of `needle` in `text`.
    static void expect_one(const PathReport& report, std::string_view code, const std::string& file_suffix,
                           const std::string& text, const std::string& needle)
    {
        auto found = with_code(report, code);
        ASSERT_EQ(found.size(), 1u) << dump(report);
        EXPECT_TRUE(found[0].file.ends_with(file_suffix)) << found[0].file;
        EXPECT_EQ(found[0].line, line_of(text, needle)) << dump(report);
        EXPECT_GT(found[0].column, 0u);
        EXPECT_EQ(found[0].severity, validate::rule(code).severity);
    }

    TempDir m_dir;
};

TEST_F(Validate, ACleanSolutionHasNoFindings)
{
    PathReport report = check(SolutionParts{});
    EXPECT_FALSE(report.failure);
    EXPECT_TRUE(report.findings.empty()) << dump(report);
}

TEST_F(Validate, MalformedCustomizationsIsAnXmlError)
{
    SolutionParts parts;
    parts.before_roles = "  <Templates><oops></Templates>";
    PathReport report = check(parts);
    auto found = with_code(report, "ESC-XML-001");
    ASSERT_EQ(found.size(), 1u) << dump(report);
    EXPECT_TRUE(found[0].file.ends_with("customizations.xml"));
    EXPECT_EQ(found[0].line, line_of(parts.customizations_xml(), "<oops>"));
    EXPECT_FALSE(report.failure);
}

TEST_F(Validate, ADoctypeCannotBeChecked)
{
    SolutionParts parts;
    parts.customizations_root = "ImportExportXml";
    zip::Writer writer(m_dir / "xxe.zip", AtomicFile::Overwrite::yes);
    writer.add_bytes("solution.xml", parts.solution_xml());
    writer.add_bytes(
        "customizations.xml",
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<ImportExportXml>&e;</ImportExportXml>");
    writer.add_bytes("[Content_Types].xml", *parts.content_types);
    writer.commit();
    PathReport report = validate::validate_path(m_dir / "xxe.zip", {});
    ASSERT_TRUE(report.failure);
    EXPECT_NE(report.failure->find("DOCTYPE"), std::string::npos) << *report.failure;
}

TEST_F(Validate, CustomizationsWithAnotherRootCannotBeChecked)
{
    SolutionParts parts;
    parts.customizations_root = "html";
    PathReport report = check(parts);
    ASSERT_TRUE(report.failure) << dump(report);
    EXPECT_NE(report.failure->find("ImportExportXml"), std::string::npos) << *report.failure;
}

TEST_F(Validate, SectionsOutOfSchemaOrderAreErrorsAndUnknownSectionsNotes)
{
    SolutionParts parts;
    parts.before_roles = "  <Workflows />"; // Workflows belongs after Roles: Roles is then out of order
    parts.after_web_resources = "  <FutureThings />";
    PathReport report = check(parts);
    expect_one(report, "ESC-SEC-001", "customizations.xml", parts.customizations_xml(), "<Roles>");
    expect_one(report, "ESC-SEC-003", "customizations.xml", parts.customizations_xml(), "<FutureThings />");
}

TEST_F(Validate, SectionsRealExportsWriteBothWaysAreNoError)
{
    // 2024 9.2 exports write the image configs after ConnectionRoles; the schema puts them before.
    SolutionParts parts;
    parts.after_roles = "  <ConnectionRoles />\n  <EntityImageConfigs />\n  <AttributeImageConfigs />";
    PathReport report = check(parts);
    EXPECT_TRUE(with_code(report, "ESC-SEC-001").empty()) << dump(report);

    // After the org sitemap no real export has them.
    parts.after_roles = "  <ConnectionRoles />\n  <SiteMap>\n    <SiteMap />\n  </SiteMap>\n  <EntityImageConfigs />";
    report = check(parts);
    expect_one(report, "ESC-SEC-001", "customizations.xml", parts.customizations_xml(), "<EntityImageConfigs />");
    EXPECT_NE(with_code(report, "ESC-SEC-001")[0].message.find("'SiteMap'"), std::string::npos) << dump(report);
}

TEST_F(Validate, ASectionTwiceIsAnError)
{
    SolutionParts parts;
    parts.after_roles = "  <Roles />";
    PathReport report = check(parts);
    expect_one(report, "ESC-SEC-002", "customizations.xml", parts.customizations_xml(), "<Roles />");
}

TEST_F(Validate, RequiredManifestFields)
{
    SolutionParts parts;
    parts.unique_name = "<UniqueName></UniqueName>";
    PathReport report = check(parts);
    expect_one(report, "ESC-MAN-002", "solution.xml", parts.solution_xml(), "<UniqueName></UniqueName>");
}

TEST_F(Validate, ManagedMustBeZeroOneOrTwo)
{
    SolutionParts parts;
    parts.managed = "yes";
    PathReport report = check(parts);
    expect_one(report, "ESC-MAN-003", "solution.xml", parts.solution_xml(), "<Managed>");
}

TEST_F(Validate, RootVersionAttributesAreRequired)
{
    SolutionParts parts;
    parts.version_attributes = R"(version="9.2.0.0")";
    PathReport report = check(parts);
    expect_one(report, "ESC-MAN-004", "solution.xml", parts.solution_xml(), "<ImportExportXml");
}

TEST_F(Validate, SolutionVersionMustBeNumbers)
{
    SolutionParts parts;
    parts.solution_version = "one";
    PathReport report = check(parts);
    expect_one(report, "ESC-MAN-005", "solution.xml", parts.solution_xml(), "<Version>");
}

TEST_F(Validate, ManagedAgainstTheFileNameIsOnlyAWarning)
{
    PathReport report = check(SolutionParts{}, "EscTest_1_0_0_0_managed.zip");
    SolutionParts parts;
    expect_one(report, "ESC-MAN-006", "solution.xml", parts.solution_xml(), "<Managed>");
    EXPECT_EQ(report.count(Severity::error), 0u);
}

TEST_F(Validate, RootComponentWithoutTypeIsAnError)
{
    SolutionParts parts;
    parts.roots += "\n      <RootComponent schemaName=\"esc_thing\" />";
    PathReport report = check(parts);
    expect_one(report, "ESC-MAN-007", "solution.xml", parts.solution_xml(), "<RootComponent schemaName=");
}

TEST_F(Validate, ARootEntityMissingFromTheContentIsAnError)
{
    SolutionParts parts;
    parts.roots += "\n      <RootComponent type=\"1\" schemaName=\"esc_gone\" behavior=\"0\" />";
    PathReport report = check(parts);
    expect_one(report, "ESC-ROOT-001", "solution.xml", parts.solution_xml(), "esc_gone");
}

TEST_F(Validate, ARootFormMissingFromTheContentIsAWarning)
{
    SolutionParts parts;
    parts.roots += "\n      <RootComponent type=\"60\" id=\"{33333333-3333-3333-3333-333333333333}\" />";
    PathReport report = check(parts);
    expect_one(report, "ESC-ROOT-002", "solution.xml", parts.solution_xml(), "33333333");
    EXPECT_EQ(report.count(Severity::error), 0u) << dump(report);
}

TEST_F(Validate, AWebResourceWithoutRootComponentIsAWarning)
{
    SolutionParts parts;
    parts.web_resources += R"(
    <WebResource>
      <Name>esc_/scripts/stray.js</Name>
      <WebResourceType>3</WebResourceType>
    </WebResource>)";
    PathReport report = check(parts);
    expect_one(report, "ESC-ROOT-003", "customizations.xml", parts.customizations_xml(), "esc_/scripts/stray.js");
}

TEST_F(Validate, DuplicateEntityNames)
{
    SolutionParts parts;
    parts.before_roles = "";
    std::string doubled = parts.customizations_xml();
    // A second entity block with the same name (different case: names compare ignoring case).
    parts.entity_extra = "";
    parts.before_roles = "";
    SolutionParts twice = parts;
    twice.attributes = parts.attributes + R"(
          </attributes>
        </entity>
      </EntityInfo>
    </Entity>
    <Entity>
      <Name LocalizedName="Thing">ESC_Thing</Name>
      <EntityInfo>
        <entity Name="ESC_Thing">
          <attributes>)";
    PathReport report = check(twice);
    expect_one(report, "ESC-DUP-001", "customizations.xml", twice.customizations_xml(), ">ESC_Thing</Name>");
}

TEST_F(Validate, DuplicateAttributesWithinAnEntity)
{
    SolutionParts parts;
    parts.attributes += R"(
            <attribute PhysicalName="esc_Code">
              <LogicalName>esc_other</LogicalName>
            </attribute>)";
    PathReport report = check(parts);
    expect_one(report, "ESC-DUP-002", "customizations.xml", parts.customizations_xml(), "PhysicalName=\"esc_Code\"");
}

TEST_F(Validate, DuplicateFormAndViewIds)
{
    SolutionParts parts;
    parts.entity_extra = R"(      <FormXml>
        <forms type="main">
          <systemform>
            <formid>{44444444-4444-4444-4444-444444444444}</formid>
          </systemform>
          <systemform>
            <formid>44444444-4444-4444-4444-444444444444</formid>
          </systemform>
        </forms>
      </FormXml>
      <SavedQueries>
        <savedqueries>
          <savedquery>
            <savedqueryid>{55555555-5555-5555-5555-555555555555}</savedqueryid>
          </savedquery>
          <savedquery>
            <savedqueryid>{55555555-5555-5555-5555-555555555555}</savedqueryid>
            <fetchxml />
          </savedquery>
        </savedqueries>
      </SavedQueries>)";
    PathReport report = check(parts);
    expect_one(report, "ESC-DUP-003", "customizations.xml", parts.customizations_xml(),
               "<formid>44444444-4444-4444-4444-444444444444");
    auto views = with_code(report, "ESC-DUP-004");
    ASSERT_EQ(views.size(), 1u) << dump(report);
    EXPECT_EQ(views[0].line, line_of(parts.customizations_xml(), "<fetchxml />") - 1);
}

TEST_F(Validate, DuplicateSiteMapIdsInTheirScopes)
{
    SolutionParts parts;
    parts.after_roles = R"(  <SiteMap>
    <SiteMap>
      <Area Id="Sales">
        <Group Id="Customers">
          <SubArea Id="nav_accounts" />
          <SubArea Id="nav_accounts" />
        </Group>
        <Group Id="Customers" />
      </Area>
      <Area Id="Service">
        <Group Id="Customers" />
      </Area>
      <Area Id="Sales" />
    </SiteMap>
  </SiteMap>)";
    PathReport report = check(parts);
    std::string text = parts.customizations_xml();
    auto subareas = with_code(report, "ESC-DUP-007");
    ASSERT_EQ(subareas.size(), 1u) << dump(report);
    EXPECT_EQ(subareas[0].line, line_of(text, "<SubArea Id=\"nav_accounts\" />") + 1);
    expect_one(report, "ESC-DUP-006", "customizations.xml", text, "<Group Id=\"Customers\" />");
    expect_one(report, "ESC-DUP-005", "customizations.xml", text, "<Area Id=\"Sales\" />");
}

TEST_F(Validate, DuplicateRolesWebResourcesAndOptionSets)
{
    SolutionParts parts;
    parts.after_roles = R"(  <optionsets>
    <optionset Name="esc_colour" />
    <optionset Name="esc_Colour" localizedName="again" />
  </optionsets>)";
    parts.web_resources += R"(
    <WebResource>
      <Name>ESC_/scripts/app.js</Name>
    </WebResource>)";
    parts.privileges += R"(
      </RolePrivileges>
    </Role>
    <Role id="11111111-1111-1111-1111-111111111111" name="Esc Copy">
      <RolePrivileges>)";
    parts.roots += "\n      <RootComponent type=\"9\" schemaName=\"esc_colour\" />";
    PathReport report = check(parts);
    std::string text = parts.customizations_xml();
    expect_one(report, "ESC-DUP-008", "customizations.xml", text, "name=\"Esc Copy\"");
    expect_one(report, "ESC-DUP-009", "customizations.xml", text, "<Name>ESC_/scripts/app.js");
    expect_one(report, "ESC-DUP-010", "customizations.xml", text, "localizedName=\"again\"");
}

TEST_F(Validate, PrivilegesNamingUnknownEntities)
{
    SolutionParts parts;
    parts.privileges += R"(
          <RolePrivilege name="prvAppendToesc_nowhere" level="Basic" />
          <RolePrivilege name="prvWriteFutureSystemThing" level="Local" />
          <RolePrivilege name="prvReadContact" level="Everything" />)";
    PathReport report = check(parts);
    std::string text = parts.customizations_xml();
    expect_one(report, "ESC-PRIV-001", "customizations.xml", text, "prvAppendToesc_nowhere");
    expect_one(report, "ESC-PRIV-002", "customizations.xml", text, "prvWriteFutureSystemThing");
    expect_one(report, "ESC-PRIV-003", "customizations.xml", text, "level=\"Everything\"");
}

TEST_F(Validate, PrefixesOtherThanThePublishersAreWarnings)
{
    SolutionParts parts;
    parts.attributes += R"(
            <attribute PhysicalName="foo_code">
              <LogicalName>foo_code</LogicalName>
              <IsCustomField>1</IsCustomField>
            </attribute>)";
    parts.web_resources += R"(
    <WebResource>
      <Name>bar_/lib.js</Name>
    </WebResource>)";
    parts.roots += "\n      <RootComponent type=\"61\" schemaName=\"bar_/lib.js\" />";
    PathReport report = check(parts);
    std::string text = parts.customizations_xml();
    expect_one(report, "ESC-PFX-002", "customizations.xml", text, "PhysicalName=\"foo_code\"");
    expect_one(report, "ESC-PFX-003", "customizations.xml", text, "<Name>bar_/lib.js");
    EXPECT_EQ(report.count(Severity::error), 0u) << dump(report);
}

TEST_F(Validate, ACustomEntityWithAForeignPrefixIsAWarning)
{
    SolutionParts parts;
    parts.roots += "\n      <RootComponent type=\"1\" schemaName=\"foo_widget\" behavior=\"0\" />";
    parts.attributes += R"(
          </attributes>
        </entity>
      </EntityInfo>
    </Entity>
    <Entity>
      <Name LocalizedName="Widget">foo_widget</Name>
      <EntityInfo>
        <entity Name="foo_widget">
          <attributes>)";
    PathReport report = check(parts);
    expect_one(report, "ESC-PFX-001", "customizations.xml", parts.customizations_xml(),
               "    <Entity>\n      <Name LocalizedName=\"Widget\"");
}

TEST_F(Validate, MissingContentTypesIsAnError)
{
    SolutionParts parts;
    parts.content_types.reset();
    PathReport report = check(parts);
    auto found = with_code(report, "ESC-CT-001");
    ASSERT_EQ(found.size(), 1u) << dump(report);
    EXPECT_TRUE(found[0].file.ends_with("[Content_Types].xml"));
}

TEST_F(Validate, PartsNeedADefaultOrAnOverride)
{
    SolutionParts parts;
    parts.extra_parts.push_back({"WebResources/esc_logo.png", "png"});
    parts.extra_parts.push_back({"WebResources/esc_noextension", "data"});
    PathReport report = check(parts);
    auto defaults = with_code(report, "ESC-CT-002");
    ASSERT_EQ(defaults.size(), 1u) << dump(report);
    EXPECT_NE(defaults[0].message.find("esc_logo.png"), std::string::npos);
    auto overrides = with_code(report, "ESC-CT-003");
    ASSERT_EQ(overrides.size(), 1u) << dump(report);
    EXPECT_NE(overrides[0].message.find("esc_noextension"), std::string::npos);

    parts.content_types->insert(
        parts.content_types->find("</Types>"),
        "<Override PartName=\"/WebResources/esc_noextension\" ContentType=\"application/octet-stream\" />"
        "<Default Extension=\"png\" ContentType=\"application/octet-stream\" />");
    PathReport fixed = check(parts, "fixed.zip");
    EXPECT_TRUE(with_code(fixed, "ESC-CT-002").empty()) << dump(fixed);
    EXPECT_TRUE(with_code(fixed, "ESC-CT-003").empty()) << dump(fixed);
}

TEST_F(Validate, AReferencedPartThatIsAbsentIsAWarning)
{
    SolutionParts parts;
    parts.extra_parts.clear();
    PathReport report = check(parts);
    expect_one(report, "ESC-PART-001", "customizations.xml", parts.customizations_xml(), "<FileName>");
    EXPECT_EQ(report.count(Severity::error), 0u) << dump(report);
}

TEST_F(Validate, SchemasCheckSiteMapsAgainstMicrosoftsXsd)
{
    ESCPROV_REQUIRE_CORPUS();
    SolutionParts parts;
    parts.after_roles = R"(  <SiteMap>
    <SiteMap>
      <Area Id="Sales">
        <Bogus />
      </Area>
    </SiteMap>
  </SiteMap>)";
    // With CustomizationsSolution.xsd the whole file is checked; without it, the SiteMap alone.
    TempDir sitemap_only;
    for (const char* name : {"SiteMap.xsd", "SiteMapType.xsd"}) {
        fs::copy_file(corpus_dir() / "xsd" / name, sitemap_only / name);
    }
    for (const fs::path& schemas : {corpus_dir() / "xsd", sitemap_only.path()}) {
        SCOPED_TRACE(schemas.string());
        PathReport report = check(parts, "EscTest.zip", schemas);
        // Xerces reports an unknown element where it is, and the content model it breaks at its parent.
        auto found = with_code(report, "ESC-XSD-001");
        uint64_t bogus_line = line_of(parts.customizations_xml(), "<Bogus />");
        auto bogus = std::find_if(found.begin(), found.end(), [&](const Finding& finding) {
            return finding.message.find("'Bogus'") != std::string::npos && finding.line == bogus_line;
        });
        ASSERT_NE(bogus, found.end()) << dump(report);
        EXPECT_TRUE(bogus->file.ends_with("customizations.xml")) << bogus->file;
        EXPECT_TRUE(with_code(report, "ESC-XSD-002").empty()) << dump(report);
    }
}

TEST_F(Validate, AWholeFileSchemaThatDoesNotCompileFallsBackToThePartSchemas)
{
    ESCPROV_REQUIRE_CORPUS();
    SolutionParts parts;
    parts.after_roles =
        "  <SiteMap>\n    <SiteMap>\n      <Area Id=\"A\">\n        <Bogus />\n      </Area>\n    </SiteMap>\n"
        "  </SiteMap>";
    TempDir schemas;
    for (const char* name : {"SiteMap.xsd", "SiteMapType.xsd"}) {
        fs::copy_file(corpus_dir() / "xsd" / name, schemas / name);
    }
    write_bytes(schemas / "CustomizationsSolution.xsd", "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">"
                                                        "<xs:include schemaLocation=\"Missing.xsd\" /></xs:schema>");
    PathReport report = check(parts, "EscTest.zip", schemas.path());
    auto notes = with_code(report, "ESC-XSD-002");
    ASSERT_EQ(notes.size(), 1u) << dump(report);
    EXPECT_NE(notes[0].message.find("CustomizationsSolution.xsd"), std::string::npos) << notes[0].message;
    auto found = with_code(report, "ESC-XSD-001");
    ASSERT_FALSE(found.empty()) << dump(report);
    EXPECT_NE(found[0].message.find("sitemap does not conform to SiteMap.xsd"), std::string::npos) << dump(report);
}

TEST_F(Validate, AnAbsentSchemaIsANoteNotACrash)
{
    SolutionParts parts;
    parts.after_roles = "  <SiteMap>\n    <SiteMap />\n  </SiteMap>";
    TempDir empty;
    PathReport report = check(parts, "EscTest.zip", empty.path());
    auto found = with_code(report, "ESC-XSD-002");
    ASSERT_EQ(found.size(), 1u) << dump(report);
    EXPECT_EQ(found[0].severity, Severity::note);
    EXPECT_FALSE(report.failure);
}

TEST_F(Validate, LooseFilesAreChecked)
{
    SolutionParts parts;
    parts.before_roles = "  <Oops>";
    write_bytes(m_dir / "customizations.xml", parts.customizations_xml());
    PathReport loose = validate::validate_path(m_dir / "customizations.xml", {});
    ASSERT_EQ(with_code(loose, "ESC-XML-001").size(), 1u) << dump(loose);

    SolutionParts manifest;
    manifest.managed = "7";
    write_bytes(m_dir / "solution.xml", manifest.solution_xml());
    PathReport only_manifest = validate::validate_path(m_dir / "solution.xml", {});
    ASSERT_EQ(with_code(only_manifest, "ESC-MAN-003").size(), 1u) << dump(only_manifest);
}

// Every rule's code is documented in docs/validate.md.
TEST(ValidateDocs, EveryCodeIsDocumented)
{
    std::string doc = read_bytes(source_dir() / "docs" / "validate.md");
    for (const auto& rule : validate::rules()) {
        EXPECT_NE(doc.find("`" + std::string(rule.code) + "`"), std::string::npos) << rule.code;
    }
}

// --- the command: formats and exit codes -----------------------------------------------

class ValidateCommand : public Validate {};

TEST_F(ValidateCommand, ExitCodesAreZeroOneAndTwoAndTheWorstWins)
{
    fs::path clean = SolutionParts{}.write_zip(m_dir / "clean.zip");
    SolutionParts warned;
    warned.extra_parts.clear();
    fs::path warning = warned.write_zip(m_dir / "warning.zip");
    SolutionParts broken;
    broken.managed = "9";
    fs::path error = broken.write_zip(m_dir / "error.zip");
    write_bytes(m_dir / "notes.txt", "not a solution");

    RunResult ok = run_escprov({"validate", clean.string()});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_NE(ok.out.find("0 errors"), std::string::npos) << ok.out;
    EXPECT_TRUE(ok.err.empty()) << ok.err;

    EXPECT_EQ(run_escprov({"validate", warning.string()}).exit_code, 0);
    EXPECT_EQ(run_escprov({"validate", "--strict", warning.string()}).exit_code, 1);

    RunResult failed = run_escprov({"validate", clean.string(), error.string()});
    EXPECT_EQ(failed.exit_code, 1);
    EXPECT_NE(failed.out.find("error.zip!solution.xml:"), std::string::npos) << failed.out;
    EXPECT_NE(failed.out.find(": error: ESC-MAN-003: "), std::string::npos) << failed.out;

    RunResult unchecked = run_escprov({"validate", error.string(), (m_dir / "notes.txt").string()});
    EXPECT_EQ(unchecked.exit_code, 2);
    EXPECT_NE(unchecked.err.find("notes.txt"), std::string::npos) << unchecked.err;
    EXPECT_NE(unchecked.out.find("ESC-MAN-003"), std::string::npos) << "the other path is still checked";

    EXPECT_EQ(run_escprov({"validate", "--format", "yaml", clean.string()}).exit_code, 2);
}

TEST_F(ValidateCommand, JsonReportParses)
{
    SolutionParts broken;
    broken.managed = "9";
    fs::path error = broken.write_zip(m_dir / "error.zip");
    RunResult result = run_escprov({"validate", "--no-compat", "--format", "json", error.string()});
    EXPECT_EQ(result.exit_code, 1);
    auto json = nlohmann::json::parse(result.out);
    ASSERT_EQ(json["paths"].size(), 1u);
    EXPECT_EQ(json["paths"][0]["status"], "findings");
    EXPECT_EQ(json["summary"]["error"], 1);
    const auto& finding = json["paths"][0]["findings"][0];
    EXPECT_EQ(finding["code"], "ESC-MAN-003");
    EXPECT_EQ(finding["severity"], "error");
    EXPECT_EQ(finding["line"], line_of(broken.solution_xml(), "<Managed>"));
}

TEST_F(ValidateCommand, JunitReportIsWellFormedWithOneSuitePerPath)
{
    SolutionParts broken;
    broken.managed = "9";
    fs::path error = broken.write_zip(m_dir / "error.zip");
    fs::path clean = SolutionParts{}.write_zip(m_dir / "clean.zip");
    fs::path report = m_dir / "junit.xml";
    RunResult result =
        run_escprov({"validate", "--format", "junit", "-o", report.string(), error.string(), clean.string()});
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_TRUE(result.out.empty());
    std::string bytes = read_bytes(report);
    xml::MemorySource source(bytes, "junit.xml");
    xml::Node root = xml::parse_document(source);
    EXPECT_EQ(root.name, "testsuites");
    auto suites = root.children_named("testsuite");
    ASSERT_EQ(suites.size(), 2u);
    EXPECT_EQ(*suites[0]->attribute("name"), error.string());
    EXPECT_EQ(*suites[0]->attribute("failures"), "1");
    EXPECT_EQ(*suites[1]->attribute("failures"), "0");
    size_t failures = 0;
    for (const xml::Node* test : suites[0]->children_named("testcase")) {
        if (const xml::Node* failure = test->child("failure")) {
            ++failures;
            EXPECT_EQ(*test->attribute("name"), "manifest");
            EXPECT_NE(failure->text_content().find("ESC-MAN-003"), std::string::npos);
        }
    }
    EXPECT_EQ(failures, 1u);
}

TEST_F(ValidateCommand, JunitSkipsWhatDidNotRunAndPassesNothingForAnUncheckedPath)
{
    fs::path clean = SolutionParts{}.write_zip(m_dir / "clean.zip");
    fs::path missing = m_dir / "missing.zip";
    RunResult result = run_escprov({"validate", "--no-compat", "--format", "junit", clean.string(), missing.string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    xml::MemorySource source(result.out, "junit.xml");
    xml::Node root = xml::parse_document(source);
    auto suites = root.children_named("testsuite");
    ASSERT_EQ(suites.size(), 2u);
    std::map<std::string, std::string> skipped;
    for (const xml::Node* test : suites[0]->children_named("testcase")) {
        if (const xml::Node* skip = test->child("skipped")) {
            skipped[*test->attribute("name")] = *skip->attribute("message");
        }
    }
    EXPECT_EQ(skipped, (std::map<std::string, std::string>{{"compat", "turned off (--no-compat)"},
                                                           {"xsd", "no --schemas DIR given"}}));
    EXPECT_EQ(*suites[0]->attribute("skipped"), "2");
    // The file that could not be read has its error and no passing case.
    auto cases = suites[1]->children_named("testcase");
    ASSERT_EQ(cases.size(), 1u);
    EXPECT_EQ(*cases[0]->attribute("name"), "input");
    EXPECT_NE(cases[0]->child("error"), nullptr);
    EXPECT_EQ(*suites[1]->attribute("tests"), "1");
}

TEST_F(ValidateCommand, SarifReportHasRulesResultsAndRegions)
{
    SolutionParts broken;
    broken.managed = "9";
    fs::path error = broken.write_zip(m_dir / "error.zip");
    RunResult result = run_escprov({"validate", "--no-compat", "--format", "sarif", error.string()});
    EXPECT_EQ(result.exit_code, 1);
    auto sarif = nlohmann::json::parse(result.out);
    EXPECT_EQ(sarif["version"], "2.1.0");
    const auto& run = sarif["runs"][0];
    EXPECT_EQ(run["tool"]["driver"]["name"], "escprov");
    EXPECT_EQ(run["tool"]["driver"]["rules"].size(), validate::rules().size());
    ASSERT_EQ(run["results"].size(), 1u);
    const auto& finding = run["results"][0];
    EXPECT_EQ(finding["ruleId"], "ESC-MAN-003");
    EXPECT_EQ(finding["level"], "error");
    EXPECT_EQ(run["tool"]["driver"]["rules"][finding["ruleIndex"].get<size_t>()]["id"], "ESC-MAN-003");
    EXPECT_FALSE(finding["message"]["text"].get<std::string>().empty());
    const auto& physical = finding["locations"][0]["physicalLocation"];
    // The zip as its path was given; an absolute one as a file URI.
    EXPECT_EQ(physical["artifactLocation"]["uri"], "file://" + error.string() + "/solution.xml");
    EXPECT_EQ(physical["region"]["startLine"], line_of(broken.solution_xml(), "<Managed>"));
    EXPECT_GE(physical["region"]["startColumn"].get<int>(), 1);
}

// --- the real world ---------------------------------------------------------------------

// A real export that CRM produced and imports is valid by definition: a false error is a bug.
TEST(ValidateCorpus, EveryCorpusZipAndOrgExportHasZeroErrors)
{
    ESCPROV_REQUIRE_CORPUS();
    std::vector<fs::path> zips = corpus_zips();
    for (const auto& entry : fs::directory_iterator(corpus_dir() / "orgs")) {
        if (entry.path().extension() == ".zip") {
            zips.push_back(entry.path());
        }
    }
    ASSERT_GE(zips.size(), 30u);
    validate::Options options;
    options.schemas = corpus_dir() / "xsd";
    for (const auto& zip : zips) {
        SCOPED_TRACE(zip.filename().string());
        PathReport report = validate::validate_path(zip, options);
        EXPECT_FALSE(report.failure) << *report.failure;
        EXPECT_EQ(report.count(Severity::error), 0u) << validate::render({report}, validate::Format::text, false);
    }
}

TEST(ValidateCorpus, EveryCorpusTreeHasZeroErrors)
{
    ESCPROV_REQUIRE_CORPUS();
    for (const auto& tree : corpus_trees()) {
        SCOPED_TRACE(tree.string());
        PathReport report = validate::validate_path(tree, {});
        EXPECT_FALSE(report.failure) << *report.failure;
        EXPECT_EQ(report.count(Severity::error), 0u) << validate::render({report}, validate::Format::text, false);
    }
}

// A path that could not be checked is never also counted as checked, and every count takes the
// right number ("1 path checked ... 1 could not be checked" said two things of one path).
TEST(ValidateSummary, CountsCheckedAndUncheckedPathsApart)
{
    validate::PathReport good;
    good.path = "a.zip";
    validate::PathReport bad;
    bad.path = "missing.zip";
    bad.failure = "no such file";
    EXPECT_EQ(validate::summary_line({good}), "validate: 1 path checked: 0 errors, 0 warnings, 0 notes");
    EXPECT_EQ(validate::summary_line({bad}), "validate: 1 path could not be checked: 0 errors, 0 warnings, 0 notes");
    EXPECT_EQ(validate::summary_line({good, good, bad}),
              "validate: 2 paths checked, 1 could not be: 0 errors, 0 warnings, 0 notes");
}

} // namespace
} // namespace escprov::test
