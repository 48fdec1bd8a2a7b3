// Each merge step on its own, in process: the scan of a base, the upgrade of a connector entity,
// the merge of a shell entity and of an option set, the full-mode rewrite, and how --on-conflict
// resolves a conflict. The engine only runs them in order (merge_test.cpp runs the whole merge).

#include "connector/connector.hpp"
#include "merge/entity.hpp"
#include "merge/option_set.hpp"
#include "merge/options.hpp"
#include "merge/rewrite.hpp"
#include "merge/scan.hpp"
#include "merge/shell.hpp"
#include "pack/input.hpp"
#include "solution/identity.hpp"
#include "support.hpp"
#include "xml/source.hpp"

#include <algorithm>

using namespace escprov;
using namespace escprov::test;
using merge::MergeMode;
using merge::OnConflict;

namespace {

xml::Node parse(const std::string& text)
{
    xml::MemorySource source(text, "item.xml");
    return xml::parse_document(source);
}

// An <Entity> with `attributes` ("name:type" each) and, when given, main forms.
std::string entity_xml(const std::string& name, const std::vector<std::string>& attributes,
                       const std::string& forms = "")
{
    std::string text = "<Entity><Name LocalizedName=\"" + name + "\">" + name + "</Name><EntityInfo><entity Name=\"" +
                       name + "\"><attributes>";
    for (const auto& attribute : attributes) {
        std::string logical = attribute.substr(0, attribute.find(':'));
        std::string type = attribute.substr(attribute.find(':') + 1);
        text += "<attribute PhysicalName=\"" + logical + "\"><Type>" + type + "</Type><LogicalName>" + logical +
                "</LogicalName></attribute>";
    }
    text += "</attributes></entity></EntityInfo>";
    if (!forms.empty()) {
        text += "<FormXml><forms type=\"main\">" + forms + "</forms></FormXml>";
    }
    return text + "</Entity>";
}

std::string main_form(const std::string& id, const std::string& label)
{
    return "<systemform><formid>{" + id + "}</formid><form><tabs><tab name=\"general\" id=\"{" + id +
           "-t}\"><labels><label description=\"General\" languagecode=\"1033\" /></labels></tab></tabs></form>"
           "<LocalizedNames><LocalizedName description=\"" +
           label + "\" languagecode=\"1033\" /></LocalizedNames></systemform>";
}

const std::string k_tab = R"(<tab name="esc_EmailMarketing" id="{6f1c2a8e-3d4b-4c5a-9e7f-0a1b2c3d4e5f}">
<labels><label description="Email Marketing" languagecode="1033" /></labels></tab>)";

std::vector<std::string> attribute_names(const xml::Node& entity)
{
    std::vector<std::string> names;
    if (const xml::Node* attributes = solution::entity_attributes(entity)) {
        for (const xml::Node* attribute : attributes->children_named("attribute")) {
            names.push_back(solution::attribute_name(*attribute));
        }
    }
    return names;
}

std::vector<std::string> tab_names(const xml::Node& entity)
{
    std::vector<std::string> names;
    for (const auto& [type, form] : merge::forms_of(entity)) {
        for (const xml::Node* tab : form->child("form")->child("tabs")->children_named("tab")) {
            names.push_back(*tab->attribute("name"));
        }
    }
    return names;
}

// Builds the events a rewrite writes into one tree.
class NodeHandler : public xml::Handler {
public:
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        m_builder.start_element(name, attributes, empty_tag);
    }
    void end_element(std::string_view) override { m_builder.end_element(); }
    void characters(std::string_view text, bool cdata) override { m_builder.characters(text, cdata); }
    xml::Node take() { return m_builder.take(); }

private:
    xml::TreeBuilder m_builder;
};

} // namespace

TEST(MergeSteps, AConflictIsResolvedAsOnConflictSays)
{
    auto make = [](OnConflict on_conflict) {
        return merge::conflict(merge::ConflictKind::duplicate_id, "role", "same id", "ours wins", "theirs wins",
                               on_conflict);
    };
    EXPECT_EQ(make(OnConflict::fail).resolution, merge::Resolution::unresolved);
    EXPECT_EQ(make(OnConflict::fail).outcome,
              "unresolved; --on-conflict ours: ours wins; --on-conflict theirs: theirs wins");
    EXPECT_EQ(make(OnConflict::ours).outcome, "ours wins");
    EXPECT_EQ(make(OnConflict::theirs).resolution, merge::Resolution::theirs);
    EXPECT_EQ(merge::automatic(merge::ConflictKind::older_connector, "s", "m", "o").resolution,
              merge::Resolution::automatic);
}

