// escprov-fake-dataverse's Organization service (SOAP), the only API of CRM 2011-2015 orgs:
// WhoAmI, RetrieveVersion, export, a synchronous import that changes the org, RetrieveMultiple
// with FetchXML, metadata, and failures as s:Fault with an OrganizationServiceFault.

#include "emulator_support.hpp"

namespace escprov::test {
namespace {

std::string escaped(const std::string& text)
{
    std::string out;
    for (char c : text) {
        out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
    }
    return out;
}

TEST(EmulatorSoap, WhoAmIAndVersionOnA2011Org)
{
    FakeDataverse org({"--org-version", "5.0", "--seed", sample_org("crm2011-fabrikam")});
    std::string token = org.token();
    HttpAnswer who = org.soap("WhoAmI", "", token);
    ASSERT_EQ(who.status, 200);
    EXPECT_NE(who.header("Content-Type").find("text/xml"), std::string::npos);
    EXPECT_NE(who.body.find("<c:key>UserId</c:key><c:value i:type=\"d:guid\""), std::string::npos);
    HttpAnswer version = org.soap("RetrieveVersion", "", token);
    EXPECT_NE(version.body.find(">5.0.9690.4376</c:value>"), std::string::npos) << version.body;
    HttpAnswer wrong_action = org.post("/XRMServices/2011/Organization.svc/web", "<x/>", "text/xml; charset=utf-8",
                                       token, {{"SOAPAction", "urn:other"}});
    EXPECT_EQ(wrong_action.status, 500);
}

TEST(EmulatorSoap, ExportImportAndQueryOnA2011Org)
{
    TempDir dir;
    fs::path package = connector_package(dir.path(), "crm2011-fabrikam", "5.0");
    ASSERT_FALSE(package.empty());
    FakeDataverse org({"--org-version", "5.0", "--seed", sample_org("crm2011-fabrikam"), "--import-step-ms", "10"});
    std::string token = org.token();
    std::string export_parameters =
        soap_parameter("SolutionName", "string", "Default") + soap_parameter("Managed", "boolean", "false");
    HttpAnswer exported = org.soap("ExportSolution", export_parameters, token);
    ASSERT_EQ(exported.status, 200);
    save_export(exported, dir / "before.zip");
    EXPECT_EQ(zip_entry(dir / "before.zip", "customizations.xml"),
              zip_entry(sample_org("crm2011-fabrikam"), "customizations.xml"));

    std::string job = "6a0c2a1e-0000-4000-8000-000000000001";
    HttpAnswer imported =
        org.soap("ImportSolution",
                 soap_parameter("CustomizationFile", "base64Binary", base64(read_bytes(package))) +
                     soap_parameter("OverwriteUnmanagedCustomizations", "boolean", "true") +
                     soap_parameter("PublishWorkflows", "boolean", "true") + soap_parameter("ImportJobId", "guid", job),
                 token);
    ASSERT_EQ(imported.status, 200) << imported.body;
    EXPECT_EQ(org.soap("PublishAllXml", "", token).status, 200);
    save_export(org.soap("ExportSolution", export_parameters, token), dir / "after.zip");
    EXPECT_NE(zip_entry(dir / "after.zip", "customizations.xml").find(">esc_emailaccount</Name>"), std::string::npos);

    std::string fetch = "<fetch><entity name=\"importjob\"><attribute name=\"progress\"/><attribute "
                        "name=\"solutionname\"/><filter><condition attribute=\"importjobid\" operator=\"eq\" value=\"" +
                        job + "\"/></filter></entity></fetch>";
    HttpAnswer query = org.soap("RetrieveMultiple",
                                "<a:KeyValuePairOfstringanyType><c:key>Query</c:key><c:value "
                                "i:type=\"a:FetchExpression\"><a:Query>" +
                                    escaped(fetch) + "</a:Query></c:value></a:KeyValuePairOfstringanyType>",
                                token);
    ASSERT_EQ(query.status, 200);
    EXPECT_NE(query.body.find("<c:key>solutionname</c:key><c:value i:type=\"d:string\" "
                              "xmlns:d=\"http://www.w3.org/2001/XMLSchema\">EmailServiceConnector</c:value>"),
              std::string::npos)
        << query.body;
    HttpAnswer metadata = org.soap("RetrieveAllEntities", soap_parameter("EntityFilters", "string", "Entity"), token);
    EXPECT_NE(metadata.body.find("<e:LogicalName>esc_emailaccount</e:LogicalName>"), std::string::npos);
}

TEST(EmulatorSoap, FailedImportIsAFaultOnA2015Org)
{
    TempDir dir;
    HandOff hand_off = make_hand_off(dir.path()); // an 8.2 package: newer than a 7.0 org
    ASSERT_FALSE(hand_off.managed.empty());
    FakeDataverse org({"--org-version", "7.0", "--seed", sample_org("crm2011-fabrikam"), "--import-step-ms", "5"});
    std::string token = org.token();
    std::string job = "6a0c2a1e-0000-4000-8000-000000000002";
    HttpAnswer imported =
        org.soap("ImportSolution",
                 soap_parameter("CustomizationFile", "base64Binary", base64(read_bytes(hand_off.managed))) +
                     soap_parameter("OverwriteUnmanagedCustomizations", "boolean", "true") +
                     soap_parameter("PublishWorkflows", "boolean", "true") + soap_parameter("ImportJobId", "guid", job),
                 token);
    EXPECT_EQ(imported.status, 500);
    EXPECT_NE(imported.body.find("<faultcode>s:Client</faultcode>"), std::string::npos);
    EXPECT_NE(imported.body.find("<ErrorCode>-2147188632</ErrorCode>"), std::string::npos) << imported.body;
    EXPECT_NE(imported.body.find("newer version"), std::string::npos);
    HttpAnswer results =
        org.soap("RetrieveFormattedImportJobResults", soap_parameter("ImportJobId", "guid", job), token);
    EXPECT_EQ(results.status, 200);
    EXPECT_NE(results.body.find("0x8004F052"), std::string::npos);
}

} // namespace
} // namespace escprov::test
