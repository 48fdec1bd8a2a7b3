// The Option 2 flow as technical services run it: backup create of the customer's export, merge,
// package --managed, bundle with that backup, apply; then bundle --send to a real SMTP server on
// loopback, checking that the message carries the bundle's exact bytes.

#include "smtp_support.hpp"
#include "support.hpp"
#include "util/sha256.hpp"
#include "zip/reader.hpp"

#include <cstdlib>
#include <sys/stat.h>

namespace escprov::test {
namespace {

const std::string k_customer = "A. Datum Corporation";

unsigned mode_of(const fs::path& path)
{
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_mode & 0777U;
}

class BundleFlow : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_work = new TempDir();
        fs::path export_zip = source_dir() / "samples" / "orgs" / "crm2016-adatum.zip";
        s_backup = *s_work / "escprov-backup-adatum.zip";
        RunResult backup =
            run_escprov({"backup", "create", "--from", export_zip.string(), "--org", "https://adatum.crm.dynamics.com",
                         "--org-version", "8.2", "-o", s_backup.string()});
        ASSERT_EQ(backup.exit_code, 0) << backup.err;
        HandOff hand_off = make_hand_off(s_work->path());
        s_report = hand_off.report;
        s_managed = hand_off.managed;
        s_unmanaged = *s_work / "EmailServiceConnector.zip";
        RunResult unmanaged = run_escprov(
            {"package", hand_off.tree.string(), "--unmanaged", "--target", "8.2", "-o", s_unmanaged.string()});
        ASSERT_EQ(unmanaged.exit_code, 0) << unmanaged.err;
        s_secret = *s_work / "secret.key";
        write_bytes(s_secret, "a shared secret known to both sides");
    }
    static void TearDownTestSuite()
    {
        delete s_work;
        s_work = nullptr;
    }

