#include "emulator_support.hpp"

#include <httplib.h>

#include <chrono>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace escprov::test {

namespace {

constexpr auto k_start_deadline = std::chrono::seconds(30);
constexpr auto k_stop_deadline = std::chrono::seconds(10);

httplib::Headers to_headers(const std::map<std::string, std::string>& headers, const std::string& token)
{
    httplib::Headers out;
    for (const auto& [name, value] : headers) {
        out.emplace(name, value);
    }
    if (!token.empty()) {
        out.emplace("Authorization", "Bearer " + token);
    }
    return out;
}

HttpAnswer answer_of(const httplib::Result& result)
{
    HttpAnswer answer;
    if (!result) {
        return answer;
    }
    answer.status = result->status;
    answer.body = result->body;
    for (const auto& [name, value] : result->headers) {
        answer.headers.emplace(name, value);
    }
    return answer;
}

std::unique_ptr<httplib::Client> client_for(const std::string& url)
{
    auto client = std::make_unique<httplib::Client>(url);
    client->set_read_timeout(120, 0);
    client->set_connection_timeout(10, 0);
    return client;
}

} // namespace

std::string HttpAnswer::header(const std::string& name) const
{
    for (const auto& [key, value] : headers) {
        if (strcasecmp(key.c_str(), name.c_str()) == 0) {
            return value;
        }
    }
    return {};
}

nlohmann::json HttpAnswer::json() const
{
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    return parsed.is_discarded() ? nlohmann::json() : parsed;
}

