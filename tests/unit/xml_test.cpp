// The XML reader and writer: CRM-style output, exact round trips, and hostile-input refusals.

#include "xml/node.hpp"
#include "xml/writer.hpp"

#include <gtest/gtest.h>

using namespace escprov;

namespace {

std::string round_trip(const std::string& input, xml::Style style = {})
{
    xml::MemorySource source(input, "input.xml");
    xml::Node root = xml::parse_document(source);
    return xml::to_string(root, style);
}

xml::ParseError parse_error(const std::string& input, xml::Limits limits = {})
{
    xml::MemorySource source(input, "bad.xml");
    try {
        xml::parse_document(source, limits);
    } catch (const xml::ParseError& e) {
        return e;
    }
    ADD_FAILURE() << "no ParseError for: " << input.substr(0, 80);
    return xml::ParseError(ErrorKind::input, "", {}, "");
}

} // namespace

TEST(XmlWriter, ReproducesCrmExportFormatting)
{
    std::string crm = "<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n"
                      "  <Entities />\r\n"
                      "  <Roles></Roles>\r\n"
                      "  <SiteMap>\r\n"
                      "    <SiteMap IntroducedVersion=\"7.0.0.0\">\r\n"
                      "      <Area Id=\"SFA\" ShowGroups=\"true\" />\r\n"
                      "    </SiteMap>\r\n"
                      "  </SiteMap>\r\n"
                      "  <EMailAddress xsi:nil=\"true\"></EMailAddress>\r\n"
                      "  <ControlDescriptionXML>&lt;controlDescriptions /&gt;</ControlDescriptionXML>\r\n"
                      "  <Title Text=\"a &quot;b&quot; &amp; c&#xA;d\">Tab\there</Title>\r\n"
                      "</ImportExportXml>";
    EXPECT_EQ(round_trip(crm), crm);
}

TEST(XmlWriter, KeepsLeafWhitespaceAndCarriageReturnsAsData)
{
    std::string input = "<a><b> </b><c>x&#xD;y</c></a>";
    EXPECT_EQ(round_trip(input), "<a>\r\n  <b> </b>\r\n  <c>x&#xD;y</c>\r\n</a>");
}

TEST(XmlWriter, WritesDeclarationAndBomWhenAsked)
{
    xml::Style style;
    style.bom = true;
    style.declaration = true;
    EXPECT_EQ(round_trip("<a/>", style), "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<a />");
}

TEST(XmlReader, ReportsEmptyTagsAndLocations)
{
    xml::MemorySource source("<a>\n  <b/>\n  <c></c>\n</a>", "doc.xml");
    xml::Node root = xml::parse_document(source);
    ASSERT_EQ(root.children_named("b").size(), 1u);
    EXPECT_TRUE(root.child("b")->empty_tag);
    EXPECT_FALSE(root.child("c")->empty_tag);
    EXPECT_EQ(root.child("b")->location.line, 2u);
}

TEST(XmlReader, RefusesDoctypeBeforeAnyEntityIsRead)
{
    auto error =
        parse_error("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>");
    EXPECT_NE(error.cause().find("DOCTYPE"), std::string::npos) << error.what();
}

TEST(XmlReader, RefusesBillionLaughs)
{
    std::string doc = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">";
    for (int i = 1; i < 10; ++i) {
        doc += "<!ENTITY lol" + std::to_string(i) + " \"";
        for (int k = 0; k < 10; ++k) {
            doc += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
        }
        doc += "\">";
    }
    doc += "]><lolz>&lol9;</lolz>";
    auto error = parse_error(doc);
    EXPECT_NE(error.cause().find("DOCTYPE"), std::string::npos);
}

TEST(XmlReader, StopsDeepNestingAtTheLimit)
{
    std::string doc;
    for (int i = 0; i < 100000; ++i) {
        doc += "<a>";
    }
    auto error = parse_error(doc);
    EXPECT_EQ(error.kind(), ErrorKind::limit);
    EXPECT_NE(error.cause().find("nest deeper"), std::string::npos);
}

TEST(XmlReader, RefusesInvalidUtf8WithAPlace)
{
    auto error = parse_error("<a>caf\xC3</a>");
    EXPECT_EQ(error.kind(), ErrorKind::input);
    EXPECT_EQ(error.file(), "bad.xml");
}

TEST(XmlReader, StopsAGiantAttributeValueWithoutLoadingIt)
{
    std::string doc = "<a v=\"" + std::string(3u << 20, 'x') + "\"/>";
    xml::Limits limits;
    limits.max_token_bytes = 1u << 20;
    xml::MemorySource source(doc, "big.xml");
    try {
        xml::parse_document(source, limits);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::limit);
        EXPECT_NE(std::string(e.what()).find("--max-token"), std::string::npos);
    }
}

TEST(XmlWriter, KeepsMarkupTheSourceWroteOnOneLineWhenAsked)
{
    std::string crm = "<CustomControlDefaultConfig>\r\n"
                      "  <ControlDescriptionXML><controlDescriptions /></ControlDescriptionXML>\r\n"
                      "  <IntroducedVersion>1.0.0.0</IntroducedVersion>\r\n"
                      "</CustomControlDefaultConfig>";
    xml::Style keep;
    keep.keep_unindented_markup = true;
    EXPECT_EQ(round_trip(crm, keep), crm);
    // Without the option every element with element children is indented.
    EXPECT_NE(round_trip(crm).find("<ControlDescriptionXML>\r\n    <controlDescriptions />"), std::string::npos);
}

TEST(XmlWriter, PutsBuiltElementsOnTheirOwnLinesWhenKeepingUnindentedMarkup)
{
    xml::Node list = xml::make_element("EntityRelationships");
    for (const char* name : {"a", "b"}) {
        xml::Node entry = xml::make_element("EntityRelationship", {{"Name", name}});
        entry.empty_tag = true;
        xml::append_on_own_line(list, std::move(entry));
    }
    xml::Style keep;
    keep.keep_unindented_markup = true;
    EXPECT_EQ(xml::to_string(list, keep), "<EntityRelationships>\r\n  <EntityRelationship Name=\"a\" />\r\n"
                                          "  <EntityRelationship Name=\"b\" />\r\n</EntityRelationships>");
}

TEST(XmlNode, EqualIgnoringLayoutIgnoresIndentationAndAttributeOrderOnly)
{
    auto parse = [](const std::string& text) {
        xml::MemorySource source(text, "n.xml");
        return xml::parse_document(source);
    };
    xml::Node a = parse("<a x=\"1\" y=\"2\">\r\n  <b>t</b>\r\n</a>");
    EXPECT_TRUE(xml::equal_ignoring_layout(a, parse("<a y=\"2\" x=\"1\"><b>t</b></a>")));
    EXPECT_FALSE(xml::equal_ignoring_layout(a, parse("<a x=\"1\" y=\"2\"><b>u</b></a>")));
    EXPECT_FALSE(xml::equal_ignoring_layout(a, parse("<a x=\"1\"><b>t</b></a>")));
    EXPECT_FALSE(xml::equal_ignoring_layout(a, parse("<a x=\"1\" y=\"2\"><b>t</b><c /></a>")));
    EXPECT_FALSE(xml::equal_ignoring_layout(parse("<b> </b>"), parse("<b></b>"))) << "leaf whitespace is data";
}
