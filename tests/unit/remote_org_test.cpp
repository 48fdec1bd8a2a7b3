// The Web API and SOAP orgs against a scripted loopback org: streamed export and import (compared by
// SHA-256), the asynchronous and synchronous imports with polling, a dropped import followed by polling
// instead of a resend, error bodies and SOAP faults, and the probe that picks the endpoint.

#include "remote/session.hpp"
#include "remote/streams.hpp"
#include "remote_support.hpp"
#include "support.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"
#include "util/sha256.hpp"

#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace escprov::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string random_bytes(size_t size, unsigned seed)
{
    std::mt19937 engine(seed);
    std::string bytes(size, '\0');
    for (auto& byte : bytes) {
        byte = static_cast<char>(engine() & 0xFFU);
    }
    return bytes;
}

std::string decode(std::string_view text)
{
    std::string out;
    remote::Base64Decoder decoder([&](std::string_view bytes) { out.append(bytes); });
    decoder.feed(text);
    decoder.finish();
    return out;
}

remote::OrgSession session_for(const ScriptedServer& server, FakeTime& time)
{
    remote::OrgSession session;
    session.org_url = server.url();
    session.settings = test_settings(time, 600s);
    session.poll_interval = 5ms;
    return session;
}

// ---- streams -------------------------------------------------------------------------------------

TEST(RemoteStreams, Base64RoundTripsInPiecesOfAnySize)
{
    for (size_t size : {0U, 1U, 2U, 3U, 4U, 100U, 1001U}) {
        std::string bytes = random_bytes(size, static_cast<unsigned>(size));
        std::string text = remote::base64_encode(bytes);
        EXPECT_EQ(text.size(), remote::base64_length(size));
        std::string out;
        remote::Base64Decoder decoder([&](std::string_view piece) { out.append(piece); });
        for (char c : text) {
            decoder.feed(std::string_view(&c, 1));
        }
        decoder.finish();
        EXPECT_TRUE(out == bytes) << size;
    }
    EXPECT_EQ(remote::base64_encode("Man"), "TWFu");
    EXPECT_EQ(decode("TW\r\nE="), "Ma");
    EXPECT_THROW(decode("TWE"), Error);
    EXPECT_THROW(decode("TW!u"), Error);
    EXPECT_THROW(decode("TQ==TQ=="), Error);
}

TEST(RemoteStreams, JsonExtractorPullsOneValueFedByteByByte)
{
    std::string body = R"({"@odata.context":"https://x/$metadata#A","n":[1,{"s":"}\""}],"b":true,)"
                       R"("ExportSolutionFile":"AB\/CD\u0041\\","after":null})";
    std::string out;
    remote::JsonStringExtractor extractor("ExportSolutionFile", [&](std::string_view piece) { out.append(piece); });
    for (char c : body) {
        extractor.feed(std::string_view(&c, 1));
    }
    EXPECT_TRUE(extractor.found());
    EXPECT_TRUE(extractor.complete());
    EXPECT_EQ(out, "AB/CDA\\");

    remote::JsonStringExtractor broken("x", [](std::string_view) {});
    EXPECT_THROW(broken.feed("[1]"), Error);
}

TEST(RemoteStreams, SoapExtractorFindsTheValueAcrossPieces)
{
    std::string body = "<s:Envelope><a:Results><a:KeyValuePairOfstringanyType><b:key>ExportSolutionFile</b:key>"
                       "<b:value i:type=\"c:base64Binary\">QUJD\nREVG</b:value></a:KeyValuePairOfstringanyType>"
                       "</a:Results></s:Envelope>";
    for (size_t piece : {1U, 3U, 7U, 1000U}) {
        std::string out;
        remote::SoapValueExtractor extractor("ExportSolutionFile", [&](std::string_view text) { out.append(text); });
        for (size_t at = 0; at < body.size(); at += piece) {
            extractor.feed(std::string_view(body).substr(at, piece));
        }
        EXPECT_TRUE(extractor.found()) << piece;
        EXPECT_EQ(out, "QUJD\nREVG") << piece;
    }
}