FakeDataverse::FakeDataverse(const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& environment)
{
    std::string binary = ESCPROV_FAKE_DATAVERSE;
    std::vector<std::string> copies = {binary, "--port", "0"};
    copies.insert(copies.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : copies) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    fs::path out_path = m_dir / "stdout";
    fs::path err_path = m_dir / "stderr";
    m_pid = ::fork();
    if (m_pid == 0) {
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(out, 1);
        ::dup2(err, 2);
        for (const auto& [name, value] : environment) {
            ::setenv(name.c_str(), value.c_str(), 1);
        }
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + k_start_deadline;
    while (std::chrono::steady_clock::now() < deadline) {
        std::string out = read_bytes(out_path);
        size_t newline = out.find('\n');
        if (newline != std::string::npos) {
            m_url = out.substr(0, newline);
            return;
        }
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            ADD_FAILURE() << "escprov-fake-dataverse exited before printing its URL: " << read_bytes(err_path);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "escprov-fake-dataverse printed no URL within 30 s: " << read_bytes(err_path);
}

FakeDataverse::~FakeDataverse()
{
    if (m_pid <= 0) {
        return;
    }
    ::kill(m_pid, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + k_stop_deadline;
    int status = 0;
    while (::waitpid(m_pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << "escprov-fake-dataverse ignored SIGTERM for 10 s";
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, &status, 0);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "escprov-fake-dataverse did not end cleanly";
}

std::string FakeDataverse::output() const
{
    return read_bytes(m_dir / "stdout") + read_bytes(m_dir / "stderr");
}

HttpAnswer FakeDataverse::get(const std::string& path, const std::string& token,
                              const std::map<std::string, std::string>& headers) const
{
    return answer_of(client_for(m_url)->Get(path.c_str(), to_headers(headers, token)));
}

HttpAnswer FakeDataverse::post(const std::string& path, const std::string& body, const std::string& content_type,
                               const std::string& token, const std::map<std::string, std::string>& headers) const
{
    return answer_of(client_for(m_url)->Post(path.c_str(), to_headers(headers, token), body, content_type.c_str()));
}

HttpAnswer FakeDataverse::del(const std::string& path, const std::string& token) const
{
    return answer_of(client_for(m_url)->Delete(path.c_str(), to_headers(odata_headers(), token)));
}

std::string FakeDataverse::token(const std::string& client_id, const std::string& secret) const
{
    HttpAnswer answer = post("/tenant/oauth2/v2.0/token",
                             "grant_type=client_credentials&client_id=" + client_id +
                                 "&client_secret=" + httplib::detail::encode_query_param(secret) +
                                 "&scope=" + httplib::detail::encode_query_param(m_url + "/.default"),
                             "application/x-www-form-urlencoded", "");
    if (answer.status != 200) {
        return {};
    }
    nlohmann::json parsed = answer.json();
    return parsed.is_object() ? parsed.value("access_token", "") : std::string();
}

HttpAnswer FakeDataverse::api_get(const std::string& version, const std::string& path, const std::string& token) const
{
    return get("/api/data/v" + version + path, token, odata_headers());
}

HttpAnswer FakeDataverse::api_post(const std::string& version, const std::string& path, const nlohmann::json& body,
                                   const std::string& token) const
{
    return post("/api/data/v" + version + path, body.dump(), "application/json", token, odata_headers());
}

HttpAnswer FakeDataverse::soap(const std::string& request_name, const std::string& parameters,
                               const std::string& token) const
{
    std::string envelope = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><Execute "
                           "xmlns=\"http://schemas.microsoft.com/xrm/2011/Contracts/Services\" "
                           "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><request i:type=\"b:" +
                           request_name +
                           "Request\" xmlns:a=\"http://schemas.microsoft.com/xrm/2011/Contracts\" "
                           "xmlns:b=\"http://schemas.microsoft.com/crm/2011/Contracts\"><a:Parameters "
                           "xmlns:c=\"http://schemas.datacontract.org/2004/07/System.Collections.Generic\">" +
                           parameters + "</a:Parameters><a:RequestId i:nil=\"true\" /><a:RequestName>" + request_name +
                           "</a:RequestName></request></Execute></s:Body></s:Envelope>";
    return post(
        "/XRMServices/2011/Organization.svc/web", envelope, "text/xml; charset=utf-8", token,
        {{"SOAPAction", "http://schemas.microsoft.com/xrm/2011/Contracts/Services/IOrganizationService/Execute"}});
}

std::map<std::string, std::string> odata_headers()
{
    return {{"Accept", "application/json"}, {"OData-MaxVersion", "4.0"}, {"OData-Version", "4.0"}};
}

std::string base64(const std::string& bytes)
{
    static constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        uint32_t n =
            (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
        out += {k_alphabet[n >> 18], k_alphabet[(n >> 12) & 63], k_alphabet[(n >> 6) & 63], k_alphabet[n & 63]};
    }
    if (i + 1 == bytes.size()) {
        uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
        out += {k_alphabet[n >> 18], k_alphabet[(n >> 12) & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
        out += {k_alphabet[n >> 18], k_alphabet[(n >> 12) & 63], k_alphabet[(n >> 6) & 63], '='};
    }
    return out;
}

namespace {

std::string unbase64(const std::string& text)
{
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value = c >= 'A' && c <= 'Z'   ? c - 'A'
                    : c >= 'a' && c <= 'z' ? c - 'a' + 26
                    : c >= '0' && c <= '9' ? c - '0' + 52
                    : c == '+'             ? 62
                    : c == '/'             ? 63
                                           : -1;
        if (value < 0) {
            continue;
        }
        buffer = (buffer << 6) | uint32_t(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((buffer >> bits) & 0xff);
        }
    }
    return out;
}

} // namespace

nlohmann::json import_body(const fs::path& zip, const std::string& job_id)
{
    return {{"OverwriteUnmanagedCustomizations", true},
            {"PublishWorkflows", true},
            {"CustomizationFile", base64(read_bytes(zip))},
            {"ImportJobId", job_id}};
}

void save_export(const HttpAnswer& answer, const fs::path& path)
{
    nlohmann::json parsed = answer.json();
    std::string encoded = parsed.is_object() ? parsed.value("ExportSolutionFile", "") : std::string();
    if (encoded.empty()) {
        size_t start = answer.body.find("base64Binary");
        start = start == std::string::npos ? start : answer.body.find('>', start);
        size_t end = start == std::string::npos ? start : answer.body.find('<', start);
        if (end != std::string::npos) {
            encoded = answer.body.substr(start + 1, end - start - 1);
        }
    }
    write_bytes(path, unbase64(encoded));
}

std::string soap_parameter(const std::string& key, const std::string& type, const std::string& value)
{
    std::string ns =
        type == "guid" ? "http://schemas.microsoft.com/2003/10/Serialization/" : "http://www.w3.org/2001/XMLSchema";
    return "<a:KeyValuePairOfstringanyType><c:key>" + key + "</c:key><c:value i:type=\"d:" + type + "\" xmlns:d=\"" +
           ns + "\">" + value + "</c:value></a:KeyValuePairOfstringanyType>";
}

std::string sample_org(const std::string& name)
{
    return (source_dir() / "samples" / "orgs" / (name + ".zip")).string();
}

fs::path connector_package(const fs::path& folder, const std::string& org, const std::string& target)
{
    fs::path tree = folder / ("merged-" + target);
    fs::path zip = folder / ("EmailServiceConnector-" + target + "_managed.zip");
    RunResult merged = run_escprov({"merge", "--base", sample_org(org), "--target", target, "--out", tree.string()});
    if (merged.exit_code != 0) {
        ADD_FAILURE() << "merge failed: " << merged.err;
        return {};
    }
    RunResult packaged = run_escprov({"package", tree.string(), "--managed", "--target", target, "-o", zip.string()});
    if (packaged.exit_code != 0) {
        ADD_FAILURE() << "package failed: " << packaged.err;
        return {};
    }
    return zip;
}

} // namespace escprov::test
