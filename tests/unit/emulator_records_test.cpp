// The Dataverse emulator's record layer driven in process (no socket): CRUD with Dataverse's
// answers and error bodies, conditional writes, lookups, $filter/$orderby/$top/$count, OData
// paging, FetchXML with paging cookies, and the tables' atomic steps (for $batch, see
// emulator_batch_test.cpp).

#include "emulators/dataverse/records.hpp"

#include "emulators/dataverse/record_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace {

using escprov::emulator::HttpRequest;
using escprov::emulator::HttpResponse;
using escprov::emulator::Tables;
using nlohmann::json;

const std::string k_base = "http://127.0.0.1:4711/api/data/v9.2";

class Records : public testing::Test {
protected:
    Records()
    {
        m_tables.define({"account",
                         "accounts",
                         "accountid",
                         "name",
                         {{"name", "string", ""},
                          {"revenue", "money", ""},
                          {"numberofemployees", "int", ""},
                          {"creditonhold", "bool", ""},
                          {"description", "memo", ""},
                          {"primarycontactid", "lookup", "contact"}}});
        m_tables.define(
            {"contact",
             "contacts",
             "contactid",
             "fullname",
             {{"fullname", "string", ""}, {"emailaddress1", "string", ""}, {"parentcustomerid", "lookup", "account"}}});
    }

    static HttpRequest request(const std::string& method, const std::string& path, const std::string& query = "",
                               const std::string& body = "",
                               const std::vector<std::pair<std::string, std::string>>& headers = {})
    {
        HttpRequest out;
        out.method = method;
        out.path = path;
        out.query = query;
        out.body = body;
        out.base_url = k_base;
        out.headers.emplace("accept", "application/json");
        out.headers.emplace("odata-version", "4.0");
        for (const auto& [name, value] : headers) {
            out.headers.emplace(name, value);
        }
        return out;
    }

    HttpResponse serve(const HttpRequest& r)
    {
        auto response = escprov::emulator::serve_records(m_tables, r);
        EXPECT_TRUE(response.has_value()) << r.method << " " << r.path;
        return response.value_or(HttpResponse{});
    }

    static std::string header(const HttpResponse& response, const std::string& name)
    {
        for (const auto& [key, value] : response.headers) {
            if (key == name) {
                return value;
            }
        }
        return {};
    }

    static json body(const HttpResponse& response) { return json::parse(response.body); }

    // Creates an account through the Web API and returns its id, read from OData-EntityId.
    std::string create_account(const json& fields)
    {
        auto response = serve(request("POST", "/accounts", "", fields.dump()));
        EXPECT_EQ(response.status, 204) << response.body;
        std::string entity = header(response, "OData-EntityId");
        auto open = entity.rfind('(');
        return entity.substr(open + 1, entity.size() - open - 2);
    }

    // The names of the accounts a GET with `query` returns, in the order returned.
    std::vector<std::string> names(const std::string& query, const std::string& prefer = "")
    {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!prefer.empty()) {
            headers.emplace_back("prefer", prefer);
        }
        auto response = serve(request("GET", "/accounts", query, "", headers));
        EXPECT_EQ(response.status, 200) << query << ": " << response.body;
        std::vector<std::string> out;
        json page = body(response);
        for (const auto& row : page["value"]) {
            out.push_back(row.value("name", std::string("<null>")));
        }
        return out;
    }

    void seed_accounts()
    {
        create_account({{"name", "Adatum"}, {"numberofemployees", 50}, {"creditonhold", false}, {"revenue", 1000.5}});
        create_account({{"name", "Contoso"}, {"numberofemployees", 200}, {"creditonhold", true}, {"revenue", 5000}});
        create_account({{"name", "Fabrikam"}, {"numberofemployees", 10}, {"creditonhold", false}});
        create_account({{"name", "O'Neil & Sons"}, {"numberofemployees", 75}, {"description", "family firm"}});
    }

    Tables m_tables;
};

std::vector<std::string> sorted(std::vector<std::string> names)
{
    std::sort(names.begin(), names.end());
    return names;
}

// Splits an @odata.nextLink into the path after the base and the raw query.
std::pair<std::string, std::string> split_link(const std::string& link)
{
    EXPECT_EQ(link.rfind(k_base, 0), 0U) << link;
    std::string rest = link.substr(k_base.size());
    auto question = rest.find('?');
    return {rest.substr(0, question), question == std::string::npos ? "" : rest.substr(question + 1)};
}

