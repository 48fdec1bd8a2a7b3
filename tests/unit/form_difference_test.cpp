// A customer's form in a managed package: the connector's tab as a managed difference, the way
// real managed exports write a tab they add to a form they do not own.
#include "package/form_difference.hpp"
#include "support.hpp"
#include "xml/source.hpp"
#include "zip/reader.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace escprov::test {
namespace {

const char* const k_form =
    "<systemform>\n"
    "  <formid>{11111111-2222-3333-4444-555555555555}</formid>\n"
    "  <IntroducedVersion>1.0</IntroducedVersion>\n"
    "  <FormPresentation>1</FormPresentation>\n"
    "  <FormActivationState>1</FormActivationState>\n"
    "  <form>\n"
    "    <tabs>\n"
    "      <tab name=\"general\" id=\"{a}\"><columns><column width=\"100%\" /></columns></tab>\n"
    "      <tab name=\"notes\" id=\"{b}\" />\n"
    "      <tab name=\"esc_EmailMarketing\" id=\"{c}\" expanded=\"true\">\n"
    "        <columns>\n"
    "          <column width=\"50%\">\n"
    "            <sections>\n"
    "              <section name=\"one\"><rows>\n"
    "                <row><cell id=\"{c1}\" /><cell id=\"{c2}\" /></row>\n"
    "                <row><cell id=\"{c3}\" /><cell id=\"{c4}\" /></row>\n"
    "              </rows></section>\n"
    "              <section name=\"two\"><rows><row><cell id=\"{c5}\" /></row></rows></section>\n"
    "            </sections>\n"
    "          </column>\n"
    "          <column width=\"50%\" />\n"
    "        </columns>\n"
    "      </tab>\n"
    "    </tabs>\n"
    "    <Navigation />\n"
    "  </form>\n"
    "  <IsCustomizable>1</IsCustomizable>\n"
    "  <LocalizedNames><LocalizedName description=\"Information\" languagecode=\"1033\" /></LocalizedNames>\n"
    "</systemform>\n";

xml::Node parse_form(const std::string& text, const std::string& name)
{
    xml::MemorySource source(text, name);
    return xml::parse_document(source);
}

std::vector<std::string> attribute_names(const xml::Node& node)
{
    std::vector<std::string> names;
    for (const auto& attribute : node.attributes) {
        names.push_back(attribute.name);
    }
    return names;
}

std::vector<std::string> element_names(const xml::Node& node)
{
    std::vector<std::string> names;
    for (const auto& child : node.children) {
        if (child.is_element()) {
            names.push_back(child.name);
        }
    }
    return names;
}

TEST(FormDifference, OnlyTheConnectorsTabPlacedAndNumberedAsManagedExportsDo)
{
    auto difference = package::connector_form_difference(parse_form(k_form, "form.xml"));
    ASSERT_TRUE(difference.has_value());
    EXPECT_EQ(element_names(*difference), (std::vector<std::string>{"formid", "IntroducedVersion", "FormPresentation",
                                                                    "FormActivationState", "form", "LocalizedNames"}))
        << "identity and names kept, IsCustomizable is the customer's form's own";
    const xml::Node& form = *difference->child("form");
    EXPECT_EQ(element_names(form), std::vector<std::string>{"tabs"});
    const xml::Node& tabs = *form.child("tabs");
    ASSERT_EQ(element_names(tabs), std::vector<std::string>{"tab"});
    const xml::Node& tab = *tabs.child("tab");
    EXPECT_EQ(*tab.attribute("name"), "esc_EmailMarketing");
    EXPECT_EQ(*tab.attribute("ordinalvalue"), "2") << "its place among the form's tabs";
    EXPECT_EQ(attribute_names(tab),
              (std::vector<std::string>{"name", "id", "expanded", "ordinalvalue", "solutionaction"}));
    EXPECT_EQ(*tab.attribute("solutionaction"), "Added");

    std::vector<const xml::Node*> columns;
    for (const auto& child : tab.child("columns")->children) {
        if (child.is_element()) {
            columns.push_back(&child);
        }
    }
    ASSERT_EQ(columns.size(), 2u);
    EXPECT_EQ(*columns[0]->attribute("id"), "0");
    EXPECT_EQ(*columns[1]->attribute("id"), "1");
    std::vector<std::string> sections;
    std::vector<std::string> cells;
    for (const auto& section : columns[0]->child("sections")->children) {
        if (!section.is_element()) {
            continue;
        }
        sections.push_back(*section.attribute("ordinalvalue"));
        for (const auto& row : section.child("rows")->children) {
            for (const auto& cell : row.children) {
                if (cell.is_element()) {
                    cells.push_back(*cell.attribute("ordinalvalue"));
                }
            }
        }
    }
    EXPECT_EQ(sections, (std::vector<std::string>{"0", "1"}));
    // (place in the row + 1) * 10000 + the running number in the section.
    EXPECT_EQ(cells, (std::vector<std::string>{"10000", "20001", "10002", "20003", "10000"}));
}

TEST(FormDifference, AFormWithoutTheConnectorsTabHasNone)
{
    std::string form = std::regex_replace(std::string(k_form), std::regex("esc_EmailMarketing"), "new_custom");
    EXPECT_FALSE(package::connector_form_difference(parse_form(form, "form.xml")).has_value());
}

TEST(FormDifference, TheAddedTabLooksLikeOneInARealManagedExport)
{
    ESCPROV_REQUIRE_CORPUS();
    // A CRM 2011 managed solution that adds a tab to the Quote form.
    fs::path zip_path;
    for (const auto& entry : fs::recursive_directory_iterator(corpus_dir() / "solutions")) {
        if (entry.path().filename() == "SparkleXrmSamples__QuoteLineEditor_0_1_0_managed.zip") {
            zip_path = entry.path();
        }
    }
    ASSERT_FALSE(zip_path.empty()) << "the QuoteLineEditor managed export is not in the corpus";
    zip::Reader reader(zip_path);
    std::string customizations = reader.read(*reader.find("customizations.xml"));
    std::smatch real_tab;
    ASSERT_TRUE(std::regex_search(customizations, real_tab, std::regex("<tab ([^>]*)solutionaction=\"Added\">")));
    std::smatch column;
    std::string after = real_tab.suffix().str();
    ASSERT_TRUE(std::regex_search(after, column, std::regex("<column ([^>]*)>")));

    auto difference = package::connector_form_difference(parse_form(k_form, "form.xml"));
    ASSERT_TRUE(difference.has_value());
    const xml::Node& tab = *difference->child("form")->child("tabs")->child("tab");
    // Both write @ordinalvalue then @solutionaction last on the tab, and number columns by @id.
    EXPECT_NE(real_tab[1].str().find("ordinalvalue=\""), std::string::npos);
    std::vector<std::string> names = attribute_names(tab);
    ASSERT_GE(names.size(), 2u);
    EXPECT_EQ(names[names.size() - 2], "ordinalvalue");
    EXPECT_NE(column[1].str().find("id=\"0\""), std::string::npos);
}

TEST(FormDifference, AManagedPackageCarriesTheDifferenceAndAnUnmanagedOneTheForm)
{
    TempDir work;
    fs::path tree = work / "merged";
    RunResult merged =
        run_escprov({"merge", "--base", (source_dir() / "samples" / "orgs" / "crm2016-adatum.zip").string(), "--target",
                     "8.2", "--out", tree.string()});
    ASSERT_EQ(merged.exit_code, 0) << merged.err;
    for (const std::string type : {"managed", "unmanaged"}) {
        SCOPED_TRACE(type);
        fs::path zip_path = work / ("esc_" + type + ".zip");
        RunResult package =
            run_escprov({"package", tree.string(), "--" + type, "--target", "8.2", "-o", zip_path.string()});
        ASSERT_EQ(package.exit_code, 0) << package.err;
        fs::path out = work / ("unpacked-" + type);
        ASSERT_EQ(run_escprov({"unpack", zip_path.string(), out.string()}).exit_code, 0);
        xml::Node form =
            parse_file(out / "Entities" / "List" / "FormXml" / "main" / "{bd26147a-cf4c-556f-8168-8de3f5f7991d}.xml");
        std::vector<std::string> tabs;
        for (const auto& tab : form.child("form")->child("tabs")->children) {
            if (tab.is_element()) {
                tabs.push_back(*tab.attribute("name"));
            }
        }
        if (type == "managed") {
            EXPECT_EQ(tabs, std::vector<std::string>{"esc_EmailMarketing"});
            EXPECT_EQ(*form.child("form")->child("tabs")->child("tab")->attribute("solutionaction"), "Added");
        } else {
            EXPECT_EQ(tabs, (std::vector<std::string>{"general", "notes_tab", "esc_EmailMarketing"}));
        }
        EXPECT_EQ(run_escprov({"validate", zip_path.string()}).exit_code, 0);
    }
}

} // namespace
} // namespace escprov::test
