// escprov bundle and escprov apply: the Option 2 hand-off bundle is complete, checks out, and is
// refused when any entry, the manifest or the key is wrong.

#include "bundle/bundle.hpp"
#include "bundle/instructions.hpp"
#include "bundle/signature.hpp"
#include "bundle/verify.hpp"
#include "support.hpp"
#include "util/json.hpp"
#include "util/sha256.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <functional>
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

// Makes an Ed25519 key pair with the openssl command; false when it is not available.
bool make_ed25519_keys(const fs::path& private_key, const fs::path& public_key)
{
    std::string command = "openssl genpkey -algorithm ed25519 -out '" + private_key.string() +
                          "' 2>/dev/null && openssl pkey -in '" + private_key.string() + "' -pubout -out '" +
                          public_key.string() + "' 2>/dev/null";
    return std::system(command.c_str()) == 0;
}

uint32_t little_endian(const std::string& bytes, size_t offset, size_t width)
{
    uint32_t value = 0;
    for (size_t i = 0; i < width; ++i) {
        value |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
    }
    return value;
}

// Where an entry's (compressed) data lies in a zip file: [offset, offset + size).
std::pair<size_t, size_t> entry_data(const std::string& zip_bytes, const std::string& name)
{
    for (size_t at = zip_bytes.find("PK\x03\x04"); at != std::string::npos; at = zip_bytes.find("PK\x03\x04", at + 1)) {
        size_t name_size = little_endian(zip_bytes, at + 26, 2);
        size_t extra_size = little_endian(zip_bytes, at + 28, 2);
        if (zip_bytes.compare(at + 30, name_size, name) == 0) {
            return {at + 30 + name_size + extra_size, little_endian(zip_bytes, at + 18, 4)};
        }
    }
    ADD_FAILURE() << "no local header for " << name;
    return {0, 0};
}

// Where the central directory starts, from the end-of-central-directory record.
size_t central_directory(const std::string& zip_bytes)
{
    size_t end = zip_bytes.rfind("PK\x05\x06");
    EXPECT_NE(end, std::string::npos);
    return end == std::string::npos ? 0 : little_endian(zip_bytes, end + 16, 4);
}