TEST_F(Records, CreateAnswers204WithTheEntityIdInLowerCase)
{
    auto response = serve(request("POST", "/accounts", "", R"({"name":"Adatum"})"));
    EXPECT_EQ(response.status, 204);
    EXPECT_TRUE(response.body.empty());
    std::regex entity_id(std::regex_replace(k_base, std::regex(R"([.])"), R"(\.)") +
                         R"(/accounts\(([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\))");
    std::smatch match;
    std::string entity = header(response, "OData-EntityId");
    ASSERT_TRUE(std::regex_match(entity, match, entity_id)) << entity;
    auto row = m_tables.find("account", match[1]);
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ((*row)["name"], "Adatum");
}

TEST_F(Records, CreateWithReturnRepresentationAnswers201WithTheSelectedRow)
{
    auto response = serve(request("POST", "/accounts", "$select=name,numberofemployees",
                                  R"({"name":"Adatum","numberofemployees":5,"description":"x"})",
                                  {{"prefer", "return=representation"}}));
    ASSERT_EQ(response.status, 201) << response.body;
    EXPECT_EQ(header(response, "Preference-Applied"), "return=representation");
    EXPECT_EQ(header(response, "Content-Type"), "application/json; odata.metadata=minimal");
    json row = body(response);
    EXPECT_EQ(row["@odata.context"], k_base + "/$metadata#accounts/$entity");
    EXPECT_EQ(row["name"], "Adatum");
    EXPECT_EQ(row["numberofemployees"], 5);
    EXPECT_TRUE(row.contains("accountid"));
    EXPECT_FALSE(row.contains("description"));
    EXPECT_TRUE(std::regex_match(row["@odata.etag"].get<std::string>(), std::regex(R"(W/"\d+")")));
}

TEST_F(Records, CreateKeepsAClientChosenIdInLowerCase)
{
    create_account({{"accountid", "8D5A4E6B-0000-4000-8000-00000000ABCD"}, {"name", "Chosen"}});
    EXPECT_TRUE(m_tables.find("account", "8d5a4e6b-0000-4000-8000-00000000abcd").has_value());
    auto response = serve(request("GET", "/accounts(8D5A4E6B-0000-4000-8000-00000000ABCD)"));
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(body(response)["accountid"], "8d5a4e6b-0000-4000-8000-00000000abcd");
}

TEST_F(Records, CreateRefusesUnknownPropertiesAndWrongTypes)
{
    auto unknown = serve(request("POST", "/accounts", "", R"({"nosuchcolumn":"x"})"));
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(body(unknown)["error"]["message"],
              "The property 'nosuchcolumn' does not exist on type 'Microsoft.Dynamics.CRM.account'. Make sure to only "
              "use property names that are defined by the type.");
    auto wrong_type = serve(request("POST", "/accounts", "", R"({"numberofemployees":"many"})"));
    EXPECT_EQ(wrong_type.status, 400);
    EXPECT_NE(body(wrong_type)["error"]["message"].get<std::string>().find("Edm.Int32"), std::string::npos);
    auto not_json = serve(request("POST", "/accounts", "", "{"));
    EXPECT_EQ(not_json.status, 400);
    EXPECT_TRUE(m_tables.rows("account").empty());
}

TEST_F(Records, RetrieveReturnsTheSelectedColumnsAndTheId)
{
    std::string id = create_account({{"name", "Adatum"}, {"numberofemployees", 50}});
    auto response = serve(request("GET", "/accounts(" + id + ")", "$select=name"));
    ASSERT_EQ(response.status, 200);
    json row = body(response);
    EXPECT_EQ(row["name"], "Adatum");
    EXPECT_EQ(row["accountid"], id);
    EXPECT_FALSE(row.contains("numberofemployees"));
    auto all = body(serve(request("GET", "/accounts(" + id + ")")));
    EXPECT_EQ(all["numberofemployees"], 50);
    EXPECT_TRUE(all.contains("description"));
    EXPECT_TRUE(all["description"].is_null());
    EXPECT_TRUE(all.contains("_primarycontactid_value"));
}

