#include "provision/restore.hpp"

#include "backup/backup.hpp"
#include "remote/session.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

#include <algorithm>

namespace escprov::provision {

namespace fs = std::filesystem;

RestoreReport restore(remote::Org& org, const RestoreOptions& options)
{
    RestoreReport report;
    fs::path folder = options.backup.parent_path().empty() ? fs::path(".") : options.backup.parent_path();
    PrivateDir scratch(folder, ".escprov-restore");
    fs::path extracted = scratch.path() / "backup";
    backup::Extraction extraction = backup::extract_backup(options.backup, extracted, options.limits, options.progress);
    if (options.progress) {
        options.progress->finish();
    }
    if (!extraction.verification.ok()) {
        report.failure = "the backup " + quoted(options.backup) + " does not verify (" +
                         extraction.verification.problems.front() + "); nothing was changed in the org";
        return report;
    }
    report.lines.push_back("backup verified: " + options.backup.string());
    std::vector<std::string> exports;
    for (const backup::FileRecord& file : extraction.verification.manifest->files) {
        if (file.path.starts_with("exports/")) {
            exports.push_back(file.path);
        }
    }
    // The Default solution holds every unmanaged customisation: it goes first, the others after.
    std::stable_sort(exports.begin(), exports.end(), [](const std::string& a, const std::string& b) {
        return a.starts_with("exports/Default_") && !b.starts_with("exports/Default_");
    });
    if (exports.empty()) {
        report.failure = "the backup " + quoted(options.backup) + " holds no exported solution";
        return report;
    }
    check_interrupted();
    if (options.remove_connector) {
        bool found = false;
        for (const remote::SolutionInfo& solution : org.solutions()) {
            if (ascii_lower(solution.unique_name) == ascii_lower(options.connector_name)) {
                org.delete_solution(solution.id);
                report.lines.push_back("removed " + solution.unique_name + " " + solution.version);
                found = true;
            }
        }
        if (!found) {
            report.lines.push_back(options.connector_name + " is not installed: nothing to remove");
        }
    }
    size_t index = 0;
    for (const std::string& name : exports) {
        check_interrupted();
        ++index;
        remote::ImportRequest request;
        request.zip = extracted / name;
        request.job_id = remote::new_guid();
        if (options.progress) {
            options.progress->set_label("restore [" + std::to_string(index) + "/" + std::to_string(exports.size()) +
                                        "] " + name.substr(8));
            options.progress->begin("importing", 100, Progress::Unit::items, "%");
        }
        remote::ImportOutcome outcome = org.import_solution(request, [&](double percent) {
            if (options.progress) {
                options.progress->update(static_cast<uint64_t>(std::clamp(percent, 0.0, 100.0)));
            }
        });
        if (options.progress) {
            options.progress->finish();
        }
        if (!outcome.succeeded) {
            report.problems = parse_import_job(outcome.job_data);
            std::string log = "escprov restore import log\nbackup: " + options.backup.string() + "\nexport: " + name +
                              "\nimport job: " + request.job_id + "\nmessage: " + outcome.message +
                              "\n\n== the import job's data\n" + outcome.job_data + "\n";
            if (!outcome.formatted.empty()) {
                log += "\n== RetrieveFormattedImportJobResults\n" + outcome.formatted + "\n";
            }
            report.log_file = folder / ("restore-import-" + request.job_id + ".log");
            write_file_atomic(report.log_file, log, AtomicFile::Overwrite::no);
            report.failure = "importing " + name.substr(8) + " failed" +
                             (report.problems.empty() && !outcome.message.empty() ? ": " + outcome.message : "");
            return report;
        }
        report.lines.push_back("imported " + name.substr(8));
    }
    org.publish({}, false);
    report.lines.push_back("published all customisations");
    return report;
}

} // namespace escprov::provision
