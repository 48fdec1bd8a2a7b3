#include "merge/report.hpp"

#include "connector/form_tabs.hpp"
#include "util/text.hpp"
#include "util/utf.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace escprov::merge {

std::string_view conflict_code(ConflictKind kind)
{
    switch (kind) {
    case ConflictKind::older_connector: return "older-connector";
    case ConflictKind::foreign_publisher: return "foreign-publisher";
    case ConflictKind::attribute_type: return "attribute-type";
    case ConflictKind::duplicate_id: return "duplicate-id";
    case ConflictKind::option_value_prefix: return "option-value-prefix";
    case ConflictKind::target_too_old: return "target-too-old";
    case ConflictKind::version_family: return "version-family";
    }
    return "unknown";
}

std::string_view resolution_name(Resolution resolution)
{
    switch (resolution) {
    case Resolution::unresolved: return "unresolved";
    case Resolution::ours: return "ours";
    case Resolution::theirs: return "theirs";
    case Resolution::automatic: return "automatic";
    }
    return "unknown";
}

void ReportEntries::append_to(Report& report) const
{
    report.conflicts.insert(report.conflicts.end(), conflicts.begin(), conflicts.end());
    report.warnings.insert(report.warnings.end(), warnings.begin(), warnings.end());
    report.form_tabs.insert(report.form_tabs.end(), form_tabs.begin(), form_tabs.end());
    report.added.insert(report.added.end(), added.begin(), added.end());
    report.changed.insert(report.changed.end(), changed.begin(), changed.end());
    report.outlines.insert(report.outlines.end(), outlines.begin(), outlines.end());
}

size_t Report::unresolved() const
{
    return static_cast<size_t>(std::count_if(conflicts.begin(), conflicts.end(), [](const Conflict& conflict) {
        return conflict.resolution == Resolution::unresolved;
    }));
}

std::vector<std::string> Report::entities_without_tab() const
{
    std::vector<std::string> entities;
    for (const auto& tab : form_tabs) {
        if (!tab.placed()) {
            entities.push_back(tab.entity);
        }
    }
    return entities;
}

std::optional<ReportFormat> report_format_for(const std::filesystem::path& path)
{
    std::string extension = ascii_lower(path.extension().string());
    if (extension == ".txt") {
        return ReportFormat::text;
    }
    if (extension == ".json") {
        return ReportFormat::json;
    }
    if (extension == ".html" || extension == ".htm") {
        return ReportFormat::html;
    }
    return std::nullopt;
}