TEST_F(Records, MissingRowsAnswer404AsDataverseWordsThem)
{
    std::string id = "00000000-0000-4000-8000-000000000001";
    auto response = serve(request("GET", "/accounts(" + id + ")"));
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(body(response), json::parse(R"({"error":{"code":"0x80040217","message":"account With Id = )" + id +
                                          R"( Does Not Exist"}})"));
    EXPECT_EQ(serve(request("DELETE", "/accounts(" + id + ")")).status, 404);
}

TEST_F(Records, UnknownEntitySetsAndBoundOperationsAreNotRecords)
{
    EXPECT_FALSE(escprov::emulator::serve_records(m_tables, request("GET", "/nosuchthings")).has_value());
    EXPECT_FALSE(escprov::emulator::serve_records(m_tables, request("GET", "/WhoAmI")).has_value());
    EXPECT_FALSE(
        escprov::emulator::serve_records(
            m_tables, request("GET", "/accounts(00000000-0000-4000-8000-000000000001)/Microsoft.Dynamics.CRM.X()"))
            .has_value());
}

TEST_F(Records, EveryWriteRaisesTheEtag)
{
    std::string id = create_account({{"name", "Adatum"}});
    auto etag = [&] {
        std::string text = body(serve(request("GET", "/accounts(" + id + ")")))["@odata.etag"];
        return std::stoull(text.substr(3, text.size() - 4));
    };
    auto first = etag();
    EXPECT_EQ(serve(request("PATCH", "/accounts(" + id + ")", "", R"({"name":"Adatum 2"})")).status, 204);
    auto second = etag();
    EXPECT_GT(second, first);
    EXPECT_EQ(serve(request("PUT", "/accounts(" + id + ")/name", "", R"({"value":"Adatum 3"})")).status, 204);
    EXPECT_GT(etag(), second);
    EXPECT_EQ(body(serve(request("GET", "/accounts(" + id + ")/name")))["value"], "Adatum 3");
}

TEST_F(Records, RetrieveWithTheCurrentEtagIsNotModified)
{
    std::string id = create_account({{"name", "Adatum"}});
    std::string etag = body(serve(request("GET", "/accounts(" + id + ")")))["@odata.etag"];
    EXPECT_EQ(serve(request("GET", "/accounts(" + id + ")", "", "", {{"if-none-match", etag}})).status, 304);
    EXPECT_EQ(serve(request("PATCH", "/accounts(" + id + ")", "", R"({"name":"Changed"})")).status, 204);
    EXPECT_EQ(serve(request("GET", "/accounts(" + id + ")", "", "", {{"if-none-match", etag}})).status, 200);
}

TEST_F(Records, SinglePropertiesAreReadWrittenAndCleared)
{
    std::string id = create_account({{"name", "Adatum"}, {"numberofemployees", 5}});
    auto read = serve(request("GET", "/accounts(" + id + ")/numberofemployees"));
    ASSERT_EQ(read.status, 200);
    EXPECT_EQ(body(read)["value"], 5);
    EXPECT_EQ(body(read)["@odata.context"], k_base + "/$metadata#accounts(" + id + ")/numberofemployees");
    EXPECT_EQ(serve(request("PUT", "/accounts(" + id + ")/numberofemployees", "", R"({"value":"x"})")).status, 400);
    EXPECT_EQ(serve(request("DELETE", "/accounts(" + id + ")/numberofemployees")).status, 204);
    EXPECT_EQ(serve(request("GET", "/accounts(" + id + ")/numberofemployees")).status, 204);
    EXPECT_TRUE((*m_tables.find("account", id))["numberofemployees"].is_null());
}

TEST_F(Records, LookupLogicalNameIsAnnotatedWhenAskedFor)
{
    std::string account = create_account({{"name", "Parent"}});
    m_tables.insert("contact", {{"fullname", "Child"}, {"parentcustomerid", account}});
    json plain = body(serve(request("GET", "/contacts")))["value"][0];
    EXPECT_FALSE(plain.contains("_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"));
    json annotated =
        body(serve(request("GET", "/contacts", "", "", {{"prefer", "odata.include-annotations=\"*\""}})))["value"][0];
    EXPECT_EQ(annotated["_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"], "account");
}

