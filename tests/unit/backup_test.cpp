// escprov backup: create, verify, list, extract, and verification failing on every kind of damage.

#include "backup/backup.hpp"
#include "support.hpp"
#include "util/sha256.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <regex>
#include <sys/stat.h>
#include <utility>

namespace escprov::test {
namespace {

fs::path adatum()
{
    return source_dir() / "samples/orgs/crm2016-adatum.zip";
}
fs::path contoso()
{
    return source_dir() / "samples/orgs/d365-contoso-9.2.zip";
}

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries read_entries(const fs::path& zip_path)
{
    zip::Reader reader(zip_path);
    Entries entries;
    for (const auto& entry : reader.entries()) {
        entries.emplace_back(entry.name, reader.read(entry));
    }
    return entries;
}

void write_entries(const fs::path& zip_path, const Entries& entries)
{
    zip::Writer writer(zip_path, AtomicFile::Overwrite::no);
    for (const auto& [name, bytes] : entries) {
        writer.add_bytes(name, bytes);
    }
    writer.commit();
}

// Creates a backup of both sample orgs plus a metadata file at `path`; returns the run.
RunResult create_backup(const fs::path& path, const fs::path& metadata)
{
    write_bytes(metadata, "<EntityMetadata><Entity Name=\"contact\" /></EntityMetadata>\r\n");
    return run_escprov({"backup", "create", "--from", adatum().string(), contoso().string(), "--metadata",
                        metadata.string(), "--org", "https://adatum.example.com/", "--org-version", "8.2", "-o",
                        path.string()});
}

class BackupTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_backup = m_temp / "b.zip";
        RunResult created = create_backup(m_backup, m_temp / "entities.xml");
        ASSERT_EQ(created.exit_code, 0) << created.err;
        EXPECT_TRUE(created.err.empty()) << created.err;
    }
    // A copy of the backup with its entries changed by `change`, at a new path.
    fs::path tampered(const std::string& name, const std::function<void(Entries&)>& change)
    {
        Entries entries = read_entries(m_backup);
        change(entries);
        fs::path path = m_temp / name;
        write_entries(path, entries);
        return path;
    }
    TempDir m_temp;
    fs::path m_backup;
};

TEST_F(BackupTest, CreatedBackupHoldsTheFilesAndAManifestOfTheirHashes)
{
    Entries entries = read_entries(m_backup);
    std::vector<std::string> names;
    for (const auto& entry : entries) {
        names.push_back(entry.first);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"exports/crm2016-adatum.zip", "exports/d365-contoso-9.2.zip",
                                               "metadata/entities.xml", "manifest.json"}));
    EXPECT_EQ(entries[0].second, read_bytes(adatum()));
    auto manifest = nlohmann::json::parse(entries.back().second);
    EXPECT_EQ(manifest["format"], "escprov-backup/1");
    EXPECT_EQ(manifest["orgUrl"], "https://adatum.example.com/");
    EXPECT_EQ(manifest["orgVersion"], "8.2");
    EXPECT_TRUE(std::regex_match(manifest["created"].get<std::string>(),
                                 std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")));
    EXPECT_EQ(manifest["tool"].get<std::string>().rfind("escprov ", 0), 0u);
    ASSERT_EQ(manifest["files"].size(), 3u);
    EXPECT_EQ(manifest["files"][1]["path"], "exports/d365-contoso-9.2.zip");
    EXPECT_EQ(manifest["files"][1]["size"], fs::file_size(contoso()));
    EXPECT_EQ(manifest["files"][1]["sha256"], sha256_file(contoso()));
}

TEST_F(BackupTest, VerifiesClean)
{
    RunResult verify = run_escprov({"backup", "verify", m_backup.string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.err;
    EXPECT_TRUE(verify.err.empty()) << verify.err;
    EXPECT_NE(verify.out.find("ok: "), std::string::npos);
}

TEST_F(BackupTest, IsPrivate)
{
    struct stat info {};
    ASSERT_EQ(::stat(m_backup.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(BackupTest, IsNeverOverwritten)
{
    std::string before = read_bytes(m_backup);
    RunResult again = create_backup(m_backup, m_temp / "other.xml");
    EXPECT_EQ(again.exit_code, 2);
    EXPECT_NE(again.err.find("never overwritten"), std::string::npos) << again.err;
    EXPECT_EQ(read_bytes(m_backup), before);
    EXPECT_EQ(files_below(m_temp.path()), (std::set<std::string>{"b.zip", "entities.xml", "other.xml"}));
}

TEST_F(BackupTest, AChangedByteFailsVerificationNamingTheFile)
{
    fs::path bad = tampered("changed.zip", [](Entries& entries) {
        std::string& bytes = entries[1].second;
        bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
    });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("exports/d365-contoso-9.2.zip: SHA-256 is"), std::string::npos) << verify.err;
    EXPECT_EQ(verify.err.find("exports/crm2016-adatum.zip"), std::string::npos) << verify.err;
}

TEST_F(BackupTest, AChangedByteInTheBackupFileItselfFailsVerification)
{
    std::string bytes = read_bytes(m_backup);
    // Inside the first stored export, past its local header.
    bytes[200] = static_cast<char>(bytes[200] ^ 0x55);
    fs::path bad = m_temp / "flipped.zip";
    write_bytes(bad, bytes);
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("exports/crm2016-adatum.zip: "), std::string::npos) << verify.err;
}

TEST_F(BackupTest, AMissingFileFailsVerificationNamingTheFile)
{
    fs::path bad = tampered("missing.zip", [](Entries& entries) { entries.erase(entries.begin()); });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("exports/crm2016-adatum.zip: missing"), std::string::npos) << verify.err;
}

TEST_F(BackupTest, AnExtraFileFailsVerificationNamingTheFile)
{
    fs::path bad = tampered("extra.zip", [](Entries& entries) {
        entries.insert(entries.begin(), {"exports/extra.zip", read_bytes(adatum())});
    });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("exports/extra.zip: not listed in manifest.json"), std::string::npos) << verify.err;
}

TEST_F(BackupTest, AMissingManifestFailsVerification)
{
    fs::path bad = tampered("nomanifest.zip", [](Entries& entries) { entries.pop_back(); });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("manifest.json: missing"), std::string::npos) << verify.err;
}

TEST_F(BackupTest, AnExportWhoseXmlDoesNotParseFailsVerificationEvenWithMatchingHashes)
{
    // Rebuild the export with a broken customizations.xml and record its true hash, so only the parse can fail.
    Entries inner = read_entries(adatum());
    for (auto& [name, bytes] : inner) {
        if (name == "customizations.xml") {
            bytes.resize(bytes.size() / 2);
        }
    }
    fs::path broken = m_temp / "broken-inner.zip";
    write_entries(broken, inner);
    std::string broken_bytes = read_bytes(broken);
    fs::path bad = tampered("unparsable.zip", [&broken_bytes](Entries& entries) {
        entries[0].second = broken_bytes;
        auto manifest = nlohmann::ordered_json::parse(entries.back().second);
        manifest["files"][0]["size"] = broken_bytes.size();
        manifest["files"][0]["sha256"] = sha256_hex(broken_bytes);
        entries.back().second = manifest.dump(2);
    });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("exports/crm2016-adatum.zip: "), std::string::npos) << verify.err;
    EXPECT_NE(verify.err.find("customizations.xml"), std::string::npos) << verify.err;
}

