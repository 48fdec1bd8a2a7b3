// escprov describe: what a small tree written here holds shows up in Markdown and JSON as it
// should (types, option values, lookups, role levels, version ranges, template tabs and
// sitemaps), output is deterministic, the samples' trees describe, bad trees exit 2, and
// docs/customisations.md is the command's current output for solution/.

#include "support.hpp"

#include <nlohmann/json.hpp>

using namespace escprov::test;
using nlohmann::json;

namespace {

constexpr const char* k_solution =
    R"(<ImportExportXml version="9.2.24104.196" SolutionPackageVersion="9.2" languagecode="1033" generatedBy="CrmLive" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <SolutionManifest>
    <UniqueName>TestConnector</UniqueName>
    <LocalizedNames>
      <LocalizedName description="Test Connector" languagecode="1033" />
    </LocalizedNames>
    <Version>1.2.3.4</Version>
    <Managed>0</Managed>
    <Publisher>
      <UniqueName>tester</UniqueName>
      <LocalizedNames>
        <LocalizedName description="Tester" languagecode="1033" />
      </LocalizedNames>
      <CustomizationPrefix>tst</CustomizationPrefix>
      <CustomizationOptionValuePrefix>12345</CustomizationOptionValuePrefix>
    </Publisher>
    <RootComponents>
      <RootComponent type="1" schemaName="tst_widget" behavior="0" />
      <RootComponent type="1" schemaName="contact" behavior="2" />
    </RootComponents>
    <MissingDependencies />
  </SolutionManifest>
</ImportExportXml>
)";

constexpr const char* k_customizations = R"(<ImportExportXml xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Entities />
  <Roles />
  <Workflows />
  <FieldSecurityProfiles />
  <Templates />
  <EntityMaps />
  <EntityRelationships />
  <OrganizationSettings />
  <optionsets />
  <CustomControls />
  <WebResources />
  <AppModuleSiteMaps />
  <AppModules />
  <Languages>
    <Language>1033</Language>
  </Languages>
</ImportExportXml>
)";

std::string attribute(const std::string& physical, const std::string& type, const std::string& display,
                      const std::string& extra, const std::string& required = "none")
{
    std::string logical;
    for (char c : physical) {
        logical += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return "<attribute PhysicalName=\"" + physical + "\"><Type>" + type + "</Type><Name>" + logical +
           "</Name><LogicalName>" + logical + "</LogicalName><RequiredLevel>" + required +
           "</RequiredLevel><IsCustomField>1</IsCustomField>" + extra + "<displaynames><displayname description=\"" +
           display + "\" languagecode=\"1033\" /></displaynames><Descriptions><Description description=\"About " +
           display + "\" languagecode=\"1033\" /></Descriptions></attribute>\n";
}

std::string widget_entity()
{
    std::string attributes =
        "<attribute PhysicalName=\"tst_widgetId\"><Type>primarykey</Type><LogicalName>tst_widgetid</LogicalName>"
        "<RequiredLevel>systemrequired</RequiredLevel><IsCustomField>0</IsCustomField></attribute>\n" +
        attribute("tst_name", "nvarchar", "Name", "<Format>text</Format><MaxLength>100</MaxLength>", "required") +
        attribute("tst_Colour", "picklist", "Colour", "<OptionSetName>tst_colour</OptionSetName>") +
        attribute("tst_Score", "decimal", "Score",
                  "<MinValue>0</MinValue><MaxValue>100</MaxValue><Accuracy>2</Accuracy>") +
        attribute("tst_Active", "bit", "Active",
                  "<optionset Name=\"tst_widget_tst_active\"><OptionSetType>bool</OptionSetType><options>"
                  "<option value=\"0\"><labels><label description=\"No\" languagecode=\"1033\" /></labels></option>"
                  "<option value=\"1\"><labels><label description=\"Yes\" languagecode=\"1033\" /></labels></option>"
                  "</options></optionset>") +
        attribute("tst_ContactId", "lookup", "Contact", "<LookupStyle>single</LookupStyle><LookupTypes />");
    return "<Entity>\n<Name LocalizedName=\"Widget\" OriginalName=\"Widget\">tst_widget</Name>\n"
           "<ObjectTypeCode>10500</ObjectTypeCode>\n<EntityInfo>\n<entity Name=\"tst_widget\">\n"
           "<LocalizedNames><LocalizedName description=\"Widget\" languagecode=\"1033\" /></LocalizedNames>\n"
           "<LocalizedCollectionNames><LocalizedCollectionName description=\"Widgets\" languagecode=\"1033\" />"
           "</LocalizedCollectionNames>\n"
           "<Descriptions><Description description=\"A thing | with a pipe\" languagecode=\"1033\" /></Descriptions>\n"
           "<attributes>\n" +
           attributes +
           "</attributes>\n<OwnershipTypeMask>OrgOwned</OwnershipTypeMask>\n</entity>\n</EntityInfo>\n"
           "<FormXml />\n<SavedQueries />\n<RibbonDiffXml />\n</Entity>\n";
}

constexpr const char* k_form = R"(<systemform>
  <formid>{11111111-1111-4111-8111-111111111111}</formid>
  <form>
    <tabs>
      <tab name="general" id="{21111111-1111-4111-8111-111111111111}">
        <labels><label description="General" languagecode="1033" /></labels>
        <columns><column width="100%"><sections>
          <section name="main" id="{31111111-1111-4111-8111-111111111111}">
            <labels><label description="Main" languagecode="1033" /></labels>
            <rows>
              <row><cell id="{41111111-1111-4111-8111-111111111111}"><labels><label description="Name" languagecode="1033" /></labels><control id="tst_name" classid="{4273EDBD-AC1D-40d3-9FB2-095C621B552D}" datafieldname="tst_name" /></cell></row>
              <row><cell id="{51111111-1111-4111-8111-111111111111}"><labels><label description="Colour" languagecode="1033" /></labels><control id="tst_colour" classid="{3EF39988-22BB-4f0b-BBBE-64B5A3748AEE}" datafieldname="tst_colour" /></cell></row>
            </rows>
          </section>
        </sections></column></columns>
      </tab>
    </tabs>
  </form>
  <LocalizedNames><LocalizedName description="Widget Main" languagecode="1033" /></LocalizedNames>
</systemform>
)";

