#pragma once
// Backups of an org's customisations: one zip holding the exported solutions (exports/<name>), the
// org metadata snapshot (metadata/<name>) and manifest.json, which records where and when they were
// taken and each file's size and SHA-256. A backup is written once, privately (mode 0600), and never
// replaced; verify re-reads every byte so that a restore never starts from a damaged copy.

#include "solution/input.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::backup {

// The manifest's "format" value; readers refuse any other.
inline constexpr std::string_view k_format = "escprov-backup/1";
inline constexpr std::string_view k_manifest_name = "manifest.json";

// One file held by a backup, as manifest.json records it.
struct FileRecord {
    std::string path; // "exports/<name>" or "metadata/<name>"
    uint64_t size = 0;
    std::string sha256; // lower-case hex
};

// What manifest.json says.
struct Manifest {
    std::string format;
    std::string org_url;     // empty for exports received by mail without one
    std::string org_version; // the org's CRM version, as given
    std::string created;     // UTC, ISO 8601: 2026-11-22T11:29:21Z
    std::string tool;        // "escprov <version>"
    std::vector<FileRecord> files;
};

struct CreateOptions {
    std::vector<std::filesystem::path> exports;  // exported solution zips
    std::vector<std::filesystem::path> metadata; // metadata snapshot files
    std::string org_url;
    std::string org_version;
    // The creation time to record (seconds since the epoch); tests fix it, callers pass now.
    int64_t created_at = 0;
    solution::InputLimits limits;
    Progress* progress = nullptr; // shown the inputs checked, then the backup written; may be null
};

// True when `url` carries user information (a user name or password before '@' in its authority):
// such a URL is refused, since the org URL goes into the backup's name, manifest.json and listings.
bool has_user_info(std::string_view url);

// The file name a backup gets inside a folder: escprov-backup-<YYYYMMDDTHHMMSSZ>-<org>.zip, where
// <org> is the URL's host in lower case with anything but letters, digits, '.' and '-' replaced by
// '-', or "local" without a URL. The time comes first, so names sort by time across orgs.
std::string backup_file_name(const std::string& org_url, int64_t created_at);

// "YYYY-MM-DDTHH:MM:SSZ" for a time in seconds since the epoch.
std::string iso8601_utc(int64_t seconds);

// Writes the backup at `path` (a file that must not exist) atomically with mode 0600, after checking
// that every export opens as a solution zip whose XML parses. Throws Error(usage) when the org URL
// carries user information or two inputs share a file name, Error(input) when an input cannot be read
// or is not a solution zip, Error(output) when `path` exists (also when it appears meanwhile: it is
// never replaced) or writing fails. Returns the manifest written.
Manifest create_backup(const std::filesystem::path& path, const CreateOptions& options);

// What verify found: nothing wrong when `problems` is empty. Each problem starts with the name of
// the file inside the backup it is about ("exports/a.zip: ...").
struct Verification {
    std::optional<Manifest> manifest; // absent when manifest.json is missing or unreadable
    std::string manifest_sha256;      // of manifest.json's bytes, when it was read
    std::vector<std::string> problems;
    bool ok() const { return problems.empty(); }
};

// Re-reads the whole backup: manifest.json parses and has the right format; it lists exactly the
// entries present; every size and SHA-256 matches (hashed while reading); every export opens as a
// solution zip and every .xml/.xaml entry inside it parses; metadata files ending in .xml parse as
// XML and those ending in .json as JSON (any case). Exports are copied, for opening, into a private
// (0700) scratch folder that is removed before returning. Throws Error(input) only when `path` is not
// a readable file; a damaged backup is reported in the result. `progress` (may be null) is shown the
// bytes read out of the files manifest.json lists.
Verification verify_backup(const std::filesystem::path& path, const solution::InputLimits& limits,
                           Progress* progress = nullptr);

// A backup found in a folder, for `escprov backup list`.
struct Listing {
    std::filesystem::path path;
    Verification verification;
    uint64_t total_size = 0; // the sum of the recorded file sizes
};

// A *.zip in the folder that list_backups did not take for a backup, and why.
struct Skipped {
    std::filesystem::path path;
    std::string reason; // "it holds no manifest.json", "its manifest.json is not a backup's: ..."
};

// What list_backups found in a folder.
struct BackupFolder {
    std::vector<Listing> backups;
    std::vector<Skipped> skipped; // in the folder's order
};

// Every *.zip directly in `folder` that is named escprov-backup-* or whose manifest.json has a
// backup's "format", verified, oldest first: by the time in its name (escprov-backup-<time>-...),
// else by manifest.json's "created"; those with neither come last; then by name. Other *.zip files
// (bundles, exports, damaged zips) are skipped with the reason. Throws Error(input) when `folder`
// cannot be read.
BackupFolder list_backups(const std::filesystem::path& folder, const solution::InputLimits& limits);

// What extract did: when the backup fails verification nothing is written and `files` is 0.
struct Extraction {
    Verification verification;
    size_t files = 0; // files written, manifest.json included
};

// Verifies the backup, then writes its files (manifest.json, exports/, metadata/) into `folder`,
// which must be absent or empty. Everything is private: folders 0700, files 0600. The files are
// written into a folder beside `folder` and renamed onto it only when every one is written and its
// SHA-256 matches the manifest again; a folder that is not empty is never replaced. Throws
// Error(output) when `folder` exists and is not a folder or not empty, or writing fails;
// Error(input) when `path` is not a readable file or changes after it verified. `progress` (may be
// null) is shown the verification, then the bytes written.
Extraction extract_backup(const std::filesystem::path& path, const std::filesystem::path& folder,
                          const solution::InputLimits& limits, Progress* progress = nullptr);

} // namespace escprov::backup
