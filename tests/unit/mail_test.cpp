// mail::send against a real SMTP server on loopback: tests/smtp/server.py on Debian's
// python3-aiosmtpd, with a self-signed certificate made by the openssl CLI for each test suite run.
// The received raw message is parsed here (MIME split, base64 decoded) and compared byte for byte.

#include "mail/smtp.hpp"
#include "support.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace escprov::test {
namespace {

const std::string k_user = "connector";
const std::string k_password = "s3cret-Pa55word-for-tests";

// ---- tools the tests need ------------------------------------------------------------------

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

// A loopback port nothing listens on (bound, then released).
int unused_port()
{
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
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

// ---- a received message, parsed -------------------------------------------------------------

struct Part {
    std::map<std::string, std::string> headers; // lower-case name -> unfolded value
    std::string body;
};

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

// ---- the server ------------------------------------------------------------------------------

enum class Mode { plain, starttls, implicit };

struct Received {
    nlohmann::json envelope;
    std::string raw;
};

class SmtpServer {
public:
    SmtpServer(const std::string& python, Mode mode, const fs::path& folder, const fs::path& cert, const fs::path& key,
               bool with_auth)
        : m_spool(folder / "spool")
    {
        fs::create_directories(m_spool);
        fs::path ready = folder / "ready";
        fs::path secret = folder / "server-password";
        write_bytes(secret, k_password + "\n");
        std::vector<std::string> args = {
            python,    (source_dir() / "tests/smtp/server.py").string(),
            "--mode",  mode == Mode::plain ? "plain" : mode == Mode::starttls ? "starttls" : "implicit",
            "--spool", m_spool.string(),
            "--ready", ready.string(),
            "--cert",  cert.string(),
            "--key",   key.string()};
        if (with_auth) {
            args.insert(args.end(), {"--user", k_user, "--password-file", secret.string()});
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
    ~SmtpServer()
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
    SmtpServer(const SmtpServer&) = delete;
    SmtpServer& operator=(const SmtpServer&) = delete;

    const std::string& error() const { return m_error; }
    std::string url(const std::string& scheme) const { return scheme + "://127.0.0.1:" + std::to_string(m_port); }
    std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }

    // Every message saved so far, in arrival order (send() returns after the server's 250).
    std::vector<Received> received() const
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

private:
    fs::path m_spool;
    pid_t m_pid = -1;
    int m_port = 0;
    std::string m_error;
};

// ---- fixture ---------------------------------------------------------------------------------

class MailTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_python = new std::string(python_with_aiosmtpd());
        s_certs = new TempDir();
        s_cert_ok = shell_ok("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
                             " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout '" +
                             (*s_certs / "key.pem").string() + "' -out '" + (*s_certs / "cert.pem").string() + "'");
    }
    static void TearDownTestSuite()
    {
        delete s_certs;
        delete s_python;
    }
    void SetUp() override
    {
        if (s_python->empty()) {
            GTEST_SKIP() << "no python3 with aiosmtpd: run ./setup.sh test (installs python3-aiosmtpd) to run the "
                            "SMTP round-trip tests";
        }
        ASSERT_TRUE(s_cert_ok) << "openssl could not make the test certificate (is the openssl CLI installed?)";
        ::setenv("ESCPROV_TEST_SMTP_PASSWORD", k_password.c_str(), 1);
    }

    std::unique_ptr<SmtpServer> start(Mode mode, bool with_auth = true)
    {
        auto server =
            std::make_unique<SmtpServer>(*s_python, mode, m_dir.path(), cert(), *s_certs / "key.pem", with_auth);
        EXPECT_EQ(server->error(), "");
        return server;
    }
    static fs::path cert() { return *s_certs / "cert.pem"; }

    // A few hundred KB of random bytes (every byte value, no structure) as the attachment.
    fs::path random_attachment(const std::string& name, size_t size = 300 * 1024)
    {
        std::mt19937 generator(static_cast<unsigned>(std::random_device{}()));
        std::string bytes(size, '\0');
        for (auto& byte : bytes) {
            byte = static_cast<char>(generator() & 0xff);
        }
        fs::path path = m_dir / name;
        write_bytes(path, bytes);
        return path;
    }

    mail::Message message(const fs::path& attachment) const
    {
        mail::Message m;
        m.from = "technical.services@example.com";
        m.to = {"it@customer.example", "crm-admin@customer.example"};
        m.subject = "Email Service Connector bundle";
        m.body = "Hello,\r\n\r\nThe connector bundle is attached.\r\n";
        m.attachment = attachment;
        return m;
    }

    mail::SmtpOptions options(const std::string& url) const
    {
        mail::SmtpOptions o;
        o.url = url;
        o.user = k_user;
        o.password_env = "ESCPROV_TEST_SMTP_PASSWORD";
        o.ca_file = cert();
        o.timeout_seconds = 20;
        return o;
    }

    TempDir m_dir;
    static inline std::string* s_python = nullptr;
    static inline TempDir* s_certs = nullptr;
    static inline bool s_cert_ok = false;
};

// Checks the received message: envelope, headers, text body and the attachment's exact bytes.
void expect_delivered(const Received& received, const mail::Message& sent, const std::string& attachment_bytes)
{
    EXPECT_EQ(received.envelope["mail_from"], sent.from);
    EXPECT_EQ(received.envelope["rcpt_tos"], nlohmann::json(sent.to));
    Part top = parse_part(received.raw);
    EXPECT_EQ(decode_subject(top.headers["subject"]), sent.subject);
    EXPECT_EQ(top.headers["from"], sent.from);
    EXPECT_EQ(top.headers["to"], sent.to[0] + ", " + sent.to[1]);
    EXPECT_TRUE(top.headers.contains("date"));
    EXPECT_TRUE(top.headers["message-id"].ends_with("@example.com>")) << top.headers["message-id"];
    ASSERT_TRUE(top.headers["content-type"].starts_with("multipart/mixed")) << top.headers["content-type"];

    std::vector<Part> parts = split_multipart(top);
    ASSERT_EQ(parts.size(), 2U);
    EXPECT_TRUE(parts[0].headers["content-type"].starts_with("text/plain")) << parts[0].headers["content-type"];
    EXPECT_EQ(parts[0].headers["content-transfer-encoding"], "quoted-printable");
    EXPECT_EQ(quoted_printable_decode(parts[0].body), sent.body);

    EXPECT_EQ(parts[1].headers["content-transfer-encoding"], "base64");
    EXPECT_EQ(header_parameter(parts[1].headers["content-disposition"], "filename"),
              sent.attachment.filename().string());
    std::string decoded = base64_decode(parts[1].body);
    EXPECT_EQ(decoded.size(), attachment_bytes.size());
    EXPECT_TRUE(decoded == attachment_bytes) << "the attachment's bytes differ from the file's";
}

// Runs send() and returns the Error it threw (kind internal and an empty message when none).
Error send_error(const mail::Message& m, const mail::SmtpOptions& o)
{
    try {
        mail::send(m, o);
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "send() did not fail";
    return Error(ErrorKind::internal, "");
}

// ---- round trips -----------------------------------------------------------------------------

TEST_F(MailTest, StartTlsDeliversTheAttachmentsExactBytes)
{
    auto server = start(Mode::starttls);
    fs::path attachment = random_attachment("EmailServiceConnector-bundle.zip");
    mail::Message m = message(attachment);
    mail::send(m, options(server->url("smtp")));

    auto received = server->received();
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].envelope["login"], k_user);
    EXPECT_EQ(received[0].envelope["tls"], true);
    expect_delivered(received[0], m, read_bytes(attachment));
    Part top = parse_part(received[0].raw);
    EXPECT_EQ(split_multipart(top)[1].headers["content-type"], "application/zip");
}

