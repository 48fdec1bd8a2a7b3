// The sitemap merge on real default org sitemaps (CRM 2011, 2013, 2016, 8.2): every customer
// Area, Group and SubArea keeps its place and content, the connector's parts are added where
// they belong, a removed Marketing area falls back with a warning, and merging is idempotent.

#include "merge/sitemap.hpp"
#include "support.hpp"
#include "xml/writer.hpp"

using namespace escprov;
using namespace escprov::test;

namespace {

// What the connector adds, in the shape the merge expects: an Email Marketing group in the
// Marketing area and Email Accounts under Settings.
const std::string k_connector = R"(<SiteMap>
  <Area Id="MA">
    <Group Id="esc_EmailMarketing">
      <Titles><Title LCID="1033" Title="Email Marketing" /></Titles>
      <SubArea Id="esc_emailcampaigns" Entity="esc_emailcampaign" />
      <SubArea Id="esc_suppressions" Entity="esc_emailsupression" />
    </Group>
  </Area>
  <Area Id="Settings">
    <Group Id="esc_EmailSettings">
      <SubArea Id="esc_emailaccounts" Entity="esc_emailaccount" />
    </Group>
  </Area>
</SiteMap>)";

xml::Node parse(const std::string& text)
{
    xml::MemorySource source(text, "sitemap.xml");
    return xml::parse_document(source);
}

// "Area/Group/SubArea" paths of every node with an Id, in document order.
void collect_ids(const xml::Node& node, const std::string& prefix, std::vector<std::string>& out)
{
    for (const auto& child : node.children) {
        if (!child.is_element()) {
            continue;
        }
        const std::string* id = child.attribute("Id");
        std::string path = id != nullptr ? prefix + "/" + child.name + ":" + *id : prefix;
        if (id != nullptr) {
            out.push_back(path);
        }
        collect_ids(child, path, out);
    }
}

std::vector<std::string> ids(const xml::Node& sitemap)
{
    std::vector<std::string> out;
    collect_ids(sitemap, "", out);
    return out;
}

std::vector<fs::path> default_sitemaps()
{
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(corpus_dir() / "sitemaps")) {
        found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

} // namespace

TEST(MergeSitemap, KeepsEveryCustomerNodeInPlaceAndAddsTheConnectorsAtTheEnd)
{
    ESCPROV_REQUIRE_CORPUS();
    auto sitemaps = default_sitemaps();
    ASSERT_EQ(sitemaps.size(), 4u);
    for (const auto& path : sitemaps) {
        SCOPED_TRACE(path.filename().string());
        xml::Node customer = parse(read_bytes(path));
        merge::SitemapMerge merged = merge::merge_sitemap(customer, parse(k_connector));
        EXPECT_TRUE(merged.warnings.empty());
        EXPECT_TRUE(merged.conflicts.empty());

        std::vector<std::string> before = ids(customer);
        std::vector<std::string> after = ids(merged.sitemap);
        std::vector<std::string> customers_after;
        std::copy_if(after.begin(), after.end(), std::back_inserter(customers_after),
                     [](const std::string& id) { return id.find(":esc_") == std::string::npos; });
        EXPECT_EQ(customers_after, before) << "a customer node moved, changed or vanished";

        // The connector's group is the last Group of the Marketing area, its SubAreas in order.
        auto group = std::find(after.begin(), after.end(), "/Area:MA/Group:esc_EmailMarketing");
        ASSERT_NE(group, after.end());
        EXPECT_EQ(*(group + 1), "/Area:MA/Group:esc_EmailMarketing/SubArea:esc_emailcampaigns");
        EXPECT_EQ(*(group + 2), "/Area:MA/Group:esc_EmailMarketing/SubArea:esc_suppressions");
        EXPECT_TRUE(group + 3 == after.end() || (group + 3)->rfind("/Area:MA/", 0) != 0);
        EXPECT_NE(
            std::find(after.begin(), after.end(), "/Area:Settings/Group:esc_EmailSettings/SubArea:esc_emailaccounts"),
            after.end());
        EXPECT_EQ(merged.added.size(), 2u);
    }
}