namespace {

enum class Newlines { keep, escape };

// Customer files name most of what a report shows, so every text is made safe to print before it
// reaches a terminal or a page: invalid UTF-8 becomes U+FFFD, and control characters (a terminal
// escape sequence hidden in a sitemap Id, say) are shown as \xNN instead of being obeyed. CR is
// dropped so CRLF snippets print as lines.
std::string displayable(std::string_view raw, Newlines newlines = Newlines::escape)
{
    std::string valid = is_valid_utf8(raw) ? std::string(raw) : to_utf8(to_utf16(raw).c_str());
    std::string out;
    out.reserve(valid.size());
    char code[8];
    for (size_t i = 0; i < valid.size(); ++i) {
        auto byte = static_cast<unsigned char>(valid[i]);
        if (byte == '\r' && i + 1 < valid.size() && valid[i + 1] == '\n') {
            continue;
        }
        bool control = byte < 0x20 || byte == 0x7F;
        if (byte == '\t' || (byte == '\n' && newlines == Newlines::keep)) {
            control = false;
        }
        if (control) {
            std::snprintf(code, sizeof code, "\\x%02X", byte);
            out += code;
            continue;
        }
        // C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F): some terminals obey them too.
        if (byte == 0xC2 && i + 1 < valid.size() && static_cast<unsigned char>(valid[i + 1]) <= 0x9F) {
            std::snprintf(code, sizeof code, "\\u%04X", static_cast<unsigned char>(valid[i + 1]));
            out += code;
            ++i;
            continue;
        }
        out += static_cast<char>(byte);
    }
    return out;
}

// `text` split into lines (no line ends), after making it displayable.
std::vector<std::string> lines_of(std::string_view text)
{
    std::vector<std::string> lines;
    std::string safe = displayable(text, Newlines::keep);
    size_t start = 0;
    while (start <= safe.size()) {
        size_t end = safe.find('\n', start);
        if (end == std::string::npos) {
            end = safe.size();
        }
        lines.push_back(safe.substr(start, end - start));
        start = end + 1;
    }
    while (!lines.empty() && lines.back().empty()) {
        lines.pop_back();
    }
    return lines;
}

// "3 added, 2 changed, 1 conflict resolved" for a merge that succeeded, "2 unresolved conflicts" otherwise.
std::string result_counts(const Report& report)
{
    if (!report.succeeded()) {
        return counted(report.unresolved(), "unresolved conflict");
    }
    return std::to_string(report.added.size()) + " added, " + std::to_string(report.changed.size()) + " changed, " +
           counted(report.conflicts.size(), "conflict") + " resolved";
}

// "the Email Marketing tab is not on the Campaign and Marketing List forms", or "" when every
// entity's tab is placed: the one outcome of a successful merge that needs a person after the import.
std::string tab_action(const Report& report)
{
    std::vector<std::string> missing = report.entities_without_tab();
    if (missing.empty()) {
        return {};
    }
    return "the Email Marketing tab is not on the " + connector::display_names(missing) + " form" +
           (missing.size() == 1 ? "" : "s");
}

std::string result_line(const Report& report)
{
    if (!report.succeeded()) {
        return "FAILED \u2014 " + result_counts(report);
    }
    std::string line = "ok (" + result_counts(report) + ")";
    if (std::string action = tab_action(report); !action.empty()) {
        line += "; action needed: " + action;
    }
    return line;
}

// One line per extended entity: where the connector's tab is, or that it is not and why.
std::string form_tab_line(const FormTab& tab)
{
    std::string line = connector::entity_display_name(tab.entity) + " (" + tab.entity + "): ";
    if (!tab.placed()) {
        return line + "NOT PLACED: " + tab.missing;
    }
    for (size_t i = 0; i < tab.forms.size(); ++i) {
        line += (i == 0 ? "on " : ", ") + tab.forms[i];
    }
    return line;
}

// What to do about entities whose tab is not placed, for the summary and the report.
constexpr std::string_view k_tab_advice =
    "The package will not show the Email Marketing tab there. Either export the base again with those "
    "main forms and merge again, or after the import add a tab \"Email Marketing\" to the form by hand "
    "with the connector's fields (docs/merge.md, \"When the base has no main form\").";

std::string base_description(const Report& report)
{
    std::string text = displayable(report.base);
    std::string solution = displayable(report.base_solution);
    std::string version = displayable(report.base_version);
    if (!solution.empty() || !version.empty()) {
        text += " (";
        text += solution;
        if (!version.empty()) {
            text += (solution.empty() ? "CRM " : ", CRM ") + version;
        }
        text += ")";
    }
    return text;
}

std::string output_description(const Report& report)
{
    return report.output.empty() ? "(nothing written)" : displayable(report.output);
}

// ---- text ----------------------------------------------------------------------------------

void text_block(std::ostringstream& out, std::string_view label, std::string_view body)
{
    out << "    " << label << ":\n";
    for (const auto& line : lines_of(body)) {
        out << "      " << line << "\n";
    }
}

void text_outline_side(std::ostringstream& out, std::string_view label, const std::vector<OutlineLine>& lines)
{
    out << "    " << label << ":\n";
    if (lines.empty()) {
        out << "      (empty)\n";
    }
    for (const auto& line : lines) {
        // The marker sits before the indentation, as in a diff, so the tree's shape stays readable.
        out << (line.added ? "    + " : "      ") << std::string(2 * static_cast<size_t>(std::max(line.depth, 0)), ' ')
            << displayable(line.label) << "\n";
    }
}

void text_section_title(std::ostringstream& out, std::string_view title, size_t count)
{
    out << "\n" << title << " (" << count << ")\n";
    if (count == 0) {
        out << "  none\n";
    }
}

std::string render_text(const Report& report)
{
    std::ostringstream out;
    out << "escprov merge report";
    if (!report.tool.empty()) {
        out << " (" << displayable(report.tool) << ")";
    }
    out << "\n";
    out << "base:        " << base_description(report) << "\n";
    out << "target:      " << displayable(report.target) << "\n";
    out << "connector:   " << displayable(report.connector) << "\n";
    out << "mode:        " << displayable(report.mode) << "\n";
    out << "on-conflict: " << displayable(report.on_conflict) << "\n";
    out << "output:      " << output_description(report) << "\n";

    text_section_title(out, "Conflicts", report.conflicts.size());
    for (const auto& conflict : report.conflicts) {
        out << "  [" << conflict_code(conflict.kind) << "] " << displayable(conflict.subject) << ": "
            << displayable(conflict.message) << "\n";
        out << "    resolution: " << resolution_name(conflict.resolution);
        if (!conflict.outcome.empty()) {
            std::string_view outcome = conflict.outcome;
            // An unresolved conflict's outcome starts by saying so; the resolution already has.
            if (conflict.resolution == Resolution::unresolved && outcome.starts_with("unresolved; ")) {
                outcome.remove_prefix(std::string_view("unresolved; ").size());
            }
            out << " \u2014 " << displayable(outcome);
        }
        out << "\n";
    }

    text_section_title(out, "Warnings", report.warnings.size());
    for (const auto& warning : report.warnings) {
        out << "  - " << displayable(warning) << "\n";
    }

    text_section_title(out, "Email Marketing tab", report.form_tabs.size());
    for (const auto& tab : report.form_tabs) {
        out << "  " << displayable(form_tab_line(tab)) << "\n";
    }
    if (!report.entities_without_tab().empty()) {
        out << "  " << k_tab_advice << "\n";
    }

    text_section_title(out, "Notes", report.notes.size());
    for (const auto& note : report.notes) {
        out << "  - " << displayable(note) << "\n";
    }

    text_section_title(out, "Added", report.added.size());
    for (const auto& change : report.added) {
        out << "  " << displayable(change.type) << " " << displayable(change.name);
        if (!change.detail.empty()) {
            out << ": " << displayable(change.detail);
        }
        out << "\n";
    }

    text_section_title(out, "Changed", report.changed.size());
    for (const auto& change : report.changed) {
        out << "  " << displayable(change.type) << " " << displayable(change.name);
        if (!change.detail.empty()) {
            out << ": " << displayable(change.detail);
        }
        out << "\n";
        if (!change.before.empty()) {
            text_block(out, "before", change.before);
        }
        if (!change.after.empty()) {
            text_block(out, "after", change.after);
        }
    }

    text_section_title(out, "Outlines", report.outlines.size());
    for (const auto& outline : report.outlines) {
        out << "  " << displayable(outline.title) << "\n";
        text_outline_side(out, "before", outline.before);
        text_outline_side(out, "after", outline.after);
    }

    out << "\nresult: " << result_line(report) << "\n";
    return out.str();
}

// ---- summary -------------------------------------------------------------------------------

// Conflicts and warnings the summary shows before saying how many more the whole report has.
constexpr size_t k_summary_items = 8;
constexpr size_t k_summary_width = 100;

void summary_paragraph(std::ostringstream& out, std::string_view indent, std::string_view text)
{
    for (const auto& line : wrap_words(text, k_summary_width - indent.size())) {
        out << indent << line << "\n";
    }
}

void summary_more(std::ostringstream& out, size_t shown, size_t total, std::string_view what)
{
    if (total > shown) {
        out << "  ... and " << (total - shown) << " more " << what << " (in the whole report)\n";
    }
}

std::string render_summary_text(const Report& report, const std::string& report_file)
{
    std::ostringstream out;
    out << "merge: "
        << (report.output.empty() ? std::string("nothing written") : "wrote '" + displayable(report.output) + "'")
        << " (" << displayable(report.mode) << " mode, CRM " << displayable(report.target) << ")\n";
    out << "base:      " << base_description(report) << "\n";
    out << "connector: " << displayable(report.connector) << "\n";

    if (report.conflicts.empty()) {
        out << "Conflicts: none\n";
    } else {
        out << "Conflicts (" << report.conflicts.size() << ", " << report.unresolved() << " unresolved):\n";
        for (size_t i = 0; i < std::min(report.conflicts.size(), k_summary_items); ++i) {
            const Conflict& conflict = report.conflicts[i];
            out << "  [" << conflict_code(conflict.kind) << "] " << displayable(conflict.subject) << ": "
                << displayable(conflict.message) << " (" << resolution_name(conflict.resolution) << ")\n";
        }
        summary_more(out, k_summary_items, report.conflicts.size(), "conflicts");
    }

    if (!report.form_tabs.empty() && report.succeeded()) {
        std::vector<std::string> placed;
        size_t forms = 0;
        for (const auto& tab : report.form_tabs) {
            if (tab.placed()) {
                forms += tab.forms.size();
                placed.push_back(connector::entity_display_name(tab.entity) + " (" + std::to_string(tab.forms.size()) +
                                 ")");
            }
        }
        out << "Email Marketing tab: ";
        if (placed.empty()) {
            out << "on no main form\n";
        } else {
            out << "on " << counted(forms, "main form") << ": ";
            for (size_t i = 0; i < placed.size(); ++i) {
                out << (i == 0 ? "" : ", ") << placed[i];
            }
            out << "\n";
        }
        for (const auto& tab : report.form_tabs) {
            if (!tab.placed()) {
                out << "  NOT ON " << connector::entity_display_name(tab.entity) << " (" << tab.entity
                    << "): " << displayable(tab.missing) << "\n";
            }
        }
        if (!report.entities_without_tab().empty()) {
            summary_paragraph(out, "  ", k_tab_advice);
        }
    }

    if (report.warnings.empty()) {
        out << "Warnings: none\n";
    } else {
        out << "Warnings (" << report.warnings.size() << "):\n";
        for (size_t i = 0; i < std::min(report.warnings.size(), k_summary_items); ++i) {
            out << "  - " << displayable(report.warnings[i]) << "\n";
        }
        summary_more(out, k_summary_items, report.warnings.size(), "warnings");
    }

    out << "Not shown: " << counted(report.notes.size(), "note") << ", " << report.added.size() << " added, "
        << report.changed.size() << " changed, " << counted(report.outlines.size(), "before/after outline") << "\n";
    out << "The whole report: "
        << (report_file.empty() ? std::string("-v, or --report FILE (.txt, .json or .html)") : displayable(report_file))
        << "\n";
    out << "result: " << result_line(report) << "\n";
    return out.str();
}

// ---- JSON ----------------------------------------------------------------------------------

nlohmann::ordered_json outline_lines_json(const std::vector<OutlineLine>& lines)
{
    auto array = nlohmann::ordered_json::array();
    for (const auto& line : lines) {
        array.push_back({{"depth", line.depth}, {"label", line.label}, {"added", line.added}});
    }
    return array;
}

std::string render_json(const Report& report)
{
    nlohmann::ordered_json out;
    out["tool"] = report.tool;
    out["base"] = {{"path", report.base}, {"solution", report.base_solution}, {"version", report.base_version}};
    out["target"] = report.target;
    out["connector"] = report.connector;
    out["mode"] = report.mode;
    out["on_conflict"] = report.on_conflict;
    out["output"] = report.output;
    out["result"] = report.succeeded() ? "ok" : "failed";
    out["counts"] = {{"added", report.added.size()},         {"changed", report.changed.size()},
                     {"conflicts", report.conflicts.size()}, {"unresolved", report.unresolved()},
                     {"warnings", report.warnings.size()},   {"notes", report.notes.size()},
                     {"preserved", report.preserved}};

    auto conflicts = nlohmann::ordered_json::array();
    for (const auto& conflict : report.conflicts) {
        conflicts.push_back({{"code", conflict_code(conflict.kind)},
                             {"subject", conflict.subject},
                             {"message", conflict.message},
                             {"resolution", resolution_name(conflict.resolution)},
                             {"outcome", conflict.outcome}});
    }
    out["conflicts"] = std::move(conflicts);
    out["warnings"] = report.warnings;
    out["notes"] = report.notes;
    auto form_tabs = nlohmann::ordered_json::array();
    for (const auto& tab : report.form_tabs) {
        form_tabs.push_back(
            {{"entity", tab.entity}, {"placed", tab.placed()}, {"forms", tab.forms}, {"missing", tab.missing}});
    }
    out["form_tabs"] = std::move(form_tabs);

    auto added = nlohmann::ordered_json::array();
    for (const auto& change : report.added) {
        added.push_back({{"type", change.type}, {"name", change.name}, {"detail", change.detail}});
    }
    out["added"] = std::move(added);

    auto changed = nlohmann::ordered_json::array();
    for (const auto& change : report.changed) {
        changed.push_back({{"type", change.type},
                           {"name", change.name},
                           {"detail", change.detail},
                           {"before", change.before},
                           {"after", change.after}});
    }
    out["changed"] = std::move(changed);

    auto outlines = nlohmann::ordered_json::array();
    for (const auto& outline : report.outlines) {
        outlines.push_back({{"title", outline.title},
                            {"before", outline_lines_json(outline.before)},
                            {"after", outline_lines_json(outline.after)}});
    }
    out["outlines"] = std::move(outlines);

    // Names come from customer files: invalid UTF-8 is replaced rather than refused, so a broken
    // name never costs the reviewer the whole report.
    return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

// ---- HTML ----------------------------------------------------------------------------------

// `raw` made displayable, then escaped for HTML text and attribute values.
std::string html(std::string_view raw, Newlines newlines = Newlines::escape)
{
    std::string out;
    for (char c : displayable(raw, newlines)) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

constexpr std::string_view k_style = R"(
:root { --ok: #1a7f37; --bad: #c62828; --ours: #1f5fbf; --theirs: #9a6700; --auto: #1a7f37; --line: #d0d7de; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0 auto;
       max-width: 72rem; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
h4 { font-size: .95rem; margin: 0 0 .25rem; color: #59636e; }
.tool { color: #59636e; margin: 0 0 1rem; }
.summary { border: 2px solid var(--ok); border-radius: 8px; padding: 1rem 1.25rem; }
.summary.failed { border-color: var(--bad); }
.result { font-size: 1.2rem; font-weight: 600; margin: 0 0 .75rem; color: var(--ok); }
.summary.failed .result { color: var(--bad); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 .75rem; }
.facts dt { color: #59636e; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; margin: 0; padding: 0; }
.counts li { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: .25rem .6rem; }
.counts .n { font-weight: 700; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f6f8fa; overflow-wrap: normal; }
pre { margin: 0; white-space: pre-wrap; font-size: .85rem; }
code { font-size: .9em; }
td:first-child code { white-space: nowrap; }
.none { color: #59636e; font-style: italic; }
tr.conflict td:first-child { border-left-width: 6px; }
tr.resolution-unresolved { background: #ffebe9; } tr.resolution-unresolved td:first-child { border-left-color: var(--bad); }
tr.resolution-ours { background: #ddf4ff; } tr.resolution-ours td:first-child { border-left-color: var(--ours); }
tr.resolution-theirs { background: #fff8c5; } tr.resolution-theirs td:first-child { border-left-color: var(--theirs); }
tr.resolution-automatic { background: #dafbe1; } tr.resolution-automatic td:first-child { border-left-color: var(--auto); }
.badge { display: inline-block; white-space: nowrap; border-radius: 1em; padding: 0 .6em; color: #fff; font-size: .85em; font-weight: 600; }
.resolution-unresolved .badge { background: var(--bad); } .resolution-ours .badge { background: var(--ours); }
.resolution-theirs .badge { background: var(--theirs); } .resolution-automatic .badge { background: var(--auto); }
.warnings li, .notes li { margin: .2rem 0; }
.action { font-weight: 600; color: var(--bad); margin: 0 0 .75rem; }
.not-placed { color: var(--bad); font-weight: 600; }
.outline-pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.side { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; overflow-x: auto; }
.tree, .tree ul { list-style: none; margin: 0; padding-left: 1.1rem; }
.tree { padding-left: 0; }
.tree li { margin: .1rem 0; }
.tree .node { padding: 0 .3rem; border-radius: 4px; }
.tree li.added > .node { background: #dafbe1; outline: 1px solid var(--ok); font-weight: 600; }
.tree li.added > .node::before { content: "+ "; color: var(--ok); }
)";

void html_fact(std::ostringstream& out, std::string_view term, const std::string& value)
{
    out << "<dt>" << term << "</dt><dd>" << value << "</dd>\n";
}

void html_count(std::ostringstream& out, std::string_view id, size_t count, std::string_view label)
{
    out << "<li id=\"count-" << id << "\"><span class=\"n\">" << count << "</span> " << label << "</li>\n";
}

void html_summary(std::ostringstream& out, const Report& report)
{
    bool ok = report.succeeded();
    out << "<section id=\"summary\" class=\"summary " << (ok ? "ok" : "failed") << "\">\n";
    out << "<p class=\"result\">" << (ok ? "Merge succeeded: " : "Merge failed: ") << html(result_counts(report))
        << "</p>\n";
    if (std::string action = tab_action(report); ok && !action.empty()) {
        out << "<p class=\"action\">Action needed: " << html(action) << ". " << html(k_tab_advice) << "</p>\n";
    }
    out << "<dl class=\"facts\">\n";
    html_fact(out, "Base", html(report.base));
    html_fact(out, "Base solution", html(report.base_solution));
    html_fact(out, "Base CRM version", html(report.base_version));
    html_fact(out, "Target", html(report.target));
    html_fact(out, "Connector", html(report.connector));
    html_fact(out, "Mode", html(report.mode));
    html_fact(out, "On conflict", html(report.on_conflict));
    html_fact(out, "Output", html(output_description(report)));
    out << "</dl>\n<ul class=\"counts\">\n";
    html_count(out, "added", report.added.size(), "added");
    html_count(out, "changed", report.changed.size(), "changed");
    html_count(out, "conflicts", report.conflicts.size(), "conflicts");
    html_count(out, "unresolved", report.unresolved(), "unresolved");
    html_count(out, "warnings", report.warnings.size(), "warnings");
    html_count(out, "notes", report.notes.size(), "notes");
    html_count(out, "preserved", report.preserved, "preserved unchanged");
    out << "</ul>\n</section>\n";
}

void html_conflicts(std::ostringstream& out, const Report& report)
{
    out << "<section id=\"conflicts\">\n<h2>Conflicts (" << report.conflicts.size() << ")</h2>\n";
    if (report.conflicts.empty()) {
        out << "<p class=\"none\">None.</p>\n</section>\n";
        return;
    }
    out << "<table>\n<thead><tr><th>Code</th><th>Component</th><th>What differs</th><th>Resolution</th>"
           "<th>Outcome</th></tr></thead>\n<tbody>\n";
    for (const auto& conflict : report.conflicts) {
        std::string_view resolution = resolution_name(conflict.resolution);
        out << "<tr class=\"conflict resolution-" << resolution << "\"><td><code>" << conflict_code(conflict.kind)
            << "</code></td><td>" << html(conflict.subject) << "</td><td>" << html(conflict.message)
            << "</td><td><span class=\"badge\">" << resolution << "</span></td><td>" << html(conflict.outcome)
            << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n</section>\n";
}

// A section listing `items` (the warnings, the notes): "<h2>Title (N)</h2>", then the items or "None.".
void html_list(std::ostringstream& out, std::string_view id, std::string_view title,
               const std::vector<std::string>& items)
{
    out << "<section id=\"" << id << "\">\n<h2>" << title << " (" << items.size() << ")</h2>\n";
    if (items.empty()) {
        out << "<p class=\"none\">None.</p>\n";
    } else {
        out << "<ul class=\"" << id << "\">\n";
        for (const auto& item : items) {
            out << "<li>" << html(item) << "</li>\n";
        }
        out << "</ul>\n";
    }
    out << "</section>\n";
}

void html_form_tabs(std::ostringstream& out, const Report& report)
{
    out << "<section id=\"form-tabs\">\n<h2>Email Marketing tab (" << report.form_tabs.size() << ")</h2>\n";
    if (report.form_tabs.empty()) {
        out << "<p class=\"none\">The connector adds no tab to customer forms.</p>\n</section>\n";
        return;
    }
    out << "<table>\n<thead><tr><th>Entity</th><th>Main forms carrying the tab</th></tr></thead>\n<tbody>\n";
    for (const auto& tab : report.form_tabs) {
        out << "<tr><td>" << html(connector::entity_display_name(tab.entity)) << " <code>" << html(tab.entity)
            << "</code></td><td>";
        if (!tab.placed()) {
            out << "<span class=\"not-placed\">Not placed: " << html(tab.missing) << "</span>";
        }
        for (size_t i = 0; i < tab.forms.size(); ++i) {
            out << (i == 0 ? "" : "<br>") << html(tab.forms[i]);
        }
        out << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n";
    if (!report.entities_without_tab().empty()) {
        out << "<p>" << html(k_tab_advice) << "</p>\n";
    }
    out << "</section>\n";
}

// The flat outline as nested lists. A line may go at most one level deeper than the line before
// it (a deeper jump is drawn one level deeper), so the lists always nest inside an item.
void html_tree(std::ostringstream& out, const std::vector<OutlineLine>& lines)
{
    if (lines.empty()) {
        out << "<p class=\"none\">(empty)</p>\n";
        return;
    }
    int open = 0; // <ul> elements open; the innermost has an <li> open once a line was written
    for (const auto& line : lines) {
        int depth = std::clamp(line.depth, 0, open);
        if (depth == open) {
            out << (open == 0 ? "<ul class=\"tree\">" : "<ul>");
            ++open;
        } else {
            out << "</li>";
            while (open > depth + 1) {
                out << "</ul></li>";
                --open;
            }
        }
        out << "\n<li" << (line.added ? " class=\"added\"" : "") << "><span class=\"node\">" << html(line.label)
            << "</span>";
    }
    out << "</li>";
    while (open > 1) {
        out << "</ul></li>";
        --open;
    }
    out << "</ul>\n";
}

void html_outlines(std::ostringstream& out, const Report& report)
{
    out << "<section id=\"outlines\">\n<h2>Before and after (" << report.outlines.size() << ")</h2>\n";
    if (report.outlines.empty()) {
        out << "<p class=\"none\">No customer sitemap or form was changed.</p>\n";
    }
    for (const auto& outline : report.outlines) {
        out << "<div class=\"outline\">\n<h3>" << html(outline.title) << "</h3>\n<div class=\"outline-pair\">\n";
        out << "<div class=\"side before\">\n<h4>Before</h4>\n";
        html_tree(out, outline.before);
        out << "</div>\n<div class=\"side after\">\n<h4>After</h4>\n";
        html_tree(out, outline.after);
        out << "</div>\n</div>\n</div>\n";
    }
    out << "</section>\n";
}

void html_added(std::ostringstream& out, const Report& report)
{
    out << "<section id=\"added\">\n<h2>Added (" << report.added.size() << ")</h2>\n";
    if (report.added.empty()) {
        out << "<p class=\"none\">None.</p>\n</section>\n";
        return;
    }
    out << "<table>\n<thead><tr><th>Type</th><th>Name</th><th>Detail</th></tr></thead>\n<tbody>\n";
    for (const auto& change : report.added) {
        out << "<tr><td>" << html(change.type) << "</td><td><code>" << html(change.name) << "</code></td><td>"
            << html(change.detail) << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n</section>\n";
}

void html_changed(std::ostringstream& out, const Report& report)
{
    out << "<section id=\"changed\">\n<h2>Changed (" << report.changed.size() << ")</h2>\n";
    if (report.changed.empty()) {
        out << "<p class=\"none\">None.</p>\n</section>\n";
        return;
    }
    out << "<table>\n<thead><tr><th>Type</th><th>Name</th><th>Detail</th><th>Before</th><th>After</th></tr></thead>\n"
           "<tbody>\n";
    for (const auto& change : report.changed) {
        out << "<tr><td>" << html(change.type) << "</td><td><code>" << html(change.name) << "</code></td><td>"
            << html(change.detail) << "</td><td><pre>" << html(change.before, Newlines::keep) << "</pre></td><td><pre>"
            << html(change.after, Newlines::keep) << "</pre></td></tr>\n";
    }
    out << "</tbody>\n</table>\n</section>\n";
}

std::string render_html(const Report& report)
{
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out << "<title>escprov merge report: " << html(report.base) << " \u2192 " << html(report.target) << "</title>\n";
    out << "<style>" << k_style << "</style>\n</head>\n<body>\n";
    out << "<h1>Merge report</h1>\n";
    if (!report.tool.empty()) {
        out << "<p class=\"tool\">" << html(report.tool) << "</p>\n";
    }
    html_summary(out, report);
    html_conflicts(out, report);
    html_list(out, "warnings", "Warnings", report.warnings);
    html_form_tabs(out, report);
    html_list(out, "notes", "Notes", report.notes);
    html_outlines(out, report);
    html_added(out, report);
    html_changed(out, report);
    out << "</body>\n</html>\n";
    return out.str();
}

} // namespace

std::string render_summary(const Report& report, const std::string& report_file)
{
    return render_summary_text(report, report_file);
}

std::string render_report(const Report& report, ReportFormat format)
{
    switch (format) {
    case ReportFormat::text: return render_text(report);
    case ReportFormat::json: return render_json(report);
    case ReportFormat::html: return render_html(report);
    }
    return {};
}

} // namespace escprov::merge
