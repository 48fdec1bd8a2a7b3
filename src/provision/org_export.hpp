#pragma once
// `escprov export`: an org's unmanaged customisations into a verified backup. Every visible
// unmanaged solution (the Default solution, which holds all of them, first) is exported to a file,
// streamed, never held whole; the metadata snapshot (every entity with its attributes) is taken;
// both go into a backup (backup/backup.hpp) that is then verified byte for byte.

#include "backup/backup.hpp"
#include "remote/org.hpp"
#include "solution/input.hpp"
#include "util/fs.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::provision {

struct ExportOptions {
    std::string org_url;
    std::filesystem::path backup_path;    // the file to write (must not exist)
    std::filesystem::path scratch_parent; // where the exports are staged, privately (0700)
    solution::InputLimits limits;
    int64_t created_at = 0;       // seconds since the epoch, recorded in the backup
    Progress* progress = nullptr; // may be null
};

struct ExportResult {
    std::filesystem::path backup;
    backup::Manifest manifest;
    std::string org_version;
    std::vector<remote::SolutionInfo> solutions; // the ones exported, Default first
    // The staged exports, for a caller that goes on to merge (provision); removed when this goes.
    std::unique_ptr<PrivateDir> scratch;
    std::filesystem::path default_export; // inside scratch: the Default solution's export
};

// Exports and backs up. Throws RemoteError when the org fails a request, Error(input) when an
// export is not a solution zip, Error(output) when the backup cannot be written or does not verify
// (it is removed; the message names its problems).
ExportResult export_org(remote::Org& org, const ExportOptions& options);

// The metadata snapshot's JSON: {"entities":[{"logical_name","schema_name","custom","attributes":[…]}]}.
std::string metadata_json(const std::vector<remote::EntityInfo>& entities, const std::string& org_version);

} // namespace escprov::provision