TEST(RemoteStreams, EncodedFileBodyIsPrefixBase64Suffix)
{
    TempDir dir;
    std::string bytes = random_bytes(3 * 16384 * 2 + 5, 9);
    std::ofstream(dir / "a.zip", std::ios::binary) << bytes;
    remote::EncodedFileBody body(dir / "a.zip", "[", "]");
    std::string out;
    std::array<char, 1000> buffer{};
    for (size_t got = body.read(buffer.data(), buffer.size()); got > 0; got = body.read(buffer.data(), buffer.size())) {
        out.append(buffer.data(), got);
    }
    EXPECT_EQ(out.size(), body.size());
    EXPECT_TRUE(out == "[" + remote::base64_encode(bytes) + "]");
    body.rewind();
    EXPECT_EQ(body.read(buffer.data(), 1), 1U);
    EXPECT_EQ(buffer[0], '[');
}

TEST(RemoteStreams, JobDataSaysWhetherTheSolutionWasImported)
{
    EXPECT_TRUE(remote::job_data_succeeded(
        R"(<importexportxml><solutionManifests><solutionManifest><UniqueName>X</UniqueName><result result="success" errorcode="0" errortext=""/></solutionManifest></solutionManifests></importexportxml>)"));
    EXPECT_FALSE(remote::job_data_succeeded(
        R"(<importexportxml><solutionManifests><solutionManifest><result result="failure" errorcode="0x80048068"/></solutionManifest></solutionManifests></importexportxml>)"));
    EXPECT_FALSE(remote::job_data_succeeded(""));
    EXPECT_EQ(remote::web_api_path("8.2.2.112"), "v8.2");
    EXPECT_EQ(remote::web_api_path("9.2.24012.196"), "v9.2");
    EXPECT_EQ(remote::web_api_path("9.9.1.1"), "v9.2");
    EXPECT_FALSE(remote::web_api_path("7.0.0.1"));
    EXPECT_EQ(remote::normalise_guid("{ABC-D}"), "abc-d");
    EXPECT_EQ(remote::new_guid().size(), 36U);
}

// ---- a scripted Web API org ----------------------------------------------------------------------

// Checks the headers every Web API request must carry; answers 400 as the org would when they lack.
bool odata_headers_ok(const httplib::Request& request, httplib::Response& response)
{
    if (request.get_header_value("OData-Version") != "4.0" || request.get_header_value("OData-MaxVersion") != "4.0" ||
        request.get_header_value("Accept") != "application/json") {
        response.status = 400;
        response.set_content(R"({"error":{"code":"0x80040203","message":"missing OData headers"}})",
                             "application/json");
        return false;
    }
    return true;
}

// The JSON an org answers ExportSolution with, '/' escaped as "\/" the way some servers write it.
std::string export_answer(const std::string& zip)
{
    std::string text = remote::base64_encode(zip);
    std::string escaped;
    for (char c : text) {
        escaped += c == '/' ? std::string("\\/") : std::string(1, c);
    }
    return R"({"@odata.context":"https://x/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.ExportSolutionResponse",)"
           R"("ExportSolutionFile":")" +
           escaped + "\"}";
}

TEST(RemoteWebApi, ExportIsStreamedAndDecodedAfterADropMidway)
{
    ScriptedServer server;
    std::string zip = random_bytes(3U << 20U, 1);
    auto answer = std::make_shared<std::string>(export_answer(zip));
    std::atomic<int> calls{0};
    server.routes().Post(
        "/api/data/v9.2/ExportSolution", [&, answer](const httplib::Request& request, httplib::Response& response) {
            if (!odata_headers_ok(request, response)) {
                return;
            }
            json body = json::parse(request.body);
            EXPECT_EQ(body["SolutionName"], "Default");
            EXPECT_EQ(body["Managed"], false);
            bool drop = calls++ == 0;
            response.set_content_provider(answer->size(), "application/json; odata.metadata=minimal",
                                          [answer, drop](size_t offset, size_t length, httplib::DataSink& sink) {
                                              if (drop && offset > answer->size() / 2) {
                                                  return false; // the connection drops half way
                                              }
                                              size_t take = std::min<size_t>(length, 65536);
                                              sink.write(answer->data() + offset, take);
                                              return true;
                                          });
        });
    server.start();
    FakeTime time;
    auto org = remote::make_web_api_org(session_for(server, time), "v9.2", "9.2.1.1");
    TempDir dir;
    std::ostringstream sink;
    Progress progress(sink, false, "export");
    org->export_solution("Default", false, dir / "Default.zip", &progress);
    EXPECT_EQ(calls.load(), 2);
    EXPECT_EQ(sha256_file(dir / "Default.zip"), sha256_hex(zip));
}

