#include "smtp_support.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <thread>

#include <openssl/evp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace escprov::test {

// Runs `command` through the shell, quietly; true when it exits 0.
bool shell_ok(const std::string& command)
{
    return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// A python3 that can import aiosmtpd (Debian's package installs into /usr/bin/python3's path,
// which a pyenv or venv python3 earlier on PATH does not see), or "".
std::string python_with_aiosmtpd()
{
    for (const char* candidate : {"/usr/bin/python3", "python3"}) {
        if (shell_ok(std::string(candidate) + " -c 'import aiosmtpd'")) {
            return candidate;
        }
    }
    return {};
}

std::string smtp_tools_missing()
{
    if (python_with_aiosmtpd().empty()) {
        return "no python3 with aiosmtpd: the SMTP round trips need a real server (run ./setup.sh test, which "
               "installs python3-aiosmtpd)";
    }
    if (!shell_ok("openssl version")) {
        return "no openssl CLI to make the test server's certificate (run ./setup.sh test, which installs openssl)";
    }
    return {};
}

TestCertificate::TestCertificate()
{
    m_ok = shell_ok("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
                    " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
                    key().string() + "' -out '" + cert().string() + "'");
}

std::string base64_decode(const std::string& text)
{
    std::string compact;
    for (char c : text) {
        if (c != '\r' && c != '\n' && c != ' ' && c != '\t') {
            compact += c;
        }
    }
    std::string out(compact.size() / 4 * 3 + 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(compact.data()), static_cast<int>(compact.size()));
    if (n < 0 || compact.size() % 4 != 0) {
        ADD_FAILURE() << "not base64: " << compact.substr(0, 80);
        return {};
    }
    size_t padding = compact.ends_with("==") ? 2 : compact.ends_with("=") ? 1 : 0;
    out.resize(static_cast<size_t>(n) - padding);
    return out;
}

std::string quoted_printable_decode(const std::string& text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '=' && i + 2 < text.size() + 1 && text.compare(i, 3, "=\r\n") == 0) {
            i += 2; // soft line break
        } else if (text[i] == '=' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// Splits "headers CRLF CRLF body" and unfolds the headers.
Part parse_part(const std::string& raw)
{
    Part part;
    size_t split = raw.find("\r\n\r\n");
    std::string head = raw.substr(0, split);
    part.body = split == std::string::npos ? "" : raw.substr(split + 4);
    std::string name;
    size_t start = 0;
    while (start < head.size()) {
        size_t end = head.find("\r\n", start);
        std::string line = head.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? head.size() : end + 2;
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            part.headers[name] += line; // a folded continuation
            continue;
        }
        size_t colon = line.find(':');
        name = line.substr(0, colon);
        for (auto& c : name) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        part.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    }
    return part;
}

// The value of `parameter` in a header such as `multipart/mixed; boundary="x"`.
std::string header_parameter(const std::string& value, const std::string& parameter)
{
    size_t at = value.find(parameter + "=");
    if (at == std::string::npos) {
        return {};
    }
    std::string rest = value.substr(at + parameter.size() + 1);
    if (!rest.empty() && rest[0] == '"') {
        return rest.substr(1, rest.find('"', 1) - 1);
    }
    return rest.substr(0, rest.find_first_of("; \t"));
}

// The parts of a multipart body between "--boundary" lines.
std::vector<Part> split_multipart(const Part& message)
{
    std::string boundary = "--" + header_parameter(message.headers.at("content-type"), "boundary");
    std::vector<Part> parts;
    std::string body = "\r\n" + message.body;
    size_t at = body.find("\r\n" + boundary);
    while (at != std::string::npos) {
        size_t start = at + 2 + boundary.size();
        if (body.compare(start, 2, "--") == 0) {
            break; // the closing delimiter
        }
        start += 2; // CRLF after the delimiter
        size_t next = body.find("\r\n" + boundary, start);
        parts.push_back(parse_part(body.substr(start, next - start)));
        at = next;
    }
    return parts;
}

// Decodes RFC 2047 "=?UTF-8?B?...?=" words (the only kind send() writes), dropping the folding.
std::string decode_subject(const std::string& header)
{
    std::string out;
    size_t at = 0;
    bool any = false;
    while ((at = header.find("=?UTF-8?B?", at)) != std::string::npos) {
        size_t end = header.find("?=", at + 10);
        out += base64_decode(header.substr(at + 10, end - at - 10));
        at = end + 2;
        any = true;
    }
    return any ? out : header;
}

SmtpServer::SmtpServer(const std::string& python, Mode mode, const fs::path& folder, const fs::path& cert,
                       const fs::path& key, bool with_auth)
    : m_spool(folder / "spool")
{
    fs::create_directories(m_spool);
    fs::path ready = folder / "ready";
    fs::path secret = folder / "server-password";
    write_bytes(secret, k_smtp_password + "\n");
    std::vector<std::string> args = {
        python,    (source_dir() / "tests/smtp/server.py").string(),
        "--mode",  mode == Mode::plain ? "plain" : mode == Mode::starttls ? "starttls" : "implicit",
        "--spool", m_spool.string(),
        "--ready", ready.string(),
        "--cert",  cert.string(),
        "--key",   key.string()};
    if (with_auth) {
        args.insert(args.end(), {"--user", k_smtp_user, "--password-file", secret.string()});
    }
    std::vector<char*> argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    fs::path log = folder / "server.log";
    m_pid = ::fork();
    if (m_pid == 0) {
        FILE* out = std::freopen(log.c_str(), "w", stderr);
        (void)out;
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!fs::exists(ready)) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            m_error = "the SMTP server exited at start: " + read_bytes(log);
            return;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            m_error = "the SMTP server did not start within 20 s: " + read_bytes(log);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    m_port = std::stoi(read_bytes(ready));
}

SmtpServer::~SmtpServer()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        int status = 0;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (::waitpid(m_pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(m_pid, SIGKILL);
                ::waitpid(m_pid, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

std::vector<Received> SmtpServer::received() const
{
    std::vector<Received> messages;
    for (int n = 1;; ++n) {
        std::array<char, 16> stem{};
        std::snprintf(stem.data(), stem.size(), "%03d", n);
        fs::path json = m_spool / (std::string(stem.data()) + ".json");
        if (!fs::exists(json)) {
            break;
        }
        messages.push_back(
            {nlohmann::json::parse(read_bytes(json)), read_bytes(m_spool / (std::string(stem.data()) + ".eml"))});
    }
    return messages;
}

} // namespace escprov::test
