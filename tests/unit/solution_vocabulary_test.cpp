// The solution model's vocabulary, written once for every feature: component type codes, item
// identity, privilege names and id normalising.

#include "solution/component_type.hpp"
#include "solution/identity.hpp"
#include "solution/privilege.hpp"
#include "xml/reader.hpp"
#include "xml/source.hpp"

#include <gtest/gtest.h>

using namespace escprov;
using solution::ComponentType;

namespace {

xml::Node parse(const std::string& text)
{
    xml::MemorySource source(text, "item.xml");
    return xml::parse_document(source);
}

} // namespace

TEST(SolutionVocabulary, ComponentTypesReadAndWriteTheirCodes)
{
    EXPECT_EQ(solution::type_text(ComponentType::system_form), "60");
    EXPECT_EQ(solution::type_code(ComponentType::app_module), 80);
    EXPECT_EQ(solution::parse_component_type(" 62 "), ComponentType::site_map);
    EXPECT_EQ(solution::parse_component_type("9"), ComponentType::option_set);
    EXPECT_FALSE(solution::parse_component_type(""));
    EXPECT_FALSE(solution::parse_component_type("6x"));
    // A code no name covers still reads back as itself.
    auto unnamed = solution::parse_component_type("10112");
    ASSERT_TRUE(unnamed);
    EXPECT_EQ(solution::type_code(*unnamed), 10112);
    EXPECT_EQ(solution::component_type_name(*unnamed), "type 10112");
    EXPECT_EQ(solution::component_type_name(ComponentType::entity), "Entity");
    EXPECT_EQ(solution::component_type_name(ComponentType::sdk_message_processing_step), "SDK Message Processing Step");
}

TEST(SolutionVocabulary, IdsAndNamesCompareWithoutSpaceBracesOrCase)
{
    EXPECT_EQ(solution::normalise_id(" {1FED44D1-AE68-4A41-BD2B-F13ACAC4ACFA} "),
              "1fed44d1-ae68-4a41-bd2b-f13acac4acfa");
    EXPECT_EQ(solution::normalise_id("1fed44d1-ae68"), "1fed44d1-ae68");
    EXPECT_EQ(solution::normalise_id("Contact"), "contact");
    EXPECT_EQ(solution::normalise_id("{"), "{");
    EXPECT_EQ(solution::normalise_id(""), "");
}

TEST(SolutionVocabulary, EachSectionNamesItsItemsItsOwnWay)
{
    EXPECT_EQ(solution::item_identity("Entities", parse("<Entity><Name LocalizedName=\"C\"> Contact </Name></Entity>")),
              "contact");
    EXPECT_EQ(solution::item_identity("Roles", parse(R"(<Role id="{AB-CD}" name="x" />)")), "ab-cd");
    EXPECT_EQ(solution::item_identity("optionsets", parse(R"(<optionset Name="esc_SyncStatus" />)")), "esc_syncstatus");
    EXPECT_EQ(solution::item_identity("Workflows", parse(R"(<Workflow WorkflowId="{EF}" Name="w" />)")), "ef");
    EXPECT_EQ(solution::item_identity("WebResources", parse("<WebResource><Name>esc_/A.js</Name></WebResource>")),
              "esc_/a.js");
    EXPECT_EQ(solution::item_identity("AppModules", parse("<AppModule><UniqueName>esc_App</UniqueName></AppModule>")),
              "esc_app");
    EXPECT_EQ(
        solution::item_identity("AppModuleSiteMaps",
                                parse("<AppModuleSiteMap><SiteMapUniqueName>S</SiteMapUniqueName></AppModuleSiteMap>")),
        "s");
    EXPECT_EQ(solution::item_identity("Languages", parse("<Language>1033</Language>")), "");
    // Streaming readers learn which child names an item; attribute-named items have none.
    EXPECT_EQ(solution::identity_child("Entities"), "Name");
    EXPECT_EQ(solution::identity_child("AppModuleSiteMaps"), "SiteMapUniqueName");
    EXPECT_EQ(solution::identity_child("Roles"), "");
}

TEST(SolutionVocabulary, EntityAndAttributeNames)
{
    xml::Node entity = parse(R"(<Entity><Name>Contact</Name><EntityInfo><entity Name="Contact"><attributes>
<attribute PhysicalName="esc_Score"><Type>Int</Type></attribute>
<attribute PhysicalName="x"><LogicalName>esc_optin</LogicalName><Type>bit</Type></attribute>
</attributes></entity></EntityInfo></Entity>)");
    EXPECT_EQ(solution::entity_name(entity), "contact");
    const xml::Node* attributes = solution::entity_attributes(static_cast<const xml::Node&>(entity));
    ASSERT_NE(attributes, nullptr);
    auto list = attributes->children_named("attribute");
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(solution::attribute_name(*list[0]), "esc_score");
    EXPECT_EQ(solution::attribute_type(*list[0]), "int");
    EXPECT_EQ(solution::attribute_name(*list[1]), "esc_optin");
    EXPECT_EQ(solution::entity_attributes(parse("<Entity><Name>x</Name></Entity>")), nullptr);
}

TEST(SolutionVocabulary, PrivilegeNamesSplitIntoActionAndEntity)
{
    auto append_to = solution::parse_privilege("prvAppendToesc_emailcampaign");
    ASSERT_TRUE(append_to);
    EXPECT_EQ(append_to->action, "AppendTo");
    EXPECT_EQ(append_to->entity, "esc_emailcampaign");
    auto append = solution::parse_privilege("prvAppendAccount");
    ASSERT_TRUE(append);
    EXPECT_EQ(append->action, "Append");
    EXPECT_EQ(append->entity, "Account");
    EXPECT_EQ(solution::parse_privilege("prvReadContact")->action, "Read");
    EXPECT_FALSE(solution::parse_privilege("prvRead"));         // no entity
    EXPECT_FALSE(solution::parse_privilege("prvPublishEmail")); // not an entity action
    EXPECT_FALSE(solution::parse_privilege("ReadContact"));
    EXPECT_EQ(solution::k_privilege_actions.front(), "Create");
    EXPECT_EQ(solution::k_privilege_actions.back(), "Share");
}
