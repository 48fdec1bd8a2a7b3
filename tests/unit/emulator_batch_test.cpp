// The Dataverse emulator's $batch driven in process (no socket): multipart requests and answers,
// change sets that are taken back whole when one of their requests fails, Content-ID references,
// continue-on-error and the limits Dataverse sets.

#include "emulators/dataverse/records.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace {

using escprov::emulator::HttpRequest;
using escprov::emulator::HttpResponse;
using escprov::emulator::Tables;

const std::string k_base = "http://127.0.0.1:4711/api/data/v9.2";

class Batch : public testing::Test {
protected:
    Batch()
    {
        m_tables.define({"account", "accounts", "accountid", "name", {{"name", "string", ""}}});
        m_tables.define({"contact",
                         "contacts",
                         "contactid",
                         "fullname",
                         {{"fullname", "string", ""}, {"parentcustomerid", "lookup", "account"}}});
    }

    static HttpRequest request(const std::string& method, const std::string& path, const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers)
    {
        HttpRequest out;
        out.method = method;
        out.path = path;
        out.body = body;
        out.base_url = k_base;
        out.headers.emplace("odata-version", "4.0");
        for (const auto& [name, value] : headers) {
            out.headers.emplace(name, value);
        }
        return out;
    }

    HttpResponse batch(const std::string& body, const std::string& prefer = "")
    {
        std::vector<std::pair<std::string, std::string>> headers = {
            {"content-type", "multipart/mixed; boundary=\"batch_AAA123\""}};
        if (!prefer.empty()) {
            headers.emplace_back("prefer", prefer);
        }
        auto dispatch = [&](const HttpRequest& part) {
            ++m_dispatched;
            auto response = escprov::emulator::serve_records(m_tables, part);
            return response ? *response : escprov::emulator::odata_error(404, "0x8006088a", "Resource not found");
        };
        return escprov::emulator::serve_batch(m_tables, request("POST", "/$batch", body, headers), dispatch);
    }

    static std::string part(const std::string& method, const std::string& url, const std::string& json_body,
                            const std::string& content_id = "")
    {
        std::string out = "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n";
        if (!content_id.empty()) {
            out += "Content-ID: " + content_id + "\r\n";
        }
        out += "\r\n" + method + " " + url + " HTTP/1.1\r\n";
        if (!json_body.empty()) {
            out += "Content-Type: application/json; type=entry\r\n\r\n" + json_body + "\r\n";
        } else {
            out += "\r\n";
        }
        return out;
    }

    static std::string change_set(const std::vector<std::string>& parts)
    {
        std::string out = "Content-Type: multipart/mixed; boundary=\"changeset_BBB456\"\r\n\r\n";
        for (const auto& p : parts) {
            out += "--changeset_BBB456\r\n" + p;
        }
        return out + "--changeset_BBB456--\r\n";
    }

    static std::string envelope(const std::vector<std::string>& parts)
    {
        std::string out;
        for (const auto& p : parts) {
            out += "--batch_AAA123\r\n" + p;
        }
        return out + "--batch_AAA123--\r\n";
    }

    Tables m_tables;
    int m_dispatched = 0;
};