TEST(RemoteWebApi, ErrorBodiesBecomeRemoteErrorsWithStatusAndCode)
{
    ScriptedServer server;
    server.routes().Post("/api/data/v9.2/ExportSolution", [&](const httplib::Request&, httplib::Response& response) {
        response.status = 403;
        response.set_content(
            R"({"error":{"code":"0x80040220","message":"Principal user is missing prvExportCustomization privilege"}})",
            "application/json");
    });
    server.start();
    FakeTime time;
    auto org = remote::make_web_api_org(session_for(server, time), "v9.2", "9.2.1.1");
    TempDir dir;
    try {
        org->export_solution("Default", false, dir / "x.zip", nullptr);
        FAIL() << "no error";
    } catch (const remote::RemoteError& e) {
        EXPECT_EQ(e.http_status(), 403);
        EXPECT_EQ(e.code(), "0x80040220");
        EXPECT_EQ(std::string(e.what()), "ExportSolution Default on " + server.url() +
                                             ": HTTP 403 0x80040220 Principal user is missing "
                                             "prvExportCustomization privilege");
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "x.zip")); // no partial file left
}

TEST(RemoteWebApi, ReadsIdentityPrivilegesSolutionsAndEntitiesFollowingNextLinks)
{
    ScriptedServer server;
    std::string base = "/api/data/v8.2/";
    server.routes().Get(base + "WhoAmI", [&](const httplib::Request& request, httplib::Response& response) {
        if (odata_headers_ok(request, response)) {
            response.set_content(R"({"UserId":"{AAAA}","BusinessUnitId":"BBBB","OrganizationId":"CCCC"})",
                                 "application/json");
        }
    });
    server.routes().Get(
        base + R"(systemusers\(aaaa\)/Microsoft\.Dynamics\.CRM\.RetrieveUserPrivileges\(\))",
        [&](const httplib::Request&, httplib::Response& response) {
            response.set_content(
                R"({"RolePrivileges":[{"PrivilegeName":"prvWriteSolution"},{"PrivilegeName":"prvImportCustomization"}]})",
                "application/json");
        });
    server.routes().Get(base + "solutions", [&](const httplib::Request& request, httplib::Response& response) {
        if (request.has_param("page")) {
            response.set_content(
                R"({"value":[{"solutionid":"S2","uniquename":"Active","version":"1.0","ismanaged":false,"isvisible":false}]})",
                "application/json");
            return;
        }
        EXPECT_EQ(request.get_param_value("$select"), "solutionid,uniquename,friendlyname,version,ismanaged,isvisible");
        response.set_content(R"({"value":[{"solutionid":"S1","uniquename":"Default","friendlyname":"Default Solution",)"
                             R"("version":"1.0","ismanaged":false,"isvisible":true}],"@odata.nextLink":")" +
                                 server.url() + base + "solutions?page=2\"}",
                             "application/json");
    });
    server.routes().Get(base + "EntityDefinitions", [&](const httplib::Request& request, httplib::Response& response) {
        EXPECT_EQ(request.get_param_value("$expand"), "Attributes($select=LogicalName)");
        response.set_content(
            R"({"value":[{"LogicalName":"contact","SchemaName":"Contact","EntitySetName":"contacts","IsCustomEntity":false,)"
            R"("Attributes":[{"LogicalName":"lastname"},{"LogicalName":"firstname"}]},)"
            R"({"LogicalName":"account","SchemaName":"Account","EntitySetName":"accounts","IsCustomEntity":false,"Attributes":[]}]})",
            "application/json");
    });
    server.start();
    FakeTime time;
    auto org = remote::make_web_api_org(session_for(server, time), "v8.2", "8.2.2.112");
    auto me = org->who_am_i();
    EXPECT_EQ(me.user_id, "aaaa");
    EXPECT_EQ(me.business_unit_id, "bbbb");
    EXPECT_EQ(org->user_privileges("AAAA"), (std::vector<std::string>{"prvImportCustomization", "prvWriteSolution"}));
    auto solutions = org->solutions();
    ASSERT_EQ(solutions.size(), 2U);
    EXPECT_EQ(solutions[0].unique_name, "Default");
    EXPECT_TRUE(solutions[0].visible);
    EXPECT_EQ(solutions[1].unique_name, "Active");
    EXPECT_FALSE(solutions[1].visible);
    auto entities = org->entities(true);
    ASSERT_EQ(entities.size(), 2U);
    EXPECT_EQ(entities[0].logical_name, "account");
    EXPECT_EQ(entities[1].attributes, (std::vector<std::string>{"firstname", "lastname"}));
    EXPECT_EQ(entities[1].entity_set, "contacts");
}