TEST(MergeSteps, AnUpgradeKeepsTheInstalledAttributesThisVersionLacks)
{
    xml::Node ours = parse(entity_xml("esc_queue", {"esc_a:int", "esc_b:nvarchar"}));
    xml::Node theirs = parse(entity_xml("esc_queue", {"esc_a:nvarchar", "esc_old:int"}));
    merge::EntityMerge merged =
        merge::upgrade_entity(ours, theirs, "esc_queue", MergeMode::connector, OnConflict::ours);
    EXPECT_EQ(attribute_names(merged.entity), (std::vector<std::string>{"esc_a", "esc_b", "esc_old"}));
    ASSERT_EQ(merged.report.conflicts.size(), 1U);
    EXPECT_EQ(merged.report.conflicts[0].subject, "attribute esc_queue.esc_a");
    EXPECT_EQ(merged.report.conflicts[0].resolution, merge::Resolution::ours);
    ASSERT_TRUE(merged.changed());
    EXPECT_EQ(merged.report.changed[0].after,
              "+ attribute esc_b\n= attribute esc_old (kept: not in this version, may hold data)\n");
    const xml::Node* a = merge::find_attribute_node(*solution::entity_attributes(merged.entity), "esc_a");
    EXPECT_EQ(solution::attribute_type(*a), "int");

    merge::EntityMerge kept =
        merge::upgrade_entity(ours, theirs, "esc_queue", MergeMode::connector, OnConflict::theirs);
    a = merge::find_attribute_node(*solution::entity_attributes(kept.entity), "esc_a");
    EXPECT_EQ(solution::attribute_type(*a), "nvarchar") << "theirs keeps the installed type";

    merge::EntityMerge same = merge::upgrade_entity(ours, ours, "esc_queue", MergeMode::connector, OnConflict::fail);
    EXPECT_FALSE(same.changed());
    EXPECT_TRUE(same.report.conflicts.empty());
}

TEST(MergeSteps, AFullUpgradeKeepsTheCustomersOwnForms)
{
    xml::Node ours = parse(entity_xml("esc_queue", {"esc_a:int"}, main_form("aaaa", "Ours")));
    xml::Node theirs = parse(entity_xml("esc_queue", {"esc_a:int"}, main_form("bbbb", "Theirs")));
    merge::EntityMerge full = merge::upgrade_entity(ours, theirs, "esc_queue", MergeMode::full, OnConflict::fail);
    EXPECT_EQ(merge::forms_of(full.entity).size(), 2U);
    merge::EntityMerge connector =
        merge::upgrade_entity(ours, theirs, "esc_queue", MergeMode::connector, OnConflict::fail);
    EXPECT_EQ(merge::forms_of(connector.entity).size(), 1U);
}

TEST(MergeSteps, AShellInConnectorModeCarriesTheCustomerFormsWithTheTab)
{
    xml::Node ours = parse(entity_xml("contact", {"esc_optin:bit"}));
    xml::Node theirs =
        parse(entity_xml("contact", {"firstname:nvarchar"}, main_form("1111", "Information") + main_form("2222", "")));
    xml::Node tab = parse(k_tab);
    merge::ShellMerge merged =
        merge::merge_shell(ours, &theirs, "contact", &tab, MergeMode::connector, OnConflict::fail, false);
    EXPECT_FALSE(merged.customer_entity);
    EXPECT_EQ(merged.changed_forms, (std::vector<std::string>{"1111", "2222"}));
    EXPECT_EQ(attribute_names(merged.connector_entity), (std::vector<std::string>{"esc_optin"}));
    EXPECT_EQ(tab_names(merged.connector_entity),
              (std::vector<std::string>{"general", "esc_EmailMarketing", "general", "esc_EmailMarketing"}));
    ASSERT_EQ(merged.report.outlines.size(), 2U);
    EXPECT_EQ(merged.report.outlines[0].title, "contact form 'Information' {1111}");
    EXPECT_EQ(merged.report.outlines[1].title, "contact form {2222}");
    EXPECT_TRUE(merged.report.conflicts.empty());
}