constexpr const char* k_view = R"(<savedquery>
  <isdefault>1</isdefault>
  <savedqueryid>{61111111-1111-4111-8111-111111111111}</savedqueryid>
  <layoutxml><grid name="resultset" object="10500" jump="tst_name" select="1" icon="1" preview="1"><row name="result" id="tst_widgetid"><cell name="tst_name" width="200" /><cell name="tst_score" width="100" /></row></grid></layoutxml>
  <querytype>0</querytype>
  <LocalizedNames><LocalizedName description="Active Widgets" languagecode="1033" /></LocalizedNames>
</savedquery>
)";

std::string contact_shell()
{
    return "<Entity>\n<Name LocalizedName=\"Contact\" OriginalName=\"Contact\">Contact</Name>\n"
           "<ObjectTypeCode>2</ObjectTypeCode>\n<EntityInfo>\n<entity Name=\"Contact\">\n<attributes>\n" +
           attribute("tst_Unsubscribed", "bit", "Unsubscribed", "") +
           "</attributes>\n</entity>\n</EntityInfo>\n</Entity>\n";
}

constexpr const char* k_option_set = R"(<optionset Name="tst_colour" localizedName="Colour">
  <OptionSetType>picklist</OptionSetType>
  <IsGlobal>1</IsGlobal>
  <displaynames><displayname description="Colour" languagecode="1033" /></displaynames>
  <options>
    <option value="123450000"><labels><label description="Red" languagecode="1033" /></labels></option>
    <option value="123450001"><labels><label description="Green" languagecode="1033" /></labels></option>
  </options>
</optionset>
)";

constexpr const char* k_role = R"(<Role id="{71111111-1111-4111-8111-111111111111}" name="Widget Manager">
  <Description>Looks after widgets</Description>
  <RolePrivileges>
    <RolePrivilege name="prvCreatetst_widget" level="Global" />
    <RolePrivilege name="prvReadtst_widget" level="Local" />
    <RolePrivilege name="prvAppendTotst_widget" level="Deep" />
    <RolePrivilege name="prvReadContact" level="Basic" />
    <RolePrivilege name="prvReadSharePointData" level="Global" />
  </RolePrivileges>
</Role>
)";