TEST_F(MailTest, ImplicitTlsWithPasswordFileAndNonAsciiSubject)
{
    auto server = start(Mode::implicit);
    fs::path attachment = random_attachment("backup.bin", 200 * 1024 + 7);
    fs::path secret = m_dir / "password.txt";
    write_bytes(secret, k_password + "\r\nignored second line\n");
    mail::Message m = message(attachment);
    m.subject = "Connecteur prêt pour Société Générale — étape 2 ✓ (CRM 2016 → Dataverse, déploiement géré)";
    m.body = "Bonjour,\r\n\r\nLe paquet est joint : vérifiez la somme SHA-256 ✓\r\n";
    mail::SmtpOptions o = options(server->url("smtps"));
    o.password_env.reset();
    o.password_file = secret;
    mail::send(m, o);

    auto received = server->received();
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].envelope["tls"], true);
    expect_delivered(received[0], m, read_bytes(attachment));
    std::string subject_header = parse_part(received[0].raw).headers["subject"];
    EXPECT_TRUE(subject_header.starts_with("=?UTF-8?B?")) << subject_header;
    for (unsigned char c : received[0].raw) {
        ASSERT_LT(c, 0x80) << "the raw message must be 7-bit clean";
    }
    EXPECT_EQ(split_multipart(parse_part(received[0].raw))[1].headers["content-type"], "application/octet-stream");
}