TEST(MergeSteps, AShellInFullModeIsTheCustomersEntityWithOursAdded)
{
    xml::Node ours = parse(entity_xml("contact", {"esc_optin:bit"}));
    xml::Node theirs = parse(entity_xml("contact", {"firstname:nvarchar"}, main_form("1111", "Information")));
    xml::Node tab = parse(k_tab);
    merge::ShellMerge merged =
        merge::merge_shell(ours, &theirs, "contact", &tab, MergeMode::full, OnConflict::fail, false);
    ASSERT_TRUE(merged.customer_entity);
    EXPECT_EQ(attribute_names(*merged.customer_entity), (std::vector<std::string>{"firstname", "esc_optin"}));
    EXPECT_EQ(tab_names(*merged.customer_entity), (std::vector<std::string>{"general", "esc_EmailMarketing"}));
    EXPECT_TRUE(merged.changed_forms.empty());
}

TEST(MergeSteps, AShellTypeConflictAndOptionsInTheConnectorsRange)
{
    xml::Node ours = parse(entity_xml("lead", {"esc_optin:bit"}));
    std::string theirs_text = entity_xml("lead", {"esc_optin:int", "leadsource:picklist"});
    theirs_text.insert(theirs_text.find("<Type>picklist</Type>"),
                       R"(<optionset><options><option value="772630001" /></options></optionset>)");
    xml::Node theirs = parse(theirs_text);
    merge::ShellMerge merged =
        merge::merge_shell(ours, &theirs, "lead", nullptr, MergeMode::connector, OnConflict::theirs, false);
    ASSERT_EQ(merged.report.conflicts.size(), 1U);
    EXPECT_EQ(merged.report.conflicts[0].kind, merge::ConflictKind::attribute_type);
    EXPECT_TRUE(attribute_names(merged.connector_entity).empty()) << "theirs: the connector's attribute is left out";
    EXPECT_EQ(merged.option_clashes, (std::vector<std::string>{"option value 772630001 of attribute lead.leadsource"}));
}

TEST(MergeSteps, AShellWithoutTheCustomersEntityWarns)
{
    xml::Node ours = parse(entity_xml("list", {"esc_a:int", "esc_b:int"}));
    merge::ShellMerge merged =
        merge::merge_shell(ours, nullptr, "list", nullptr, MergeMode::full, OnConflict::fail, false);
    EXPECT_FALSE(merged.customer_entity) << "full mode appends the connector's shell";
    ASSERT_EQ(merged.report.warnings.size(), 1U);
    EXPECT_NE(merged.report.warnings[0].find("the base has no list entity"), std::string::npos);
    ASSERT_EQ(merged.report.added.size(), 1U);
    EXPECT_EQ(merged.report.added[0].detail, "2 attributes: esc_a, esc_b");
}

TEST(MergeSteps, AnOptionSetKeepsTheInstalledOptionsAndResolvesLabelConflicts)
{
    auto option_set = [](const std::string& options) {
        return parse("<optionset Name=\"esc_status\"><options>" + options + "</options></optionset>");
    };
    auto option = [](int value, const std::string& label) {
        return "<option value=\"" + std::to_string(value) + "\"><labels><label description=\"" + label +
               "\" languagecode=\"1033\" /></labels></option>";
    };
    xml::Node ours = option_set(option(772630000, "New") + option(772630001, "Sent"));
    xml::Node theirs = option_set(option(772630000, "New") + option(772630009, "Custom"));
    merge::OptionSetMerge merged = merge::merge_option_set(ours, theirs, "esc_status", OnConflict::fail);
    EXPECT_FALSE(merged.keep_theirs);
    EXPECT_TRUE(merged.report.conflicts.empty());
    EXPECT_EQ(merged.option_set.child("options")->children_named("option").size(), 3U);

    xml::Node relabelled = option_set(option(772630001, "Delivered"));
    merge::OptionSetMerge kept = merge::merge_option_set(ours, relabelled, "esc_status", OnConflict::theirs);
    EXPECT_TRUE(kept.keep_theirs);
    ASSERT_EQ(kept.report.conflicts.size(), 1U);
    EXPECT_EQ(kept.report.conflicts[0].subject, "option set esc_status value 772630001");
    merge::OptionSetMerge written = merge::merge_option_set(ours, relabelled, "esc_status", OnConflict::ours);
    EXPECT_FALSE(written.keep_theirs);
    EXPECT_EQ(written.option_set.child("options")->children_named("option").size(), 2U);

    EXPECT_TRUE(merge::in_connector_option_range(772639999));
    EXPECT_FALSE(merge::in_connector_option_range(772640000));
    EXPECT_EQ(merge::option_value({{"value", "12"}}), 12);
    EXPECT_FALSE(merge::option_value({{"value", "1x"}}));
}