// An org's import job as the tests script it: progress climbs per poll, then completes.
struct FakeJob {
    std::mutex mutex;
    std::string id;
    std::string received_zip_sha;
    int polls = 0;
    bool started = false;
    bool fail = false;
    int import_posts = 0;
    int formatted_fetches = 0;

    json row()
    {
        std::lock_guard lock(mutex);
        ++polls;
        double progress = std::min(100.0, polls * 25.0);
        json answer = {{"progress", progress}, {"solutionname", "Connector"}};
        answer["completedon"] = progress >= 100 ? json("2026-12-03T20:00:00Z") : json(nullptr);
        answer["data"] =
            fail
                ? R"(<importexportxml><solutionManifests><solutionManifest><result result="failure" errorcode="0x80048068" errortext="Missing dependency"/></solutionManifest></solutionManifests></importexportxml>)"
                : R"(<importexportxml><solutionManifests><solutionManifest><result result="success"/></solutionManifest></solutionManifests></importexportxml>)";
        return answer;
    }
};

void serve_job(ScriptedServer& server, const std::string& base, FakeJob& job)
{
    server.routes().Get(
        base + R"(importjobs\(([0-9a-f-]+)\))", [&](const httplib::Request& request, httplib::Response& response) {
            {
                std::lock_guard lock(job.mutex);
                if (!job.started || request.matches[1] != job.id) {
                    response.status = 404;
                    response.set_content(R"({"error":{"code":"0x80040217","message":"importjob Does Not Exist"}})",
                                         "application/json");
                    return;
                }
            }
            response.set_content(job.row().dump(), "application/json");
        });
    server.routes().Get(base + R"(RetrieveFormattedImportJobResults\(ImportJobId=@p\))",
                        [&](const httplib::Request& request, httplib::Response& response) {
                            std::lock_guard lock(job.mutex);
                            EXPECT_EQ(request.get_param_value("@p"), job.id);
                            ++job.formatted_fetches;
                            response.set_content(R"({"FormattedResults":"<Workbook/>"})", "application/json");
                        });
}

// Takes an import request's body: checks its shape, decodes the file and notes its SHA-256.
void take_import(const httplib::Request& request, FakeJob& job)
{
    json body = json::parse(request.body);
    std::lock_guard lock(job.mutex);
    ++job.import_posts;
    EXPECT_EQ(body["OverwriteUnmanagedCustomizations"], true);
    EXPECT_EQ(body["PublishWorkflows"], true);
    job.id = body["ImportJobId"];
    job.received_zip_sha = sha256_hex(decode(body["CustomizationFile"].get<std::string>()));
    job.started = true;
}

TEST(RemoteWebApi, ImportsAsynchronouslyOn92WithProgressFromTheJob)
{
    ScriptedServer server;
    FakeJob job;
    std::string base = "/api/data/v9.2/";
    std::atomic<int> operation_polls{0};
    server.routes().Post(
        base + "ImportSolutionAsync", [&](const httplib::Request& request, httplib::Response& response) {
            if (!odata_headers_ok(request, response)) {
                return;
            }
            EXPECT_EQ(request.get_header_value("Content-Type"), "application/json");
            take_import(request, job);
            response.set_content(R"({"AsyncOperationId":"0F0F","ImportJobKey":"k"})", "application/json");
        });
    server.routes().Get(base + R"(asyncoperations\(0f0f\))", [&](const httplib::Request&, httplib::Response& response) {
        bool done = ++operation_polls >= 3;
        response.set_content(
            json{{"statecode", done ? 3 : 0}, {"statuscode", done ? 30 : 20}, {"message", nullptr}}.dump(),
            "application/json");
    });
    serve_job(server, base, job);
    server.start();

    TempDir dir;
    std::string zip = random_bytes((2U << 20U) + 1, 2);
    std::ofstream(dir / "c.zip", std::ios::binary) << zip;
    FakeTime time;
    auto org = remote::make_web_api_org(session_for(server, time), "v9.2", "9.2.24012.196");
    std::vector<double> seen;
    remote::ImportRequest request;
    request.zip = dir / "c.zip";
    request.job_id = "1234ABCD-0000-0000-0000-000000000001";
    auto outcome = org->import_solution(request, [&](double progress) { seen.push_back(progress); });
    EXPECT_TRUE(outcome.succeeded);
    EXPECT_EQ(outcome.job_id, "1234abcd-0000-0000-0000-000000000001");
    EXPECT_EQ(job.id, outcome.job_id);
    EXPECT_EQ(job.received_zip_sha, sha256_hex(zip)); // the body re-encodes the zip exactly
    EXPECT_NE(outcome.job_data.find("result=\"success\""), std::string::npos);
    EXPECT_FALSE(seen.empty());
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(job.formatted_fetches, 0);
}

