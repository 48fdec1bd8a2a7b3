// Adding the connector's tab to real customer forms (the main forms of a CRM 2015 org export):
// the customer's tabs keep their order and content, ours comes last, merging twice adds nothing.

#include "merge/form.hpp"
#include "solution/identity.hpp"
#include "support.hpp"
#include "zip/reader.hpp"

using namespace escprov;
using namespace escprov::test;

namespace {

const std::string k_tab =
    R"(<tab name="esc_EmailMarketing" id="{6f1c2a8e-3d4b-4c5a-9e7f-0a1b2c3d4e5f}" IsUserDefined="1">
  <labels><label description="Email Marketing" languagecode="1033" /></labels>
  <columns><column width="100%"><sections /></column></columns>
</tab>)";

xml::Node parse(const std::string& text)
{
    xml::MemorySource source(text, "form.xml");
    return xml::parse_document(source);
}

std::vector<std::string> tab_ids(const xml::Node& systemform)
{
    std::vector<std::string> ids;
    for (const xml::Node* tab : systemform.child("form")->child("tabs")->children_named("tab")) {
        ids.push_back(*tab->attribute("id"));
    }
    return ids;
}

// Every main <systemform> of the org export's entities.
std::vector<xml::Node> org_forms()
{
    zip::Reader zip(corpus_dir() / "orgs" / "crm2015-online-default-export.zip");
    std::string bytes = zip.read(*zip.find("customizations.xml"));
    xml::Node root = parse(bytes);
    std::vector<xml::Node> forms;
    for (const xml::Node* entity : root.child("Entities")->children_named("Entity")) {
        const xml::Node* form_xml = entity->child("FormXml");
        if (form_xml == nullptr) {
            continue;
        }
        for (const xml::Node* group : form_xml->children_named("forms")) {
            for (const xml::Node* form : group->children_named("systemform")) {
                forms.push_back(*form);
            }
        }
    }
    return forms;
}

} // namespace

TEST(MergeForm, AddsTheTabLastAndKeepsEveryCustomerTab)
{
    ESCPROV_REQUIRE_CORPUS();
    auto forms = org_forms();
    ASSERT_GE(forms.size(), 5u);
    for (const auto& form : forms) {
        SCOPED_TRACE(form.child_text("formid"));
        merge::FormMerge merged = merge::merge_form_tab(form, parse(k_tab));
        ASSERT_TRUE(merged.warnings.empty()) << merged.warnings.front();
        std::vector<std::string> before = tab_ids(form);
        std::vector<std::string> after = tab_ids(merged.form);
        ASSERT_EQ(after.size(), before.size() + 1);
        EXPECT_TRUE(std::equal(before.begin(), before.end(), after.begin()));
        EXPECT_EQ(after.back(), "{6f1c2a8e-3d4b-4c5a-9e7f-0a1b2c3d4e5f}");
        merge::FormMerge again = merge::merge_form_tab(merged.form, parse(k_tab));
        EXPECT_FALSE(again.changed());
        EXPECT_TRUE(again.conflicts.empty());
    }
}

TEST(MergeForm, ACustomerTabWithTheConnectorsIdIsKeptAndReported)
{
    xml::Node form = parse(R"(<systemform><formid>{a}</formid><form><tabs>
      <tab name="mine" id="{6F1C2A8E-3D4B-4C5A-9E7F-0A1B2C3D4E5F}" /></tabs></form></systemform>)");
    merge::FormMerge merged = merge::merge_form_tab(form, parse(k_tab));
    ASSERT_EQ(merged.conflicts.size(), 1u);
    EXPECT_NE(merged.conflicts[0].find("other content"), std::string::npos);
    EXPECT_EQ(tab_ids(merged.form).size(), 1u);
    EXPECT_EQ(*merged.form.child("form")->child("tabs")->child("tab")->attribute("name"), "mine");
}

TEST(MergeForm, LeavesManagedDifferencesAndFormsWithoutTabsAloneWithAWarning)
{
    xml::Node managed = parse(R"(<systemform><formid>{b}</formid><form><tabs>
      <tab id="{1}" solutionaction="Added" /></tabs></form></systemform>)");
    merge::FormMerge merged = merge::merge_form_tab(managed, parse(k_tab));
    EXPECT_FALSE(merged.changed());
    ASSERT_EQ(merged.warnings.size(), 1u);
    EXPECT_NE(merged.warnings[0].find("managed differences"), std::string::npos);

    xml::Node bare = parse("<systemform><formid>{c}</formid></systemform>");
    EXPECT_EQ(merge::merge_form_tab(bare, parse(k_tab)).warnings.size(), 1u);
}

TEST(MergeForm, GuidsCompareWithoutBracesOrCase)
{
    EXPECT_EQ(solution::normalise_id("{6F1C2A8E-3D4B}"), "6f1c2a8e-3d4b");
    EXPECT_EQ(solution::normalise_id("6f1c2a8e-3d4b"), "6f1c2a8e-3d4b");
}