TEST(MergeSteps, TheScanKeepsOnlyWhatTheMergeTouches)
{
    const std::string k_shared_id = "5555aaaa-0000-4000-8000-000000000000"; // one of the connector's form ids
    TempDir dir;
    fs::path file = dir / "customizations.xml";
    write_bytes(file, "<ImportExportXml><Entities>" + entity_xml("contact", {"firstname:nvarchar"}) +
                          entity_xml("esc_gone", {"esc_x:int"}) +
                          entity_xml("new_thing", {"new_x:int"}, main_form(k_shared_id, "Thing")) +
                          "</Entities><Roles><Role id=\"{AAAA}\" name=\"Mine\" /></Roles>"
                          "<optionsets><optionset Name=\"new_colour\"><options><option value=\"772630005\" />"
                          "</options></optionset></optionsets></ImportExportXml>");
    connector::Connector ours;
    ours.sections.push_back(
        {"Entities", {parse(entity_xml("esc_queue", {"esc_a:int"}, main_form(k_shared_id, "Ours")))}});
    ours.sections.push_back({"Roles", {parse(R"(<Role id="{aaaa}" name="Email Marketing" />)")}});
    merge::OurIndex index = merge::index_connector(ours);
    EXPECT_EQ(index.role_names.at("aaaa"), "Email Marketing");
    EXPECT_EQ(index.entities.count("contact"), 1U) << "the extended entities count as ours";

    auto input = pack::open_input(file, {});
    merge::BaseScan scan = merge::scan_base(*input, index);
    std::vector<std::string> entities;
    for (const auto& [name, entity] : scan.entities) {
        entities.push_back(name);
    }
    EXPECT_EQ(entities, (std::vector<std::string>{"contact"}));
    EXPECT_EQ(scan.foreign_esc_entities, (std::vector<std::string>{"esc_gone"}));
    EXPECT_EQ(scan.items["Roles"].count("aaaa"), 1U);
    EXPECT_EQ(scan.id_hits.at(k_shared_id), "entity new_thing");
    EXPECT_EQ(scan.option_clashes, (std::vector<std::string>{"option value 772630005 in optionsets 'new_colour'"}));
    EXPECT_EQ(scan.sections, (std::set<std::string>{"Entities", "Roles", "optionsets"}));
    EXPECT_EQ(scan.items_seen, 5U);
}

TEST(MergeSteps, TheRewriteReplacesDropsAndAppendsInPlace)
{
    TempDir dir;
    fs::path file = dir / "customizations.xml";
    write_bytes(file, "<ImportExportXml version=\"8.2\"><Entities>" + entity_xml("contact", {"firstname:nvarchar"}) +
                          entity_xml("account", {"name:nvarchar"}) +
                          "</Entities><AppModules><AppModule><UniqueName>x</UniqueName></AppModule></AppModules>"
                          "</ImportExportXml>");
    connector::Connector ours;
    ours.sections.push_back({"Entities", {}});
    ours.sections.push_back({"Roles", {}});
    merge::Plan plan;
    plan.replace["Entities"]["contact"] = parse(entity_xml("contact", {"firstname:nvarchar", "esc_optin:bit"}));
    plan.append["Entities"].push_back(parse(entity_xml("esc_queue", {"esc_a:int"})));
    plan.append["Roles"].push_back(parse(R"(<Role id="{aaaa}" name="Email Marketing" />)"));
    plan.drop_sections.insert("AppModules");

    auto input = pack::open_input(file, {});
    NodeHandler out;
    merge::Rewrite rewrite =
        merge::rewrite_customizations(*input, plan, ours, out, xml::Attributes{{"version", "9.2"}});
    xml::Node root = out.take();
    EXPECT_EQ(*root.attribute("version"), "9.2");
    EXPECT_EQ(rewrite.preserved, 1U) << "account is written through";
    std::vector<std::string> sections;
    for (const auto& child : root.children) {
        if (child.is_element()) {
            sections.push_back(child.name);
        }
    }
    EXPECT_EQ(sections, (std::vector<std::string>{"Entities", "Roles", "AppModules"}));
    std::vector<std::string> entities;
    for (const xml::Node* entity : root.child("Entities")->children_named("Entity")) {
        entities.push_back(solution::entity_name(*entity));
    }
    EXPECT_EQ(entities, (std::vector<std::string>{"contact", "account", "esc_queue"}));
    EXPECT_EQ(attribute_names(*root.child("Entities")->children_named("Entity")[0]),
              (std::vector<std::string>{"firstname", "esc_optin"}));
    EXPECT_FALSE(root.child("AppModules")->has_element_children()) << "a dropped section is written empty";
}
