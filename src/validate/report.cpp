#include "validate/report.hpp"

#include "util/build_info_access.hpp"
#include "xml/writer.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

namespace escprov::validate {

namespace {

size_t total(const std::vector<PathReport>& reports, Severity severity)
{
    size_t count = 0;
    for (const auto& report : reports) {
        count += report.count(severity);
    }
    return count;
}

std::string location_text(const Finding& finding)
{
    std::string text = finding.file;
    if (finding.line > 0) {
        text += ":" + std::to_string(finding.line) + ":" + std::to_string(finding.column);
    }
    return text;
}

std::string plural(size_t count, std::string_view word)
{
    return std::to_string(count) + " " + std::string(word) + (count == 1 ? "" : "s");
}

std::string render_text(const std::vector<PathReport>& reports)
{
    std::ostringstream out;
    for (const auto& report : reports) {
        for (const auto& finding : report.findings) {
            out << location_text(finding) << ": " << severity_name(finding.severity) << ": " << finding.code << ": "
                << finding.message << "\n";
        }
        if (report.failure) {
            out << report.path << ": could not check: " << *report.failure << "\n";
        }
    }
    out << summary_line(reports) << "\n";
    return out.str();
}

std::string status(const PathReport& report, bool strict)
{
    if (report.failure) {
        return "could-not-check";
    }
    bool failing = report.count(Severity::error) > 0 || (strict && report.count(Severity::warning) > 0);
    return failing ? "findings" : "ok";
}

nlohmann::ordered_json finding_json(const Finding& finding)
{
    return {{"file", finding.file},     {"line", finding.line},
            {"column", finding.column}, {"severity", severity_name(finding.severity)},
            {"code", finding.code},     {"message", finding.message}};
}

std::string render_json(const std::vector<PathReport>& reports, bool strict)
{
    nlohmann::ordered_json out;
    out["tool"] = "escprov";
    out["version"] = std::string(version_string());
    auto paths = nlohmann::ordered_json::array();
    for (const auto& report : reports) {
        nlohmann::ordered_json item;
        item["path"] = report.path;
        item["status"] = status(report, strict);
        if (report.failure) {
            item["error"] = *report.failure;
        }
        item["counts"] = {{"error", report.count(Severity::error)},
                          {"warning", report.count(Severity::warning)},
                          {"note", report.count(Severity::note)}};
        auto findings = nlohmann::ordered_json::array();
        for (const auto& finding : report.findings) {
            findings.push_back(finding_json(finding));
        }
        item["findings"] = findings;
        paths.push_back(item);
    }
    out["paths"] = paths;
    out["summary"] = {{"paths", reports.size()},
                      {"error", total(reports, Severity::error)},
                      {"warning", total(reports, Severity::warning)},
                      {"note", total(reports, Severity::note)}};
    return out.dump(2) + "\n";
}

void text_element(xml::Writer& writer, std::string_view name, const xml::Attributes& attributes,
                  const std::string& text)
{
    writer.start_element(name, attributes, text.empty());
    if (!text.empty()) {
        writer.characters(text);
    }
    writer.end_element();
}

std::string render_junit(const std::vector<PathReport>& reports, bool strict)
{
    xml::StringSink sink;
    xml::Style style;
    style.declaration = true;
    style.newline = "\n";
    xml::Writer writer(sink, style);
    size_t tests = 0;
    size_t failures = 0;
    size_t errors = 0;
    struct Case {
        std::string name;
        std::string failure; // summary when the case fails
        std::string details; // one finding per line
        std::string output;  // findings that do not fail the case
        bool error = false;  // could not check
        std::string skipped; // why the family did not run
    };
    std::vector<std::vector<Case>> suites;
    for (const auto& report : reports) {
        std::vector<Case> cases;
        if (report.failure) {
            // Nothing was checked, so nothing passed: the input case alone says why.
            cases.push_back({"input", *report.failure, *report.failure, "", true, ""});
            ++errors;
            tests += cases.size();
            suites.push_back(std::move(cases));
            continue;
        }
        for (std::string_view family : families()) {
            Case test{std::string(family), "", "", "", false, ""};
            for (const auto& [skipped, why] : report.skipped) {
                if (skipped == family) {
                    test.skipped = why;
                }
            }
            size_t failing = 0;
            for (const auto& finding : report.findings) {
                if (rule(finding.code).family != family) {
                    continue;
                }
                std::string line = location_text(finding) + ": " + std::string(severity_name(finding.severity)) + ": " +
                                   finding.code + ": " + finding.message + "\n";
                bool fails = finding.severity == Severity::error || (strict && finding.severity == Severity::warning);
                if (fails) {
                    ++failing;
                    test.details += line;
                } else {
                    test.output += line;
                }
            }
            if (failing > 0) {
                test.failure = plural(failing, "finding") + " in " + std::string(family);
                ++failures;
            }
            cases.push_back(std::move(test));
        }
        tests += cases.size();
        suites.push_back(std::move(cases));
    }
    writer.start_element("testsuites",
                         {{"name", "escprov validate"},
                          {"tests", std::to_string(tests)},
                          {"failures", std::to_string(failures)},
                          {"errors", std::to_string(errors)}},
                         false);
    for (size_t i = 0; i < reports.size(); ++i) {
        const auto& cases = suites[i];
        size_t suite_failures = 0;
        size_t suite_errors = 0;
        for (const auto& test : cases) {
            suite_failures += !test.failure.empty() && !test.error ? 1 : 0;
            suite_errors += test.error ? 1 : 0;
        }
        size_t suite_skipped = 0;
        for (const auto& test : cases) {
            suite_skipped += test.skipped.empty() ? 0 : 1;
        }
        writer.start_element("testsuite",
                             {{"name", reports[i].path},
                              {"tests", std::to_string(cases.size())},
                              {"failures", std::to_string(suite_failures)},
                              {"errors", std::to_string(suite_errors)},
                              {"skipped", std::to_string(suite_skipped)}},
                             false);
        for (const auto& test : cases) {
            bool empty = test.failure.empty() && test.output.empty() && test.skipped.empty();
            writer.start_element("testcase", {{"name", test.name}, {"classname", "escprov.validate." + test.name}},
                                 empty);
            if (!test.skipped.empty()) {
                writer.start_element("skipped", {{"message", test.skipped}}, true);
                writer.end_element();
            }
            if (!test.failure.empty()) {
                text_element(writer, test.error ? "error" : "failure", {{"message", test.failure}}, test.details);
            }
            if (!test.output.empty()) {
                text_element(writer, "system-out", {}, test.output);
            }
            writer.end_element();
        }
        writer.end_element();
    }
    writer.end_element();
    return sink.take() + "\n";
}

std::string sarif_level(Severity severity)
{
    return std::string(severity_name(severity)); // SARIF uses the same words: error, warning, note
}

// A URI for a finding's file: "exports/Contoso.zip!customizations.xml" becomes
// "exports/Contoso.zip/customizations.xml" so code-scanning UIs can place it beside the archive
// in the repository; a path given absolute becomes a file URI.
std::string artifact_uri(const std::string& file)
{
    std::string uri = file.starts_with('/') ? "file://" : "";
    for (char c : file) {
        if (c == '!' || c == '\\') {
            uri += '/';
        } else if (c == ' ') {
            uri += "%20";
        } else if (c == '[') {
            uri += "%5B";
        } else if (c == ']') {
            uri += "%5D";
        } else {
            uri += c;
        }
    }
    return uri;
}

std::string render_sarif(const std::vector<PathReport>& reports)
{
    nlohmann::ordered_json driver;
    driver["name"] = "escprov";
    driver["version"] = std::string(version_string());
    auto rule_list = nlohmann::ordered_json::array();
    for (const auto& entry : rules()) {
        rule_list.push_back({{"id", entry.code},
                             {"name", entry.family},
                             {"shortDescription", {{"text", entry.summary}}},
                             {"defaultConfiguration", {{"level", sarif_level(entry.severity)}}}});
    }
    driver["rules"] = rule_list;
    auto results = nlohmann::ordered_json::array();
    auto notifications = nlohmann::ordered_json::array();
    for (const auto& report : reports) {
        for (const auto& finding : report.findings) {
            size_t index = 0;
            while (rules()[index].code != finding.code) {
                ++index;
            }
            nlohmann::ordered_json physical = {{"artifactLocation", {{"uri", artifact_uri(finding.file)}}}};
            if (finding.line > 0) {
                physical["region"] = {{"startLine", finding.line},
                                      {"startColumn", std::max<uint64_t>(finding.column, 1)}};
            }
            results.push_back({{"ruleId", finding.code},
                               {"ruleIndex", index},
                               {"level", sarif_level(finding.severity)},
                               {"message", {{"text", finding.message}}},
                               {"locations", nlohmann::ordered_json::array({{{"physicalLocation", physical}}})}});
        }
        if (report.failure) {
            notifications.push_back(
                {{"level", "error"},
                 {"message", {{"text", *report.failure}}},
                 {"locations",
                  nlohmann::ordered_json::array(
                      {{{"physicalLocation", {{"artifactLocation", {{"uri", artifact_uri(report.path)}}}}}}})}});
        }
    }
    nlohmann::ordered_json run;
    run["tool"] = {{"driver", driver}};
    run["invocations"] = nlohmann::ordered_json::array(
        {{{"executionSuccessful", notifications.empty()}, {"toolExecutionNotifications", notifications}}});
    run["results"] = results;
    nlohmann::ordered_json out;
    out["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
    out["version"] = "2.1.0";
    out["runs"] = nlohmann::ordered_json::array({run});
    return out.dump(2) + "\n";
}

} // namespace

std::optional<Format> parse_format(std::string_view name)
{
    if (name == "text") {
        return Format::text;
    }
    if (name == "json") {
        return Format::json;
    }
    if (name == "junit") {
        return Format::junit;
    }
    if (name == "sarif") {
        return Format::sarif;
    }
    return std::nullopt;
}

std::string summary_line(const std::vector<PathReport>& reports)
{
    size_t unchecked = 0;
    for (const auto& report : reports) {
        unchecked += report.failure ? 1 : 0;
    }
    // A path that could not be checked is not counted as checked: "1 path checked, 1 could not
    // be", never "1 path checked ... 1 could not be checked" for the same path.
    size_t checked = reports.size() - unchecked;
    std::string line = "validate: ";
    if (unchecked == 0) {
        line += plural(checked, "path") + " checked";
    } else if (checked == 0) {
        line += plural(unchecked, "path") + " could not be checked";
    } else {
        line += plural(checked, "path") + " checked, " + std::to_string(unchecked) + " could not be";
    }
    return line + ": " + plural(total(reports, Severity::error), "error") + ", " +
           plural(total(reports, Severity::warning), "warning") + ", " + plural(total(reports, Severity::note), "note");
}

std::string render(const std::vector<PathReport>& reports, Format format, bool strict)
{
    switch (format) {
    case Format::text: return render_text(reports);
    case Format::json: return render_json(reports, strict);
    case Format::junit: return render_junit(reports, strict);
    case Format::sarif: return render_sarif(reports);
    }
    return {};
}

} // namespace escprov::validate