constexpr const char* k_relationships = R"(<EntityRelationships>
  <EntityRelationship Name="tst_contact_tst_widget">
    <EntityRelationshipType>OneToMany</EntityRelationshipType>
    <ReferencingEntityName>tst_widget</ReferencingEntityName>
    <ReferencedEntityName>Contact</ReferencedEntityName>
    <CascadeAssign>NoCascade</CascadeAssign>
    <CascadeDelete>RemoveLink</CascadeDelete>
    <ReferencingAttributeName>tst_ContactId</ReferencingAttributeName>
  </EntityRelationship>
</EntityRelationships>
)";

constexpr const char* k_targets = "# kind name from until\nentity tst_widget 9.0 -\norgsitemap - 5.0 8.2\n";

constexpr const char* k_tab_template = R"(<tab name="tst_tab" id="{81111111-1111-4111-8111-111111111111}">
  <labels><label description="Widgets for {{publisher}}" languagecode="{{lcid}}" /></labels>
  <columns><column width="100%"><sections>
    <section name="tst_section" id="{91111111-1111-4111-8111-111111111111}">
      <labels><label description="Widget details" languagecode="{{lcid}}" /></labels>
      <rows>
        <row><cell id="{a1111111-1111-4111-8111-111111111111}"><labels><label description="Unsubscribed" languagecode="{{lcid}}" /></labels><control id="tst_unsubscribed" classid="{B0C6723A-8503-4fd7-BB28-C8A06AC933C2}" datafieldname="tst_unsubscribed" /></cell></row>
        <row><cell id="{b1111111-1111-4111-8111-111111111111}"><labels><label description="Widgets" languagecode="{{lcid}}" /></labels><control id="widgets" classid="{E7A81278-8635-4d9e-8D4D-59480B391C5B}"><parameters><TargetEntityType>tst_widget</TargetEntityType><RelationshipName>tst_contact_tst_widget</RelationshipName></parameters></control></cell></row>
      </rows>
    </section>
  </sections></column></columns>
</tab>
)";

constexpr const char* k_sitemap_template = R"(<SiteMap><SiteMap>
  <Area Id="MA">
    <Group Id="tst_group"><Titles><Title LCID="{{lcid}}" Title="Widget Work" /></Titles>
      <SubArea Id="tst_widgets" Entity="tst_widget"><Titles><Title LCID="{{lcid}}" Title="All Widgets" /></Titles></SubArea>
    </Group>
  </Area>
</SiteMap></SiteMap>
)";

// Writes solution/ and templates/ into `root`; returns the tree's path.
fs::path write_small_tree(const fs::path& root)
{
    fs::path tree = root / "solution";
    write_bytes(tree / "Other" / "Solution.xml", k_solution);
    write_bytes(tree / "Other" / "Customizations.xml", k_customizations);
    write_bytes(tree / "Other" / "escprov-targets.txt", k_targets);
    write_bytes(tree / "Other" / "Relationships" / "tst_widget.xml", k_relationships);
    write_bytes(tree / "Entities" / "tst_widget" / "Entity.xml", widget_entity());
    write_bytes(tree / "Entities" / "tst_widget" / "FormXml" / "main" / "{11111111-1111-4111-8111-111111111111}.xml",
                k_form);
    write_bytes(tree / "Entities" / "tst_widget" / "SavedQueries" / "{61111111-1111-4111-8111-111111111111}.xml",
                k_view);
    write_bytes(tree / "Entities" / "Contact" / "Entity.xml", contact_shell());
    write_bytes(tree / "OptionSets" / "tst_colour.xml", k_option_set);
    write_bytes(tree / "Roles" / "Widget Manager.xml", k_role);
    write_bytes(root / "templates" / "form-tab-contact.xml", k_tab_template);
    write_bytes(root / "templates" / "sitemap.xml", k_sitemap_template);
    return tree;
}

const json* find_named(const json& list, const std::string& key, const std::string& value)
{
    for (const json& item : list) {
        if (item.value(key, "") == value) {
            return &item;
        }
    }
    return nullptr;
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

} // namespace