TEST_F(BackupTest, ExtractRoundTripsTheBytes)
{
    fs::path folder = m_temp / "restore";
    RunResult extract = run_escprov({"backup", "extract", m_backup.string(), folder.string()});
    ASSERT_EQ(extract.exit_code, 0) << extract.err;
    EXPECT_EQ(files_below(folder), (std::set<std::string>{"exports/crm2016-adatum.zip", "exports/d365-contoso-9.2.zip",
                                                          "metadata/entities.xml", "manifest.json"}));
    EXPECT_EQ(read_bytes(folder / "exports/crm2016-adatum.zip"), read_bytes(adatum()));
    EXPECT_EQ(read_bytes(folder / "exports/d365-contoso-9.2.zip"), read_bytes(contoso()));
    EXPECT_EQ(read_bytes(folder / "metadata/entities.xml"), read_bytes(m_temp / "entities.xml"));
}

TEST_F(BackupTest, ExtractRefusesADamagedBackupAndANonEmptyFolder)
{
    fs::path bad = tampered("missing.zip", [](Entries& entries) { entries.erase(entries.begin()); });
    fs::path folder = m_temp / "restore";
    RunResult damaged = run_escprov({"backup", "extract", bad.string(), folder.string()});
    EXPECT_EQ(damaged.exit_code, 1);
    EXPECT_FALSE(fs::exists(folder));

    fs::create_directory(folder);
    write_bytes(folder / "keep.txt", "mine");
    RunResult occupied = run_escprov({"backup", "extract", m_backup.string(), folder.string()});
    EXPECT_EQ(occupied.exit_code, 2);
    EXPECT_EQ(files_below(folder), std::set<std::string>{"keep.txt"});
}