TEST_F(MailTest, WithoutRequiredTlsStillUpgradesWhenTheServerOffersStartTls)
{
    auto server = start(Mode::starttls);
    fs::path attachment = random_attachment("bundle.zip", 1000);
    mail::SmtpOptions o = options(server->url("smtp"));
    o.require_tls = false;
    mail::send(message(attachment), o);
    auto received = server->received();
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].envelope["tls"], true);
}

// ---- failures --------------------------------------------------------------------------------

TEST_F(MailTest, WrongPasswordNamesTheServerButNeverThePassword)
{
    auto server = start(Mode::starttls);
    const std::string wrong = "Wr0ng-but-still-secret-9f3a";
    ::setenv("ESCPROV_TEST_SMTP_PASSWORD", wrong.c_str(), 1);
    Error error = send_error(message(random_attachment("bundle.zip", 5000)), options(server->url("smtp")));
    EXPECT_EQ(error.kind(), ErrorKind::output);
    std::string text = error.what();
    EXPECT_NE(text.find(server->address()), std::string::npos) << text;
    EXPECT_NE(text.find("send mail"), std::string::npos) << text;
    EXPECT_EQ(text.find(wrong), std::string::npos) << text;
    EXPECT_EQ(text.find(k_password), std::string::npos) << text;
    EXPECT_TRUE(server->received().empty());
}

TEST_F(MailTest, RequiredTlsRefusesAPlainServerBeforeSendingThePassword)
{
    auto server = start(Mode::plain);
    fs::path attachment = random_attachment("bundle.zip", 5000);
    Error error = send_error(message(attachment), options(server->url("smtp")));
    EXPECT_EQ(error.kind(), ErrorKind::output);
    std::string text = error.what();
    EXPECT_NE(text.find(server->address()), std::string::npos) << text;
    EXPECT_NE(text.find("STARTTLS"), std::string::npos) << text;
    EXPECT_TRUE(server->received().empty());
}

TEST_F(MailTest, PlainServerDeliversWhenTlsIsExplicitlyNotRequired)
{
    auto server = start(Mode::plain, /*with_auth=*/false);
    fs::path attachment = random_attachment("bundle.zip", 64 * 1024);
    mail::Message m = message(attachment);
    mail::SmtpOptions o = options(server->url("smtp"));
    o.require_tls = false;
    o.user.clear();
    o.password_env.reset();
    mail::send(m, o);
    auto received = server->received();
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].envelope["tls"], false);
    expect_delivered(received[0], m, read_bytes(attachment));
}