TEST(MergeSitemap, MergingTwiceChangesNothingMore)
{
    ESCPROV_REQUIRE_CORPUS();
    for (const auto& path : default_sitemaps()) {
        SCOPED_TRACE(path.filename().string());
        merge::SitemapMerge once = merge::merge_sitemap(parse(read_bytes(path)), parse(k_connector));
        merge::SitemapMerge twice = merge::merge_sitemap(once.sitemap, parse(k_connector));
        EXPECT_FALSE(twice.changed());
        EXPECT_TRUE(twice.conflicts.empty());
        xml::Style style;
        style.keep_unindented_markup = true;
        EXPECT_EQ(xml::to_string(twice.sitemap, style), xml::to_string(once.sitemap, style));
    }
}

TEST(MergeSitemap, AddsMissingSubAreasToAnOlderConnectorGroup)
{
    xml::Node customer = parse(R"(<SiteMap><Area Id="MA"><Group Id="esc_EmailMarketing">
      <SubArea Id="esc_emailcampaigns" Entity="esc_emailcampaign" /></Group></Area>
      <Area Id="Settings" /></SiteMap>)");
    merge::SitemapMerge merged = merge::merge_sitemap(customer, parse(k_connector));
    ASSERT_EQ(merged.added.size(), 2u);
    EXPECT_EQ(merged.added[0], "SubArea 'esc_suppressions' added to Group 'esc_EmailMarketing' in Area 'MA'");
    std::vector<std::string> after = ids(merged.sitemap);
    ASSERT_EQ(after.size(), 7u); // MA, its group, 2 SubAreas; Settings, our group, its SubArea
    EXPECT_EQ(after[2], "/Area:MA/Group:esc_EmailMarketing/SubArea:esc_emailcampaigns"); // the customer's, first
    EXPECT_EQ(after[3], "/Area:MA/Group:esc_EmailMarketing/SubArea:esc_suppressions");
}

TEST(MergeSitemap, ARemovedMarketingAreaFallsBackWithAWarning)
{
    xml::Node customer =
        parse(R"(<SiteMap><Area Id="SFA"><Group Id="Customers" /></Area><Area Id="Settings" /></SiteMap>)");
    merge::SitemapMerge merged = merge::merge_sitemap(customer, parse(k_connector));
    ASSERT_EQ(merged.warnings.size(), 1u);
    EXPECT_NE(merged.warnings[0].find("no Area 'MA'"), std::string::npos);
    std::vector<std::string> after = ids(merged.sitemap);
    EXPECT_EQ(after[0], "/Area:SFA");
    EXPECT_NE(std::find(after.begin(), after.end(), "/Area:Settings/Group:esc_EmailSettings/SubArea:esc_emailaccounts"),
              after.end());
    // The fallback Area is the sitemap's last, holding the Marketing group.
    EXPECT_EQ(after.back(), "/Area:esc_EmailMarketing/Group:esc_EmailMarketing/SubArea:esc_suppressions");
    EXPECT_EQ(*merged.sitemap.children_named("Area").back()->attribute("Id"), "esc_EmailMarketing");
}

TEST(MergeSitemap, ACustomerSubAreaWithTheConnectorsIdIsKeptAndReported)
{
    xml::Node customer = parse(R"(<SiteMap><Area Id="MA"><Group Id="esc_EmailMarketing">
      <SubArea Id="esc_emailcampaigns" Entity="account" /></Group></Area><Area Id="Settings" /></SiteMap>)");
    merge::SitemapMerge merged = merge::merge_sitemap(customer, parse(k_connector));
    ASSERT_EQ(merged.conflicts.size(), 1u);
    EXPECT_NE(merged.conflicts[0].find("SubArea 'esc_emailcampaigns'"), std::string::npos);
    const xml::Node* kept = merged.sitemap.child("Area")->child("Group")->child("SubArea");
    EXPECT_EQ(*kept->attribute("Entity"), "account");
}

TEST(MergeSitemap, BuiltNodesAreIndentedWhenWrittenLikeAnExport)
{
    xml::Node customer = parse("<SiteMap>\r\n  <Area Id=\"MA\" />\r\n  <Area Id=\"Settings\" />\r\n</SiteMap>");
    merge::SitemapMerge merged = merge::merge_sitemap(customer, parse(k_connector));
    xml::Style style;
    style.keep_unindented_markup = true;
    std::string written = xml::to_string(merged.sitemap, style);
    EXPECT_NE(written.find("\r\n  <Area Id=\"MA\">\r\n    <Group Id=\"esc_EmailMarketing\">"), std::string::npos)
        << written;
}