TEST_F(Batch, ChangeSetResolvesContentIdReferences)
{
    auto response =
        batch(envelope({change_set({part("POST", "/api/data/v9.2/accounts", R"({"name":"Batch Co"})", "1"),
                                    part("POST", "/api/data/v9.2/contacts",
                                         R"({"fullname":"Ann","parentcustomerid_account@odata.bind":"$1"})", "2")}),
                        part("GET", k_base + "/accounts?$select=name", "")}));
    ASSERT_EQ(response.status, 200) << response.body;
    std::string type;
    for (const auto& [name, value] : response.headers) {
        if (name == "Content-Type") {
            type = value;
        }
    }
    ASSERT_EQ(type.rfind("multipart/mixed; boundary=batchresponse_", 0), 0U);
    std::string boundary = type.substr(type.find('=') + 1);
    EXPECT_EQ(response.body.rfind("--" + boundary + "\r\n", 0), 0U);
    EXPECT_NE(response.body.find("--" + boundary + "--"), std::string::npos);
    EXPECT_NE(response.body.find("boundary=changesetresponse_"), std::string::npos);
    EXPECT_NE(response.body.find("Content-ID: 1\r\n"), std::string::npos);
    EXPECT_NE(response.body.find("Content-ID: 2\r\n"), std::string::npos);
    EXPECT_NE(response.body.find("HTTP/1.1 204 No Content\r\n"), std::string::npos);
    EXPECT_NE(response.body.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
    EXPECT_NE(response.body.find("\"name\":\"Batch Co\""), std::string::npos);
    auto accounts = m_tables.rows("account");
    auto contacts = m_tables.rows("contact");
    ASSERT_EQ(accounts.size(), 1U);
    ASSERT_EQ(contacts.size(), 1U);
    EXPECT_EQ(contacts[0]["parentcustomerid"], accounts[0]["accountid"]);
}

TEST_F(Batch, AFailingChangeSetLeavesNoWriteBehind)
{
    auto response = batch(envelope({change_set({part("POST", "accounts", R"({"name":"Kept?"})", "1"),
                                                part("POST", "accounts", R"({"nosuch":1})", "2")}),
                                    part("POST", "accounts", R"({"name":"After"})")}));
    EXPECT_EQ(response.status, 400);
    EXPECT_TRUE(m_tables.rows("account").empty());
    EXPECT_EQ(m_dispatched, 2); // the request after the failed change set never ran
    EXPECT_NE(response.body.find("HTTP/1.1 400 Bad Request"), std::string::npos);
    EXPECT_NE(response.body.find("does not exist on type"), std::string::npos);
}

TEST_F(Batch, ContinueOnErrorRunsEveryRequest)
{
    auto response = batch(envelope({part("GET", "accounts(00000000-0000-4000-8000-000000000001)", ""),
                                    part("POST", "accounts", R"({"name":"After"})")}),
                          "odata.continue-on-error");
    EXPECT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("HTTP/1.1 404 Not Found"), std::string::npos);
    EXPECT_NE(response.body.find("HTTP/1.1 204 No Content"), std::string::npos);
    EXPECT_EQ(m_tables.rows("account").size(), 1U);
    bool applied = false;
    for (const auto& [name, value] : response.headers) {
        applied = applied || (name == "Preference-Applied" && value == "odata.continue-on-error");
    }
    EXPECT_TRUE(applied);
}

TEST_F(Batch, WithoutContinueOnErrorTheBatchStopsAtTheFirstFailure)
{
    auto response = batch(envelope({part("GET", "accounts(00000000-0000-4000-8000-000000000001)", ""),
                                    part("POST", "accounts", R"({"name":"After"})")}));
    EXPECT_EQ(response.status, 400);
    EXPECT_TRUE(m_tables.rows("account").empty());
}

TEST_F(Batch, ChangeSetsRefuseGetsAndForwardReferences)
{
    auto with_get = batch(
        envelope({change_set({part("POST", "accounts", R"({"name":"A"})", "1"), part("GET", "accounts", "", "2")})}));
    EXPECT_EQ(with_get.status, 400);
    EXPECT_TRUE(m_tables.rows("account").empty());
    auto forward =
        batch(envelope({change_set({part("POST", "contacts", R"({"parentcustomerid_account@odata.bind":"$2"})", "1"),
                                    part("POST", "accounts", R"({"name":"A"})", "2")})}));
    EXPECT_EQ(forward.status, 400);
    EXPECT_NE(forward.body.find("Content-ID Reference"), std::string::npos);
    EXPECT_TRUE(m_tables.rows("account").empty());
    auto malformed = batch("--batch_AAA123\r\nno end");
    EXPECT_EQ(malformed.status, 400);
}

TEST_F(Batch, MoreThanAThousandRequestsAreRefusedWhole)
{
    std::vector<std::string> parts(1001, part("POST", "accounts", R"({"name":"Many"})"));
    auto response = batch(envelope(parts));
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.body.find("the maximum is 1000"), std::string::npos);
    EXPECT_EQ(m_dispatched, 0);
    EXPECT_TRUE(m_tables.rows("account").empty());
}

} // namespace