TEST_F(Records, QueryOptionsTheEmulatorDoesNotRunAreRefused)
{
    EXPECT_EQ(serve(request("GET", "/accounts", "$expand=primarycontactid")).status, 501);
    EXPECT_EQ(serve(request("GET", "/accounts", "$top=x")).status, 400);
    EXPECT_EQ(serve(request("GET", "/accounts", "$select=name&fetchXml=%3Cfetch%2F%3E")).status, 400);
    EXPECT_EQ(serve(request("POST", "/accounts(00000000-0000-4000-8000-000000000001)", "", "{}")).status, 405);
}

TEST_F(Records, PatchOnAMissingIdUpserts)
{
    std::string id = "5f0c2a1e-0000-4000-8000-000000000001";
    auto response = serve(request("PATCH", "/accounts(" + id + ")", "", R"({"name":"Upserted"})"));
    EXPECT_EQ(response.status, 204) << response.body;
    EXPECT_EQ(header(response, "OData-EntityId"), k_base + "/accounts(" + id + ")");
    ASSERT_TRUE(m_tables.find("account", id).has_value());
    EXPECT_EQ((*m_tables.find("account", id))["name"], "Upserted");
}

TEST_F(Records, IfMatchStarUpdatesOnly)
{
    std::string id = "5f0c2a1e-0000-4000-8000-000000000002";
    auto response = serve(request("PATCH", "/accounts(" + id + ")", "", R"({"name":"x"})", {{"if-match", "*"}}));
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(body(response),
              json::parse(R"({"error":{"code":"","message":"account With Id = )" + id + R"( Does Not Exist"}})"));
    EXPECT_FALSE(m_tables.find("account", id).has_value());
}

TEST_F(Records, IfNoneMatchStarCreatesOnly)
{
    std::string id = create_account({{"name", "Original"}});
    auto response =
        serve(request("PATCH", "/accounts(" + id + ")", "", R"({"name":"Changed"})", {{"if-none-match", "*"}}));
    EXPECT_EQ(response.status, 412);
    EXPECT_EQ(body(response),
              json::parse(R"({"error":{"code":"","message":"A record with matching key values already exists."}})"));
    EXPECT_EQ((*m_tables.find("account", id))["name"], "Original");
}

TEST_F(Records, IfMatchWithAStaleEtagIsRefused)
{
    std::string id = create_account({{"name", "Original"}});
    std::string etag = body(serve(request("GET", "/accounts(" + id + ")")))["@odata.etag"];
    EXPECT_EQ(serve(request("PATCH", "/accounts(" + id + ")", "", R"({"name":"First"})", {{"if-match", etag}})).status,
              204);
    auto stale = serve(request("PATCH", "/accounts(" + id + ")", "", R"({"name":"Second"})", {{"if-match", etag}}));
    EXPECT_EQ(stale.status, 412);
    EXPECT_EQ(body(stale)["error"]["message"],
              "The version of the existing record doesn't match the RowVersion property provided.");
    EXPECT_EQ((*m_tables.find("account", id))["name"], "First");
}

TEST_F(Records, PatchByAlternateKeyUpdatesOrCreates)
{
    auto created = serve(request("PATCH", "/contacts(emailaddress1='a@b.com')", "", R"({"fullname":"A"})"));
    EXPECT_EQ(created.status, 204);
    auto updated = serve(request("PATCH", "/contacts(emailaddress1='A@B.com')", "", R"({"fullname":"B"})",
                                 {{"prefer", "return=representation"}}));
    EXPECT_EQ(updated.status, 200);
    ASSERT_EQ(m_tables.rows("contact").size(), 1U);
    EXPECT_EQ(m_tables.rows("contact").front()["fullname"], "B");
    EXPECT_EQ(m_tables.rows("contact").front()["emailaddress1"], "a@b.com");
}

TEST_F(Records, DeleteRemovesTheRow)
{
    std::string id = create_account({{"name", "Gone"}});
    EXPECT_EQ(serve(request("DELETE", "/accounts(" + id + ")")).status, 204);
    EXPECT_FALSE(m_tables.find("account", id).has_value());
    EXPECT_EQ(serve(request("GET", "/accounts(" + id + ")")).status, 404);
}

