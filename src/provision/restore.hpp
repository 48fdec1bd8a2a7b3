#pragma once
// `escprov restore`: an org's customisations put back from a backup `export` or `provision` took.
// The backup is verified and extracted privately first; with remove_connector the connector's
// solution is uninstalled; then every export is imported again (unmanaged, overwriting, the Default
// solution first) and everything is published.

#include "provision/org_import.hpp"
#include "remote/org.hpp"
#include "solution/input.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::provision {

struct RestoreOptions {
    std::filesystem::path backup;
    bool remove_connector = false;
    std::string connector_name = "EmailServiceConnector"; // the solution remove_connector uninstalls
    solution::InputLimits limits;
    Progress* progress = nullptr;
};

struct RestoreReport {
    std::vector<std::string> lines; // what was done, one line each
    std::vector<ImportProblem> problems;
    std::filesystem::path log_file; // the failed import's log, beside the backup
    std::string failure;            // empty when it all worked
    bool ok() const { return failure.empty(); }
};

// Restores. Throws Error(input) when the backup cannot be read, and does nothing to the org when it
// does not verify (the failure says why); RemoteError when the org refuses a request other than an
// import. A failed import stops the restore and is reported.
RestoreReport restore(remote::Org& org, const RestoreOptions& options);

} // namespace escprov::provision
