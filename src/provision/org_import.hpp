#pragma once
// `escprov import`: a solution zip into an org, the way a careful engineer does it by hand. The
// installed version decides new install, upgrade (a holding solution promoted, 8.0 and later) or
// update; the import runs with a client-generated import job id and its progress is shown; a
// failure comes back as "component, error code, message" lines with the full log saved; what the
// solution changed is published; and afterwards the org is checked: the solution installed at the
// version imported, its entities and roles present.

#include "provision/import_log.hpp"
#include "remote/org.hpp"
#include "solution/input.hpp"
#include "solution/manifest.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::provision {

enum class InstallKind { new_install, upgrade, update };

// "new install", "upgrade", "update".
std::string_view install_kind_name(InstallKind kind);

struct ImportOptions {
    std::filesystem::path package;
    // Where the import log goes when an import fails (the folder of the backup); empty: the
    // package's folder.
    std::filesystem::path log_folder;
    solution::InputLimits limits;
    Progress* progress = nullptr;            // shown the import job's progress; may be null
    std::function<std::string()> new_job_id; // tests fix it; default: remote::new_guid()
};

struct ImportReport {
    std::string unique_name;
    std::string version;
    bool managed = false;
    InstallKind kind = InstallKind::new_install;
    std::string installed_version; // before the import; empty for a new install
    std::string job_id;
    bool succeeded = false;
    std::vector<ImportProblem> problems; // from the import job's log (warnings too, on success)
    std::string message;                 // the org's own word when the log says nothing
    std::filesystem::path log_file;      // the full log, saved when the import failed
    std::vector<std::string> published;  // entities published; empty with published_all
    bool published_sitemap = false;
    bool published_all = false;
    std::vector<std::string> verify_failures; // what the org lacks afterwards; empty when verified
    bool ok() const { return succeeded && verify_failures.empty(); }
};

// What a solution zip holds that an import changes in the org.
struct PackageFacts {
    solution::Manifest manifest;
    std::vector<std::string> entities; // Entities/Entity/Name in lower case (logical names)
    std::vector<std::string> roles;    // Roles/Role/@name
    bool sitemap = false;              // it carries a SiteMap
};

// Reads them from `zip`. Throws Error(input)/Error(foreign)/xml::ParseError for a zip that is not a
// readable solution.
PackageFacts read_package(const std::filesystem::path& zip, const solution::InputLimits& limits);

// 1.2.3.4 compared part by part as numbers (missing parts count as 0): <0, 0, >0.
int compare_versions(const std::string& a, const std::string& b);

// Imports options.package into `org`. Throws Error(input) for a package that is not a solution zip;
// RemoteError when the org refuses a request other than the import itself, or holds a newer version
// of the solution or an unmanaged one under its name (nothing is imported then). A failed import is
// reported, not thrown.
ImportReport import_package(remote::Org& org, const ImportOptions& options);

// The report as lines for a person.
std::string render_import(const ImportReport& report);

} // namespace escprov::provision