// The connector merged into a CRM 2016 org and packaged managed: merge -> package -> bundle -> apply.
class Bundle : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_work = new TempDir();
        // What technical services really hand over: the merged tree packaged as a managed solution.
        HandOff hand_off = make_hand_off(s_work->path());
        s_report = hand_off.report;
        s_solution = hand_off.managed;
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

    // The connector merged into an org sample and packaged managed for `target`, in the test's folder.
    fs::path merged_and_packaged(const std::string& sample, const std::string& target)
    {
        fs::path tree = m_dir / (sample + "-merged");
        fs::path solution = m_dir / (sample + "_managed.zip");
        RunResult merged =
            run_escprov({"merge", "--base", org_sample(sample).string(), "--target", target, "--out", tree.string()});
        EXPECT_EQ(merged.exit_code, 0) << merged.err;
        RunResult packaged =
            run_escprov({"package", tree.string(), "--managed", "--target", target, "-o", solution.string()});
        EXPECT_EQ(packaged.exit_code, 0) << packaged.err;
        return solution;
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
    // The backup as technical services take it: escprov backup create of the export the customer sent.
    fs::path backup = m_dir / "escprov-backup-adatum.zip";
    RunResult backed_up =
        run_escprov({"backup", "create", "--from", org_sample("crm2016-adatum").string(), "-o", backup.string()});
    ASSERT_EQ(backed_up.exit_code, 0) << backed_up.err;
    RunResult made = bundle(out, {"--backup", backup.string(), "--include-backup", "--report", s_report.string(),
                                  "--key", s_secret.string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    EXPECT_TRUE(made.err.empty()) << made.err;

    auto entries = zip_entries(out);
    std::map<std::string, std::string> by_name(entries.begin(), entries.end());
    for (const char* expected : {"EmailServiceConnector_managed.zip", "ImportConfig.xml", "instructions.html",
                                 "instructions.txt", "preflight.txt", "backup.txt", "merge-report.txt",
                                 "backup/escprov-backup-adatum.zip", "SHA256SUMS", "manifest.json", "manifest.sig"}) {
        EXPECT_TRUE(by_name.contains(expected)) << expected << " is missing from the bundle";
    }
    ASSERT_GE(entries.size(), 2U);
    EXPECT_EQ(entries[entries.size() - 2].first, "manifest.json");
    EXPECT_EQ(entries.back().first, "manifest.sig");
    EXPECT_EQ(by_name["EmailServiceConnector_managed.zip"], read_bytes(s_solution));
    EXPECT_EQ(by_name["backup/escprov-backup-adatum.zip"], read_bytes(backup));

    // manifest.json lists every other entry with its true size and hash, and so does SHA256SUMS
    // (which cannot list itself).
    auto manifest = nlohmann::json::parse(by_name["manifest.json"]);
    EXPECT_EQ(manifest["entries"].size(), entries.size() - 2);
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
    EXPECT_EQ(manifest["signature"]["entry"], "manifest.sig");
    // The signature is of manifest.json's bytes exactly as stored: 32 raw bytes of HMAC-SHA256.
    EXPECT_EQ(by_name["manifest.sig"].size(), 32U);
    EXPECT_TRUE(bundle::verify(by_name["manifest.json"], by_name["manifest.sig"], s_secret, bundle::KeyType::hmac));
    EXPECT_NE(by_name["backup.txt"].find(sha256_hex(read_bytes(backup))), std::string::npos);
    EXPECT_NE(by_name["preflight.txt"].find(read_bytes(s_report)), std::string::npos);
    EXPECT_NE(by_name["ImportConfig.xml"].find("solutionpackagefilename=\"EmailServiceConnector_managed.zip\""),
              std::string::npos);
    EXPECT_NE(by_name["instructions.html"].find("Adatum &amp; Co"), std::string::npos);
    EXPECT_NE(by_name["instructions.txt"].find("Adatum & Co"), std::string::npos);
    EXPECT_NE(flowed(by_name["instructions.txt"]).find("Email Campaign Connector Service (System Use Only)"),
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
    if (!make_ed25519_keys(private_key, public_key) || !make_ed25519_keys(other_key, other_public)) {
        GTEST_SKIP() << "the openssl command is not available to make Ed25519 test keys";
    }
    fs::path out = m_dir / "ed25519.zip";
    RunResult made = bundle(out, {"--key", private_key.string(), "--key-type", "ed25519"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    RunResult good = run_escprov({"apply", out.string(), "--key", public_key.string()});
    EXPECT_EQ(good.exit_code, 0) << good.err;
    EXPECT_NE(good.out.find("ed25519, valid"), std::string::npos);
    // The customer can check it with OpenSSL alone, as docs/guide-customer-it.md shows: the signature
    // is of manifest.json's bytes as stored.
    write_bytes(m_dir / "manifest.json", zip_entry(out, "manifest.json"));
    write_bytes(m_dir / "manifest.sig", zip_entry(out, "manifest.sig"));
    std::string openssl = "openssl pkeyutl -verify -pubin -inkey '" + public_key.string() + "' -rawin -in '" +
                          (m_dir / "manifest.json").string() + "' -sigfile '" + (m_dir / "manifest.sig").string() +
                          "' >/dev/null 2>&1";
    EXPECT_EQ(std::system(openssl.c_str()), 0) << openssl;
    RunResult bad = run_escprov({"apply", out.string(), "--key", other_public.string()});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("entry 'manifest.json'"), std::string::npos) << bad.err;

    // The customer is meant to hold only the public key; a private key is refused before anything is read.
    RunResult with_private = run_escprov({"apply", out.string(), "--key", private_key.string()});
    EXPECT_EQ(with_private.exit_code, 2);
    EXPECT_NE(with_private.err.find("is a PEM private key: give the sender's public key"), std::string::npos)
        << with_private.err;
    EXPECT_EQ(with_private.out, "");
    RunResult explicit_type =
        run_escprov({"apply", out.string(), "--key", public_key.string(), "--key-type", "ed25519"});
    EXPECT_EQ(explicit_type.exit_code, 0) << explicit_type.err;
}

TEST_F(Bundle, TheKeyFileDecidesHowBundleSignsAsItDecidesHowApplyChecks)
{
    fs::path private_key = m_dir / "sender.pem";
    fs::path public_key = m_dir / "sender.pub.pem";
    if (!make_ed25519_keys(private_key, public_key)) {
        GTEST_SKIP() << "the openssl command is not available to make Ed25519 test keys";
    }
    // A private key without --key-type signs ed25519, which the customer's public key checks.
    fs::path out = m_dir / "by-key.zip";
    RunResult made = bundle(out, {"--key", private_key.string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    RunResult checked = run_escprov({"apply", out.string(), "--key", public_key.string()});
    EXPECT_EQ(checked.exit_code, 0) << checked.err;
    EXPECT_NE(checked.out.find("ed25519, valid"), std::string::npos) << checked.out;

    // A public key cannot sign: as an HMAC secret anyone holding it could forge the bundle.
    fs::path refused = m_dir / "refused.zip";
    RunResult with_public = bundle(refused, {"--key", public_key.string()});
    EXPECT_EQ(with_public.exit_code, 2);
    EXPECT_NE(with_public.err.find("is a PEM public key, which cannot sign"), std::string::npos) << with_public.err;
    EXPECT_FALSE(fs::exists(refused));
    RunResult disagreeing = bundle(refused, {"--key", private_key.string(), "--key-type", "hmac"});
    EXPECT_EQ(disagreeing.exit_code, 2);
    EXPECT_NE(disagreeing.err.find("not --key-type hmac-sha256"), std::string::npos) << disagreeing.err;

    // A one-byte secret is refused by both sides, with the minimum.
    fs::path one_byte = m_dir / "one.key";
    write_bytes(one_byte, "k");
    RunResult short_secret = bundle(refused, {"--key", one_byte.string()});
    EXPECT_EQ(short_secret.exit_code, 2);
    EXPECT_NE(short_secret.err.find("an HMAC secret needs at least 32"), std::string::npos) << short_secret.err;
    EXPECT_FALSE(fs::exists(refused));
    RunResult short_check = run_escprov({"apply", out.string(), "--key", one_byte.string()});
    EXPECT_EQ(short_check.exit_code, 2);
    EXPECT_NE(short_check.err.find("an HMAC secret needs at least 32"), std::string::npos) << short_check.err;
}

// Fuzzing found it: a 12 KB bundle whose manifest.json nests 100,000 arrays crashed apply
// (stack overflow in the serializer). With a key the signature over the raw bytes fails before
// anything parses them; without one the depth limit refuses it. Never a crash.
TEST_F(Bundle, AManifestNestedTooDeepIsRefusedNotACrash)
{
    fs::path out = m_dir / "signed.zip";
    ASSERT_EQ(bundle(out, {"--key", s_secret.string()}).exit_code, 0);
    fs::path deep = rewritten(out, m_dir / "deep.zip", [](auto& entries) {
        for (auto& [name, bytes] : entries) {
            if (name == "manifest.json") {
                bytes = "{\"signature\":{\"algorithm\":\"hmac-sha256\",\"entry\":\"manifest.sig\"},\"x\":" +
                        std::string(100000, '[') + std::string(100000, ']') + "}";
            }
        }
    });
    RunResult with_key = run_escprov({"apply", deep.string(), "--key", s_secret.string()});
    EXPECT_EQ(with_key.exit_code, 1) << with_key.err;
    EXPECT_NE(with_key.err.find("signature does not match the key"), std::string::npos) << with_key.err;
    RunResult without_key = run_escprov({"apply", deep.string()});
    EXPECT_EQ(without_key.exit_code, 1) << without_key.err;
    EXPECT_NE(without_key.err.find("nests arrays and objects deeper than 64 levels"), std::string::npos)
        << without_key.err;
    EXPECT_TRUE(json_depth_problem("{\"a\":\"[[[[\"}", 2).empty()) << "brackets in strings do not count";
    EXPECT_FALSE(json_depth_problem("[[[1]]]", 2).empty());
}

// The signature covers manifest.json's bytes as stored, not a re-serialised form: a change a JSON
// parser cannot see (whitespace) is refused, and so are a removed, added or swapped manifest.sig.
TEST_F(Bundle, TheSignatureCoversTheManifestsRawBytes)
{
    fs::path out = m_dir / "signed.zip";
    ASSERT_EQ(bundle(out, {"--key", s_secret.string()}).exit_code, 0);
    auto with_manifest = [&](const std::string& file, const std::function<void(std::string&)>& change) {
        return rewritten(out, m_dir / file, [&](auto& entries) {
            for (auto& [name, bytes] : entries) {
                if (name == "manifest.json") {
                    change(bytes);
                }
            }
        });
    };
    fs::path spaced = with_manifest("spaced.zip", [](std::string& bytes) { bytes.insert(1, " "); });
    ASSERT_EQ(nlohmann::json::parse(zip_entry(spaced, "manifest.json")),
              nlohmann::json::parse(zip_entry(out, "manifest.json")))
        << "the same JSON to any parser";
    RunResult refused = run_escprov({"apply", spaced.string(), "--key", s_secret.string()});
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_NE(refused.err.find("entry 'manifest.json': the hmac-sha256 signature does not match"), std::string::npos)
        << refused.err;

    fs::path removed = rewritten(out, m_dir / "removed.zip", [](auto& entries) {
        std::erase_if(entries, [](const auto& entry) { return entry.first == "manifest.sig"; });
    });
    RunResult without_key = run_escprov({"apply", removed.string()});
    EXPECT_EQ(without_key.exit_code, 1) << "a bundle that says it is signed but has no signature";
    EXPECT_NE(without_key.err.find("says the bundle is signed, but manifest.sig is missing"), std::string::npos)
        << without_key.err;
    RunResult with_key = run_escprov({"apply", removed.string(), "--key", s_secret.string()});
    EXPECT_EQ(with_key.exit_code, 1);
    EXPECT_NE(with_key.err.find("not signed"), std::string::npos) << with_key.err;

    fs::path unsigned_bundle = m_dir / "unsigned.zip";
    ASSERT_EQ(bundle(unsigned_bundle).exit_code, 0);
    fs::path added = rewritten(unsigned_bundle, m_dir / "added.zip", [&](auto& entries) {
        entries.emplace_back("manifest.sig", zip_entry(out, "manifest.sig"));
    });
    RunResult added_signature = run_escprov({"apply", added.string()});
    EXPECT_EQ(added_signature.exit_code, 1);
    EXPECT_NE(added_signature.err.find("entry 'manifest.sig': is present, but manifest.json does not say"),
              std::string::npos)
        << added_signature.err;
}

// The forgery the review found (briefs/forge5.py): an Ed25519-signed bundle, an entry altered and
// re-hashed, and the manifest re-signed as "hmac-sha256" keyed by the PUBLIC key file's bytes. The
// verifier decides the algorithm, so this is refused.
TEST_F(Bundle, ForgedHmacSignatureKeyedByThePublicKeyIsRefused)
{
    fs::path private_key = m_dir / "sender.pem";
    fs::path public_key = m_dir / "sender.pub.pem";
    if (!make_ed25519_keys(private_key, public_key)) {
        GTEST_SKIP() << "the openssl command is not available to make Ed25519 test keys";
    }
    fs::path out = m_dir / "ed25519.zip";
    ASSERT_EQ(bundle(out, {"--key", private_key.string(), "--key-type", "ed25519"}).exit_code, 0);
    const std::string evil = "Step 1: run evil.ps1 as Domain Admin\n";
    fs::path forged = rewritten(out, m_dir / "forged.zip", [&](auto& entries) {
        std::map<std::string, std::string*> by_name;
        for (auto& [name, bytes] : entries) {
            by_name[name] = &bytes;
        }
        *by_name["instructions.txt"] = evil;
        auto manifest = nlohmann::json::parse(*by_name["manifest.json"]);
        std::string sums;
        for (auto& item : manifest["entries"]) {
            const std::string& bytes = *by_name[item["name"].get<std::string>()];
            item["sha256"] = sha256_hex(bytes);
            item["size"] = bytes.size();
            if (item["name"] != "SHA256SUMS") {
                sums += sha256_hex(bytes) + "  " + item["name"].get<std::string>() + "\n";
            }
        }
        *by_name["SHA256SUMS"] = sums;
        for (auto& item : manifest["entries"]) {
            if (item["name"] == "SHA256SUMS") {
                item["sha256"] = sha256_hex(sums);
                item["size"] = sums.size();
            }
        }
        manifest["signature"] = {{"algorithm", "hmac-sha256"}, {"entry", "manifest.sig"}};
        *by_name["manifest.json"] = manifest.dump(2) + "\n";
        *by_name["manifest.sig"] = bundle::sign(*by_name["manifest.json"], public_key, bundle::KeyType::hmac);
    });
    ASSERT_EQ(zip_entry(forged, "instructions.txt"), evil);
    RunResult unsigned_check = run_escprov({"apply", forged.string()});
    ASSERT_EQ(unsigned_check.exit_code, 0) << "the forgery is self-consistent: " << unsigned_check.err;

    RunResult applied = run_escprov({"apply", forged.string(), "--key", public_key.string()});
    EXPECT_EQ(applied.exit_code, 1) << applied.out;
    EXPECT_NE(applied.err.find("entry 'manifest.json'"), std::string::npos) << applied.err;
    EXPECT_NE(applied.err.find("signed with hmac-sha256, but the key"), std::string::npos) << applied.err;
    EXPECT_NE(applied.err.find("is an ed25519 key"), std::string::npos) << applied.err;
    EXPECT_EQ(applied.out, "") << "nothing of a refused bundle is shown";
    EXPECT_EQ(applied.err.find("evil.ps1"), std::string::npos);

    RunResult as_secret = run_escprov({"apply", forged.string(), "--key", public_key.string(), "--key-type", "hmac"});
    EXPECT_EQ(as_secret.exit_code, 2) << "a public key is no HMAC secret";
    EXPECT_NE(as_secret.err.find("is a PEM public key, which is no secret"), std::string::npos) << as_secret.err;
    EXPECT_EQ(as_secret.out, "");
}

TEST(BundleKeyType, TheVerifierTellsTheKeyTypeFromTheKeyFile)
{
    TempDir dir;
    fs::path private_key = dir / "k.pem";
    fs::path public_key = dir / "k.pub.pem";
    if (!make_ed25519_keys(private_key, public_key)) {
        GTEST_SKIP() << "the openssl command is not available to make Ed25519 test keys";
    }
    write_bytes(dir / "secret", "a shared s3cret of thirty-two bytes!");
    write_bytes(dir / "cert.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    write_bytes(dir / "empty", "");
    EXPECT_EQ(bundle::checking_key_type(public_key, std::nullopt), bundle::KeyType::ed25519);
    EXPECT_EQ(bundle::checking_key_type(dir / "secret", std::nullopt), bundle::KeyType::hmac);
    EXPECT_EQ(bundle::checking_key_type(dir / "secret", bundle::KeyType::hmac), bundle::KeyType::hmac);
    auto kind = [](const std::function<void()>& call) {
        try {
            call();
        } catch (const Error& error) {
            return error.kind();
        }
        return ErrorKind::internal;
    };
    EXPECT_EQ(kind([&] { bundle::checking_key_type(private_key, std::nullopt); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::checking_key_type(private_key, bundle::KeyType::ed25519); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::checking_key_type(public_key, bundle::KeyType::hmac); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::checking_key_type(dir / "secret", bundle::KeyType::ed25519); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::checking_key_type(dir / "cert.pem", std::nullopt); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::checking_key_type(dir / "empty", std::nullopt); }), ErrorKind::input);
    EXPECT_EQ(kind([&] { bundle::checking_key_type(dir / "missing", std::nullopt); }), ErrorKind::input);
    write_bytes(dir / "short", std::string(bundle::k_min_hmac_secret - 1, 'k'));
    EXPECT_EQ(kind([&] { bundle::checking_key_type(dir / "short", std::nullopt); }), ErrorKind::usage);

    // Signing decides from the same file as checking does: a private key signs ed25519, no PEM hmac.
    EXPECT_EQ(bundle::signing_key_type(private_key, std::nullopt), bundle::KeyType::ed25519);
    EXPECT_EQ(bundle::signing_key_type(dir / "secret", std::nullopt), bundle::KeyType::hmac);
    EXPECT_EQ(kind([&] { bundle::signing_key_type(public_key, std::nullopt); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::signing_key_type(public_key, bundle::KeyType::hmac); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::signing_key_type(private_key, bundle::KeyType::hmac); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::signing_key_type(dir / "secret", bundle::KeyType::ed25519); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::signing_key_type(dir / "short", std::nullopt); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::signing_key_type(dir / "cert.pem", std::nullopt); }), ErrorKind::usage);
    EXPECT_EQ(kind([&] { bundle::signing_key_type(dir / "empty", std::nullopt); }), ErrorKind::input);
    EXPECT_THROW(bundle::sign("x", dir / "short", bundle::KeyType::hmac), Error) << "sign() holds the minimum too";
}

TEST(BundleSignature, HmacAndEd25519RejectAnyChangeToTheSignedBytes)
{
    TempDir dir;
    write_bytes(dir / "secret", "a shared s3cret of thirty-two bytes!");
    std::string signature = bundle::sign("manifest bytes", dir / "secret", bundle::KeyType::hmac);
    EXPECT_EQ(signature.size(), 32U) << "raw HMAC-SHA256 bytes";
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
    ASSERT_EQ(bundle(crm2011, {}, merged_and_packaged("crm2011-fabrikam", "5.0")).exit_code, 0);
    ASSERT_EQ(bundle(dataverse, {}, merged_and_packaged("d365-contoso-9.2", "9.2")).exit_code, 0);
    std::string old_steps = flowed(zip_entry(crm2011, "instructions.txt"));
    std::string new_steps = flowed(zip_entry(dataverse, "instructions.txt"));
    std::string packed_steps = [&] {
        fs::path out = m_dir / "adatum.zip";
        EXPECT_EQ(bundle(out).exit_code, 0);
        return flowed(zip_entry(out, "instructions.txt"));
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

TEST_F(Bundle, ADataverseBundleWarnsOfNoOrgSitemapItDoesNotCarry)
{
    // From 9.0 the connector brings its app's own sitemap and leaves the org sitemap alone.
    fs::path out = m_dir / "contoso.zip";
    ASSERT_EQ(bundle(out, {}, merged_and_packaged("d365-contoso-9.2", "9.2")).exit_code, 0);
    std::string preflight = zip_entry(out, "preflight.txt");
    EXPECT_EQ(preflight.find("site map"), std::string::npos) << preflight;
    EXPECT_NE(preflight.find("Managed layer over the system entity 'contact'"), std::string::npos) << preflight;
    EXPECT_NE(preflight.find("  - Marketing List: 'Information' {"), std::string::npos) << preflight;
    EXPECT_EQ(preflight.find("ACTION NEEDED"), std::string::npos) << "every form carries the tab";
}

TEST_F(Bundle, InstructionsAreWrappedUnderlinedAndNameOnlyWhatTheBundleHolds)
{
    fs::path plain = m_dir / "plain.zip";
    fs::path with_backup = m_dir / "with-backup.zip";
    fs::path backup = m_dir / "escprov-backup.zip";
    ASSERT_EQ(run_escprov({"backup", "create", "--from", org_sample("crm2016-adatum").string(), "-o", backup.string()})
                  .exit_code,
              0);
    ASSERT_EQ(bundle(plain).exit_code, 0);
    ASSERT_EQ(bundle(with_backup, {"--backup", backup.string()}).exit_code, 0);
    for (const fs::path& out : {plain, with_backup}) {
        std::string text = zip_entry(out, "instructions.txt");
        std::istringstream lines(text);
        std::string title;
        std::string underline;
        std::getline(lines, title);
        std::getline(lines, underline);
        EXPECT_EQ(title, "Installing the Email Service Connector for Adatum & Co");
        EXPECT_EQ(underline, std::string(title.size(), '='));
        for (std::string line; std::getline(lines, line);) {
            EXPECT_LE(line.size(), bundle::k_instructions_width) << line;
        }
        // Every form of the fixture carries the tab: all five are checked, and no step adds one.
        EXPECT_NE(flowed(text).find("The main forms of Account, Campaign, Contact, Lead and Marketing List show the"),
                  std::string::npos)
            << text;
        EXPECT_EQ(text.find("by hand"), std::string::npos) << text;
        EXPECT_NE(text.find("Step 4: what to test"), std::string::npos) << text;
    }
    std::string without = flowed(zip_entry(plain, "instructions.txt"));
    EXPECT_EQ(without.find("backup.txt"), std::string::npos) << "the bundle has no backup.txt:\n" << without;
    EXPECT_EQ(zip_entry(plain, "instructions.html").find("backup.txt"), std::string::npos);
    EXPECT_NE(without.find("this bundle names no backup"), std::string::npos) << without;
    std::string with = flowed(zip_entry(with_backup, "instructions.txt"));
    EXPECT_NE(with.find("Make sure the backup named in backup.txt exists"), std::string::npos) << with;
    EXPECT_NE(with.find("dotdigital keeps the backup and sends it on request"), std::string::npos) << with;
}

TEST(BundleInstructions, LongLinesWrapUnderTheirTextAndUnderlinesFitTheTitle)
{
    std::string text = "A title of twenty-six ch\n"
                       "==\n"
                       "  1. one two three four five six\n"
                       "  Label:   alpha beta gamma delta\n"
                       "  - short\n";
    EXPECT_EQ(bundle::wrap_instructions(text, 24), "A title of twenty-six ch\n"
                                                   "========================\n"
                                                   "  1. one two three four\n"
                                                   "     five six\n"
                                                   "  Label:   alpha beta\n"
                                                   "           gamma delta\n"
                                                   "  - short\n");
    // A title with non-ASCII letters is underlined by characters, not bytes.
    EXPECT_EQ(bundle::wrap_instructions("Für Zoë\n=\n", 78), "Für Zoë\n=======\n");
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
    std::string first = read_bytes(out);
    RunResult again = bundle(out);
    EXPECT_EQ(again.exit_code, 1) << "an existing output is an output failure: " << again.err;
    EXPECT_NE(again.err.find("bundle -o '" + out.string() + "': the file exists; pass --overwrite to replace it"),
              std::string::npos)
        << again.err;
    EXPECT_NE(again.err.find(out.filename().string()), std::string::npos) << again.err;
    EXPECT_EQ(read_bytes(out), first) << "the existing bundle is untouched";
}

TEST_F(Bundle, ApplyWithOrgChecksItsConnectionOptionsBeforeAnything)
{
    fs::path out = m_dir / "b.zip";
    ASSERT_EQ(bundle(out).exit_code, 0);
    RunResult applied = run_escprov({"apply", out.string(), "--org", "https://contoso.crm.dynamics.com"});
    EXPECT_EQ(applied.exit_code, 2);
    EXPECT_NE(applied.err.find("apply: --auth client-credentials needs --tenant and --client-id"), std::string::npos)
        << applied.err;
}

// Every field of manifest.json with the wrong type is a problem naming manifest.json (exit 1), never
// a JSON library exception escaping as an internal error.
TEST_F(Bundle, ManifestFieldsOfTheWrongTypeAreRefusedNamingManifestJson)
{
    fs::path out = m_dir / "unsigned.zip";
    ASSERT_EQ(bundle(out).exit_code, 0);
    const std::vector<std::pair<std::string, std::function<void(nlohmann::json&)>>> changes = {
        {"size as a string", [](nlohmann::json& m) { m["entries"][0]["size"] = "123"; }},
        {"negative size", [](nlohmann::json& m) { m["entries"][0]["size"] = -1; }},
        {"sha256 as a number", [](nlohmann::json& m) { m["entries"][0]["sha256"] = 5; }},
        {"sha256 not hex", [](nlohmann::json& m) { m["entries"][0]["sha256"] = std::string(64, 'z'); }},
        {"name as a number", [](nlohmann::json& m) { m["entries"][1]["name"] = 7; }},
        {"entry as a string", [](nlohmann::json& m) { m["entries"][1] = "ImportConfig.xml"; }},
        {"entries an object", [](nlohmann::json& m) { m["entries"] = nlohmann::json::object(); }},
        {"entries missing", [](nlohmann::json& m) { m.erase("entries"); }},
        {"customer a number", [](nlohmann::json& m) { m["customer"] = 42; }},
        {"solution a string", [](nlohmann::json& m) { m["solution"] = "x.zip"; }},
        {"solution entry an array", [](nlohmann::json& m) { m["solution"]["entry"] = nlohmann::json::array(); }},
        {"signature a string", [](nlohmann::json& m) { m["signature"] = "abc"; }},
        {"signature value null",
         [](nlohmann::json& m) {
             m["signature"] = {{"algorithm", "hmac-sha256"}, {"value", nullptr}};
         }},
        {"unknown algorithm",
         [](nlohmann::json& m) {
             m["signature"] = {{"algorithm", "none"}, {"value", ""}};
         }},
        {"another format", [](nlohmann::json& m) { m["format"] = "escprov-bundle/99"; }},
        {"not an object",
         [](nlohmann::json& m) {
             m = nlohmann::json::array({1, 2});
         }},
    };
    for (const auto& [what, change] : changes) {
        SCOPED_TRACE(what);
        fs::path tampered = rewritten(out, m_dir / "tampered.zip", [&change](auto& entries) {
            for (auto& [name, bytes] : entries) {
                if (name == "manifest.json") {
                    auto manifest = nlohmann::json::parse(bytes);
                    change(manifest);
                    bytes = manifest.dump(2) + "\n";
                }
            }
        });
        RunResult applied = run_escprov({"apply", tampered.string()});
        EXPECT_EQ(applied.exit_code, 1) << applied.err;
        EXPECT_NE(applied.err.find("the bundle is refused: entry 'manifest.json'"), std::string::npos) << applied.err;
        EXPECT_EQ(applied.err.find("internal error"), std::string::npos) << applied.err;
        EXPECT_EQ(applied.out, "");
    }
}

// An entry whose compressed bytes are damaged cannot be read: it is reported once, as unreadable,
// and not also as "listed in SHA256SUMS but not in manifest.json".
TEST_F(Bundle, AnUnreadableEntryIsReportedOnceAndOnlyAsUnreadable)
{
    fs::path out = m_dir / "signed.zip";
    ASSERT_EQ(bundle(out, {"--key", s_secret.string()}).exit_code, 0);
    std::string bytes = read_bytes(out);
    auto [offset, size] = entry_data(bytes, "instructions.html");
    ASSERT_GT(size, 16U);
    bytes[offset + size / 2] = static_cast<char>(bytes[offset + size / 2] ^ 0xff);
    fs::path damaged = m_dir / "damaged.zip";
    write_bytes(damaged, bytes);

    RunResult applied = run_escprov({"apply", damaged.string(), "--key", s_secret.string()});
    EXPECT_EQ(applied.exit_code, 1);
    EXPECT_NE(applied.err.find("escprov: error: apply '" + damaged.string() +
                               "': the bundle is refused: entry 'instructions.html': cannot be read"),
              std::string::npos)
        << applied.err;
    EXPECT_EQ(applied.err.find("not in manifest.json"), std::string::npos) << applied.err;
    EXPECT_NE(applied.err.find("(1 problem)"), std::string::npos) << applied.err;
    EXPECT_EQ(applied.out, "");
}

// One byte flipped anywhere in the bundle FILE (entry data, local headers, the central directory,
// the end record): apply refuses it (exit 1), or — where only zip metadata the content does not
// depend on changed (times, attributes) — accepts it only when every entry still reads back as the
// original bytes.
TEST_F(Bundle, EveryFlippedByteOfTheFileIsRefusedUnlessTheContentIsProvablyUnchanged)
{
    fs::path out = m_dir / "signed.zip";
    ASSERT_EQ(bundle(out, {"--key", s_secret.string(), "--report", s_report.string()}).exit_code, 0);
    const std::string original = read_bytes(out);
    const auto original_entries = zip_entries(out);

    std::set<size_t> positions;
    size_t step = std::max<size_t>(original.size() / 150, 1);
    for (size_t at = 0; at < original.size(); at += step) {
        positions.insert(at);
    }
    for (size_t at = central_directory(original); at < original.size(); at += 7) {
        positions.insert(at); // the central directory and end record, densely
    }
    for (size_t at = 0; at < 46; ++at) {
        positions.insert(at); // the first local header and its name, every byte
    }
    positions.insert(original.size() - 1);

    fs::path flipped = m_dir / "flipped.zip";
    size_t refused = 0;
    size_t accepted = 0;
    for (size_t at : positions) {
        SCOPED_TRACE("byte " + std::to_string(at) + " of " + std::to_string(original.size()));
        std::string bytes = original;
        bytes[at] = static_cast<char>(bytes[at] ^ (at % 2 == 0 ? 0x01 : 0x80));
        write_bytes(flipped, bytes);
        RunResult applied = run_escprov({"apply", flipped.string(), "--key", s_secret.string()});
        ASSERT_TRUE(applied.exit_code == 0 || applied.exit_code == 1) << applied.exit_code << " " << applied.err;
        if (applied.exit_code == 1) {
            ++refused;
            EXPECT_NE(applied.err.find("escprov: error: apply '" + flipped.string() + "': the bundle is refused"),
                      std::string::npos)
                << applied.err;
            EXPECT_EQ(applied.out, "");
            continue;
        }
        ++accepted;
        std::vector<std::pair<std::string, std::string>> read_back;
        EXPECT_NO_THROW(read_back = zip_entries(flipped));
        EXPECT_EQ(read_back, original_entries) << "accepted, so every entry must read back unchanged";
    }
    EXPECT_GT(refused, positions.size() * 3 / 4) << accepted << " accepted";
}

TEST_F(Bundle, ApplyTakesTheLimitOptionsAndRefusesAZipBeyondThem)
{
    fs::path out = m_dir / "b.zip";
    ASSERT_EQ(bundle(out).exit_code, 0);
    RunResult few = run_escprov({"apply", out.string(), "--max-entries", "3"});
    EXPECT_EQ(few.exit_code, 1) << few.err;
    EXPECT_NE(few.err.find("--max-entries"), std::string::npos) << few.err;
    // The limits reach the solution inside too: its solution.xml nests deeper than 2.
    RunResult shallow = run_escprov({"apply", out.string(), "--max-depth", "2"});
    EXPECT_EQ(shallow.exit_code, 1) << shallow.err;
    EXPECT_NE(shallow.err.find("entry 'EmailServiceConnector_managed.zip': is not a readable solution: "
                               "EmailServiceConnector_managed.zip!solution.xml"),
              std::string::npos)
        << shallow.err;
    EXPECT_NE(shallow.err.find("--max-depth"), std::string::npos) << shallow.err;
    EXPECT_EQ(shallow.out, "");
    RunResult plenty = run_escprov({"apply", out.string(), "--max-entries", "100"});
    EXPECT_EQ(plenty.exit_code, 0) << plenty.err;
}

TEST_F(Bundle, ApplyShowsTheManagedSolutionAndItsLayeringRisks)
{
    fs::path out = m_dir / "b.zip";
    ASSERT_EQ(bundle(out, {"--key", s_secret.string()}).exit_code, 0);
    // Managed-layer risks exist only for a managed solution: the fixture packaged it so.
    std::string preflight = zip_entry(out, "preflight.txt");
    EXPECT_NE(preflight.find("(managed)"), std::string::npos) << preflight;
    EXPECT_NE(preflight.find("Managed layer over the system entity 'contact'"), std::string::npos) << preflight;
    EXPECT_NE(preflight.find("Managed layer over the system entity 'account'"), std::string::npos) << preflight;
    EXPECT_NE(preflight.find("carries the organisation's site map"), std::string::npos) << preflight;

    RunResult applied = run_escprov({"apply", out.string(), "--key", s_secret.string()});
    ASSERT_EQ(applied.exit_code, 0) << applied.err;
    EXPECT_TRUE(applied.err.empty()) << applied.err;
    auto entries = zip_entries(out);
    EXPECT_EQ(applied.out.rfind("apply: '" + out.string() + "' is intact (signature: hmac-sha256, valid)\n", 0), 0U)
        << applied.out;
    EXPECT_NE(applied.out.find("Checked:       " + std::to_string(entries.size() - 2) +
                               " entries and manifest.json and manifest.sig (all " + std::to_string(entries.size()) +
                               " in the bundle)"),
              std::string::npos)
        << applied.out;
    EXPECT_NE(applied.out.find("Managed:       managed\n"), std::string::npos) << applied.out;
    EXPECT_NE(applied.out.find("Version:       "), std::string::npos) << applied.out;
    EXPECT_NE(applied.out.find("Customer:      Adatum & Co\n"), std::string::npos) << applied.out;
}

TEST_F(Bundle, ApplyWithoutABundleOrWithOrgIsAUsageErrorBeforeAnythingIsRead)
{
    RunResult nothing = run_escprov({"apply"});
    EXPECT_EQ(nothing.exit_code, 2);
    EXPECT_NE(nothing.err.find("apply: missing BUNDLE"), std::string::npos) << nothing.err;
    // Incomplete connection options are refused while parsing: the bundle named does not even exist.
    RunResult org = run_escprov({"apply", (m_dir / "absent.zip").string(), "--org", "https://x.crm.dynamics.com"});
    EXPECT_EQ(org.exit_code, 2);
    EXPECT_NE(org.err.find("needs --tenant and --client-id"), std::string::npos) << org.err;
    RunResult absent = run_escprov({"apply", (m_dir / "absent.zip").string()});
    EXPECT_EQ(absent.exit_code, 2);
    EXPECT_NE(
        absent.err.find("escprov: error: apply '" + (m_dir / "absent.zip").string() + "': No such file or directory"),
        std::string::npos)
        << absent.err;
    RunResult bad_type = run_escprov({"apply", "x.zip", "--key", "k", "--key-type", "rsa"});
    EXPECT_EQ(bad_type.exit_code, 2);
    EXPECT_NE(bad_type.err.find("apply --key-type: key type must be hmac or ed25519"), std::string::npos)
        << bad_type.err;
}

} // namespace
} // namespace escprov::test