TEST(RemoteWebApi, AFailedAsyncImportIsAnOutcomeWithTheFormattedResults)
{
    ScriptedServer server;
    FakeJob job;
    job.fail = true;
    std::string base = "/api/data/v9.2/";
    server.routes().Post(
        base + "ImportSolutionAsync", [&](const httplib::Request& request, httplib::Response& response) {
            take_import(request, job);
            response.set_content(R"({"AsyncOperationId":"0a0a","ImportJobKey":"k"})", "application/json");
        });
    server.routes().Get(base + R"(asyncoperations\(0a0a\))", [&](const httplib::Request&, httplib::Response& response) {
        response.set_content(
            R"({"statecode":3,"statuscode":31,"message":"Import failed","friendlymessage":"The import failed."})",
            "application/json");
    });
    serve_job(server, base, job);
    server.start();
    TempDir dir;
    std::ofstream(dir / "c.zip", std::ios::binary) << "PK";
    FakeTime time;
    auto org = remote::make_web_api_org(session_for(server, time), "v9.2", "9.2.1.1");
    remote::ImportRequest request;
    request.zip = dir / "c.zip";
    auto outcome = org->import_solution(request, {});
    EXPECT_FALSE(outcome.succeeded);
    EXPECT_EQ(outcome.message, "The import failed.");
    EXPECT_EQ(outcome.formatted, "<Workbook/>");
    EXPECT_NE(outcome.job_data.find("0x80048068"), std::string::npos);
    EXPECT_EQ(outcome.job_id.size(), 36U); // generated when not given
}

TEST(RemoteWebApi, ImportsSynchronouslyBefore91WhilePollingTheJob)
{
    ScriptedServer server;
    FakeJob job;
    std::string base = "/api/data/v9.0/";
    server.routes().Post(base + "ImportSolutionAsync", [&](const httplib::Request&, httplib::Response& response) {
        ADD_FAILURE() << "ImportSolutionAsync on a 9.0 org";
        response.status = 404;
    });
    server.routes().Post(base + "ImportSolution", [&](const httplib::Request& request, httplib::Response& response) {
        take_import(request, job);
        // The request stays open while the import runs: wait until the client has polled it to the end.
        auto until = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < until) {
            {
                std::lock_guard lock(job.mutex);
                if (job.polls >= 4) {
                    break;
                }
            }
            std::this_thread::sleep_for(2ms);
        }
        response.status = 204;
    });
    serve_job(server, base, job);
    server.start();
    TempDir dir;
    std::string zip = random_bytes(100000, 3);
    std::ofstream(dir / "c.zip", std::ios::binary) << zip;
    FakeTime time;
    auto org = remote::make_web_api_org(session_for(server, time), "v9.0", "9.0.2.1");
    std::vector<double> seen;
    remote::ImportRequest request;
    request.zip = dir / "c.zip";
    auto outcome = org->import_solution(request, [&](double progress) { seen.push_back(progress); });
    EXPECT_TRUE(outcome.succeeded);
    EXPECT_EQ(job.received_zip_sha, sha256_hex(zip));
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back(), 100);
}

TEST(RemoteWebApi, ADroppedImportIsFollowedByPollingNotAResend)
{
    ScriptedServer server;
    FakeJob job;
    std::string base = "/api/data/v8.2/";
    server.routes().Post(base + "ImportSolution", [&](const httplib::Request& request, httplib::Response& response) {
        take_import(request, job);
        drop_connection(response);
    });
    serve_job(server, base, job);
    server.start();
    TempDir dir;
    std::ofstream(dir / "c.zip", std::ios::binary) << random_bytes(5000, 4);
    FakeTime time;
    auto org = remote::make_web_api_org(session_for(server, time), "v8.2", "8.2.2.112");
    remote::ImportRequest request;
    request.zip = dir / "c.zip";
    auto outcome = org->import_solution(request, {});
    EXPECT_TRUE(outcome.succeeded);
    EXPECT_EQ(job.import_posts, 1);
    EXPECT_GE(job.polls, 4);
}

