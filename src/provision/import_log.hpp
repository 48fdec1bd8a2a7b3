#pragma once
// What a failed import says, in lines a person reads: the import job's `data` (<importexportxml>,
// the log CRM keeps for every import) turned into "component, error code, message" lines, CRM's
// missing dependencies included. The whole log is saved beside the backup for support.

#include <string>
#include <vector>

namespace escprov::provision {

struct ImportProblem {
    std::string component; // "entity esc_emailcampaign", "solution EmailServiceConnector", "security role X"
    std::string code;      // CRM's error code, "0x80048031"; empty for a missing dependency
    std::string message;   // CRM's errortext, or what is missing and what needs it
    bool warning = false;  // result="warning": the import went on
};

// The failures and warnings in an import job's data XML: failures first, each group in document
// order. Unreadable or empty data gives no lines (the caller falls back to the async
// operation's message).
std::vector<ImportProblem> parse_import_job(const std::string& job_data);

// "entity esc_emailcampaign: 0x80048031 Cannot add a Root Component …" (one line per problem).
std::string format_problem(const ImportProblem& problem);

} // namespace escprov::provision
