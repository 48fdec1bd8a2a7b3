// escprov backup: create, verify, list, extract, and verification failing on every kind of damage.

#include "backup/backup.hpp"
#include "support.hpp"
#include "util/sha256.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
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

// The bytes of a zip holding `entries`.
std::string zip_bytes(const Entries& entries)
{
    TempDir temp;
    write_entries(temp / "x.zip", entries);
    return read_bytes(temp / "x.zip");
}

// Puts `bytes` into the backup's entries as file `name` (replacing or adding it) and records its
// true size and hash in manifest.json (the last entry), so that only a parse can fail.
void put_file(Entries& entries, const std::string& name, const std::string& bytes)
{
    auto manifest = nlohmann::ordered_json::parse(entries.back().second);
    auto found =
        std::find_if(entries.begin(), entries.end(), [&name](const auto& entry) { return entry.first == name; });
    if (found == entries.end()) {
        entries.insert(entries.end() - 1, {name, bytes});
        manifest["files"].push_back({{"path", name}, {"size", 0}, {"sha256", ""}});
    } else {
        found->second = bytes;
    }
    for (auto& file : manifest["files"]) {
        if (file["path"] == name) {
            file["size"] = bytes.size();
            file["sha256"] = sha256_hex(bytes);
        }
    }
    entries.back().second = manifest.dump(2);
}

// Temporaries escprov left in `folder`.
std::vector<std::string> leftovers(const fs::path& folder)
{
    std::vector<std::string> found;
    for (const auto& item : fs::directory_iterator(folder)) {
        if (item.path().filename().string().find("escprov-tmp") != std::string::npos) {
            found.push_back(item.path().filename().string());
        }
    }
    return found;
}

// Every file and folder below `folder` (itself included) whose mode is not `file_mode`/`folder_mode`.
std::vector<std::string> wrong_modes(const fs::path& folder, unsigned file_mode, unsigned folder_mode)
{
    std::vector<std::string> wrong;
    auto check = [&](const fs::path& path) {
        struct stat info {};
        if (::lstat(path.c_str(), &info) != 0) {
            wrong.push_back(path.string() + " (cannot stat)");
            return;
        }
        unsigned mode = info.st_mode & 07777;
        unsigned want = S_ISDIR(info.st_mode) ? folder_mode : file_mode;
        if (mode != want || !(S_ISDIR(info.st_mode) || S_ISREG(info.st_mode))) {
            wrong.push_back(path.string());
        }
    };
    check(folder);
    for (const auto& item : fs::recursive_directory_iterator(folder)) {
        check(item.path());
    }
    return wrong;
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
    EXPECT_EQ(verify.out,
              "backup: verified '" + m_backup.string() + "' (3 files; every size, SHA-256 and XML part checked)\n");
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
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_EQ(again.err, "escprov: error: backup create -o '" + m_backup.string() +
                             "': the file exists; backup create never replaces a file; choose another name or move "
                             "it away\n");
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
    EXPECT_NE(verify.err.find("escprov: error: backup verify '" + bad.string() +
                              "': exports/d365-contoso-9.2.zip: SHA-256 is"),
              std::string::npos)
        << verify.err;
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

TEST_F(BackupTest, AManifestNestedTooDeepFailsVerificationWithoutACrash)
{
    fs::path bad = tampered("deep.zip", [](Entries& entries) {
        entries.back().second = "{\"format\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1) << verify.err;
    EXPECT_NE(verify.err.find("nests arrays and objects deeper than 64 levels"), std::string::npos) << verify.err;
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
    fs::path bad = tampered("unparsable.zip", [&inner](Entries& entries) {
        put_file(entries, "exports/crm2016-adatum.zip", zip_bytes(inner));
    });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("exports/crm2016-adatum.zip: customizations.xml does not parse"), std::string::npos)
        << verify.err;
}

TEST_F(BackupTest, AnyBrokenXmlPartOfAnExportFailsVerificationNamingIt)
{
    // A workflow definition and a data file, besides the three manifests: every XML entry is parsed.
    Entries inner = read_entries(contoso());
    inner.emplace_back("Workflows/Notify-1CE37AB6-8BC9-59B5-954E-1F9A165C9849.xaml", "<Activity><Sequence></Activity>");
    inner.emplace_back("data/Settings.XML", "<settings><a></settings>");
    inner.emplace_back("WebResources/readme.txt", "<not xml, and not checked");
    fs::path bad = tampered("broken-parts.zip", [&inner](Entries& entries) {
        put_file(entries, "exports/d365-contoso-9.2.zip", zip_bytes(inner));
    });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("exports/d365-contoso-9.2.zip: Workflows/Notify-1CE37AB6-8BC9-59B5-954E-1F9A165C9849."
                              "xaml does not parse (line 1"),
              std::string::npos)
        << verify.err;
    EXPECT_NE(verify.err.find("exports/d365-contoso-9.2.zip: data/Settings.XML does not parse"), std::string::npos)
        << verify.err;
    EXPECT_EQ(verify.err.find("readme.txt"), std::string::npos) << verify.err;
    EXPECT_EQ(verify.err.find("crm2016-adatum"), std::string::npos) << verify.err;
    // The scratch copy's path is not what the user sees.
    EXPECT_EQ(verify.err.find("escprov-verify"), std::string::npos) << verify.err;
}

TEST_F(BackupTest, MetadataThatDoesNotParseFailsVerificationNamingIt)
{
    fs::path bad = tampered("bad-metadata.zip", [](Entries& entries) {
        put_file(entries, "metadata/entities.xml", "<EntityMetadata><Entity></EntityMetadata>");
        put_file(entries, "metadata/OptionSets.XML", "<OptionSets>");
        put_file(entries, "metadata/org.json", "{\"version\": \"8.2\",}");
        put_file(entries, "metadata/good.json", "{\"version\": \"8.2\"}");
        put_file(entries, "metadata/notes.txt", "{ not checked <");
    });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("metadata/entities.xml does not parse (line 1"), std::string::npos) << verify.err;
    EXPECT_NE(verify.err.find("metadata/OptionSets.XML does not parse"), std::string::npos) << verify.err;
    EXPECT_NE(verify.err.find("metadata/org.json does not parse: not valid JSON"), std::string::npos) << verify.err;
    EXPECT_EQ(verify.err.find("good.json"), std::string::npos) << verify.err;
    EXPECT_EQ(verify.err.find("notes.txt"), std::string::npos) << verify.err;
    EXPECT_EQ(verify.err.find("exports/"), std::string::npos) << verify.err;
}

