#pragma once
// What `escprov validate` reports: findings (file, line, column, severity, stable code,
// message), the table of rules every code belongs to, and the per-path report.

#include "xml/reader.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
class Findings {
public:
    void add(std::string_view code, std::string file, xml::Location where, std::string message);
    void add(std::string_view code, std::string file, std::string message)
    {
        add(code, std::move(file), {}, std::move(message));
    }
    const std::vector<Finding>& all() const { return m_findings; }
    std::vector<Finding>& all() { return m_findings; }
    size_t count(Severity severity) const;

private:
    std::vector<Finding> m_findings;
};

// The result of validating one PATH.
struct PathReport {
    std::string path;
    std::vector<Finding> findings;      // sorted by file, line, column, code
    std::optional<std::string> failure; // set when the path could not be checked at all (exit 2)
    double seconds = 0;
    size_t count(Severity severity) const;
};

} // namespace escprov::validate