    RunResult bundle(const fs::path& out, std::vector<std::string> extra = {}, const fs::path& solution = s_managed)
    {
        std::vector<std::string> args = {"bundle",   "--solution", solution.string(), "--customer",
                                         k_customer, "-o",         out.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_escprov(args);
    }

    TempDir m_dir;
    static inline TempDir* s_work = nullptr;
    static inline fs::path s_backup;
    static inline fs::path s_report;
    static inline fs::path s_managed;
    static inline fs::path s_unmanaged;
    static inline fs::path s_secret;
};

TEST_F(BundleFlow, CarriesTheBackupMadeByBackupCreateAndAppliesClean)
{
    fs::path out = m_dir / "adatum-bundle.zip";
    RunResult made = bundle(out, {"--backup", s_backup.string(), "--include-backup", "--report", s_report.string(),
                                  "--key", s_secret.string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    EXPECT_EQ(made.out.rfind("bundle: wrote '" + out.string() + "' (EmailServiceConnector ", 0), 0U) << made.out;
    EXPECT_NE(made.out.find("managed, for A. Datum Corporation, CRM 8.2"), std::string::npos) << made.out;
    EXPECT_EQ(mode_of(out), 0600U) << "the bundle carries the customer's customisations and backup";

    std::string backup_bytes = read_bytes(s_backup);
    EXPECT_TRUE(zip_entry(out, "backup/" + s_backup.filename().string()) == backup_bytes);
    std::string text = zip_entry(out, "backup.txt");
    EXPECT_NE(text.find("File:    " + s_backup.filename().string()), std::string::npos) << text;
    EXPECT_NE(text.find("SHA-256: " + sha256_hex(backup_bytes)), std::string::npos) << text;
    EXPECT_NE(text.find("Org:     https://adatum.crm.dynamics.com, CRM 8.2"), std::string::npos) << text;
    EXPECT_NE(text.find("In this bundle: yes"), std::string::npos) << text;
    // The export the customer sent is listed with its own hash, which they can compare with their copy.
    fs::path export_zip = source_dir() / "samples" / "orgs" / "crm2016-adatum.zip";
    EXPECT_NE(text.find(sha256_file(export_zip) + "  " + std::to_string(fs::file_size(export_zip)) +
                        " bytes  exports/crm2016-adatum.zip"),
              std::string::npos)
        << text;

    RunResult applied = run_escprov({"apply", out.string(), "--key", s_secret.string()});
    EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;

    // The backup that travelled in the bundle still verifies on the other side.
    fs::path travelled = m_dir / s_backup.filename();
    write_bytes(travelled, zip_entry(out, "backup/" + s_backup.filename().string()));
    RunResult verify = run_escprov({"backup", "verify", travelled.string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(BundleFlow, ABackupThatDoesNotVerifyIsRefused)
{
    fs::path damaged = m_dir / "escprov-backup-damaged.zip";
    std::string bytes = read_bytes(s_backup);
    // A byte in the middle of the stored export: the zip still opens, the hash no longer matches.
    bytes[bytes.size() / 3] = static_cast<char>(bytes[bytes.size() / 3] ^ 0x01);
    write_bytes(damaged, bytes);
    fs::path out = m_dir / "bundle.zip";
    RunResult made = bundle(out, {"--backup", damaged.string()});
    EXPECT_EQ(made.exit_code, 2) << made.err;
    EXPECT_NE(made.err.find("--backup '" + damaged.string() + "' does not verify"), std::string::npos) << made.err;
    EXPECT_FALSE(fs::exists(out));

    RunResult not_a_backup = bundle(out, {"--backup", s_report.string()});
    EXPECT_EQ(not_a_backup.exit_code, 2) << not_a_backup.err;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_TRUE(fs::is_empty(m_dir.path()) || !fs::exists(out));
}

TEST_F(BundleFlow, OnlyTheConnectorManagedUnlessForced)
{
    fs::path out = m_dir / "bundle.zip";
    RunResult unmanaged = bundle(out, {}, s_unmanaged);
    EXPECT_EQ(unmanaged.exit_code, 2);
    EXPECT_NE(unmanaged.err.find("is unmanaged"), std::string::npos) << unmanaged.err;
    EXPECT_FALSE(fs::exists(out));

    fs::path customer_export = source_dir() / "samples" / "orgs" / "crm2016-adatum.zip";
    RunResult foreign = bundle(out, {}, customer_export);
    EXPECT_EQ(foreign.exit_code, 2);
    EXPECT_NE(foreign.err.find("not the connector"), std::string::npos) << foreign.err;
    EXPECT_FALSE(fs::exists(out));

    RunResult forced = bundle(out, {"--force"}, s_unmanaged);
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_NE(zip_entry(out, "preflight.txt").find("The solution is unmanaged"), std::string::npos);
}

// ---- --send -----------------------------------------------------------------------------------

class BundleSend : public BundleFlow {
protected:
    static void SetUpTestSuite()
    {
        BundleFlow::SetUpTestSuite();
        s_python = new std::string(python_with_aiosmtpd());
        s_certificate = new TestCertificate();
    }
    static void TearDownTestSuite()
    {
        delete s_certificate;
        delete s_python;
        BundleFlow::TearDownTestSuite();
    }
    void SetUp() override
    {
        ASSERT_EQ(smtp_tools_missing(), "");
        ASSERT_TRUE(s_certificate->ok()) << "openssl could not make the test certificate";
        ::setenv("ESCPROV_SMTP_PASSWORD", k_smtp_password.c_str(), 1);
    }
    void TearDown() override { ::unsetenv("ESCPROV_SMTP_PASSWORD"); }

    std::unique_ptr<SmtpServer> start(Mode mode)
    {
        fs::path folder = m_dir / "smtp";
        fs::create_directories(folder);
        auto server = std::make_unique<SmtpServer>(*s_python, mode, folder, s_certificate->cert(), s_certificate->key(),
                                                   /*with_auth=*/true);
        EXPECT_EQ(server->error(), "");
        return server;
    }
    std::vector<std::string> send_options(const SmtpServer& server, const std::string& scheme) const
    {
        return {"--send",
                "--to",
                "crm-support@adatum.example",
                "--to",
                "it@adatum.example",
                "--from",
                "technical.services@dotdigital.example",
                "--smtp-url",
                server.url(scheme),
                "--smtp-user",
                k_smtp_user,
                "--smtp-ca-file",
                s_certificate->cert().string(),
                "--smtp-timeout",
                "20"};
    }

    static inline std::string* s_python = nullptr;
    static inline TestCertificate* s_certificate = nullptr;
};

TEST_F(BundleSend, TheMessageCarriesTheBundlesExactBytes)
{
    auto server = start(Mode::starttls);
    fs::path out = m_dir / "adatum-bundle.zip";
    std::vector<std::string> extra = {"--backup", s_backup.string(), "--key", s_secret.string()};
    for (auto& option : send_options(*server, "smtp")) {
        extra.push_back(option);
    }
    RunResult sent = bundle(out, extra);
    ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
    std::string bundle_bytes = read_bytes(out);
    EXPECT_NE(sent.out.find("bundle: sent '" + out.string() + "' to 2 recipients via " + server->url("smtp") +
                            " (SHA-256 " + sha256_hex(bundle_bytes) + ")"),
              std::string::npos)
        << sent.out;

    auto received = server->received();
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].envelope["mail_from"], "technical.services@dotdigital.example");
    EXPECT_EQ(received[0].envelope["rcpt_tos"],
              nlohmann::json(std::vector<std::string>{"crm-support@adatum.example", "it@adatum.example"}));
    EXPECT_EQ(received[0].envelope["login"], k_smtp_user);
    EXPECT_EQ(received[0].envelope["tls"], true);

    Part top = parse_part(received[0].raw);
    std::string subject = decode_subject(top.headers["subject"]);
    EXPECT_EQ(subject.rfind("Email Service Connector ", 0), 0U) << subject;
    EXPECT_NE(subject.find(" for A. Datum Corporation (CRM 8.2)"), std::string::npos) << subject;
    std::vector<Part> parts = split_multipart(top);
    ASSERT_EQ(parts.size(), 2U);
    std::string body = quoted_printable_decode(parts[0].body);
    EXPECT_NE(body.find("escprov apply adatum-bundle.zip --key"), std::string::npos) << body;
    EXPECT_NE(body.find("sha256sum -c SHA256SUMS"), std::string::npos) << body;
    EXPECT_NE(body.find("SHA-256 of adatum-bundle.zip: " + sha256_hex(bundle_bytes)), std::string::npos) << body;
    EXPECT_EQ(header_parameter(parts[1].headers["content-disposition"], "filename"), "adatum-bundle.zip");
    std::string attachment = base64_decode(parts[1].body);
    EXPECT_EQ(attachment.size(), bundle_bytes.size());
    EXPECT_TRUE(attachment == bundle_bytes) << "the attachment's bytes differ from the bundle's";

    // What arrived applies as it is.
    fs::path arrived = m_dir / "arrived.zip";
    write_bytes(arrived, attachment);
    RunResult applied = run_escprov({"apply", arrived.string(), "--key", s_secret.string()});
    EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
}

TEST_F(BundleSend, ImplicitTlsWithAPasswordFileAndOwnSubject)
{
    auto server = start(Mode::implicit);
    fs::path password = m_dir / "smtp-password";
    write_bytes(password, k_smtp_password + "\n");
    ::unsetenv("ESCPROV_SMTP_PASSWORD");
    fs::path out = m_dir / "bundle.zip";
    std::vector<std::string> extra = send_options(*server, "smtps");
    extra.insert(extra.end(),
                 {"--smtp-password-file", password.string(), "--subject", "Connector for Adatum — ticket 4711"});
    RunResult sent = bundle(out, extra);
    ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
    auto received = server->received();
    ASSERT_EQ(received.size(), 1U);
    EXPECT_EQ(received[0].envelope["tls"], true);
    EXPECT_EQ(decode_subject(parse_part(received[0].raw).headers["subject"]), "Connector for Adatum — ticket 4711");
    std::vector<Part> parts = split_multipart(parse_part(received[0].raw));
    ASSERT_EQ(parts.size(), 2U);
    EXPECT_TRUE(base64_decode(parts[1].body) == read_bytes(out));
}

TEST_F(BundleSend, BadMailOptionsAreRefusedBeforeTheBundleIsWritten)
{
    fs::path out = m_dir / "bundle.zip";
    auto refused = [&](std::vector<std::string> extra, const std::string& wanted) {
        RunResult result = bundle(out, std::move(extra));
        EXPECT_EQ(result.exit_code, 2) << wanted << ": " << result.err;
        EXPECT_NE(result.err.find(wanted), std::string::npos) << result.err;
        EXPECT_FALSE(fs::exists(out)) << wanted;
    };
    refused({"--send", "--from", "a@example.com", "--smtp-url", "smtps://127.0.0.1:1"}, "--send needs --to");
    refused({"--to", "a@example.com"}, "only apply with --send");
    refused({"--send", "--to", "a@example.com", "--from", "b@example.com", "--smtp-url", "http://127.0.0.1:1"},
            "smtp:// or smtps://");
    ::unsetenv("ESCPROV_SMTP_PASSWORD");
    refused({"--send", "--to", "a@example.com", "--from", "b@example.com", "--smtp-url", "smtps://127.0.0.1:1",
             "--smtp-user", "connector"},
            "ESCPROV_SMTP_PASSWORD");
    refused({"--send", "--to", "a@example.com", "--from", "b@example.com", "--smtp-url",
             "smtps://connector:hunter2@127.0.0.1:1"},
            "must not hold a user or password");
    refused({"--send", "--to", "a@example.com\r\nRCPT TO:<x@example.com>", "--from", "b@example.com", "--smtp-url",
             "smtps://127.0.0.1:1"},
            "recipient");
}

TEST_F(BundleSend, AFailedSendKeepsTheBundleAndNeverShowsThePassword)
{
    auto server = start(Mode::starttls);
    const std::string wrong = "Wr0ng-but-secret-in-env-5521";
    ::setenv("ESCPROV_SMTP_PASSWORD", wrong.c_str(), 1);
    fs::path out = m_dir / "bundle.zip";
    RunResult sent = bundle(out, send_options(*server, "smtp"));
    EXPECT_EQ(sent.exit_code, 1) << sent.err;
    EXPECT_NE(sent.err.find(server->address()), std::string::npos) << sent.err;
    EXPECT_NE(sent.err.find("is written and complete"), std::string::npos) << sent.err;
    EXPECT_EQ(sent.err.find(wrong), std::string::npos) << sent.err;
    EXPECT_EQ(sent.out.find(wrong), std::string::npos) << sent.out;
    EXPECT_TRUE(server->received().empty());
    RunResult applied = run_escprov({"apply", out.string()});
    EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
}

} // namespace
} // namespace escprov::test