TEST_F(BackupTest, AnAlteredHashInManifestJsonAloneFailsVerification)
{
    fs::path bad = tampered("rehashed.zip", [](Entries& entries) {
        auto manifest = nlohmann::ordered_json::parse(entries.back().second);
        std::string hash = manifest["files"][2]["sha256"];
        hash[0] = hash[0] == '0' ? '1' : '0';
        manifest["files"][2]["sha256"] = hash;
        entries.back().second = manifest.dump(2);
    });
    RunResult verify = run_escprov({"backup", "verify", bad.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("metadata/entities.xml: SHA-256 is "), std::string::npos) << verify.err;
    EXPECT_EQ(verify.err.find("exports/"), std::string::npos) << verify.err;
}

TEST_F(BackupTest, VerifyLeavesNoScratchCopyBehind)
{
    TempDir scratch;
    const char* old = std::getenv("TMPDIR");
    std::string saved = old != nullptr ? old : "";
    ::setenv("TMPDIR", scratch.path().c_str(), 1);
    RunResult verify = run_escprov({"backup", "verify", m_backup.string()});
    if (old != nullptr) {
        ::setenv("TMPDIR", saved.c_str(), 1);
    } else {
        ::unsetenv("TMPDIR");
    }
    EXPECT_EQ(verify.exit_code, 0) << verify.err;
    EXPECT_TRUE(fs::is_empty(scratch.path()));
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
    EXPECT_EQ(extract.out,
              "backup: wrote '" + folder.string() + "' (3 files and manifest.json from '" + m_backup.string() + "')\n");
}

TEST_F(BackupTest, ExtractTakesAFolderWrittenWithATrailingSlash)
{
    // "restore/" is how a shell completes a folder name: absent or empty, it is the same folder.
    fs::path absent = m_temp / "restore";
    RunResult into_absent = run_escprov({"backup", "extract", m_backup.string(), absent.string() + "/"});
    ASSERT_EQ(into_absent.exit_code, 0) << into_absent.err;
    EXPECT_EQ(read_bytes(absent / "exports/crm2016-adatum.zip"), read_bytes(adatum()));

    fs::path empty = m_temp / "empty";
    fs::create_directory(empty);
    RunResult into_empty = run_escprov({"backup", "extract", m_backup.string(), empty.string() + "//"});
    ASSERT_EQ(into_empty.exit_code, 0) << into_empty.err;
    EXPECT_EQ(read_bytes(empty / "exports/d365-contoso-9.2.zip"), read_bytes(contoso()));
}

TEST_F(BackupTest, ExtractIsPrivate)
{
    fs::path folder = m_temp / "restore";
    fs::create_directory(folder); // an empty folder is taken, and made private too
    fs::permissions(folder, fs::perms::all);
    RunResult extract = run_escprov({"backup", "extract", m_backup.string(), folder.string()});
    ASSERT_EQ(extract.exit_code, 0) << extract.err;
    EXPECT_EQ(wrong_modes(folder, 0600, 0700), std::vector<std::string>{});
    EXPECT_EQ(leftovers(m_temp.path()), std::vector<std::string>{});
}

TEST_F(BackupTest, ExtractRefusesADamagedBackupAndANonEmptyFolder)
{
    fs::path bad = tampered("missing.zip", [](Entries& entries) { entries.erase(entries.begin()); });
    fs::path folder = m_temp / "restore";
    RunResult damaged = run_escprov({"backup", "extract", bad.string(), folder.string()});
    EXPECT_EQ(damaged.exit_code, 1);
    EXPECT_FALSE(fs::exists(folder));
    EXPECT_NE(damaged.err.find("escprov: error: backup extract '" + bad.string() +
                               "': the backup does not verify; nothing was written to '" + folder.string() + "'"),
              std::string::npos)
        << damaged.err;

    fs::create_directory(folder);
    write_bytes(folder / "keep.txt", "mine");
    RunResult occupied = run_escprov({"backup", "extract", m_backup.string(), folder.string()});
    EXPECT_EQ(occupied.exit_code, 1);
    EXPECT_NE(occupied.err.find("escprov: error: backup extract '" + folder.string() +
                                "': the folder is not empty; give a new or empty folder"),
              std::string::npos)
        << occupied.err;
    EXPECT_EQ(files_below(folder), std::set<std::string>{"keep.txt"});
    EXPECT_EQ(leftovers(m_temp.path()), std::vector<std::string>{});
}

TEST_F(BackupTest, ListShowsBackupsOldestFirstAndWhetherTheyVerify)
{
    fs::path folder = m_temp / "backups";
    fs::create_directory(folder);
    // The oldest by its name (its manifest says now); an older backup (by its manifest, its name has
    // no time) under a name that sorts last; a damaged one; and a new one without a time in its name.
    fs::copy_file(m_backup, folder / "escprov-backup-20191231T235959Z-zz.example.com.zip");
    fs::path older = folder / "zz-older.zip";
    {
        Entries entries = read_entries(m_backup);
        auto manifest = nlohmann::ordered_json::parse(entries.back().second);
        manifest["created"] = "2020-01-01T00:00:00Z";
        entries.back().second = manifest.dump(2);
        write_entries(older, entries);
    }
    fs::copy_file(m_backup, folder / "aa-newer.zip");
    fs::path damaged = tampered("escprov-backup-20250101T000000Z-local.zip", [](Entries& entries) {
        entries.erase(entries.begin());
        auto manifest = nlohmann::ordered_json::parse(entries.back().second);
        manifest["created"] = "2025-01-01T00:00:00Z";
        entries.back().second = manifest.dump(2);
    });
    fs::rename(damaged, folder / damaged.filename());
    write_bytes(folder / "unrelated.zip", read_bytes(adatum())); // a solution, not a backup

    RunResult list = run_escprov({"backup", "list", folder.string()});
    EXPECT_EQ(list.exit_code, 1); // the damaged one
    size_t oldest_at = list.out.find("escprov-backup-20191231T235959Z-zz.example.com.zip");
    size_t older_at = list.out.find("zz-older.zip");
    size_t damaged_at = list.out.find("escprov-backup-20250101T000000Z-local.zip");
    size_t newer_at = list.out.find("aa-newer.zip");
    ASSERT_NE(oldest_at, std::string::npos) << list.out;
    ASSERT_NE(older_at, std::string::npos) << list.out;
    ASSERT_NE(damaged_at, std::string::npos) << list.out;
    ASSERT_NE(newer_at, std::string::npos) << list.out;
    EXPECT_LT(oldest_at, older_at);
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
    EXPECT_EQ(list.err, "escprov: note: backup list: skipped '" + (folder / "unrelated.zip").string() +
                            "', not a backup: it holds no manifest.json\n"
                            "escprov: error: backup list '" +
                            (folder / damaged.filename()).string() +
                            "': does not verify: exports/crm2016-adatum.zip: missing (listed in manifest.json)\n");
}

TEST_F(BackupTest, ListSkipsABundleBesideTheBackupsAndSaysSo)
{
    fs::path folder = m_temp / "backups";
    fs::create_directory(folder);
    fs::copy_file(m_backup, folder / "escprov-backup-20191231T235959Z-local.zip");
    // A bundle also holds a manifest.json, with members of its own and no "orgUrl".
    write_entries(folder / "Contoso-bundle.zip",
                  {{"solution.zip", "x"}, {"manifest.json", R"({"format": "escprov-bundle/1", "customer": "C"})"}});

    RunResult list = run_escprov({"backup", "list", folder.string()});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("escprov-backup-20191231T235959Z-local.zip"), std::string::npos) << list.out;
    EXPECT_EQ(list.out.find("Contoso-bundle.zip"), std::string::npos) << list.out;
    EXPECT_EQ(list.err, "escprov: note: backup list: skipped '" + (folder / "Contoso-bundle.zip").string() +
                            "', not a backup: its manifest.json is not a backup's: its \"format\" is "
                            "'escprov-bundle/1', not 'escprov-backup/1'\n");
    EXPECT_EQ(list.err.find("json.exception"), std::string::npos) << list.err;
}

