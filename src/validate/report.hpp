#pragma once
// The report writers of `escprov validate`: text for people, JSON for scripts, JUnit XML for
// CI servers (Jenkins, GitLab) and SARIF 2.1.0 for code-scanning UIs (GitHub).

#include "validate/finding.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::validate {

enum class Format { text, json, junit, sarif };

// Parses "text", "json", "junit" or "sarif"; nullopt otherwise.
std::optional<Format> parse_format(std::string_view name);

// Renders the reports of all checked paths. Deterministic: no times or dates in json, junit
// and sarif output, so reports of the same input compare equal.
std::string render(const std::vector<PathReport>& reports, Format format, bool strict);

// The one-line summary the text format ends with.
std::string summary_line(const std::vector<PathReport>& reports);

} // namespace escprov::validate