TEST(Describe, MarkdownShowsTypesOptionsLookupsRoleLevelsAndTemplates)
{
    TempDir dir;
    fs::path tree = write_small_tree(dir.path());
    RunResult md = run_escprov({"describe", tree.string()});
    ASSERT_EQ(md.exit_code, 0) << md.err;
    EXPECT_TRUE(md.err.empty()) << md.err;
    const std::string& out = md.out;
    EXPECT_TRUE(contains(out, "# Test Connector: the customisations it makes")) << out;
    EXPECT_TRUE(contains(out, "| Option value prefix | `12345` |"));
    EXPECT_TRUE(contains(out, "| `tst_name` | Name | text (max 100) | required | About Name |")) << out;
    EXPECT_TRUE(contains(out, "option set tst_colour: 123450000 Red, 123450001 Green"));
    EXPECT_TRUE(contains(out, "decimal (precision 2, 0 to 100)"));
    EXPECT_TRUE(contains(out, "two options (0 No, 1 Yes)"));
    EXPECT_TRUE(contains(out, "| `tst_ContactId` | Contact | lookup to contact |"));
    EXPECT_TRUE(contains(out, "A thing \\| with a pipe")) << "a pipe in a description must not split the cell";
    EXPECT_TRUE(contains(out, "| CRM versions | 9.0 and later |"));
    EXPECT_TRUE(contains(out, "| Ownership | organisation |"));
    EXPECT_TRUE(contains(out, "| `tst_contact_tst_widget` | N:1 | `contact` | `tst_contactid` | Delete: RemoveLink |"));
    EXPECT_TRUE(
        contains(out, "| `tst_contact_tst_widget` | 1:N | `tst_widget` | `tst_contactid` | Delete: RemoveLink |"));
    EXPECT_TRUE(contains(out, "- **Widget Main** (main form"));
    EXPECT_TRUE(contains(out, "Section Main (`main`): Name (`tst_name`), Colour (`tst_colour`)"));
    EXPECT_TRUE(contains(out, "| Active Widgets | public | yes | `tst_name`, `tst_score` |"));
    // Create Global, Read Local, Append To Deep; Contact read Basic.
    EXPECT_TRUE(contains(out, "| `tst_widget` | `GL---D--` |")) << out;
    EXPECT_TRUE(contains(out, "| `contact` | `-B------` |"));
    EXPECT_TRUE(contains(out, "- Widget Manager: `prvReadSharePointData` G"));
    // The extended entity comes after the solution's own.
    auto own = out.find("## Entities of the solution");
    auto extended = out.find("## Extended system entities");
    ASSERT_NE(own, std::string::npos);
    ASSERT_NE(extended, std::string::npos);
    EXPECT_LT(own, extended);
    EXPECT_GT(out.find("### Contact (`Contact`)"), extended);
    // templates/: {{lcid}} read as 1033, other placeholders kept.
    EXPECT_TRUE(contains(out, "- Tab Widgets for {{publisher}} (`tst_tab`)")) << out;
    EXPECT_TRUE(contains(out, "- subgrid Widgets (`tst_widget`) via `tst_contact_tst_widget`"));
    EXPECT_TRUE(contains(out, "CRM versions: 5.0 - 8.2."));
    EXPECT_TRUE(contains(out, "  - Group Widget Work (`tst_group`)"));
    EXPECT_TRUE(contains(out, "    - All Widgets (`tst_widgets`): entity `tst_widget`"));
}