TEST_F(BackupTest, AManifestMissingAMemberIsNamedWithoutTheJsonLibrarysWords)
{
    fs::path broken = tampered("broken.zip", [](Entries& entries) {
        auto manifest = nlohmann::ordered_json::parse(entries.back().second);
        manifest.erase("orgUrl");
        entries.back().second = manifest.dump(2);
    });
    RunResult verify = run_escprov({"backup", "verify", broken.string()});
    EXPECT_EQ(verify.exit_code, 1);
    EXPECT_NE(verify.err.find("manifest.json: not a backup manifest: it has no \"orgUrl\""), std::string::npos)
        << verify.err;
    EXPECT_EQ(verify.err.find("json.exception"), std::string::npos) << verify.err;
    // Named as a backup, it is listed as one that does not verify, not skipped.
    fs::path folder = m_temp / "listed";
    fs::create_directory(folder);
    fs::copy_file(broken, folder / "escprov-backup-20200101T000000Z-local.zip");
    RunResult list = run_escprov({"backup", "list", folder.string()});
    EXPECT_EQ(list.exit_code, 1);
    EXPECT_NE(list.err.find("it has no \"orgUrl\""), std::string::npos) << list.err;
    EXPECT_EQ(list.err.find("skipped"), std::string::npos) << list.err;
}

