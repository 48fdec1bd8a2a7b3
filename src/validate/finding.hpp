#pragma once
// What `escprov validate` reports: findings (file, line, column, severity, stable code,
// message), the table of rules every code belongs to, and the per-path report.

#include "xml/reader.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace escprov::validate {

enum class Severity { note, warning, error };

// "note", "warning", "error".
std::string_view severity_name(Severity severity);

// One check the validator can report. Codes are stable: CI configurations and docs refer to them.
struct Rule {
    std::string_view code;    // "ESC-XML-001"
    std::string_view family;  // check family, one JUnit testcase each: "xml", "sections", ...
    Severity severity;        // the severity the validator reports it with
    std::string_view summary; // one line, for SARIF rules[] and docs/validate.md
};

// Every rule, in code order.
const std::vector<Rule>& rules();
// The rule with this code; throws Error(internal) for an unknown code (a bug in a check).
const Rule& rule(std::string_view code);
// The check families in report order.
const std::vector<std::string_view>& families();

struct Finding {
    std::string file;  // "Contoso.zip!customizations.xml", "Other/Solution.xml"...
    uint64_t line = 0; // 0 when the finding is about the file as a whole
    uint64_t column = 0;
    Severity severity = Severity::error;
    std::string code;
    std::string message;
};

// Collects findings for one input. The severity comes from the rule table, so a code always
// has the same severity.
//
// A file that repeats one defect millions of times must not take a CI job down with it: only the
// first k_max_findings_per_code of each code in each file are kept, the rest are counted, and
// take() ends each such run with one finding saying how many more there were. Memory follows the
// kinds of findings, not their number.
inline constexpr size_t k_max_findings_per_code = 100;

class Findings {
public:
    void add(std::string_view code, std::string file, xml::Location where, std::string message);
    void add(std::string_view code, std::string file, std::string message)
    {
        add(code, std::move(file), {}, std::move(message));
    }
    const std::vector<Finding>& all() const { return m_findings; }
    size_t count(Severity severity) const;
    // The findings kept, with one more per code and file that was cut short ("and 3,999,899 more
    // ESC-SEC-002 findings in this file"); the Findings are left empty.
    std::vector<Finding> take();

private:
    std::vector<Finding> m_findings;
    // Per code and file: how many were seen.
    struct Seen {
        size_t count = 0;
    };
    std::map<std::pair<std::string, std::string>, Seen> m_seen;
};

// The result of validating one PATH.
struct PathReport {
    std::string path;
    std::vector<Finding> findings;      // sorted by file, line, column, code
    std::optional<std::string> failure; // set when the path could not be checked at all (exit 2)
    // Check families that did not run, with why ("xsd": no --schemas given); a report format says
    // they were skipped rather than passed.
    std::vector<std::pair<std::string, std::string>> skipped;
    double seconds = 0;
    size_t count(Severity severity) const;
};

} // namespace escprov::validate