TEST_F(Records, LookupsAreBoundWithODataBindAndReadAsValue)
{
    std::string account = create_account({{"name", "Parent"}});
    auto response = serve(request(
        "POST", "/contacts", "",
        json{{"fullname", "Child"}, {"parentcustomerid_account@odata.bind", "/accounts(" + account + ")"}}.dump(),
        {{"prefer", "return=representation"}}));
    ASSERT_EQ(response.status, 201) << response.body;
    EXPECT_EQ(body(response)["_parentcustomerid_value"], account);
    EXPECT_FALSE(body(response).contains("parentcustomerid"));
    // The plain attribute name is not a property of the Web API type.
    EXPECT_EQ(serve(request("GET", "/contacts", "$select=parentcustomerid")).status, 400);
    auto filtered = body(serve(request("GET", "/contacts", "$filter=_parentcustomerid_value eq " + account)));
    EXPECT_EQ(filtered["value"].size(), 1U);
    auto missing = serve(
        request("POST", "/contacts", "",
                R"j({"parentcustomerid_account@odata.bind":"/accounts(00000000-0000-4000-8000-000000000009)"})j"));
    EXPECT_EQ(missing.status, 404);
    auto undeclared =
        serve(request("POST", "/contacts", "", json{{"nosuch@odata.bind", "/accounts(" + account + ")"}}.dump()));
    EXPECT_EQ(undeclared.status, 400);
    EXPECT_EQ(m_tables.rows("contact").size(), 1U);
}

TEST_F(Records, FilterComparesAsDataverseDoes)
{
    seed_accounts();
    EXPECT_EQ(names("$filter=name eq 'contoso'"), std::vector<std::string>{"Contoso"});
    EXPECT_EQ(names("$filter=name eq 'O''Neil %26 Sons'"), std::vector<std::string>{"O'Neil & Sons"});
    EXPECT_EQ(sorted(names("$filter=name ne 'Contoso'")),
              (std::vector<std::string>{"Adatum", "Fabrikam", "O'Neil & Sons"}));
    EXPECT_EQ(sorted(names("$filter=numberofemployees gt 50")), (std::vector<std::string>{"Contoso", "O'Neil & Sons"}));
    EXPECT_EQ(sorted(names("$filter=numberofemployees ge 50")),
              (std::vector<std::string>{"Adatum", "Contoso", "O'Neil & Sons"}));
    EXPECT_EQ(names("$filter=numberofemployees lt 50"), std::vector<std::string>{"Fabrikam"});
    EXPECT_EQ(sorted(names("$filter=numberofemployees le 50")), (std::vector<std::string>{"Adatum", "Fabrikam"}));
    EXPECT_EQ(names("$filter=revenue gt 1000.25 and revenue lt 2000"), std::vector<std::string>{"Adatum"});
    EXPECT_EQ(sorted(names("$filter=creditonhold eq true or numberofemployees eq 10")),
              (std::vector<std::string>{"Contoso", "Fabrikam"}));
    EXPECT_EQ(sorted(names("$filter=not (creditonhold eq false)")), (std::vector<std::string>{"Contoso"}));
    EXPECT_EQ(names("$filter=contains(name,'ABRI')"), std::vector<std::string>{"Fabrikam"});
    EXPECT_EQ(names("$filter=startswith(name,'ad')"), std::vector<std::string>{"Adatum"});
    EXPECT_EQ(names("$filter=endswith(name,'sons')"), std::vector<std::string>{"O'Neil & Sons"});
    EXPECT_EQ(sorted(names("$filter=revenue eq null")), (std::vector<std::string>{"Fabrikam", "O'Neil & Sons"}));
    EXPECT_EQ(names("$filter=description ne null"), std::vector<std::string>{"O'Neil & Sons"});
    EXPECT_EQ(names("$filter=50 lt numberofemployees and (name eq 'Contoso' or name eq 'Adatum')"),
              std::vector<std::string>{"Contoso"});
    std::string id = m_tables.rows("account").front()["accountid"];
    std::string upper = id;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(c)); });
    EXPECT_EQ(names("$filter=accountid eq " + upper), std::vector<std::string>{"Adatum"});
}

TEST_F(Records, FilterRefusesUnknownPropertiesAndBadSyntax)
{
    seed_accounts();
    auto unknown = serve(request("GET", "/accounts", "$filter=nosuch eq 1"));
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(body(unknown)["error"]["message"],
              "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.account'.");
    EXPECT_EQ(serve(request("GET", "/accounts", "$filter=name eq 'open")).status, 400);
    EXPECT_EQ(serve(request("GET", "/accounts", "$filter=name eq")).status, 400);
    EXPECT_EQ(serve(request("GET", "/accounts", "$filter=name xx 'a'")).status, 400);
    EXPECT_EQ(serve(request("GET", "/accounts", "$skip=2")).status, 400);
}

