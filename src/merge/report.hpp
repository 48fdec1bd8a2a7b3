#pragma once
// What a merge did, for the people who review it before anything reaches an org: every component
// added, every customer component changed (with a readable before and after), every conflict with
// its resolution, every warning, and outlines of the sitemap and forms before and after. Rendered
// as text (terminals, CI logs), JSON (tools) or one self-contained HTML page (people).

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::merge {

// One line of an outline: a sitemap node or a form's tab, section or field.
struct OutlineLine {
    int depth = 0;      // 0 for Areas and tabs, 1 for Groups and sections, 2 for SubAreas and fields
    std::string label;  // "Area MA", "Group esc_EmailMarketing (Email Marketing)"
    bool added = false; // only in `after`: the merge added this line
};

// A customer component shown before and after the merge (the org sitemap, one form's tabs).
struct Outline {
    std::string title; // "Org sitemap", "contact form 'Information' {1fed44d1-...}"
    std::vector<OutlineLine> before;
    std::vector<OutlineLine> after;
};

// The real cases a merge meets (DESIGN.md §5); each has a stable code for reports and scripts.
enum class ConflictKind {
    older_connector,     // an older connector is installed: upgrade
    foreign_publisher,   // another publisher uses the connector's prefix
    attribute_type,      // a customer attribute has the connector's name and another type
    duplicate_id,        // a customer component has one of the connector's ids
    option_value_prefix, // customer option values in the connector's option value range
    target_too_old,      // a component needs a newer CRM than --target
    version_family,      // the base was exported from another CRM family than --target
};

// "older-connector", "foreign-publisher", "attribute-type", "duplicate-id", "option-value-prefix",
// "target-too-old", "version-family".
std::string_view conflict_code(ConflictKind kind);

enum class Resolution {
    unresolved, // --on-conflict fail: the merge stops, nothing is written
    ours,       // the connector's side was taken
    theirs,     // the customer's side was taken
    automatic,  // a rule resolves it whatever --on-conflict says (an upgrade keeps the customer's data)
};

// "unresolved", "ours", "theirs", "automatic".
std::string_view resolution_name(Resolution resolution);

struct Conflict {
    ConflictKind kind = ConflictKind::duplicate_id;
    std::string subject; // the component: "attribute contact.esc_emailscore"
    std::string message; // what differs: "the customer's is nvarchar, the connector's is int"
    Resolution resolution = Resolution::unresolved;
    std::string outcome; // what the merge did about it, or would do with --on-conflict ours/theirs
};

// The connector's tab on one entity it extends: the customer main forms that carry it after the
// merge, or why none does. An entity whose tab is not placed needs a person after the import.
struct FormTab {
    std::string entity;             // logical name: "list"
    std::vector<std::string> forms; // the main forms carrying the tab: "'Information' {id}"
    std::string missing;            // why no form carries it ("the base has no main form for it"); "" when placed
    bool placed() const { return !forms.empty(); }
};

// A component the merge added, or a customer component it changed.
struct Change {
    std::string type;   // "Entity", "Attribute", "Form", "SiteMap", "Role", "Option set", ...
    std::string name;   // the component's identity
    std::string detail; // one line: "tab 'Email Marketing' added after 'Details'"
    std::string before; // readable before/after of the changed part; empty for additions
    std::string after;
};

struct Report {
    std::string tool;          // "escprov 0.3.0"
    std::string base;          // the base as the user named it
    std::string base_solution; // "Default 1.0" (unique name and version)
    std::string base_version;  // the CRM version the base came from: "8.2"
    std::string target;        // "9.2"
    std::string mode;          // "connector" or "full"
    std::string on_conflict;   // "fail", "ours" or "theirs"
    std::string connector;     // "EmailServiceConnector 9.2.0.1"
    std::string output;        // the output folder; empty when nothing was written
    std::vector<Conflict> conflicts;
    std::vector<std::string> warnings; // what a person should look at or act on
    std::vector<std::string> notes; // what the target and the base imply, with nothing to do ("left out for CRM 8.2")
    std::vector<FormTab> form_tabs; // one per extended entity the connector adds a tab to
    std::vector<Change> added;
    std::vector<Change> changed;
    std::vector<Outline> outlines;
    size_t preserved = 0; // customer components written through unchanged

    size_t unresolved() const;
    bool succeeded() const { return unresolved() == 0; }
    // The entities whose tab no customer form carries (logical names, in form_tabs order).
    std::vector<std::string> entities_without_tab() const;
};

// What one merge step adds to the report. The engine appends each step's entries in the order
// the steps run, so the report lists them in that order.
struct ReportEntries {
    std::vector<Conflict> conflicts;
    std::vector<std::string> warnings;
    std::vector<FormTab> form_tabs;
    std::vector<Change> added;
    std::vector<Change> changed;
    std::vector<Outline> outlines;

    // Appends every list to the report's.
    void append_to(Report& report) const;
};

enum class ReportFormat { text, json, html };

// The format a report file's extension asks for (.txt, .json, .html/.htm), or nullopt.
std::optional<ReportFormat> report_format_for(const std::filesystem::path& path);

// The whole report in `format`. Same report, same bytes.
std::string render_report(const Report& report, ReportFormat format);

// What `merge` prints by default: one screen with the result, the counts, the conflicts, where the
// connector's tab went (and where it did not, with what to do), and the warnings (the first few,
// and how many more), but no notes, additions, changes or outlines; the last line is the result
// line of the whole text report. `report_file` names where the whole report was written ("" for
// nowhere: the summary then says how to get it).
std::string render_summary(const Report& report, const std::string& report_file);

} // namespace escprov::merge