TEST(RemoteWebApi, AFailedSyncImportCarriesTheOrgsErrorAndTheJobLog)
{
    ScriptedServer server;
    FakeJob job;
    job.fail = true;
    std::string base = "/api/data/v8.2/";
    server.routes().Post(base + "ImportSolution", [&](const httplib::Request& request, httplib::Response& response) {
        take_import(request, job);
        response.status = 400;
        response.set_content(R"({"error":{"code":"0x80048068","message":"The import of the solution failed."}})",
                             "application/json");
    });
    serve_job(server, base, job);
    server.start();
    TempDir dir;
    std::ofstream(dir / "c.zip", std::ios::binary) << "PK";
    FakeTime time;
    auto org = remote::make_web_api_org(session_for(server, time), "v8.2", "8.2.2.112");
    remote::ImportRequest request;
    request.zip = dir / "c.zip";
    auto outcome = org->import_solution(request, {});
    EXPECT_FALSE(outcome.succeeded);
    EXPECT_NE(outcome.message.find("0x80048068 The import of the solution failed."), std::string::npos)
        << outcome.message;
    EXPECT_NE(outcome.job_data.find("Missing dependency"), std::string::npos);
    EXPECT_EQ(outcome.formatted, "<Workbook/>");
}

TEST(RemoteWebApi, ImportGivesUpAtMaxWait)
{
    ScriptedServer server;
    std::string base = "/api/data/v9.2/";
    server.routes().Post(base + "ImportSolutionAsync", [&](const httplib::Request&, httplib::Response& response) {
        response.set_content(R"({"AsyncOperationId":"0b0b","ImportJobKey":"k"})", "application/json");
    });
    server.routes().Get(base + R"(asyncoperations\(0b0b\))", [&](const httplib::Request&, httplib::Response& response) {
        response.set_content(R"({"statecode":0,"statuscode":20})", "application/json");
    });
    server.routes().Get(base + R"(importjobs\(.*\))", [&](const httplib::Request&, httplib::Response& response) {
        response.set_content(R"({"progress":10})", "application/json");
    });
    server.start();
    TempDir dir;
    std::ofstream(dir / "c.zip", std::ios::binary) << "PK";
    FakeTime time;
    auto session = session_for(server, time);
    session.poll_interval = 1000ms;
    session.settings = test_settings(time, 30s);
    auto org = remote::make_web_api_org(session, "v9.2", "9.2.1.1");
    remote::ImportRequest request;
    request.zip = dir / "c.zip";
    try {
        (void)org->import_solution(request, {});
        FAIL() << "no error";
    } catch (const remote::RemoteError& e) {
        EXPECT_NE(std::string(e.what()).find("did not finish within --max-wait (30 s)"), std::string::npos) << e.what();
    }
}

// ---- SOAP ----------------------------------------------------------------------------------------

const std::string k_soap_path = "/XRMServices/2011/Organization.svc/web";

std::string soap_results(const std::string& pairs)
{
    return R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><ExecuteResponse xmlns="http://schemas.microsoft.com/xrm/2011/Contracts/Services"><ExecuteResult xmlns:a="http://schemas.microsoft.com/xrm/2011/Contracts" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:ResponseName>X</a:ResponseName><a:Results xmlns:b="http://schemas.datacontract.org/2004/07/System.Collections.Generic">)" +
           pairs + "</a:Results></ExecuteResult></ExecuteResponse></s:Body></s:Envelope>";
}

std::string soap_pair(const std::string& key, const std::string& value)
{
    return "<a:KeyValuePairOfstringanyType><b:key>" + key +
           "</b:key><b:value i:type=\"c:string\" "
           "xmlns:c=\"http://www.w3.org/2001/XMLSchema\">" +
           value + "</b:value></a:KeyValuePairOfstringanyType>";
}

std::string request_name(const std::string& body)
{
    size_t start = body.find("<a:RequestName>");
    size_t end = body.find("</a:RequestName>");
    return start == std::string::npos || end == std::string::npos ? std::string()
                                                                  : body.substr(start + 15, end - start - 15);
}

