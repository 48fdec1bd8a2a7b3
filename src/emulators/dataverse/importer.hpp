#pragma once
// Solution imports as CRM runs them: each in the background, in steps, with an importjobs row
// (progress, data) and an asyncoperations row (state, status) the client can poll; the org
// changes only when the import succeeds, and only at its end.

#include "emulators/dataverse/import_check.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace escprov::emulator {

class OrgState;

struct ImportRequest {
    std::string zip;      // the solution file's bytes
    std::string job_id;   // the client's ImportJobId, or "" for one made up here
    bool holding = false; // HoldingSolution: installs as "<name>_Upgrade" for DeleteAndPromote
};

struct ImportOutcome {
    bool succeeded = false;
    std::string message; // the first failure's text
};

class Importer {
public:
    explicit Importer(OrgState& org) : m_org(org) {}
    // Waits for the imports still running.
    ~Importer();
    Importer(const Importer&) = delete;
    Importer& operator=(const Importer&) = delete;

    // Creates the job's rows and starts it. Returns {import job id, async operation id}.
    std::pair<std::string, std::string> start(ImportRequest request);
    // Blocks until the job ends.
    ImportOutcome wait(const std::string& job_id);
    // RetrieveFormattedImportJobResults for a finished job, or nullopt for an unknown one.
    std::optional<std::string> formatted_results(const std::string& job_id);

private:
    struct Job {
        bool done = false;
        ImportOutcome outcome;
        std::optional<ImportAnalysis> analysis;
        std::string finished;
    };
    void run(const std::string& job_id, const std::string& async_id, ImportRequest request);

    OrgState& m_org;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<std::string, Job> m_jobs;
    std::vector<std::thread> m_workers;
};

} // namespace escprov::emulator