TEST_F(MailTest, UntrustedCertificateIsRefused)
{
    auto server = start(Mode::implicit);
    mail::SmtpOptions o = options(server->url("smtps"));
    o.ca_file.reset(); // the system's CAs do not know the test's self-signed certificate
    Error error = send_error(message(random_attachment("bundle.zip", 100)), o);
    EXPECT_EQ(error.kind(), ErrorKind::output);
    EXPECT_NE(std::string(error.what()).find(server->address()), std::string::npos) << error.what();
    EXPECT_TRUE(server->received().empty());
}

TEST(MailErrors, UnreachableServerIsACleanOutputError)
{
    TempDir dir;
    fs::path attachment = dir / "bundle.zip";
    write_bytes(attachment, "PK");
    mail::Message m{"a@example.com", {"b@example.com"}, "s", "b", attachment};
    mail::SmtpOptions o;
    o.url = "smtp://127.0.0.1:" + std::to_string(unused_port());
    o.timeout_seconds = 5;
    Error error = send_error(m, o);
    EXPECT_EQ(error.kind(), ErrorKind::output);
    EXPECT_NE(std::string(error.what()).find(o.url), std::string::npos) << error.what();
}

// ---- options checked before any connection ---------------------------------------------------

TEST(MailErrors, BadOptionsAreUsageErrorsAndAMissingAttachmentIsAnInputError)
{
    TempDir dir;
    fs::path attachment = dir / "bundle.zip";
    write_bytes(attachment, "PK");
    const mail::Message good{"a@example.com", {"b@example.com"}, "subject", "body", attachment};
    mail::SmtpOptions base;
    base.url = "smtp://127.0.0.1:1";
    ::unsetenv("ESCPROV_TEST_UNSET_PASSWORD");

    auto kind_of = [](const mail::Message& m, const mail::SmtpOptions& o) { return send_error(m, o).kind(); };
    mail::Message m = good;
    m.to.clear();
    EXPECT_EQ(kind_of(m, base), ErrorKind::usage) << "no recipient";
    m = good;
    m.subject = "hi\r\nBcc: everyone@example.com";
    EXPECT_EQ(kind_of(m, base), ErrorKind::usage) << "header injection";
    m = good;
    m.to = {"x@example.com>\r\nRCPT TO:<y@example.com"};
    EXPECT_EQ(kind_of(m, base), ErrorKind::usage) << "address injection";
    m = good;
    m.attachment = dir / "missing.zip";
    EXPECT_EQ(kind_of(m, base), ErrorKind::input) << "missing attachment";

    mail::SmtpOptions o = base;
    o.url = "http://127.0.0.1:1";
    EXPECT_EQ(kind_of(good, o), ErrorKind::usage) << "not smtp";
    o = base;
    o.user = "connector";
    EXPECT_EQ(kind_of(good, o), ErrorKind::usage) << "user without a password source";
    o.password_env = "ESCPROV_TEST_UNSET_PASSWORD";
    Error unset = send_error(good, o);
    EXPECT_EQ(unset.kind(), ErrorKind::usage);
    EXPECT_NE(std::string(unset.what()).find("ESCPROV_TEST_UNSET_PASSWORD"), std::string::npos) << unset.what();
    o.password_env.reset();
    o.password_file = dir / "no-such-password-file";
    EXPECT_EQ(kind_of(good, o), ErrorKind::usage) << "unreadable password file";

    o = base;
    o.url = "smtp://connector:hunter2-in-url@127.0.0.1:1";
    Error in_url = send_error(good, o);
    EXPECT_EQ(in_url.kind(), ErrorKind::usage);
    EXPECT_EQ(std::string(in_url.what()).find("hunter2-in-url"), std::string::npos) << in_url.what();
}

} // namespace
} // namespace escprov::test