TEST(RemoteSoap, FaultsBecomeRemoteErrorsWithAHexCode)
{
    ScriptedServer server;
    server.routes().Post(k_soap_path, [&](const httplib::Request& request, httplib::Response& response) {
        EXPECT_EQ(request.get_header_value("SOAPAction"),
                  "http://schemas.microsoft.com/xrm/2011/Contracts/Services/IOrganizationService/Execute");
        EXPECT_EQ(request_name(request.body), "WhoAmI");
        response.status = 500;
        response.set_content(
            R"(<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-US">Principal user is missing prvReadUser privilege</faultstring><detail><OrganizationServiceFault xmlns="http://schemas.microsoft.com/xrm/2011/Contracts" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><ErrorCode>-2147220960</ErrorCode><ErrorDetails/><Message>Principal user is missing prvReadUser privilege</Message></OrganizationServiceFault></detail></s:Fault></s:Body></s:Envelope>)",
            "text/xml; charset=utf-8");
    });
    server.start();
    FakeTime time;
    auto org = remote::make_soap_org(session_for(server, time), "5.0.9690.4376");
    try {
        (void)org->who_am_i();
        FAIL() << "no error";
    } catch (const remote::RemoteError& e) {
        EXPECT_EQ(e.http_status(), 500);
        EXPECT_EQ(e.code(), "0x80040220");
        EXPECT_EQ(std::string(e.what()), "WhoAmI on " + server.url() +
                                             ": HTTP 500 0x80040220 Principal user is missing prvReadUser privilege");
    }
}

TEST(RemoteSoap, ExportsAndImportsStreamed)
{
    ScriptedServer server;
    std::string zip = random_bytes((1U << 20U) + 2, 5);
    std::mutex mutex;
    std::string imported_sha;
    std::string job_id;
    server.routes().Post(k_soap_path, [&](const httplib::Request& request, httplib::Response& response) {
        std::string name = request_name(request.body);
        if (name == "ExportSolution") {
            EXPECT_NE(request.body.find("<c:key>SolutionName</c:key><c:value i:type=\"d:string\""), std::string::npos);
            response.set_content(
                soap_results("<a:KeyValuePairOfstringanyType><b:key>ExportSolutionFile</b:key>"
                             "<b:value i:type=\"c:base64Binary\" xmlns:c=\"http://www.w3.org/2001/XMLSchema\">" +
                             remote::base64_encode(zip) + "</b:value></a:KeyValuePairOfstringanyType>"),
                "text/xml; charset=utf-8");
        } else if (name == "ImportSolution") {
            std::string open = "<c:key>CustomizationFile</c:key><c:value i:type=\"d:base64Binary\" "
                               "xmlns:d=\"http://www.w3.org/2001/XMLSchema\">";
            size_t start = request.body.find(open);
            size_t end = request.body.find("</c:value>", start);
            ASSERT_NE(start, std::string::npos);
            size_t id_at = request.body.find("<c:key>ImportJobId</c:key>");
            ASSERT_NE(id_at, std::string::npos);
            std::lock_guard lock(mutex);
            imported_sha = sha256_hex(
                decode(std::string_view(request.body).substr(start + open.size(), end - start - open.size())));
            size_t value = request.body.find('>', request.body.find("<c:value", id_at)) + 1;
            job_id = request.body.substr(value, request.body.find('<', value) - value);
            response.set_content(soap_results(""), "text/xml; charset=utf-8");
        } else if (name == "RetrieveMultiple") {
            EXPECT_NE(request.body.find("&lt;entity name=\"importjob\"&gt;"), std::string::npos);
            std::string entity =
                "<a:Entities><a:Entity><a:Attributes>" + soap_pair("progress", "100") +
                soap_pair("completedon", "2026-12-03") +
                soap_pair("data", "&lt;importexportxml&gt;&lt;solutionManifest&gt;&lt;result result=\"success\"/&gt;"
                                  "&lt;/solutionManifest&gt;&lt;/importexportxml&gt;") +
                "</a:Attributes><a:LogicalName>importjob</a:LogicalName></a:Entity></a:Entities>";
            response.set_content(soap_results("<a:KeyValuePairOfstringanyType><b:key>EntityCollection</b:key>"
                                              "<b:value i:type=\"a:EntityCollection\">" +
                                              entity + "</b:value></a:KeyValuePairOfstringanyType>"),
                                 "text/xml; charset=utf-8");
        } else {
            ADD_FAILURE() << "unexpected " << name;
            response.status = 500;
        }
    });
    server.start();
    FakeTime time;
    auto org = remote::make_soap_org(session_for(server, time), "7.0.0.1");
    TempDir dir;
    org->export_solution("Default", false, dir / "d.zip", nullptr);
    EXPECT_EQ(sha256_file(dir / "d.zip"), sha256_hex(zip));

    remote::ImportRequest request;
    request.zip = dir / "d.zip";
    request.job_id = "abcd";
    double last = -1;
    auto outcome = org->import_solution(request, [&](double progress) { last = progress; });
    EXPECT_TRUE(outcome.succeeded);
    std::lock_guard lock(mutex);
    EXPECT_EQ(imported_sha, sha256_hex(zip));
    EXPECT_EQ(job_id, "abcd");
    EXPECT_EQ(last, 100);
    EXPECT_NE(outcome.job_data.find("<importexportxml>"), std::string::npos);
}

