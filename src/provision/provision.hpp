#pragma once
// `escprov provision`: the whole Option 1 run against one org — check, export into a verified
// backup, merge, package, import, publish, verify — with one report at the end. Everything it makes
// lands in one work folder and stays there (the backup above all), whatever happens. --dry-run
// stops before anything changes in the org; --until bundle makes the Option 2 bundle instead of
// importing. A failure after the backup says the exact command that restores it.

#include "bundle/bundle.hpp"
#include "connector/connector.hpp"
#include "merge/options.hpp"
#include "provision/checks.hpp"
#include "provision/org_import.hpp"
#include "remote/org.hpp"
#include "solution/input.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::provision {

enum class Until { import, bundle };

struct ProvisionOptions {
    std::string org_url;
    std::filesystem::path work; // the work folder: absent or empty; made, and kept
    connector::ConnectorSource connector;
    merge::OnConflict on_conflict = merge::OnConflict::fail;
    std::optional<std::string> version; // the package's solution version; default: the connector's
    bool dry_run = false;
    Until until = Until::import;
    // For --until bundle: the customer's name and the signing key (optional).
    std::string customer;
    std::optional<bundle::Signing> signing;
    solution::InputLimits limits;
    int64_t now = 0;              // seconds since the epoch, for the backup
    Progress* progress = nullptr; // may be null
    // The command that restores the backup, with the backup's path appended (from the options the
    // user gave: cli::ConnectionOptions::command_line("restore")).
    std::string restore_command;
    // Told each step as it starts ("export"), for a live log on stderr; may be empty.
    std::function<void(const std::string&)> on_step;
};

enum class StepState { done, failed, skipped };

struct StepResult {
    std::string name; // "check", "export", "merge", "package", "import", "verify", "bundle"
    StepState state = StepState::skipped;
    std::string detail; // one line; more in the report's sections
};

struct ProvisionReport {
    std::vector<StepResult> steps;
    CheckReport checks;
    std::filesystem::path backup;       // empty until the export step made it
    std::filesystem::path merge_report; // the HTML merge report
    std::filesystem::path package;
    std::filesystem::path bundle;
    std::optional<ImportReport> import;
    std::string merge_summary;
    std::string failure;         // why the run stopped; empty on success
    std::string restore_command; // set when the run failed after the backup existed
    bool ok() const { return failure.empty(); }
};

// Runs the steps in order and stops at the first that fails. Throws only Interrupted and errors
// that prevent even the report (the work folder cannot be made: Error(output)); every other failure
// is in the report.
ProvisionReport provision(remote::Org& org, const ProvisionOptions& options);

// The report as text: the steps, then what each produced, then the failure and the restore command.
std::string render_provision(const ProvisionReport& report);

} // namespace escprov::provision