TEST_F(Records, OrderByTopAndCount)
{
    seed_accounts();
    EXPECT_EQ(names("$orderby=numberofemployees desc"),
              (std::vector<std::string>{"Contoso", "O'Neil & Sons", "Adatum", "Fabrikam"}));
    EXPECT_EQ(names("$orderby=revenue asc,name desc"),
              (std::vector<std::string>{"O'Neil & Sons", "Fabrikam", "Adatum", "Contoso"}));
    EXPECT_EQ(names("$orderby=name&$top=2"), (std::vector<std::string>{"Adatum", "Contoso"}));
    json counted = body(serve(request("GET", "/accounts", "$count=true&$filter=creditonhold eq false&$select=name")));
    EXPECT_EQ(counted["@odata.count"], 2);
    EXPECT_EQ(counted["@odata.context"], k_base + "/$metadata#accounts(name)");
    EXPECT_FALSE(body(serve(request("GET", "/accounts")))["value"].empty());
    EXPECT_FALSE(body(serve(request("GET", "/accounts"))).contains("@odata.count"));
}

TEST_F(Records, MaxPageSizePagesWithNextLinks)
{
    for (int i = 0; i < 12; ++i) {
        m_tables.insert("account", {{"name", "Account " + std::to_string(100 + i)}});
    }
    std::string path = "/accounts";
    std::string query = "$select=name&$orderby=name desc";
    std::vector<std::string> seen;
    std::vector<size_t> pages;
    for (int guard = 0; guard < 10; ++guard) {
        auto response =
            serve(request("GET", path, query, "", {{"prefer", "odata.include-annotations=\"*\",odata.maxpagesize=5"}}));
        ASSERT_EQ(response.status, 200) << response.body;
        EXPECT_EQ(header(response, "Preference-Applied"), "odata.maxpagesize=5");
        json page = body(response);
        pages.push_back(page["value"].size());
        for (const auto& row : page["value"]) {
            seen.push_back(row["name"]);
            EXPECT_FALSE(row.contains("numberofemployees"));
        }
        if (!page.contains("@odata.nextLink")) {
            break;
        }
        std::string link = page["@odata.nextLink"];
        EXPECT_NE(link.find("$skiptoken="), std::string::npos);
        EXPECT_NE(link.find("$select=name"), std::string::npos);
        std::tie(path, query) = split_link(link);
    }
    EXPECT_EQ(pages, (std::vector<size_t>{5, 5, 2}));
    ASSERT_EQ(seen.size(), 12U);
    EXPECT_EQ(seen.front(), "Account 111");
    EXPECT_EQ(seen.back(), "Account 100");
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 12U);
}

TEST_F(Records, DefaultPageIs5000Rows)
{
    for (int i = 0; i < 5003; ++i) {
        m_tables.insert("contact", {{"fullname", "C" + std::to_string(i)}});
    }
    json page = body(serve(request("GET", "/contacts", "$select=fullname&$count=true")));
    EXPECT_EQ(page["value"].size(), 5000U);
    EXPECT_TRUE(page.contains("@odata.nextLink"));
    EXPECT_EQ(page["@odata.count"], 5000);
    auto [path, query] = split_link(page["@odata.nextLink"]);
    EXPECT_EQ(body(serve(request("GET", path, query)))["value"].size(), 3U);
}