// ---- the probe -----------------------------------------------------------------------------------

TEST(RemoteProbe, PicksTheWebApiPathTheVersionHas)
{
    ScriptedServer server;
    server.routes().Get(
        R"(/api/data/v8\.0/RetrieveVersion\(\))", [&](const httplib::Request& request, httplib::Response& response) {
            if (odata_headers_ok(request, response)) {
                response.set_content(R"({"@odata.context":"x","Version":"8.2.2.112"})", "application/json");
            }
        });
    server.start();
    FakeTime time;
    auto org = remote::connect_session(session_for(server, time), std::nullopt);
    EXPECT_EQ(org->api(), remote::Api::web_api);
    EXPECT_EQ(org->endpoint(), server.url() + "/api/data/v8.2");
    EXPECT_EQ(org->version(), "8.2.2.112");
    EXPECT_EQ(server.requests(), 1);
}

TEST(RemoteProbe, FallsBackToSoapWhenThereIsNoWebApi)
{
    ScriptedServer server;
    server.routes().Post(k_soap_path, [&](const httplib::Request& request, httplib::Response& response) {
        EXPECT_EQ(request_name(request.body), "RetrieveVersion");
        response.set_content(soap_results(soap_pair("Version", "5.0.9690.4376")), "text/xml; charset=utf-8");
    });
    server.start();
    FakeTime time;
    auto org = remote::connect_session(session_for(server, time), std::nullopt);
    EXPECT_EQ(org->api(), remote::Api::soap);
    EXPECT_EQ(org->endpoint(), server.url() + k_soap_path);
    EXPECT_EQ(org->version(), "5.0.9690.4376");
    EXPECT_EQ(server.requests(), 2);
    EXPECT_EQ(server.log().front(), "GET /api/data/v8.0/RetrieveVersion()");
}

TEST(RemoteProbe, ApiOverrideSkipsTheProbe)
{
    ScriptedServer server;
    server.routes().Post(k_soap_path, [&](const httplib::Request&, httplib::Response& response) {
        response.set_content(soap_results(soap_pair("Version", "9.0.1.1")), "text/xml; charset=utf-8");
    });
    server.start();
    FakeTime time;
    auto org = remote::connect_session(session_for(server, time), remote::Api::soap);
    EXPECT_EQ(org->api(), remote::Api::soap);
    EXPECT_EQ(org->version(), "9.0.1.1");
    EXPECT_EQ(server.requests(), 1);
}

TEST(RemoteProbe, NoSecretInAnyMessageOrRequestLine)
{
    ScriptedServer server;
    server.routes().Post("/tenant/oauth2/v2.0/token", [&](const httplib::Request&, httplib::Response& response) {
        response.set_content(R"({"token_type":"Bearer","expires_in":3600,"access_token":"TOKEN-xyz"})",
                             "application/json");
    });
    server.routes().Get(R"(/api/data/v8\.0/RetrieveVersion\(\))", [&](const httplib::Request&,
                                                                      httplib::Response& response) {
        response.status = 401;
        response.set_content(R"({"error":{"code":"0x80040220","message":"Bad token TOKEN-xyz for client-secret-42"}})",
                             "application/json");
    });
    server.start();
    remote::ConnectionOptions options;
    options.org_url = server.url();
    options.authority = server.url();
    options.tenant = "tenant";
    options.client_id = "client";
    options.max_wait = 5s;
    try {
        (void)remote::connect(options, remote::Secret("client-secret-42"));
        FAIL() << "no error";
    } catch (const remote::RemoteError& e) {
        std::string message = e.what();
        EXPECT_EQ(message.find("client-secret-42"), std::string::npos) << message;
        EXPECT_EQ(e.http_status(), 401);
    }
    for (const auto& line : server.log()) {
        EXPECT_EQ(line.find("client-secret-42"), std::string::npos) << line;
    }
}

} // namespace
} // namespace escprov::test
