// escprov bundle and escprov apply: the Option 2 hand-off bundle is complete, checks out, and is
// refused when any entry, the manifest or the key is wrong.

#include "bundle/signature.hpp"
#include "support.hpp"
#include "util/sha256.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <map>
#include <sstream>

namespace escprov::test {
namespace {

fs::path org_sample(const std::string& name)
{
    return source_dir() / "samples" / "orgs" / (name + ".zip");
}

// Every entry of a zip, by name, in archive order.
std::vector<std::pair<std::string, std::string>> zip_entries(const fs::path& path)
{
    zip::Reader reader(path);
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& entry : reader.entries()) {
        entries.emplace_back(entry.name, reader.read(entry));
    }
    return entries;
}

std::string zip_entry(const fs::path& path, const std::string& name)
{
    for (auto& [entry, bytes] : zip_entries(path)) {
        if (entry == name) {
            return bytes;
        }
    }
    ADD_FAILURE() << name << " is not in " << path;
    return {};
}

// A copy of `bundle` with `change` applied to its entries.
fs::path rewritten(const fs::path& bundle, const fs::path& out,
                   const std::function<void(std::vector<std::pair<std::string, std::string>>&)>& change)
{
    auto entries = zip_entries(bundle);
    change(entries);
    zip::Writer writer(out, AtomicFile::Overwrite::yes);
    for (auto& [name, bytes] : entries) {
        writer.add_bytes(name, bytes);
    }
    writer.commit();
    return out;
}

// The connector merged into a CRM 2016 org and packed: what technical services hand over.
class Bundle : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_work = new TempDir();
        fs::path tree = *s_work / "merged";
        s_report = *s_work / "merge-report.txt";
        RunResult merged = run_escprov({"merge", "--base", org_sample("crm2016-adatum").string(), "--target", "8.2",
                                        "--out", tree.string(), "--report", s_report.string()});
        ASSERT_EQ(merged.exit_code, 0) << merged.err;
        s_solution = *s_work / "EmailServiceConnector_managed.zip";
        RunResult packed = run_escprov({"pack", tree.string(), s_solution.string()});
        ASSERT_EQ(packed.exit_code, 0) << packed.err;
        s_secret = *s_work / "secret.key";
        write_bytes(s_secret, "a shared secret known to both sides");
    }
    static void TearDownTestSuite()
    {
        delete s_work;
        s_work = nullptr;
    }

    // Bundles `solution` into the test's folder with extra arguments.
    RunResult bundle(const fs::path& out, std::vector<std::string> extra = {}, const fs::path& solution = s_solution)
    {
        std::vector<std::string> args = {"bundle",      "--solution", solution.string(), "--customer",
                                         "Adatum & Co", "-o",         out.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_escprov(args);
    }

    TempDir m_dir;
    static TempDir* s_work;
    static fs::path s_solution;
    static fs::path s_report;
    static fs::path s_secret;
};

TempDir* Bundle::s_work = nullptr;
fs::path Bundle::s_solution;
fs::path Bundle::s_report;
fs::path Bundle::s_secret;