TEST_F(Records, FetchXmlSelectsFiltersAndOrders)
{
    seed_accounts();
    std::string fetch =
        R"(<fetch><entity name="account"><attribute name="name"/><attribute name="revenue"/>)"
        R"(<filter type="or"><condition attribute="name" operator="like" value="%ab%"/>)"
        R"(<filter><condition attribute="numberofemployees" operator="in"><value>75</value><value>200</value></condition>)"
        R"(<condition attribute="creditonhold" operator="eq" value="1"/></filter></filter>)"
        R"(<order attribute="name" descending="true"/></entity></fetch>)";
    auto response = serve(request("GET", "/accounts", "fetchXml=" + escprov::emulator::url_encode(fetch)));
    ASSERT_EQ(response.status, 200) << response.body;
    json page = body(response);
    ASSERT_EQ(page["value"].size(), 2U);
    EXPECT_EQ(page["value"][0]["name"], "Fabrikam");
    EXPECT_FALSE(page["value"][0].contains("revenue")); // null values are left out, as FetchXML does
    EXPECT_EQ(page["value"][1]["name"], "Contoso");
    EXPECT_EQ(page["value"][1]["revenue"], 5000);
    EXPECT_TRUE(page["value"][1].contains("accountid"));
    EXPECT_FALSE(page["value"][1].contains("numberofemployees"));
    EXPECT_FALSE(page.contains("@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"));

    auto names_of = [&](const std::string& conditions) {
        std::string xml = "<fetch><entity name=\"account\"><attribute name=\"name\"/><filter>" + conditions +
                          "</filter><order attribute=\"name\"/></entity></fetch>";
        std::vector<std::string> out;
        json page = body(serve(request("GET", "/accounts", "fetchXml=" + escprov::emulator::url_encode(xml))));
        for (const auto& row : page["value"]) {
            out.push_back(row["name"]);
        }
        return out;
    };
    EXPECT_EQ(names_of(R"(<condition attribute="description" operator="not-null"/>)"),
              std::vector<std::string>{"O'Neil & Sons"});
    EXPECT_EQ(
        names_of(
            R"(<condition attribute="revenue" operator="null"/><condition attribute="numberofemployees" operator="lt" value="50"/>)"),
        std::vector<std::string>{"Fabrikam"});
    EXPECT_EQ(names_of(R"(<condition attribute="name" operator="begins-with" value="co"/>)"),
              std::vector<std::string>{"Contoso"});
    EXPECT_EQ(names_of(R"(<condition attribute="name" operator="not-like" value="%o%"/>)"),
              (std::vector<std::string>{"Adatum", "Fabrikam"}));
    EXPECT_EQ(
        names_of(
            R"(<condition attribute="numberofemployees" operator="ge" value="75"/><condition attribute="name" operator="ne" value="contoso"/>)"),
        std::vector<std::string>{"O'Neil & Sons"});
}

TEST_F(Records, FetchXmlRefusesWhatDataverseRefuses)
{
    auto get = [&](const std::string& xml) {
        return serve(request("GET", "/accounts", "fetchXml=" + escprov::emulator::url_encode(xml))).status;
    };
    EXPECT_EQ(get(R"(<fetch><entity name="contact"/></fetch>)"), 400);
    EXPECT_EQ(get(R"(<fetch><entity name="account"><attribute name="nosuch"/></entity></fetch>)"), 400);
    EXPECT_EQ(
        get(R"(<fetch><entity name="account"><filter><condition attribute="name" operator="sounds-like" value="x"/></filter></entity></fetch>)"),
        400);
    EXPECT_EQ(get(R"(<fetch top="5" count="5"><entity name="account"/></fetch>)"), 400);
    EXPECT_EQ(get(R"(<fetch><entity name="account">)"), 400);
}