TEST(Describe, JsonCarriesTheSameFacts)
{
    TempDir dir;
    fs::path tree = write_small_tree(dir.path());
    RunResult result = run_escprov({"describe", "--format", "json", tree.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    json doc = json::parse(result.out);
    EXPECT_EQ(doc["publisher"]["prefix"], "tst");
    EXPECT_EQ(doc["solution"]["version"], "1.2.3.4");
    ASSERT_EQ(doc["entities"].size(), 2u);
    const json& widget = doc["entities"][0];
    EXPECT_EQ(widget["name"], "tst_widget");
    EXPECT_EQ(widget["extension"], false);
    EXPECT_EQ(widget["versions"]["from"], "9.0");
    EXPECT_TRUE(widget["versions"]["until"].is_null());
    EXPECT_EQ(doc["entities"][1]["name"], "Contact");
    EXPECT_EQ(doc["entities"][1]["extension"], true);

    const json* name = find_named(widget["attributes"], "logicalName", "tst_name");
    ASSERT_NE(name, nullptr);
    EXPECT_EQ((*name)["maxLength"], "100");
    EXPECT_EQ((*name)["requiredLevel"], "required");
    const json* colour = find_named(widget["attributes"], "logicalName", "tst_colour");
    ASSERT_NE(colour, nullptr);
    EXPECT_EQ((*colour)["optionSet"], "tst_colour");
    ASSERT_EQ((*colour)["options"].size(), 2u);
    EXPECT_EQ((*colour)["options"][1]["value"], "123450001");
    EXPECT_EQ((*colour)["options"][1]["label"], "Green");
    const json* contact = find_named(widget["attributes"], "logicalName", "tst_contactid");
    ASSERT_NE(contact, nullptr);
    EXPECT_EQ((*contact)["targets"], json::array({"contact"}));
    const json* score = find_named(widget["attributes"], "logicalName", "tst_score");
    ASSERT_NE(score, nullptr);
    EXPECT_EQ((*score)["precision"], "2");

    ASSERT_EQ(doc["roles"].size(), 1u);
    const json& role = doc["roles"][0];
    EXPECT_EQ(role["entities"]["tst_widget"]["Create"], "Global");
    EXPECT_EQ(role["entities"]["tst_widget"]["AppendTo"], "Deep");
    EXPECT_FALSE(role["entities"]["tst_widget"].contains("Append"));
    EXPECT_EQ(role["entities"]["contact"]["Read"], "Basic");
    EXPECT_EQ(role["otherPrivileges"]["prvReadSharePointData"], "Global");

    ASSERT_EQ(doc["relationships"].size(), 1u);
    EXPECT_EQ(doc["relationships"][0]["cascade"]["Delete"], "RemoveLink");
    ASSERT_EQ(doc["templateTabs"].size(), 1u);
    EXPECT_EQ(doc["templateTabs"][0]["entity"], "contact");
    EXPECT_EQ(doc["templateTabs"][0]["tab"]["sections"][0]["fields"][1]["subgrid"]["entity"], "tst_widget");
    EXPECT_EQ(doc["templateSiteMap"]["areas"][0]["groups"][0]["subAreas"][0]["title"], "All Widgets");
}

TEST(Describe, SameTreeGivesSameBytesOnStdoutAndInTheOutputFile)
{
    TempDir dir;
    fs::path tree = write_small_tree(dir.path());
    for (const std::string format : {"md", "json"}) {
        SCOPED_TRACE(format);
        RunResult first = run_escprov({"describe", "--format", format, tree.string()});
        RunResult second = run_escprov({"describe", "--format", format, tree.string()});
        ASSERT_EQ(first.exit_code, 0) << first.err;
        EXPECT_EQ(first.out, second.out);
        fs::path file = dir / ("out." + format);
        RunResult written = run_escprov({"describe", "--format", format, "-o", file.string(), tree.string()});
        ASSERT_EQ(written.exit_code, 0) << written.err;
        EXPECT_TRUE(written.out.empty());
        EXPECT_EQ(read_bytes(file), first.out);
    }
}

TEST(Describe, TemplatesOptionOverridesTheFolderBesideTheTree)
{
    TempDir dir;
    fs::path tree = write_small_tree(dir.path());
    fs::path other = dir / "other-templates";
    fs::create_directories(other);
    RunResult bare = run_escprov({"describe", "--templates", other.string(), tree.string()});
    ASSERT_EQ(bare.exit_code, 0) << bare.err;
    EXPECT_FALSE(contains(bare.out, "## Tabs added to customer forms"));
    EXPECT_FALSE(contains(bare.out, "Widget Work"));
    RunResult missing = run_escprov({"describe", "--templates", (dir / "nowhere").string(), tree.string()});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_TRUE(contains(missing.err, (dir / "nowhere").string())) << missing.err;
}

TEST(Describe, EverySampleTreeDescribesItsEntitiesRolesAndLookups)
{
    fs::path samples = source_dir() / "samples";
    int described = 0;
    int lookups = 0;
    int with_sessions = 0;
    for (const auto& entry : fs::directory_iterator(samples)) {
        if (entry.path().extension() != ".zip") {
            continue;
        }
        SCOPED_TRACE(entry.path().string());
        TempDir dir;
        fs::path tree = dir / "tree";
        RunResult unpacked = run_escprov({"unpack", entry.path().string(), tree.string()});
        ASSERT_EQ(unpacked.exit_code, 0) << unpacked.err;
        RunResult md = run_escprov({"describe", tree.string()});
        ASSERT_EQ(md.exit_code, 0) << md.err;
        RunResult result = run_escprov({"describe", "--format", "json", tree.string()});
        ASSERT_EQ(result.exit_code, 0) << result.err;
        json doc = json::parse(result.out);
        size_t entity_folders = 0;
        if (fs::exists(tree / "Entities")) {
            for (const auto& folder : fs::directory_iterator(tree / "Entities")) {
                entity_folders += folder.is_directory() ? 1 : 0;
            }
        }
        EXPECT_EQ(doc["entities"].size(), entity_folders);
        size_t role_files = 0;
        if (fs::exists(tree / "Roles")) {
            for (const auto& file : fs::directory_iterator(tree / "Roles")) {
                ++role_files;
                std::string name = file.path().stem().string();
                EXPECT_TRUE(contains(md.out, "- **" + name + "**")) << name;
            }
        }
        EXPECT_EQ(doc["roles"].size(), role_files);
        // Every 1:N relationship names the target of its lookup, e.g. createdby -> systemuser.
        for (const json& relationship : doc["relationships"]) {
            if (relationship["type"] != "OneToMany") {
                continue;
            }
            const json* referencing = find_named(doc["entities"], "name", relationship["referencingEntity"]);
            if (referencing == nullptr) {
                continue;
            }
            std::string attribute_name = relationship["referencingAttribute"];
            std::string target = relationship["referencedEntity"];
            for (std::string* text : {&attribute_name, &target}) {
                for (char& c : *text) {
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
            }
            const json* lookup = find_named((*referencing)["attributes"], "logicalName", attribute_name);
            ASSERT_NE(lookup, nullptr) << attribute_name;
            EXPECT_TRUE(contains((*lookup)["targets"].dump(), "\"" + target + "\"")) << attribute_name;
            ++lookups;
        }
        // The samples with sessions: the session's event lookup, in words.
        if (find_named(doc["entities"], "name", "nwe_session") != nullptr) {
            EXPECT_TRUE(contains(md.out, "| `nwe_EventId` | Event | lookup to nwe_event | required |")) << md.out;
            ++with_sessions;
        }
        ++described;
    }
    EXPECT_GE(described, 3);
    EXPECT_GT(lookups, 0);
    EXPECT_GT(with_sessions, 0);
}

TEST(Describe, BadTreesExitTwoNamingThePath)
{
    TempDir dir;
    fs::path missing = dir / "no-such-tree";
    RunResult absent = run_escprov({"describe", missing.string()});
    EXPECT_EQ(absent.exit_code, 2);
    EXPECT_TRUE(contains(absent.err, missing.string())) << absent.err;
    EXPECT_TRUE(absent.out.empty());

    fs::path file = dir / "loose.xml";
    write_bytes(file, k_customizations);
    RunResult loose = run_escprov({"describe", file.string()});
    EXPECT_EQ(loose.exit_code, 2);
    EXPECT_TRUE(contains(loose.err, file.string())) << loose.err;

    fs::path empty = dir / "empty";
    fs::create_directories(empty);
    RunResult bare = run_escprov({"describe", empty.string()});
    EXPECT_EQ(bare.exit_code, 2);
    EXPECT_TRUE(contains(bare.err, empty.string())) << bare.err;

    fs::path tree = write_small_tree(dir / "hostile");
    write_bytes(tree / "Roles" / "Widget Manager.xml",
                "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<Role id=\"{1}\" name=\"x\">&x;</Role>\n");
    RunResult hostile = run_escprov({"describe", tree.string()});
    EXPECT_EQ(hostile.exit_code, 2);
    EXPECT_TRUE(contains(hostile.err, "Widget Manager.xml")) << hostile.err;
    EXPECT_TRUE(hostile.out.empty());

    RunResult format = run_escprov({"describe", "--format", "html", tree.string()});
    EXPECT_EQ(format.exit_code, 2);
    EXPECT_TRUE(contains(format.err, "--format")) << format.err;
}

TEST(Describe, CustomisationsDocIsTheCurrentOutputForTheConnectorSolution)
{
    fs::path tree = source_dir() / "solution";
    fs::path doc = source_dir() / "docs" / "customisations.md";
    ASSERT_TRUE(fs::exists(tree / "Other" / "Solution.xml")) << "solution/ has no Other/Solution.xml";
    ASSERT_TRUE(fs::exists(doc)) << "docs/customisations.md is missing";
    TempDir dir;
    fs::path fresh = dir / "customisations.md";
    RunResult result = run_escprov({"describe", tree.string(), "--format", "md", "-o", fresh.string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(read_bytes(fresh) == read_bytes(doc))
        << "docs/customisations.md is out of date; regenerate it from the repository root with\n"
           "  escprov describe solution --format md -o docs/customisations.md";
}
