#include "provision/org_export.hpp"

#include "solution/manifest.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace escprov::provision {

namespace fs = std::filesystem;

std::string metadata_json(const std::vector<remote::EntityInfo>& entities, const std::string& org_version)
{
    nlohmann::ordered_json document;
    document["org_version"] = org_version;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    std::vector<const remote::EntityInfo*> sorted;
    sorted.reserve(entities.size());
    for (const remote::EntityInfo& entity : entities) {
        sorted.push_back(&entity);
    }
    std::sort(sorted.begin(), sorted.end(), [](const remote::EntityInfo* a, const remote::EntityInfo* b) {
        return a->logical_name < b->logical_name;
    });
    for (const remote::EntityInfo* entity : sorted) {
        nlohmann::ordered_json item;
        item["logical_name"] = entity->logical_name;
        item["schema_name"] = entity->schema_name;
        item["custom"] = entity->custom;
        item["attributes"] = entity->attributes;
        list.push_back(std::move(item));
    }
    document["entities"] = std::move(list);
    return document.dump(1) + "\n";
}

namespace {

// The solutions an export of customisations takes: unmanaged and visible (CRM's internal Active
// and Basic solutions are neither exportable nor customisations), the Default solution first.
std::vector<remote::SolutionInfo> exportable(std::vector<remote::SolutionInfo> all)
{
    std::vector<remote::SolutionInfo> chosen;
    for (remote::SolutionInfo& solution : all) {
        if (!solution.managed && solution.visible) {
            chosen.push_back(std::move(solution));
        }
    }
    std::stable_sort(chosen.begin(), chosen.end(), [](const remote::SolutionInfo& a, const remote::SolutionInfo& b) {
        bool a_default = a.unique_name == "Default";
        bool b_default = b.unique_name == "Default";
        if (a_default != b_default) {
            return a_default;
        }
        return a.unique_name < b.unique_name;
    });
    return chosen;
}

} // namespace

ExportResult export_org(remote::Org& org, const ExportOptions& options)
{
    ExportResult result;
    result.org_version = org.version();
    result.solutions = exportable(org.solutions());
    if (result.solutions.empty() || result.solutions.front().unique_name != "Default") {
        throw remote::RemoteError("export from " + options.org_url +
                                  ": the org lists no Default solution, so its customisations cannot be exported");
    }
    result.scratch = std::make_unique<PrivateDir>(options.scratch_parent, ".escprov-export");
    fs::path exports = result.scratch->path() / "exports";
    fs::path metadata = result.scratch->path() / "metadata";
    fs::create_directories(exports);
    fs::create_directories(metadata);
    backup::CreateOptions create;
    create.org_url = options.org_url;
    create.org_version = result.org_version;
    create.created_at = options.created_at;
    create.limits = options.limits;
    size_t index = 0;
    for (const remote::SolutionInfo& solution : result.solutions) {
        check_interrupted();
        ++index;
        fs::path file = exports / solution::export_file_name(solution.unique_name, solution.version, false);
        if (options.progress) {
            options.progress->set_label("export [" + std::to_string(index) + "/" +
                                        std::to_string(result.solutions.size()) + "] " + solution.unique_name);
        }
        org.export_solution(solution.unique_name, false, file, options.progress);
        if (options.progress) {
            options.progress->finish();
        }
        if (solution.unique_name == "Default") {
            result.default_export = file;
        }
        create.exports.push_back(file);
    }
    check_interrupted();
    fs::path snapshot = metadata / "entities.json";
    write_file_atomic(snapshot, metadata_json(org.entities(true), result.org_version), AtomicFile::Overwrite::no);
    create.metadata.push_back(snapshot);
    if (options.progress) {
        options.progress->set_label("backup " + Progress::short_name(options.backup_path.string()));
    }
    create.progress = options.progress;
    result.manifest = backup::create_backup(options.backup_path, create);
    result.backup = options.backup_path;
    backup::Verification verification = backup::verify_backup(options.backup_path, options.limits, options.progress);
    if (options.progress) {
        options.progress->finish();
    }
    if (!verification.ok()) {
        std::error_code ignore;
        fs::remove(options.backup_path, ignore);
        std::string problems;
        for (const std::string& problem : verification.problems) {
            problems += "\n  " + problem;
        }
        throw_output("export: the backup " + quoted(options.backup_path) +
                     " did not verify, and was removed:" + problems);
    }
    return result;
}

} // namespace escprov::provision
