#pragma once
// ExportSolution from the org's state: Default is the org's whole customisations as they are now
// (the seed plus every import, later imports replacing earlier items); a named solution is the
// file it was imported as.

#include <string>
#include <variant>

namespace escprov::emulator {

class OrgState;

struct ExportRefusal {
    int status = 400;
    std::string code;
    std::string message;
};

// The export zip's bytes, or why CRM would refuse it. Locks org.mutex.
std::variant<std::string, ExportRefusal> export_solution(OrgState& org, const std::string& name, bool managed);

} // namespace escprov::emulator
