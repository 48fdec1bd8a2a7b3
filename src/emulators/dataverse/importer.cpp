#include "emulators/dataverse/importer.hpp"

#include "emulators/dataverse/org_state.hpp"
#include "emulators/dataverse/wire.hpp"
#include "util/fs.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace escprov::emulator {

namespace {

// An import takes this many steps of --import-step-ms.
constexpr int k_steps = 10;

// asyncoperation state and status codes (remote-apis.md A3).
constexpr int k_state_locked = 2;
constexpr int k_state_completed = 3;
constexpr int k_status_in_progress = 20;
constexpr int k_status_succeeded = 30;
constexpr int k_status_failed = 31;
// asyncoperation operationtype of a solution import.
constexpr int k_operation_import = 203;

} // namespace

Importer::~Importer()
{
    for (auto& worker : m_workers) {
        if (worker.joinable()) {
            worker.join();
        }
    }
}

std::pair<std::string, std::string> Importer::start(ImportRequest request)
{
    std::string job_id = request.job_id.empty() ? new_guid() : request.job_id;
    std::string async_id = new_guid();
    std::string now = utc_now();
    Tables& tables = m_org.tables();
    tables.erase("importjob", job_id);
    tables.insert("importjob", {{"importjobid", job_id},
                                {"name", "Customizations"},
                                {"progress", 0.0},
                                {"startedon", now},
                                {"createdon", now},
                                {"completedon", nullptr},
                                {"solutionname", ""},
                                {"data", ""}});
    tables.insert("asyncoperation", {{"asyncoperationid", async_id},
                                     {"name", "Import Solution"},
                                     {"operationtype", k_operation_import},
                                     {"statecode", k_state_locked},
                                     {"statuscode", k_status_in_progress},
                                     {"message", nullptr},
                                     {"friendlymessage", nullptr},
                                     {"createdon", now},
                                     {"completedon", nullptr}});
    {
        std::lock_guard lock(m_mutex);
        m_jobs[job_id] = Job{};
        m_workers.emplace_back(&Importer::run, this, job_id, async_id, std::move(request));
    }
    return {job_id, async_id};
}

void Importer::run(const std::string& job_id, const std::string& async_id, ImportRequest request)
{
    Tables& tables = m_org.tables();
    std::string started = utc_now();
    std::filesystem::path zip = m_org.temp_dir() / ("import-" + job_id + ".zip");
    write_file_atomic(zip, request.zip, AtomicFile::Overwrite::yes);
    request.zip.clear();
    ImportAnalysis analysis = analyse_import(zip, m_org);
    tables.update("importjob", job_id, {{"solutionname", analysis.unique_name}});
    // A failure shows after the component that failed (or at once for the manifest's).
    size_t components = std::max<size_t>(analysis.components.size(), 1);
    int fail_step = k_steps;
    if (analysis.manifest_code != "0") {
        fail_step = 1;
    } else if (!analysis.ok) {
        for (size_t i = 0; i < analysis.components.size(); ++i) {
            if (analysis.components[i].result == "failure") {
                fail_step = int((i + 1) * k_steps / components);
                break;
            }
        }
    }
    double progress = 0;
    for (int step = 1; step <= std::min(fail_step, k_steps); ++step) {
        std::this_thread::sleep_for(std::chrono::milliseconds(m_org.options().import_step_ms));
        progress = analysis.ok || step < fail_step ? 100.0 * step / k_steps : progress;
        if (step < k_steps || !analysis.ok) {
            tables.update("importjob", job_id,
                          {{"progress", progress}, {"data", job_data_xml(analysis, progress, started, "")}});
        }
    }
    if (analysis.ok) {
        InstalledSolution solution;
        solution.id = stable_guid("solution:" + analysis.unique_name);
        solution.unique_name = request.holding ? analysis.unique_name + "_Upgrade" : analysis.unique_name;
        solution.friendly_name = analysis.friendly_name;
        solution.version = analysis.version;
        solution.managed = analysis.managed;
        solution.zip = read_file(zip);
        solution.customizations = analysis.package->customizations;
        std::lock_guard lock(m_org.mutex);
        m_org.install(std::move(solution), analysis.package->manifest.root, analysis.package->parts,
                      analysis.package->content_types);
    }
    std::error_code ignored;
    std::filesystem::remove(zip, ignored);
    std::string finished = utc_now();
    tables.update("importjob", job_id,
                  {{"progress", progress},
                   {"completedon", finished},
                   {"data", job_data_xml(analysis, progress, started, finished)}});
    nlohmann::json async = {{"statecode", k_state_completed},
                            {"statuscode", analysis.ok ? k_status_succeeded : k_status_failed},
                            {"completedon", finished}};
    if (!analysis.ok) {
        async["message"] = analysis.first_failure();
        async["friendlymessage"] = analysis.first_failure();
    }
    tables.update("asyncoperation", async_id, async);
    {
        std::lock_guard lock(m_mutex);
        Job& job = m_jobs[job_id];
        job.done = true;
        job.outcome.succeeded = analysis.ok;
        job.outcome.message = analysis.ok ? std::string() : analysis.first_failure();
        job.finished = finished;
        analysis.package.reset();
        job.analysis = std::move(analysis);
    }
    m_changed.notify_all();
}

ImportOutcome Importer::wait(const std::string& job_id)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_jobs[job_id].done; });
    return m_jobs[job_id].outcome;
}

std::optional<std::string> Importer::formatted_results(const std::string& job_id)
{
    std::lock_guard lock(m_mutex);
    auto it = m_jobs.find(job_id);
    if (it == m_jobs.end() || !it->second.done || !it->second.analysis) {
        return std::nullopt;
    }
    return formatted_results_xml(*it->second.analysis, it->second.finished);
}

} // namespace escprov::emulator
