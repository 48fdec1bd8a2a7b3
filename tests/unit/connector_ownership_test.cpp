// What belongs in the connector's package: its own components and the customer main forms that
// carry its tab, nothing else; everything else is named.

#include "connector/ownership.hpp"
#include "pack/input.hpp"
#include "support.hpp"

using namespace escprov;
using namespace escprov::test;

namespace {

// The connector's tab id on contact's main forms (templates/form-tab-contact.xml).
const std::string k_contact_tab = "{10b31ac1-32d1-424b-8c30-c637b8cb9252}";

std::vector<std::string> foreign_in(const std::string& customizations)
{
    TempDir dir;
    write_bytes(dir / "customizations.xml", customizations);
    connector::Ownership ownership =
        connector::Ownership::read(connector::locate_connector(source_dir() / "solution"), {});
    auto input = pack::open_input(dir / "customizations.xml", {});
    return ownership.foreign_components(*input);
}

std::string contact(const std::string& attributes, const std::string& forms)
{
    return "<Entity><Name>Contact</Name><EntityInfo><entity Name=\"Contact\"><attributes>" + attributes +
           "</attributes></entity></EntityInfo><FormXml>" + forms + "</FormXml></Entity>";
}

std::string form(const std::string& id, const std::string& tab_id, const std::string& name)
{
    return "<systemform><formid>" + id + "</formid><form><tabs><tab name=\"t\" id=\"" + tab_id +
           "\" /></tabs></form><LocalizedNames><LocalizedName description=\"" + name +
           "\" languagecode=\"1033\" /></LocalizedNames></systemform>";
}

} // namespace

TEST(ConnectorOwnership, TheConnectorsOwnComponentsAndChangedMainFormsBelong)
{
    std::string text =
        "<ImportExportXml><Entities>" +
        contact(R"(<attribute PhysicalName="esc_EmailScore"><LogicalName>esc_emailscore</LogicalName></attribute>)",
                "<forms type=\"main\">" + form("{aaaa}", k_contact_tab, "Information") + "</forms>") +
        "<Entity><Name>esc_messagequeue</Name></Entity></Entities>"
        "<Roles><Role id=\"{EC244631-B1FC-48D2-8B6D-6B13EBFF0C70}\" name=\"Email Marketing Manager\" /></Roles>"
        "<optionsets><optionset Name=\"esc_campaignstatus\" /></optionsets>"
        "<SiteMap><SiteMap><Area Id=\"MA\" /></SiteMap></SiteMap>"
        "<Languages><Language>1033</Language></Languages></ImportExportXml>";
    EXPECT_EQ(foreign_in(text), std::vector<std::string>{});
}

TEST(ConnectorOwnership, EverythingElseIsNamed)
{
    std::string text =
        "<ImportExportXml><Entities>" +
        contact(R"(<attribute PhysicalName="esc_EmailScore"><LogicalName>esc_emailscore</LogicalName></attribute>
<attribute PhysicalName="new_badge"><LogicalName>new_badge</LogicalName></attribute>)",
                "<forms type=\"main\">" + form("{aaaa}", "{other}", "Information") + "</forms><forms type=\"quick\">" +
                    form("{bbbb}", k_contact_tab, "Quick") + "</forms>") +
        "<Entity><Name>new_event</Name></Entity><Entity><Name>esc_gone</Name></Entity></Entities>"
        "<Roles><Role id=\"{1234}\" name=\"Sales\" /></Roles>"
        "<optionsets><optionset Name=\"new_colour\" /></optionsets>"
        "<WebResources><WebResource><Name>new_/x.js</Name></WebResource></WebResources>"
        "<OrganizationSettings><Setting /></OrganizationSettings></ImportExportXml>";
    EXPECT_EQ(foreign_in(text), (std::vector<std::string>{
                                    "contact: attributes the connector does not have: new_badge",
                                    "contact: main form 'Information' {aaaa} without the connector's tab",
                                    "contact: quick form 'Quick' {bbbb}",
                                    "entity new_event",
                                    "entity esc_gone",
                                    "role 'Sales' {1234}",
                                    "option set new_colour",
                                    "web resource new_/x.js",
                                    "organization settings (<Setting> in OrganizationSettings)",
                                }));
}

// merge writes every extended entity (and, for 6.x, the application ribbon) with the empty ribbon
// skeleton its target's exports always have: that customises nothing. A ribbon with anything in
// its containers is the customer's.
TEST(ConnectorOwnership, AnEmptyRibbonSkeletonBelongsAndARibbonCustomisationDoesNot)
{
    std::string skeleton = "<RibbonDiffXml><CustomActions /><Templates><RibbonTemplates Id=\"Mscrm.Templates\" />"
                           "</Templates><CommandDefinitions /><RuleDefinitions><TabDisplayRules /><DisplayRules />"
                           "<EnableRules /></RuleDefinitions><LocLabels /></RibbonDiffXml>";
    std::string customised = "<RibbonDiffXml><CustomActions><HideCustomAction HideActionId=\"new.hide\" "
                             "Location=\"Mscrm.Form.contact.Save\" /></CustomActions><LocLabels /></RibbonDiffXml>";
    auto with_ribbon = [](const std::string& ribbon) {
        std::string entity = contact("", "");
        return "<ImportExportXml><Entities>" + entity.insert(entity.size() - std::string("</Entity>").size(), ribbon) +
               "</Entities></ImportExportXml>";
    };
    EXPECT_EQ(foreign_in(with_ribbon(skeleton)), std::vector<std::string>{});
    EXPECT_EQ(foreign_in(with_ribbon(customised)),
              std::vector<std::string>{"contact: ribbon customisations other than the connector's"});
    // The application ribbon (6.x exports always write the section) is judged the same way.
    EXPECT_EQ(foreign_in("<ImportExportXml>" + skeleton + "</ImportExportXml>"), std::vector<std::string>{});
    EXPECT_EQ(foreign_in("<ImportExportXml>" + customised + "</ImportExportXml>"),
              std::vector<std::string>{"application ribbon (<HideCustomAction> in RibbonDiffXml)"});
}