TEST_F(Bundle, HoldsEverythingListedWithItsHashAndAppliesClean)
{
    fs::path out = m_dir / "adatum-bundle.zip";
    fs::path backup = org_sample("crm2016-adatum");
    RunResult made = bundle(out, {"--backup", backup.string(), "--include-backup", "--report", s_report.string(),
                                  "--key", s_secret.string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    EXPECT_TRUE(made.err.empty()) << made.err;

    auto entries = zip_entries(out);
    std::map<std::string, std::string> by_name(entries.begin(), entries.end());
    for (const char* expected : {"EmailServiceConnector_managed.zip", "ImportConfig.xml", "instructions.html",
                                 "instructions.txt", "preflight.txt", "backup.txt", "merge-report.txt",
                                 "backup/crm2016-adatum.zip", "SHA256SUMS", "manifest.json"}) {
        EXPECT_TRUE(by_name.contains(expected)) << expected << " is missing from the bundle";
    }
    EXPECT_EQ(entries.back().first, "manifest.json");
    EXPECT_EQ(by_name["EmailServiceConnector_managed.zip"], read_bytes(s_solution));
    EXPECT_EQ(by_name["backup/crm2016-adatum.zip"], read_bytes(backup));

    // manifest.json lists every other entry with its true size and hash, and so does SHA256SUMS
    // (which cannot list itself).
    auto manifest = nlohmann::json::parse(by_name["manifest.json"]);
    EXPECT_EQ(manifest["entries"].size(), entries.size() - 1);
    for (const auto& item : manifest["entries"]) {
        std::string name = item["name"];
        ASSERT_TRUE(by_name.contains(name)) << name;
        EXPECT_EQ(item["sha256"], sha256_hex(by_name[name])) << name;
        EXPECT_EQ(item["size"], by_name[name].size()) << name;
        if (name != "SHA256SUMS") {
            EXPECT_NE(by_name["SHA256SUMS"].find(sha256_hex(by_name[name]) + "  " + name + "\n"), std::string::npos)
                << name;
        }
    }
    EXPECT_EQ(manifest["signature"]["algorithm"], "hmac-sha256");
    EXPECT_NE(by_name["backup.txt"].find(sha256_hex(read_bytes(backup))), std::string::npos);
    EXPECT_NE(by_name["preflight.txt"].find(read_bytes(s_report)), std::string::npos);
    EXPECT_NE(by_name["ImportConfig.xml"].find("solutionpackagefilename=\"EmailServiceConnector_managed.zip\""),
              std::string::npos);
    EXPECT_NE(by_name["instructions.html"].find("Adatum &amp; Co"), std::string::npos);
    EXPECT_NE(by_name["instructions.txt"].find("Adatum & Co"), std::string::npos);
    EXPECT_NE(by_name["instructions.txt"].find("Email Campaign Connector Service (System Use Only)"),
              std::string::npos);

    RunResult applied = run_escprov({"apply", out.string(), "--key", s_secret.string()});
    EXPECT_EQ(applied.exit_code, 0) << applied.err;
    EXPECT_TRUE(applied.err.empty()) << applied.err;
    EXPECT_NE(applied.out.find("hmac-sha256, valid"), std::string::npos) << applied.out;
    EXPECT_NE(applied.out.find("Root components ("), std::string::npos) << applied.out;
    EXPECT_NE(applied.out.find(by_name["instructions.txt"]), std::string::npos) << "the manual steps are printed";
}

TEST_F(Bundle, ImportConfigIsPackageDeployersFormat)
{
    fs::path out = m_dir / "b.zip";
    ASSERT_EQ(bundle(out).exit_code, 0);
    fs::path config = m_dir / "ImportConfig.xml";
    write_bytes(config, zip_entry(out, "ImportConfig.xml"));
    xml::Node root = parse_file(config);
    EXPECT_EQ(root.name, "configdatastorage");
    std::vector<std::string> files;
    for_each_element(root, [&files](const xml::Node& node) {
        if (node.name == "configsolutionfile") {
            const std::string* file = node.attribute("solutionpackagefilename");
            files.push_back(file == nullptr ? std::string() : *file);
        }
    });
    EXPECT_EQ(files, std::vector<std::string>{"EmailServiceConnector_managed.zip"});
}

TEST_F(Bundle, OneByteChangedInAnyEntryIsRefusedNamingIt)
{
    fs::path out = m_dir / "signed.zip";
    ASSERT_EQ(bundle(out, {"--key", s_secret.string(), "--report", s_report.string()}).exit_code, 0);
    for (const auto& [name, original] : zip_entries(out)) {
        SCOPED_TRACE(name);
        fs::path tampered = rewritten(out, m_dir / "tampered.zip", [&name](auto& entries) {
            for (auto& [entry, bytes] : entries) {
                if (entry == name) {
                    // A byte in the middle: inside a value of manifest.json, inside the zip's data.
                    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
                }
            }
        });
        RunResult applied = run_escprov({"apply", tampered.string(), "--key", s_secret.string()});
        EXPECT_EQ(applied.exit_code, 1);
        EXPECT_NE(applied.err.find("entry '" + name + "'"), std::string::npos) << applied.err;
        EXPECT_EQ(applied.out, "") << "nothing is shown for a refused bundle";
    }
}

TEST_F(Bundle, UnsignedChecksumsStillCatchAlteredAndAddedEntries)
{
    fs::path out = m_dir / "unsigned.zip";
    ASSERT_EQ(bundle(out).exit_code, 0);
    RunResult clean = run_escprov({"apply", out.string()});
    EXPECT_EQ(clean.exit_code, 0) << clean.err;
    EXPECT_NE(clean.out.find("not signed"), std::string::npos);

    fs::path altered = rewritten(out, m_dir / "altered.zip", [](auto& entries) {
        for (auto& [name, bytes] : entries) {
            if (name == "preflight.txt") {
                bytes += "\n";
            }
        }
    });
    RunResult refused = run_escprov({"apply", altered.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("entry 'preflight.txt'"), std::string::npos) << refused.err;

    fs::path added = rewritten(out, m_dir / "added.zip",
                               [](auto& entries) { entries.emplace_back("extra.ps1", "Remove-Item -Recurse C:\\"); });
    RunResult extra = run_escprov({"apply", added.string()});
    EXPECT_EQ(extra.exit_code, 1);
    EXPECT_NE(extra.err.find("entry 'extra.ps1'"), std::string::npos) << extra.err;
}

TEST_F(Bundle, WrongKeyAndUnsignedBundleWithKeyAreRefused)
{
    fs::path signed_bundle = m_dir / "signed.zip";
    fs::path unsigned_bundle = m_dir / "unsigned.zip";
    ASSERT_EQ(bundle(signed_bundle, {"--key", s_secret.string()}).exit_code, 0);
    ASSERT_EQ(bundle(unsigned_bundle).exit_code, 0);
    fs::path wrong = m_dir / "wrong.key";
    write_bytes(wrong, "a shared secret known to both sideS");

    RunResult wrong_key = run_escprov({"apply", signed_bundle.string(), "--key", wrong.string()});
    EXPECT_EQ(wrong_key.exit_code, 1);
    EXPECT_NE(wrong_key.err.find("entry 'manifest.json'"), std::string::npos) << wrong_key.err;
    EXPECT_NE(wrong_key.err.find("signature does not match"), std::string::npos) << wrong_key.err;

    RunResult no_signature = run_escprov({"apply", unsigned_bundle.string(), "--key", s_secret.string()});
    EXPECT_EQ(no_signature.exit_code, 1);
    EXPECT_NE(no_signature.err.find("not signed"), std::string::npos) << no_signature.err;

    RunResult unchecked = run_escprov({"apply", signed_bundle.string()});
    EXPECT_EQ(unchecked.exit_code, 0);
    EXPECT_NE(unchecked.err.find("no --key"), std::string::npos) << "a signed bundle read without a key is flagged";
}

TEST_F(Bundle, Ed25519SignatureChecksWithThePublicKeyOnly)
{
    fs::path private_key = m_dir / "sender.pem";
    fs::path public_key = m_dir / "sender.pub.pem";
    fs::path other_key = m_dir / "other.pem";
    fs::path other_public = m_dir / "other.pub.pem";
    std::string command = "openssl genpkey -algorithm ed25519 -out '" + private_key.string() +
                          "' && openssl pkey -in '" + private_key.string() + "' -pubout -out '" + public_key.string() +
                          "' && openssl genpkey -algorithm ed25519 -out '" + other_key.string() +
                          "' && openssl pkey -in '" + other_key.string() + "' -pubout -out '" + other_public.string() +
                          "'";
    if (std::system(command.c_str()) != 0) {
        GTEST_SKIP() << "the openssl command is not available to make Ed25519 test keys";
    }
    fs::path out = m_dir / "ed25519.zip";
    RunResult made = bundle(out, {"--key", private_key.string(), "--key-type", "ed25519"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    RunResult good = run_escprov({"apply", out.string(), "--key", public_key.string()});
    EXPECT_EQ(good.exit_code, 0) << good.err;
    EXPECT_NE(good.out.find("ed25519, valid"), std::string::npos);
    RunResult bad = run_escprov({"apply", out.string(), "--key", other_public.string()});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("entry 'manifest.json'"), std::string::npos) << bad.err;
}

TEST(BundleSignature, HmacAndEd25519RejectAnyChangeToTheSignedBytes)
{
    TempDir dir;
    write_bytes(dir / "secret", "s3cret");
    std::string signature = bundle::sign("manifest bytes", dir / "secret", bundle::KeyType::hmac);
    EXPECT_EQ(signature.size(), 64U);
    EXPECT_TRUE(bundle::verify("manifest bytes", signature, dir / "secret", bundle::KeyType::hmac));
    EXPECT_FALSE(bundle::verify("manifest byteS", signature, dir / "secret", bundle::KeyType::hmac));
    write_bytes(dir / "empty", "");
    EXPECT_THROW(bundle::sign("x", dir / "empty", bundle::KeyType::hmac), Error);
    EXPECT_THROW(bundle::sign("x", dir / "secret", bundle::KeyType::ed25519), Error) << "not a PEM key";
}

TEST_F(Bundle, InstructionsFollowTheSolutionsCrmVersion)
{
    fs::path crm2011 = m_dir / "fabrikam.zip";
    fs::path dataverse = m_dir / "contoso.zip";
    ASSERT_EQ(bundle(crm2011, {}, org_sample("crm2011-fabrikam")).exit_code, 0);
    ASSERT_EQ(bundle(dataverse, {}, org_sample("d365-contoso-9.2")).exit_code, 0);
    std::string old_steps = zip_entry(crm2011, "instructions.txt");
    std::string new_steps = zip_entry(dataverse, "instructions.txt");
    std::string packed_steps = [&] {
        fs::path out = m_dir / "adatum.zip";
        EXPECT_EQ(bundle(out).exit_code, 0);
        return zip_entry(out, "instructions.txt");
    }();
    EXPECT_NE(old_steps.find("CRM 2011"), std::string::npos);
    EXPECT_NE(old_steps.find("Settings > Administration > Users"), std::string::npos);
    EXPECT_EQ(old_steps.find("make.powerapps.com"), std::string::npos);
    EXPECT_NE(new_steps.find("make.powerapps.com > Solutions"), std::string::npos);
    EXPECT_NE(new_steps.find("Power Platform admin center"), std::string::npos);
    EXPECT_NE(packed_steps.find("Settings > Security > Users"), std::string::npos);
    EXPECT_EQ(packed_steps.find("make.powerapps.com"), std::string::npos);
    EXPECT_NE(old_steps, new_steps);
    EXPECT_NE(zip_entry(dataverse, "instructions.html").find("make.powerapps.com &gt; Solutions"), std::string::npos);
}

TEST_F(Bundle, NothingIsWrittenWhenBundlingFails)
{
    fs::path out = m_dir / "never.zip";
    fs::path missing_key = m_dir / "missing.key";
    RunResult failed = bundle(out, {"--key", missing_key.string()});
    EXPECT_EQ(failed.exit_code, 2);
    EXPECT_NE(failed.err.find("missing.key"), std::string::npos) << failed.err;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(files_below(m_dir.path()), std::set<std::string>{}) << "no temporary is left behind";

    RunResult no_backup = bundle(out, {"--include-backup"});
    EXPECT_EQ(no_backup.exit_code, 2);
    EXPECT_FALSE(fs::exists(out));

    ASSERT_EQ(bundle(out).exit_code, 0);
    RunResult again = bundle(out);
    EXPECT_NE(again.exit_code, 0) << "an existing bundle is not overwritten without --overwrite";
}

TEST_F(Bundle, RemoteImportIsReservedForALaterIssue)
{
    fs::path out = m_dir / "b.zip";
    ASSERT_EQ(bundle(out).exit_code, 0);
    RunResult applied = run_escprov({"apply", out.string(), "--org", "https://contoso.crm.dynamics.com"});
    EXPECT_EQ(applied.exit_code, 2);
    EXPECT_NE(applied.err.find("remote import is not available yet"), std::string::npos) << applied.err;
}

} // namespace
} // namespace escprov::test
