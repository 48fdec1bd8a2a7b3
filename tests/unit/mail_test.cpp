// mail::send against a real SMTP server on loopback: tests/smtp/server.py on Debian's
// python3-aiosmtpd, with a self-signed certificate made by the openssl CLI for each test suite run.
// The received raw message is parsed (MIME split, base64 decoded) and compared byte for byte. The
// tests fail, not skip, without those tools: ./setup.sh test installs them.

#include "mail/smtp.hpp"
#include "smtp_support.hpp"
#include "support.hpp"
#include "util/error.hpp"

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace escprov::test {
namespace {

const std::string& k_user = k_smtp_user;
const std::string& k_password = k_smtp_password;

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

// ---- fixture ---------------------------------------------------------------------------------

class MailTest : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_python = new std::string(python_with_aiosmtpd());
        s_certificate = new TestCertificate();
    }
    static void TearDownTestSuite()
    {
        delete s_certificate;
        delete s_python;
    }
    void SetUp() override
    {
        std::string missing = smtp_tools_missing();
        ASSERT_EQ(missing, "");
        ASSERT_TRUE(s_certificate->ok()) << "openssl could not make the test certificate";
        ::setenv("ESCPROV_TEST_SMTP_PASSWORD", k_password.c_str(), 1);
    }

    std::unique_ptr<SmtpServer> start(Mode mode, bool with_auth = true)
    {
        auto server =
            std::make_unique<SmtpServer>(*s_python, mode, m_dir.path(), cert(), s_certificate->key(), with_auth);
        EXPECT_EQ(server->error(), "");
        return server;
    }
    static fs::path cert() { return s_certificate->cert(); }

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
    static inline TestCertificate* s_certificate = nullptr;
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