TEST_F(Records, FetchXmlPagesWithDoublyEncodedPagingCookies)
{
    for (int i = 0; i < 12; ++i) {
        m_tables.insert("account", {{"name", "Account " + std::to_string(100 + i)}});
    }
    std::string fetch_body =
        R"(<entity name="account"><attribute name="name"/><order attribute="name"/></entity></fetch>)";
    std::vector<std::string> seen;
    size_t page = 1;
    std::string cookie_attribute;
    for (; page < 10; ++page) {
        std::string fetch = "<fetch count=\"5\" page=\"" + std::to_string(page) + "\" returntotalrecordcount=\"true\"" +
                            cookie_attribute + ">" + fetch_body;
        auto response =
            serve(request("GET", "/accounts", "fetchXml=" + escprov::emulator::url_encode(fetch), "",
                          {{"prefer", "odata.include-annotations=\"Microsoft.Dynamics.CRM.fetchxmlpagingcookie,"
                                      "Microsoft.Dynamics.CRM.morerecords\""}}));
        ASSERT_EQ(response.status, 200) << response.body;
        json result = body(response);
        EXPECT_EQ(result["@Microsoft.Dynamics.CRM.totalrecordcount"], 12);
        EXPECT_EQ(result["@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"], false);
        for (const auto& row : result["value"]) {
            seen.push_back(row["name"]);
        }
        bool more = result["@Microsoft.Dynamics.CRM.morerecords"];
        if (!more) {
            EXPECT_FALSE(result.contains("@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"));
            break;
        }
        std::string cookie = result["@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"];
        std::smatch match;
        ASSERT_TRUE(std::regex_match(
            cookie, match,
            std::regex(R"re(<cookie pagenumber="(\d+)" pagingcookie="([^"]+)" istracking="False" />)re")))
            << cookie;
        EXPECT_EQ(match[1], std::to_string(page + 1));
        std::string encoded = match[2];
        EXPECT_EQ(encoded.rfind("%253ccookie%2520page%253d%2522" + std::to_string(page) + "%2522%253e", 0), 0U)
            << encoded;
        std::string inner = escprov::emulator::url_decode(escprov::emulator::url_decode(encoded, false), false);
        std::string first = result["value"].front()["accountid"];
        std::string last = result["value"].back()["accountid"];
        std::transform(first.begin(), first.end(), first.begin(),
                       [](char c) { return static_cast<char>(std::toupper(c)); });
        std::transform(last.begin(), last.end(), last.begin(),
                       [](char c) { return static_cast<char>(std::toupper(c)); });
        EXPECT_EQ(inner, "<cookie page=\"" + std::to_string(page) + "\"><accountid last=\"{" + last + "}\" first=\"{" +
                             first + "}\" /></cookie>");
        // The client XML-escapes the decoded cookie into paging-cookie, as the reference says.
        std::string escaped;
        for (char c : inner) {
            escaped += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : std::string(1, c);
        }
        cookie_attribute = " paging-cookie=\"" + escaped + "\"";
    }
    EXPECT_EQ(page, 3U);
    ASSERT_EQ(seen.size(), 12U);
    EXPECT_EQ(seen.front(), "Account 100");
    EXPECT_EQ(seen.back(), "Account 111");
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 12U);
}

TEST_F(Records, FetchXmlSendsTheCookieWithoutBeingAskedWhenMoreRowsFollow)
{
    for (int i = 0; i < 3; ++i) {
        m_tables.insert("account", {{"name", "A" + std::to_string(i)}});
    }
    std::string fetch = R"(<fetch count="2"><entity name="account"><attribute name="name"/></entity></fetch>)";
    json first = body(serve(request("GET", "/accounts", "fetchXml=" + escprov::emulator::url_encode(fetch))));
    EXPECT_TRUE(first.contains("@Microsoft.Dynamics.CRM.fetchxmlpagingcookie"));
    EXPECT_FALSE(first.contains("@Microsoft.Dynamics.CRM.morerecords"));
    EXPECT_EQ(first["value"].size(), 2U);
}

TEST(RecordTables, RunAtomicallyTakesBackEveryWriteOnFailure)
{
    Tables tables;
    tables.define({"account", "accounts", "accountid", "name", {{"name", "string", ""}}});
    std::string a = tables.insert("account", {{"name", "A"}});
    std::string b = tables.insert("account", {{"name", "B"}});
    std::string c = tables.insert("account", {{"name", "C"}});
    tables.run_atomically([&] {
        tables.update("account", a, {{"name", "A2"}});
        tables.erase("account", b);
        tables.insert("account", {{"name", "D"}});
        return false;
    });
    auto rows = tables.rows("account");
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[0]["name"], "A");
    EXPECT_EQ(rows[1]["name"], "B");
    EXPECT_EQ(rows[2]["accountid"], c);
    EXPECT_THROW(tables.run_atomically([&]() -> bool {
        tables.erase("account", c);
        throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    EXPECT_TRUE(tables.find("account", c).has_value());
    tables.run_atomically([&] {
        tables.erase("account", c);
        return true;
    });
    EXPECT_FALSE(tables.find("account", c).has_value());
}

TEST(RecordTables, ANestedFailureTakesBackOnlyItsOwnWrites)
{
    Tables tables;
    tables.define({"account", "accounts", "accountid", "name", {{"name", "string", ""}}});
    tables.run_atomically([&] {
        tables.insert("account", {{"name", "Outer"}});
        tables.run_atomically([&] {
            tables.insert("account", {{"name", "Inner"}});
            return false;
        });
        return true;
    });
    auto rows = tables.rows("account");
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows[0]["name"], "Outer");
}

} // namespace
