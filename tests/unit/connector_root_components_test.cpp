// The connector's RootComponents and MissingDependencies are written as real exports of the target
// write them: sorted by type then name, behavior only from 8.0 (on every component), 9.x marketing
// dependencies in the accelerators' shape. The rules are checked against the corpus's real exports
// too, so a rule that stops matching CRM shows here.

#include "connector/root_components.hpp"
#include "pack/input.hpp"
#include "solution/input.hpp"
#include "support.hpp"

#include <algorithm>

using namespace escprov;
using namespace escprov::test;
using solution::ComponentType;

namespace {

solution::CrmVersion version(const std::string& text)
{
    return *solution::parse_crm_version(text);
}

xml::Node parse(const std::string& text)
{
    xml::MemorySource source(text, "solution.xml");
    return xml::parse_document(source);
}

// Each element of `list` as `<name a="v" ...>` with its attributes in order.
std::vector<std::string> shapes(const xml::Node& list)
{
    std::vector<std::string> out;
    for (const auto& child : list.children) {
        if (!child.is_element()) {
            continue;
        }
        std::string text = child.name;
        for (const auto& attribute : child.attributes) {
            text += " " + attribute.name + "=" + attribute.value;
        }
        out.push_back(text);
    }
    return out;
}

std::vector<connector::RootComponent> sample_components()
{
    return {
        connector::org_sitemap_root_component(),
        {ComponentType::app_module, "schemaName", "esc_EmailMarketing", false},
        connector::form_root_component("1FED44D1-AE68-4A41-BD2B-F13ACAC4ACFA"),
        connector::entity_root_component("esc_messagequeue"),
        {ComponentType::site_map, "schemaName", "esc_EmailMarketing", false},
        connector::entity_root_component("Contact"),
        {ComponentType::role, "id", "{b1b7f81b-c780-e211-90f7-00155d89bb01}", false},
        {ComponentType::option_set, "schemaName", "esc_syncstatus", false},
        connector::entity_root_component("account"),
    };
}

} // namespace

TEST(ConnectorRootComponents, BeforeEightSortedByTypeThenNameAndWithoutBehavior)
{
    xml::Node list = connector::root_components_node(sample_components(), version("7.1"));
    EXPECT_EQ(shapes(list), (std::vector<std::string>{
                                "RootComponent type=1 schemaName=account",
                                "RootComponent type=1 schemaName=contact",
                                "RootComponent type=1 schemaName=esc_messagequeue",
                                "RootComponent type=9 schemaName=esc_syncstatus",
                                "RootComponent type=20 id={b1b7f81b-c780-e211-90f7-00155d89bb01}",
                                "RootComponent type=60 id={1FED44D1-AE68-4A41-BD2B-F13ACAC4ACFA}",
                                "RootComponent type=62 schemaName=esc_EmailMarketing",
                                "RootComponent type=62",
                                "RootComponent type=80 schemaName=esc_EmailMarketing",
                            }));
}

TEST(ConnectorRootComponents, FromEightEveryComponentHasBehaviorAndShellsTwo)
{
    for (const std::string target : {"8.0", "8.2", "9.0", "9.2"}) {
        xml::Node list = connector::root_components_node(sample_components(), version(target));
        std::vector<std::string> written = shapes(list);
        ASSERT_EQ(written.size(), 9U);
        EXPECT_EQ(written[0], "RootComponent type=1 schemaName=account behavior=2") << target;
        EXPECT_EQ(written[1], "RootComponent type=1 schemaName=contact behavior=2") << target;
        EXPECT_EQ(written[2], "RootComponent type=1 schemaName=esc_messagequeue behavior=0") << target;
        EXPECT_EQ(written[7], "RootComponent type=62 behavior=0") << target;
        for (const auto& line : written) {
            EXPECT_TRUE(line.ends_with(" behavior=0") || line.ends_with(" behavior=2")) << line;
        }
    }
}

TEST(ConnectorRootComponents, AnEmptyListIsAnEmptyElement)
{
    xml::Node list = connector::root_components_node({}, version("9.2"));
    EXPECT_TRUE(list.empty_tag);
    EXPECT_FALSE(list.has_element_children());
}

TEST(ConnectorRootComponents, AddingToABaseManifestKeepsItsComponentsAndItsOrder)
{
    xml::Node manifest = parse(R"(<ImportExportXml><SolutionManifest><RootComponents>
<RootComponent type="1" schemaName="Account" behavior="0" />
<RootComponent type="1" schemaName="new_thing" behavior="0" />
<RootComponent type="61" schemaName="new_script" behavior="0" />
</RootComponents></SolutionManifest></ImportExportXml>)");
    connector::add_root_components(manifest,
                                   {connector::entity_root_component("account"),
                                    connector::entity_root_component("esc_messagequeue"),
                                    {ComponentType::option_set, "schemaName", "esc_syncstatus", false},
                                    {ComponentType::app_module, "schemaName", "esc_EmailMarketing", false}},
                                   version("9.0"));
    const xml::Node& list = *manifest.child("SolutionManifest")->child("RootComponents");
    EXPECT_EQ(shapes(list), (std::vector<std::string>{
                                "RootComponent type=1 schemaName=Account behavior=0", // already listed: kept
                                "RootComponent type=1 schemaName=esc_messagequeue behavior=0",
                                "RootComponent type=1 schemaName=new_thing behavior=0",
                                "RootComponent type=9 schemaName=esc_syncstatus behavior=0",
                                "RootComponent type=61 schemaName=new_script behavior=0",
                                "RootComponent type=80 schemaName=esc_EmailMarketing behavior=0",
                            }));
}