TEST_F(BackupTest, ListShowsBackupsOldestFirstAndWhetherTheyVerify)
{
    fs::path folder = m_temp / "backups";
    fs::create_directory(folder);
    // An older backup (its manifest says so) under a name that sorts last, and a damaged one.
    fs::path older = folder / "zz-older.zip";
    {
        Entries entries = read_entries(m_backup);
        auto manifest = nlohmann::ordered_json::parse(entries.back().second);
        manifest["created"] = "2020-01-01T00:00:00Z";
        entries.back().second = manifest.dump(2);
        write_entries(older, entries);
    }
    fs::copy_file(m_backup, folder / "aa-newer.zip");
    fs::path damaged = tampered("escprov-backup-local-20250101T000000Z.zip", [](Entries& entries) {
        entries.erase(entries.begin());
        auto manifest = nlohmann::ordered_json::parse(entries.back().second);
        manifest["created"] = "2025-01-01T00:00:00Z";
        entries.back().second = manifest.dump(2);
    });
    fs::rename(damaged, folder / damaged.filename());
    write_bytes(folder / "unrelated.zip", read_bytes(adatum())); // a solution, not a backup

    RunResult list = run_escprov({"backup", "list", folder.string()});
    EXPECT_EQ(list.exit_code, 1); // the damaged one
    size_t older_at = list.out.find("zz-older.zip");
    size_t damaged_at = list.out.find("escprov-backup-local-20250101T000000Z.zip");
    size_t newer_at = list.out.find("aa-newer.zip");
    ASSERT_NE(older_at, std::string::npos) << list.out;
    ASSERT_NE(damaged_at, std::string::npos) << list.out;
    ASSERT_NE(newer_at, std::string::npos) << list.out;
    EXPECT_LT(older_at, damaged_at);
    EXPECT_LT(damaged_at, newer_at);
    EXPECT_EQ(list.out.find("unrelated.zip"), std::string::npos);
    std::string older_line = list.out.substr(older_at, list.out.find('\n', older_at) - older_at);
    EXPECT_NE(older_line.find("https://adatum.example.com/"), std::string::npos);
    EXPECT_NE(older_line.find(" 3 "), std::string::npos);
    uint64_t total = fs::file_size(adatum()) + fs::file_size(contoso()) + fs::file_size(m_temp / "entities.xml");
    EXPECT_NE(older_line.find(std::to_string(total)), std::string::npos);
    EXPECT_EQ(older_line.substr(older_line.size() - 3), "yes");
    std::string damaged_line = list.out.substr(damaged_at, list.out.find('\n', damaged_at) - damaged_at);
    EXPECT_EQ(damaged_line.substr(damaged_line.size() - 2), "NO");
    EXPECT_NE(list.err.find("exports/crm2016-adatum.zip: missing"), std::string::npos);
}

TEST(Backup, FileNamesSortByTime)
{
    std::vector<int64_t> times = {1700000000, 1700000001, 1700003600, 1800000000, 1999999999};
    std::vector<std::string> names;
    for (int64_t time : times) {
        names.push_back(backup::backup_file_name("https://Adatum.example.com:443/path", time));
    }
    EXPECT_EQ(names[0], "escprov-backup-adatum.example.com-20231114T221320Z.zip");
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_EQ(backup::backup_file_name("", 0), "escprov-backup-local-19700101T000000Z.zip");
    EXPECT_EQ(backup::iso8601_utc(1700000000), "2023-11-14T22:13:20Z");
}

TEST(Backup, CreateIntoAFolderNamesTheFileByOrgAndTime)
{
    TempDir temp;
    RunResult created = run_escprov({"backup", "create", "--from", adatum().string(), "--org",
                                     "https://adatum.example.com", "-o", temp.path().string()});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    auto files = files_below(temp.path());
    ASSERT_EQ(files.size(), 1u);
    EXPECT_TRUE(
        std::regex_match(*files.begin(), std::regex("escprov-backup-adatum\\.example\\.com-[0-9]{8}T[0-9]{6}Z\\.zip")))
        << *files.begin();
    EXPECT_NE(created.out.find(*files.begin()), std::string::npos);
    EXPECT_NE(created.out.find(sha256_file(temp.path() / *files.begin())), std::string::npos);
}

TEST(Backup, CreateRefusesWhatIsNotASolutionAndLeavesNothing)
{
    TempDir temp;
    write_bytes(temp / "notes.zip", "not a zip");
    RunResult created =
        run_escprov({"backup", "create", "--from", (temp / "notes.zip").string(), "-o", (temp / "b.zip").string()});
    EXPECT_EQ(created.exit_code, 2);
    EXPECT_EQ(files_below(temp.path()), std::set<std::string>{"notes.zip"});
}

TEST(Backup, ActionsAndTheirArgumentsAreChecked)
{
    EXPECT_EQ(run_escprov({"backup", "restore", "x.zip"}).exit_code, 2);
    EXPECT_EQ(run_escprov({"backup", "verify"}).exit_code, 2);
    EXPECT_EQ(run_escprov({"backup", "extract", "x.zip"}).exit_code, 2);
    EXPECT_EQ(run_escprov({"backup", "create", "-o", "x.zip"}).exit_code, 2);
    RunResult stray = run_escprov({"backup", "verify", "x.zip", "--org", "https://a"});
    EXPECT_EQ(stray.exit_code, 2);
    EXPECT_NE(stray.err.find("belong to create"), std::string::npos) << stray.err;
}

} // namespace
} // namespace escprov::test