TEST_F(BackupTest, AFolderGivenAsTheBackupIsSaidToBeAFolder)
{
    RunResult verify = run_escprov({"backup", "verify", m_temp.path().string()});
    EXPECT_EQ(verify.exit_code, 2);
    EXPECT_EQ(verify.err, "escprov: error: verify '" + m_temp.path().string() + "': a folder, not a zip archive\n");
}

TEST(Backup, ARefusedMetadataFileKeepsTheKindOfItsError)
{
    TempDir temp;
    write_bytes(temp / "entities.xml", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>");
    backup::CreateOptions options;
    options.exports = {adatum()};
    options.metadata = {temp / "entities.xml"};
    try {
        backup::create_backup(temp / "b.zip", options);
        ADD_FAILURE() << "metadata with a DOCTYPE was accepted";
    } catch (const Error& e) {
        // Unsafe stays unsafe on its way up, not a plain input error.
        EXPECT_EQ(e.kind(), ErrorKind::unsafe) << e.what();
        EXPECT_NE(std::string(e.what()).find("entities.xml"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(temp / "b.zip"));
}

TEST(Backup, FileNamesSortByTimeAcrossOrgs)
{
    std::vector<int64_t> times = {1700000000, 1700000001, 1700003600, 1800000000, 1999999999};
    // Orgs whose names sort the other way round: the time must still decide.
    std::vector<std::string> orgs = {"https://zeta.example.com", "https://Adatum.example.com:443/path", "",
                                     "https://beta.example.com/", "https://aaa.example.com"};
    std::vector<std::string> names;
    for (size_t i = 0; i < times.size(); ++i) {
        names.push_back(backup::backup_file_name(orgs[i], times[i]));
    }
    EXPECT_EQ(names[0], "escprov-backup-20231114T221320Z-zeta.example.com.zip");
    EXPECT_EQ(names[1], "escprov-backup-20231114T221321Z-adatum.example.com.zip");
    EXPECT_EQ(names[2], "escprov-backup-20231114T231320Z-local.zip");
    EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
    EXPECT_EQ(backup::iso8601_utc(1700000000), "2023-11-14T22:13:20Z");
}

TEST(Backup, UserInformationInAnOrgUrlIsRecognised)
{
    EXPECT_TRUE(backup::has_user_info("https://user:pass@adatum.example.com/"));
    EXPECT_TRUE(backup::has_user_info("https://user@adatum.example.com"));
    EXPECT_TRUE(backup::has_user_info("user:pass@adatum.example.com"));
    EXPECT_FALSE(backup::has_user_info("https://adatum.example.com/main.aspx?who=a@b"));
    EXPECT_FALSE(backup::has_user_info("https://adatum.example.com:443/x@y"));
    EXPECT_FALSE(backup::has_user_info(""));
}

TEST(Backup, CreateRefusesAnOrgUrlWithAPasswordAndWritesNothing)
{
    TempDir temp;
    for (const std::string& output : {temp.path().string(), (temp / "b.zip").string()}) {
        RunResult created = run_escprov({"backup", "create", "--from", adatum().string(), "--org",
                                         "https://admin:Secr3t-pw@adatum.example.com/", "-o", output});
        EXPECT_EQ(created.exit_code, 2);
        EXPECT_NE(created.err.find("--org carries a user name or password"), std::string::npos) << created.err;
        EXPECT_EQ(created.err.find("Secr3t-pw"), std::string::npos) << created.err;
        EXPECT_EQ(created.err.find("admin"), std::string::npos) << created.err;
        EXPECT_TRUE(created.out.empty());
        EXPECT_TRUE(fs::is_empty(temp.path()));
    }
    // The library refuses it too (the remote export will call it directly).
    backup::CreateOptions options;
    options.exports = {adatum()};
    options.org_url = "https://admin:Secr3t-pw@adatum.example.com/";
    try {
        backup::create_backup(temp / "b.zip", options);
        ADD_FAILURE() << "create_backup took a URL with a password";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::usage);
        EXPECT_EQ(std::string(e.what()).find("Secr3t-pw"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(fs::is_empty(temp.path()));
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
        std::regex_match(*files.begin(), std::regex("escprov-backup-[0-9]{8}T[0-9]{6}Z-adatum\\.example\\.com\\.zip")))
        << *files.begin();
    EXPECT_EQ(created.out.rfind("backup: wrote '" + (temp / *files.begin()).string() + "' (1 file, ", 0), 0u)
        << created.out;
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
    RunResult none = run_escprov({"backup"});
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_EQ(none.err, "escprov: error: backup: missing ACTION (create, verify, list or extract)\n");
    EXPECT_EQ(run_escprov({"backup", "restore", "x.zip"}).exit_code, 2);
    RunResult verify = run_escprov({"backup", "verify"});
    EXPECT_EQ(verify.exit_code, 2);
    EXPECT_NE(verify.err.find("backup verify: missing BACKUP"), std::string::npos) << verify.err;
    RunResult extract = run_escprov({"backup", "extract"});
    EXPECT_EQ(extract.exit_code, 2);
    EXPECT_NE(extract.err.find("backup extract: missing BACKUP and FOLDER"), std::string::npos) << extract.err;
    EXPECT_EQ(run_escprov({"backup", "extract", "x.zip"}).exit_code, 2);
    EXPECT_EQ(run_escprov({"backup", "list", "a", "b"}).exit_code, 2);
    EXPECT_EQ(run_escprov({"backup", "create", "-o", "x.zip"}).exit_code, 2);
    RunResult stray = run_escprov({"backup", "verify", "x.zip", "--org", "https://a"});
    EXPECT_EQ(stray.exit_code, 2);
    EXPECT_NE(stray.err.find("belong to create"), std::string::npos) << stray.err;
}

TEST(Backup, AnArgumentTakenByFromIsNamed)
{
    // --from takes every argument after it: the backup to verify, or the action itself.
    RunResult verify = run_escprov({"backup", "verify", "--from", "a.zip", "b.zip"});
    EXPECT_EQ(verify.exit_code, 2);
    EXPECT_EQ(verify.err, "escprov: error: backup verify: missing BACKUP: --from took 'b.zip' as one of its files, "
                          "since it takes every argument after it, and it belongs to create; to verify: escprov "
                          "backup verify BACKUP\n");
    RunResult create = run_escprov({"backup", "--from", "a.zip", "create", "-o", "x.zip"});
    EXPECT_EQ(create.exit_code, 2);
    EXPECT_NE(create.err.find("backup: missing ACTION: --from took 'create' as one of its files"), std::string::npos)
        << create.err;
    EXPECT_NE(create.err.find("put the action first: escprov backup create ..."), std::string::npos) << create.err;
}

} // namespace
} // namespace escprov::test