TEST(ConnectorRootComponents, ItemsOfCustomizationsMapToTheirTypes)
{
    xml::Node role = parse(R"(<Role id="{ABC}" name="Email Marketing Manager" />)");
    xml::Node resource = parse("<WebResource><Name> esc_/scripts/form.js </Name></WebResource>");
    xml::Node entity = parse("<Entity><Name LocalizedName=\"Contact\">Contact</Name></Entity>");
    xml::Node relationship = parse(R"(<EntityRelationship Name="esc_x" />)");
    EXPECT_EQ(connector::item_root_component("Roles", role)->type, ComponentType::role);
    EXPECT_EQ(connector::item_root_component("Roles", role)->value, "{ABC}");
    EXPECT_EQ(connector::item_root_component("WebResources", resource)->value, "esc_/scripts/form.js");
    auto contact = connector::item_root_component("Entities", entity);
    ASSERT_TRUE(contact);
    EXPECT_EQ(contact->value, "contact");
    EXPECT_TRUE(contact->shell);
    EXPECT_FALSE(connector::item_root_component("EntityRelationships", relationship));
}

TEST(ConnectorRootComponents, NoMissingDependenciesBeforeNine)
{
    xml::Node list = connector::missing_dependencies_node(sample_components(), {}, version("8.2"));
    EXPECT_FALSE(list.has_element_children());
    EXPECT_TRUE(list.empty_tag);
}

TEST(ConnectorRootComponents, NineNamesTheMarketingSolutionAsRealExportsDo)
{
    std::vector<connector::RootComponent> components = {
        connector::entity_root_component("list"),
        connector::entity_root_component("campaign"),
        connector::entity_root_component("contact"),
    };
    std::vector<connector::FormDependent> forms = {
        {"{bbb}", "list", "Marketing List"},
        {"{aaa}", "list", "Information"},
        {"{ccc}", "contact", "Contact"}, // contact is in every org: no dependency
    };
    xml::Node list = connector::missing_dependencies_node(components, forms, version("9.2"));
    std::vector<std::string> written;
    for (const xml::Node* dependency : list.children_named("MissingDependency")) {
        std::vector<std::string> pair = shapes(*dependency);
        ASSERT_EQ(pair.size(), 2U);
        written.push_back(pair[0] + " <- " + pair[1]);
    }
    const std::string campaign =
        "Required type=1 schemaName=campaign displayName=Campaign solution=msdynce_Marketing (9.0.4.37)";
    const std::string marketing_list =
        "Required type=1 schemaName=list displayName=Marketing List solution=msdynce_Marketing (9.0.4.37)";
    EXPECT_EQ(written, (std::vector<std::string>{
                           campaign + " <- Dependent type=1 schemaName=campaign displayName=Campaign",
                           marketing_list + " <- Dependent type=1 schemaName=list displayName=Marketing List",
                           marketing_list + " <- Dependent type=60 displayName=Information parentDisplayName=Marketing "
                                            "List id={aaa}",
                           marketing_list + " <- Dependent type=60 displayName=Marketing List "
                                            "parentDisplayName=Marketing List id={bbb}",
                       }));
}

// The rules above are what the corpus's real exports do: for the component types the connector
// writes, RootComponents are in export order; 5.x-7.x never write behavior, 8.0 and later on
// every component, 0 on all but entities.
TEST(ConnectorRootComponents, TheRulesHoldForEveryRealExport)
{
    ESCPROV_REQUIRE_CORPUS();
    size_t checked = 0;
    for (const auto& zip : corpus_zips()) {
        auto input = pack::open_input(zip, {});
        if (!input->has_manifest()) {
            continue;
        }
        solution::Manifest manifest = input->read_manifest();
        auto crm = solution::target_version(manifest);
        if (!crm || manifest.root_components.empty()) {
            continue;
        }
        ++checked;
        std::vector<connector::RootComponent> ours;
        for (const auto& root : manifest.root_components) {
            bool named = !root.schema_name.empty() || !root.id.empty();
            EXPECT_EQ(root.behavior.has_value(), crm->major >= 8)
                << zip.filename() << " (CRM " << crm->text << ") type " << solution::type_code(root.type);
            if (root.type != ComponentType::entity && root.behavior) {
                EXPECT_EQ(*root.behavior, 0) << zip.filename() << " type " << solution::type_code(root.type);
            }
            static constexpr ComponentType k_written[] = {ComponentType::entity,       ComponentType::option_set,
                                                          ComponentType::role,         ComponentType::system_form,
                                                          ComponentType::web_resource, ComponentType::site_map,
                                                          ComponentType::app_module};
            if (std::find(std::begin(k_written), std::end(k_written), root.type) == std::end(k_written) ||
                (!named && root.type != ComponentType::site_map)) {
                continue; // types the connector never writes; roles named by parentId in org exports
            }
            ours.push_back({root.type, root.schema_name.empty() ? "id" : "schemaName",
                            root.schema_name.empty() ? root.id : root.schema_name, false});
        }
        EXPECT_TRUE(std::is_sorted(ours.begin(), ours.end(), connector::export_order)) << zip.filename();
    }
    EXPECT_GE(checked, 30U);
}
