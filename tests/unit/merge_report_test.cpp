// The merge report in its three formats, built from Reports made in code: conflicts of every kind,
// resolved and unresolved, outlines with added nodes, and hostile strings from "customer files".
// The HTML page is loaded in a real headless browser (Debian's chromium) and checked on the DOM
// the browser built, not on our own bytes.

#include "merge/report.hpp"
#include "support.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <map>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace escprov;
using namespace escprov::merge;
using namespace escprov::test;

namespace {

const std::string k_hostile_label = "Group <script>alert(\"x\")</script> & 'R&amp;D'";
const std::string k_hostile_name = "\"><img src=x onerror=alert(1)>";

// A merge that met every kind of conflict and resolved all of them.
Report resolved_report()
{
    Report report;
    report.tool = "escprov 0.3.0";
    report.base = "exports/Contoso_1_0.zip";
    report.base_solution = "Default 1.0";
    report.base_version = "8.2";
    report.target = "9.2";
    report.mode = "connector";
    report.on_conflict = "ours";
    report.connector = "EmailServiceConnector 9.2.0.1";
    report.output = "out/contoso";
    report.preserved = 42;
    report.conflicts = {
        {ConflictKind::older_connector, "solution EmailServiceConnector", "version 5.0.0.3 is installed",
         Resolution::automatic, "upgraded: the customer's data-bearing attributes kept"},
        {ConflictKind::foreign_publisher, "publisher fabrikam", "uses the prefix esc", Resolution::ours,
         "the connector's publisher kept"},
        {ConflictKind::attribute_type, "attribute contact.esc_emailscore",
         "the customer's is nvarchar, the connector's is int", Resolution::theirs, "the customer's attribute kept"},
        {ConflictKind::duplicate_id, "form {1fed44d1-ae68-4a41-bd2b-f13acac4acfa}", "the customer has this id",
         Resolution::ours, "the connector's form kept"},
        {ConflictKind::option_value_prefix, "option set esc_status", "customer values 10000-10003 in our range",
         Resolution::theirs, "the customer's values kept"},
        {ConflictKind::target_too_old, "entity esc_emailsubscriptiongroup", "needs 9.0", Resolution::automatic,
         "left out for this target"},
        {ConflictKind::version_family, "base", "exported from 8.2, target 9.2", Resolution::automatic, "merged as 9.2"},
    };
    report.warnings = {"the Marketing area 'MA' is missing: Email Marketing added to 'esc_EmailMarketing'",
                       "terminal \x1b[31mred\x1b[0m in a sitemap title"};
    report.notes = {"left out for CRM 9.2: entity esc_emailmessagequeue (for CRM 5.0 to 8.2)"};
    report.form_tabs = {{"contact", {"'Information' {1fed44d1-ae68-4a41-bd2b-f13acac4acfa}"}, ""},
                        {"list", {"'Information' {bd26147a-cf4c-556f-8168-8de3f5f7991d}"}, ""}};
    report.added = {{"Entity", "esc_emailcampaign", "Email Campaign", "", ""},
                    {"Role", "Email Marketing Manager", "", "", ""},
                    {"SiteMap", k_hostile_name, "group added to Area 'MA'", "", ""}};
    report.changed = {
        {"Form", "contact 'Information'", "tab 'Email Marketing' added after 'Details'",
         "tab General\r\ntab Details\r\n", "tab General\r\ntab Details\r\ntab Email Marketing\r\n"},
        {"SiteMap", "org sitemap", "group <script>x</script> added", "Area MA", "Area MA\n  Group esc_EmailMarketing"},
    };
    report.outlines = {
        {"Org sitemap",
         {{0, "Area MA", false},
          {1, "Group Customers", false},
          {2, "SubArea nav_accts", false},
          {0, "Area Settings", false}},
         {{0, "Area MA", false},
          {1, "Group Customers", false},
          {2, "SubArea nav_accts", false},
          {1, k_hostile_label, true},
          {2, "SubArea esc_emailcampaigns", true},
          {0, "Area Settings", false},
          {1, "Group esc_EmailSettings", true}}},
        {"contact form 'Information' {1fed44d1-ae68-4a41-bd2b-f13acac4acfa}",
         {{0, "tab General", false}, {1, "section Name", false}},
         {{0, "tab General", false}, {1, "section Name", false}, {0, "tab Email Marketing", true}}},
    };
    return report;
}

// The same merge under --on-conflict fail: two conflicts stay unresolved and nothing is written.
Report failed_report()
{
    Report report = resolved_report();
    report.on_conflict = "fail";
    report.output.clear();
    report.conflicts[1].resolution = Resolution::unresolved;
    report.conflicts[2].resolution = Resolution::unresolved;
    return report;
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// The index of the first line equal to `wanted`, or -1.
long line_index(const std::vector<std::string>& lines, const std::string& wanted)
{
    auto found = std::find(lines.begin(), lines.end(), wanted);
    return found == lines.end() ? -1 : static_cast<long>(found - lines.begin());
}

// ---- the browser ---------------------------------------------------------------------------

fs::path find_chromium()
{
    const char* path = std::getenv("PATH");
    std::istringstream folders(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string folder; std::getline(folders, folder, ':');) {
        fs::path candidate = fs::path(folder) / "chromium";
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return {};
}

struct BrowserView {
    std::string error; // why the page could not be loaded; empty on success
    std::string dom;   // the serialised DOM chromium dumped
};

// Loads `page` from a file in a headless chromium and returns the DOM it built after loading.
BrowserView load_in_browser(const std::string& page, const TempDir& dir, const std::string& name)
{
    BrowserView view;
    fs::path chromium = find_chromium();
    if (chromium.empty()) {
        view.error = "chromium is not installed, and the HTML merge report must be checked in a real browser: "
                     "run ./setup.sh test to install it (CI does)";
        return view;
    }
    fs::path file = dir / (name + ".html");
    fs::path dom_path = dir / (name + ".dom");
    fs::path log_path = dir / (name + ".log");
    write_bytes(file, page);
    std::vector<std::string> args = {chromium.string(),
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--no-first-run",
                                     "--window-size=1280,1000",
                                     "--user-data-dir=" + (dir / (name + "-profile")).string(),
                                     "--dump-dom",
                                     "file://" + file.string()};
    std::vector<char*> argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::setpgid(0, 0); // its own process group, so a hung browser and its helpers can be stopped together
        int out = ::open(dom_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(out, 1);
        ::dup2(err, 2);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            view.error = "chromium did not finish loading the report within 90 s";
            return view;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    view.dom = read_bytes(dom_path);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || view.dom.empty()) {
        view.error = "chromium failed to load the report (status " + std::to_string(status) +
                     "): " + read_bytes(log_path).substr(0, 2000);
    }
    return view;
}

// Asks the browser's DOM about the page: appended after the report, it writes its answers as JSON
// into a <pre> the dumped DOM carries. Every question is a DOM query, so the answers describe the
// page as the browser parsed it.
const std::string k_probe = R"(<script id="escprov-probe-script">
(function () {
  const probe = document.currentScript;
  const all = (root, selector) => Array.from(root.querySelectorAll(selector));
  const text = (element) => element ? element.textContent : null;
  const tree = (side) => all(side, 'li').map((li) => {
    let depth = -1;
    for (let e = li.parentElement; e && e !== side; e = e.parentElement) {
      if (e.tagName === 'UL') depth++;
    }
    const node = li.querySelector(':scope > .node');
    return { depth: depth, label: text(node), added: li.classList.contains('added'),
             background: getComputedStyle(node).backgroundColor };
  });
  const answers = {
    scripts: all(document, 'script').filter((s) => s !== probe).length,
    external: all(document, '[src], [href], link, img, iframe, object, embed').length,
    handlers: all(document, '*').filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith('on'))).length,
    doctype: document.doctype ? document.doctype.name : null,
    mode: document.compatMode,
    charset: document.characterSet,
    lang: document.documentElement.lang,
    title: document.title,
    sections: all(document, 'body > section').map((s) => s.id),
    result: text(document.querySelector('#summary .result')),
    summary_class: document.querySelector('#summary').className,
    counts: Object.fromEntries(all(document, '#summary .counts li').map((li) => [li.id, text(li.querySelector('.n'))])),
    facts: all(document, '#summary dd').map(text),
    conflicts: all(document, '#conflicts tr.conflict').map((tr) => ({
      cells: Array.from(tr.cells).map(text), background: getComputedStyle(tr).backgroundColor })),
    warnings: all(document, '#warnings li').map(text),
    added: all(document, '#added tbody tr').map((tr) => Array.from(tr.cells).map(text)),
    changed: all(document, '#changed tbody tr').map((tr) => all(tr, 'pre').map(text)),
    outlines: all(document, '.outline').map((o) => {
      const before = o.querySelector('.side.before'), after = o.querySelector('.side.after');
      const b = before.getBoundingClientRect(), a = after.getBoundingClientRect();
      return { title: text(o.querySelector('h3')), before: tree(before), after: tree(after),
               side_by_side: Math.abs(a.top - b.top) < 1 && a.left >= b.right };
    }),
  };
  const out = document.createElement('pre');
  out.id = 'escprov-probe';
  out.textContent = JSON.stringify(answers);
  document.body.appendChild(out);
})();
</script>
)";

std::string unescape_text(std::string text)
{
    auto replace_all = [&text](const std::string& from, const std::string& to) {
        for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
            text.replace(at, from.size(), to);
        }
    };
    replace_all("&lt;", "<");
    replace_all("&gt;", ">");
    replace_all("&nbsp;", "\u00a0");
    replace_all("&amp;", "&"); // last, so "&amp;lt;" stays "&lt;"
    return text;
}

// The probe's answers from a dumped DOM.
nlohmann::json probe_answers(const std::string& dom)
{
    const std::string open = "<pre id=\"escprov-probe\">";
    size_t start = dom.find(open);
    if (start == std::string::npos) {
        ADD_FAILURE() << "the probe's answers are missing from the DOM chromium dumped";
        return nlohmann::json::object();
    }
    start += open.size();
    size_t end = dom.find("</pre>", start);
    return nlohmann::json::parse(unescape_text(dom.substr(start, end - start)));
}

// The page with the probe inserted before </body>.
std::string with_probe(const std::string& page)
{
    std::string probed = page;
    size_t body_end = probed.rfind("</body>");
    probed.insert(body_end == std::string::npos ? probed.size() : body_end, k_probe);
    return probed;
}

// One browser run per report, shared by the HTML tests of a process (chromium takes a second or two
// to start). A page that could not be loaded fails every test that needs it, never skips it.
class MergeReportHtml : public testing::Test {
protected:
    struct Loaded {
        std::string error;    // why the browser could not load the page; empty on success
        std::string page;     // what render_report wrote
        std::string dom;      // the DOM chromium built, the probe's answers included
        nlohmann::json probe; // the DOM queries' answers
    };

    static const Loaded& resolved()
    {
        static const Loaded loaded = load(resolved_report(), "resolved");
        return loaded;
    }

    static const Loaded& failed()
    {
        static const Loaded loaded = load(failed_report(), "failed");
        return loaded;
    }

private:
    static Loaded load(const Report& report, const std::string& name)
    {
        static TempDir dir;
        Loaded loaded;
        loaded.page = render_report(report, ReportFormat::html);
        BrowserView view = load_in_browser(with_probe(loaded.page), dir, name);
        loaded.error = view.error;
        loaded.dom = view.dom;
        if (loaded.error.empty()) {
            loaded.probe = probe_answers(view.dom);
        }
        return loaded;
    }
};

// ---- codes and file extensions -------------------------------------------------------------

TEST(MergeReport, ConflictCodesAreStableAndDistinct)
{
    const std::vector<std::pair<ConflictKind, std::string>> expected = {
        {ConflictKind::older_connector, "older-connector"},
        {ConflictKind::foreign_publisher, "foreign-publisher"},
        {ConflictKind::attribute_type, "attribute-type"},
        {ConflictKind::duplicate_id, "duplicate-id"},
        {ConflictKind::option_value_prefix, "option-value-prefix"},
        {ConflictKind::target_too_old, "target-too-old"},
        {ConflictKind::version_family, "version-family"},
    };
    for (const auto& [kind, code] : expected) {
        EXPECT_EQ(conflict_code(kind), code);
    }
    EXPECT_EQ(resolution_name(Resolution::unresolved), "unresolved");
    EXPECT_EQ(resolution_name(Resolution::ours), "ours");
    EXPECT_EQ(resolution_name(Resolution::theirs), "theirs");
    EXPECT_EQ(resolution_name(Resolution::automatic), "automatic");
}

TEST(MergeReport, FormatFollowsTheFileExtension)
{
    EXPECT_EQ(report_format_for("report.txt"), ReportFormat::text);
    EXPECT_EQ(report_format_for("out/report.json"), ReportFormat::json);
    EXPECT_EQ(report_format_for("report.html"), ReportFormat::html);
    EXPECT_EQ(report_format_for("REPORT.HTM"), ReportFormat::html);
    EXPECT_EQ(report_format_for("report.xml"), std::nullopt);
    EXPECT_EQ(report_format_for("report"), std::nullopt);
}

TEST(MergeReport, CountsUnresolvedConflicts)
{
    EXPECT_EQ(resolved_report().unresolved(), 0u);
    EXPECT_TRUE(resolved_report().succeeded());
    EXPECT_EQ(failed_report().unresolved(), 2u);
    EXPECT_FALSE(failed_report().succeeded());
}

TEST(MergeReport, SameReportSameBytes)
{
    for (auto format : {ReportFormat::text, ReportFormat::json, ReportFormat::html}) {
        EXPECT_EQ(render_report(resolved_report(), format), render_report(resolved_report(), format));
    }
    EXPECT_NE(render_report(resolved_report(), ReportFormat::text), render_report(failed_report(), ReportFormat::text));
}

// ---- text ----------------------------------------------------------------------------------

TEST(MergeReportText, HeaderNamesBaseTargetModeAndOutput)
{
    auto lines = lines_of(render_report(resolved_report(), ReportFormat::text));
    ASSERT_GE(lines.size(), 7u);
    EXPECT_EQ(lines[0], "escprov merge report (escprov 0.3.0)");
    EXPECT_EQ(lines[1], "base:        exports/Contoso_1_0.zip (Default 1.0, CRM 8.2)");
    EXPECT_EQ(lines[2], "target:      9.2");
    EXPECT_EQ(lines[3], "connector:   EmailServiceConnector 9.2.0.1");
    EXPECT_EQ(lines[4], "mode:        connector");
    EXPECT_EQ(lines[5], "on-conflict: ours");
    EXPECT_EQ(lines[6], "output:      out/contoso");

    auto failed = lines_of(render_report(failed_report(), ReportFormat::text));
    EXPECT_NE(line_index(failed, "output:      (nothing written)"), -1);
    EXPECT_NE(line_index(failed, "on-conflict: fail"), -1);
}

TEST(MergeReportText, SectionsComeInOrderWithTheirCounts)
{
    auto lines = lines_of(render_report(resolved_report(), ReportFormat::text));
    long conflicts = line_index(lines, "Conflicts (7)");
    long warnings = line_index(lines, "Warnings (2)");
    long tabs = line_index(lines, "Email Marketing tab (2)");
    long notes = line_index(lines, "Notes (1)");
    long added = line_index(lines, "Added (3)");
    long changed = line_index(lines, "Changed (2)");
    long outlines = line_index(lines, "Outlines (2)");
    ASSERT_NE(conflicts, -1);
    EXPECT_LT(conflicts, warnings);
    EXPECT_LT(warnings, tabs);
    EXPECT_LT(tabs, notes);
    EXPECT_LT(notes, added);
    EXPECT_LT(added, changed);
    EXPECT_LT(changed, outlines);
}

TEST(MergeReportText, EachConflictShowsCodeSubjectAndResolution)
{
    Report report = failed_report();
    auto lines = lines_of(render_report(report, ReportFormat::text));
    for (const auto& conflict : report.conflicts) {
        std::string head =
            "  [" + std::string(conflict_code(conflict.kind)) + "] " + conflict.subject + ": " + conflict.message;
        long at = line_index(lines, head);
        ASSERT_NE(at, -1) << head;
        EXPECT_EQ(lines[static_cast<size_t>(at) + 1],
                  "    resolution: " + std::string(resolution_name(conflict.resolution)) + " \u2014 " +
                      conflict.outcome);
    }
}

TEST(MergeReportText, ChangesShowBeforeAndAfterIndented)
{
    auto lines = lines_of(render_report(resolved_report(), ReportFormat::text));
    long at = line_index(lines, "  Form contact 'Information': tab 'Email Marketing' added after 'Details'");
    ASSERT_NE(at, -1);
    std::vector<std::string> expected = {
        "    before:",       "      tab General", "      tab Details",        "    after:",
        "      tab General", "      tab Details", "      tab Email Marketing"};
    std::vector<std::string> shown(lines.begin() + at + 1, lines.begin() + at + 1 + static_cast<long>(expected.size()));
    EXPECT_EQ(shown, expected); // the CRs of the CRLF snippet are gone, the blank last line too
    EXPECT_NE(line_index(lines, "  Entity esc_emailcampaign: Email Campaign"), -1);
    EXPECT_NE(line_index(lines, "  Role Email Marketing Manager"), -1);
}

TEST(MergeReportText, OutlinesIndentByDepthAndMarkAddedLines)
{
    auto lines = lines_of(render_report(resolved_report(), ReportFormat::text));
    long title = line_index(lines, "  Org sitemap");
    ASSERT_NE(title, -1);
    std::vector<std::string> expected = {
        "    before:",
        "      Area MA",
        "        Group Customers",
        "          SubArea nav_accts",
        "      Area Settings",
        "    after:",
        "      Area MA",
        "        Group Customers",
        "          SubArea nav_accts",
        "    +   " + k_hostile_label,
        "    +     SubArea esc_emailcampaigns",
        "      Area Settings",
        "    +   Group esc_EmailSettings",
    };
    std::vector<std::string> shown(lines.begin() + title + 1,
                                   lines.begin() + title + 1 + static_cast<long>(expected.size()));
    EXPECT_EQ(shown, expected);
}

TEST(MergeReportText, ResultLineSaysOkOrFailed)
{
    auto ok = lines_of(render_report(resolved_report(), ReportFormat::text));
    EXPECT_EQ(ok.back(), "result: ok (3 added, 2 changed, 7 conflicts resolved)");
    auto failed = lines_of(render_report(failed_report(), ReportFormat::text));
    EXPECT_EQ(failed.back(), "result: FAILED \u2014 2 unresolved conflicts");

    Report one = failed_report();
    one.conflicts[2].resolution = Resolution::theirs;
    EXPECT_EQ(lines_of(render_report(one, ReportFormat::text)).back(), "result: FAILED \u2014 1 unresolved conflict");
}

TEST(MergeReportText, ControlCharactersAreShownNotObeyed)
{
    std::string text = render_report(resolved_report(), ReportFormat::text);
    EXPECT_EQ(text.find('\x1b'), std::string::npos);
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_NE(text.find("  - terminal \\x1B[31mred\\x1B[0m in a sitemap title"), std::string::npos);
}

TEST(MergeReportText, InvalidUtf8BecomesReplacementCharacters)
{
    Report report = resolved_report();
    report.warnings = {"bad \xff\xfe bytes"};
    std::string text = render_report(report, ReportFormat::text);
    EXPECT_NE(text.find("  - bad \uFFFD\uFFFD bytes"), std::string::npos);
}

// A merge whose base had no main form for the Marketing List and Campaign (as real whole-org
// exports lack them): it succeeds, and the reader must be told that two entities need a person.
Report report_without_two_tabs()
{
    Report report = resolved_report();
    report.form_tabs = {{"account", {"'Account' {b053a39a-041a-4356-acef-ddf00182762b}"}, ""},
                        {"campaign", {}, "the base has no main form for it"},
                        {"contact", {"'Information' {1fed44d1-ae68-4a41-bd2b-f13acac4acfa}", "'Contact' {2222}"}, ""},
                        {"list", {}, "the base has no main form for it"}};
    return report;
}

TEST(MergeReportText, EntitiesWithoutTheTabAreActionOnTheResultLine)
{
    std::string text = render_report(report_without_two_tabs(), ReportFormat::text);
    auto lines = lines_of(text);
    EXPECT_EQ(lines.back(), "result: ok (3 added, 2 changed, 7 conflicts resolved); action needed: the Email "
                            "Marketing tab is not on the Campaign and Marketing List forms");
    EXPECT_NE(line_index(lines, "  Marketing List (list): NOT PLACED: the base has no main form for it"), -1) << text;
    EXPECT_NE(line_index(lines, "  Contact (contact): on 'Information' {1fed44d1-ae68-4a41-bd2b-f13acac4acfa}, "
                                "'Contact' {2222}"),
              -1)
        << text;
    auto json = nlohmann::json::parse(render_report(report_without_two_tabs(), ReportFormat::json));
    EXPECT_EQ(json["form_tabs"][1]["placed"], false);
    EXPECT_EQ(json["form_tabs"][1]["missing"], "the base has no main form for it");
    EXPECT_NE(
        render_report(report_without_two_tabs(), ReportFormat::html).find("Action needed: the Email Marketing tab"),
        std::string::npos);
}

// ---- summary -------------------------------------------------------------------------------

TEST(MergeSummary, FitsAScreenAndLeavesOutNotesAdditionsAndOutlines)
{
    Report report = resolved_report();
    std::string summary = render_summary(report, "");
    auto lines = lines_of(summary);
    EXPECT_LE(lines.size(), 20U) << summary;
    EXPECT_EQ(lines.front(), "merge: wrote 'out/contoso' (connector mode, CRM 9.2)");
    EXPECT_EQ(lines.back(), "result: ok (3 added, 2 changed, 7 conflicts resolved)");
    EXPECT_NE(line_index(lines, "Conflicts (7, 0 unresolved):"), -1) << summary;
    EXPECT_NE(line_index(lines, "Email Marketing tab: on 2 main forms: Contact (1), Marketing List (1)"), -1)
        << summary;
    EXPECT_NE(line_index(lines, "Warnings (2):"), -1) << summary;
    EXPECT_NE(summary.find("\\x1B[31mred"), std::string::npos) << "warnings are shown, made safe";
    EXPECT_EQ(summary.find("esc_emailmessagequeue"), std::string::npos) << "notes are only counted";
    EXPECT_EQ(summary.find("esc_emailcampaign"), std::string::npos) << "additions are only counted";
    EXPECT_EQ(summary.find("Area Settings"), std::string::npos) << "outlines are only counted";
    EXPECT_NE(line_index(lines, "Not shown: 1 note, 3 added, 2 changed, 2 before/after outlines"), -1) << summary;
    EXPECT_NE(line_index(lines, "The whole report: -v, or --report FILE (.txt, .json or .html)"), -1) << summary;
    EXPECT_NE(render_summary(report, "r/merge.html").find("\nThe whole report: r/merge.html\n"), std::string::npos);
}

TEST(MergeSummary, SaysFirstWhichEntitiesLackTheTabAndWhatToDo)
{
    std::string summary = render_summary(report_without_two_tabs(), "");
    auto lines = lines_of(summary);
    EXPECT_NE(line_index(lines, "Email Marketing tab: on 3 main forms: Account (1), Contact (2)"), -1) << summary;
    EXPECT_NE(line_index(lines, "  NOT ON Campaign (campaign): the base has no main form for it"), -1) << summary;
    EXPECT_NE(line_index(lines, "  NOT ON Marketing List (list): the base has no main form for it"), -1) << summary;
    EXPECT_NE(summary.find("export the base again with those"), std::string::npos) << summary;
    EXPECT_NE(lines.back().find("; action needed: the Email Marketing tab is not on the Campaign and Marketing List "
                                "forms"),
              std::string::npos)
        << summary;
    // The advice under the tab lines is wrapped to a terminal's width.
    long advice = line_index(lines, "  NOT ON Marketing List (list): the base has no main form for it") + 1;
    ASSERT_GT(advice, 0);
    EXPECT_EQ(lines[advice].rfind("  The package will not show", 0), 0U) << summary;
    for (auto i = static_cast<size_t>(advice); i < lines.size() && lines[i].starts_with("  "); ++i) {
        EXPECT_LE(lines[i].size(), 100U) << lines[i];
    }
}

TEST(MergeSummary, ShowsTheFirstConflictsAndWarningsAndCountsTheRest)
{
    Report report = failed_report();
    for (int i = 0; i < 30; ++i) {
        report.warnings.push_back("warning number " + std::to_string(i));
    }
    std::string summary = render_summary(report, "");
    auto lines = lines_of(summary);
    EXPECT_LE(lines.size(), 30U) << summary;
    EXPECT_EQ(lines.front(), "merge: nothing written (connector mode, CRM 9.2)");
    EXPECT_NE(line_index(lines, "Conflicts (7, 2 unresolved):"), -1) << summary;
    EXPECT_NE(line_index(lines, "  [foreign-publisher] publisher fabrikam: uses the prefix esc (unresolved)"), -1)
        << summary;
    EXPECT_NE(line_index(lines, "Warnings (32):"), -1) << summary;
    EXPECT_NE(line_index(lines, "  ... and 24 more warnings (in the whole report)"), -1) << summary;
    EXPECT_EQ(summary.find("Email Marketing tab"), std::string::npos) << "nothing was placed: nothing written";
    EXPECT_EQ(lines.back(), "result: FAILED \u2014 2 unresolved conflicts");
}

// ---- JSON ----------------------------------------------------------------------------------

TEST(MergeReportJson, KeysComeInTheDocumentedOrder)
{
    auto json = nlohmann::ordered_json::parse(render_report(resolved_report(), ReportFormat::json));
    std::vector<std::string> keys;
    for (const auto& item : json.items()) {
        keys.push_back(item.key());
    }
    std::vector<std::string> expected = {"tool",      "base",   "target",  "connector", "mode",     "on_conflict",
                                         "output",    "result", "counts",  "conflicts", "warnings", "notes",
                                         "form_tabs", "added",  "changed", "outlines"};
    EXPECT_EQ(keys, expected);
    std::vector<std::string> count_keys;
    for (const auto& item : json["counts"].items()) {
        count_keys.push_back(item.key());
    }
    EXPECT_EQ(count_keys, (std::vector<std::string>{"added", "changed", "conflicts", "unresolved", "warnings", "notes",
                                                    "preserved"}));
}

TEST(MergeReportJson, CarriesEveryFieldAndValue)
{
    Report report = failed_report();
    std::string text = render_report(report, ReportFormat::json);
    EXPECT_EQ(text.substr(0, 4), "{\n  "); // two-space indent
    auto json = nlohmann::json::parse(text);
    EXPECT_EQ(json["tool"], report.tool);
    EXPECT_EQ(json["base"]["path"], report.base);
    EXPECT_EQ(json["base"]["solution"], report.base_solution);
    EXPECT_EQ(json["base"]["version"], report.base_version);
    EXPECT_EQ(json["target"], report.target);
    EXPECT_EQ(json["mode"], report.mode);
    EXPECT_EQ(json["on_conflict"], "fail");
    EXPECT_EQ(json["output"], "");
    EXPECT_EQ(json["result"], "failed");
    EXPECT_EQ(json["counts"]["added"], report.added.size());
    EXPECT_EQ(json["counts"]["changed"], report.changed.size());
    EXPECT_EQ(json["counts"]["conflicts"], report.conflicts.size());
    EXPECT_EQ(json["counts"]["unresolved"], 2);
    EXPECT_EQ(json["counts"]["warnings"], report.warnings.size());
    EXPECT_EQ(json["counts"]["preserved"], 42);

    ASSERT_EQ(json["conflicts"].size(), report.conflicts.size());
    for (size_t i = 0; i < report.conflicts.size(); ++i) {
        const auto& conflict = report.conflicts[i];
        const auto& shown = json["conflicts"][i];
        EXPECT_EQ(shown["code"], conflict_code(conflict.kind));
        EXPECT_EQ(shown["subject"], conflict.subject);
        EXPECT_EQ(shown["message"], conflict.message);
        EXPECT_EQ(shown["resolution"], resolution_name(conflict.resolution));
        EXPECT_EQ(shown["outcome"], conflict.outcome);
    }
    EXPECT_EQ(json["warnings"], report.warnings); // raw: JSON escapes control characters itself
    EXPECT_EQ(json["notes"], report.notes);
    EXPECT_EQ(json["counts"]["notes"], 1);
    ASSERT_EQ(json["form_tabs"].size(), 2U);
    EXPECT_EQ(json["form_tabs"][1]["entity"], "list");
    EXPECT_EQ(json["form_tabs"][1]["placed"], true);
    EXPECT_EQ(json["form_tabs"][1]["forms"][0], report.form_tabs[1].forms[0]);
    ASSERT_EQ(json["added"].size(), report.added.size());
    EXPECT_EQ(json["added"][2]["name"], k_hostile_name);
    EXPECT_FALSE(json["added"][0].contains("before"));
    ASSERT_EQ(json["changed"].size(), report.changed.size());
    EXPECT_EQ(json["changed"][0]["before"], report.changed[0].before);
    EXPECT_EQ(json["changed"][0]["after"], report.changed[0].after);

    ASSERT_EQ(json["outlines"].size(), report.outlines.size());
    const auto& sitemap = json["outlines"][0];
    EXPECT_EQ(sitemap["title"], "Org sitemap");
    ASSERT_EQ(sitemap["after"].size(), report.outlines[0].after.size());
    for (size_t i = 0; i < report.outlines[0].after.size(); ++i) {
        const auto& line = report.outlines[0].after[i];
        EXPECT_EQ(sitemap["after"][i]["depth"], line.depth);
        EXPECT_EQ(sitemap["after"][i]["label"], line.label);
        EXPECT_EQ(sitemap["after"][i]["added"], line.added);
    }
    EXPECT_EQ(nlohmann::json::parse(render_report(resolved_report(), ReportFormat::json))["result"], "ok");
}

TEST(MergeReportJson, InvalidUtf8DoesNotCostTheReport)
{
    Report report = resolved_report();
    report.added[0].name = "esc_\xc3(broken";
    auto json = nlohmann::json::parse(render_report(report, ReportFormat::json));
    EXPECT_EQ(json["added"][0]["name"], "esc_\uFFFD(broken");
}

// ---- HTML, as a browser sees it ------------------------------------------------------------

TEST_F(MergeReportHtml, IsAStandardsModePageWithoutScriptsOrExternalResources)
{
    ASSERT_TRUE(resolved().error.empty()) << resolved().error;
    const auto& probe = resolved().probe;
    EXPECT_EQ(probe["doctype"], "html");
    EXPECT_EQ(probe["mode"], "CSS1Compat"); // no quirks mode: the doctype is right
    EXPECT_EQ(probe["charset"], "UTF-8");
    EXPECT_EQ(probe["lang"], "en");
    EXPECT_EQ(probe["title"], "escprov merge report: exports/Contoso_1_0.zip \u2192 9.2");
    EXPECT_EQ(probe["scripts"], 0);
    EXPECT_EQ(probe["external"], 0);
    EXPECT_EQ(probe["handlers"], 0);
    EXPECT_EQ(resolved().page.find("<script"), std::string::npos);
}

TEST_F(MergeReportHtml, HostileTextShowsAsText)
{
    ASSERT_TRUE(resolved().error.empty()) << resolved().error;
    const auto& probe = resolved().probe;
    const auto& after = probe["outlines"][0]["after"];
    ASSERT_EQ(after.size(), 7u);
    EXPECT_EQ(after[3]["label"], k_hostile_label); // including the literal "&amp;", not decoded to "&"
    ASSERT_EQ(probe["added"].size(), 3u);
    EXPECT_EQ(probe["added"][2][1], k_hostile_name);
    EXPECT_NE(resolved().dom.find("&lt;script&gt;alert(\"x\")&lt;/script&gt;"), std::string::npos);
    EXPECT_EQ(probe["warnings"][1], "terminal \\x1B[31mred\\x1B[0m in a sitemap title");
}

TEST_F(MergeReportHtml, SummaryShowsResultAndCounts)
{
    ASSERT_TRUE(resolved().error.empty()) << resolved().error;
    ASSERT_TRUE(failed().error.empty()) << failed().error;
    Report report = resolved_report();
    const auto& probe = resolved().probe;
    EXPECT_EQ(probe["sections"], (std::vector<std::string>{"summary", "conflicts", "warnings", "form-tabs", "notes",
                                                           "outlines", "added", "changed"}));
    EXPECT_EQ(probe["result"], "Merge succeeded: 3 added, 2 changed, 7 conflicts resolved");
    EXPECT_EQ(probe["counts"]["count-added"], std::to_string(report.added.size()));
    EXPECT_EQ(probe["counts"]["count-changed"], std::to_string(report.changed.size()));
    EXPECT_EQ(probe["counts"]["count-conflicts"], std::to_string(report.conflicts.size()));
    EXPECT_EQ(probe["counts"]["count-unresolved"], "0");
    EXPECT_EQ(probe["counts"]["count-warnings"], std::to_string(report.warnings.size()));
    EXPECT_EQ(probe["counts"]["count-preserved"], "42");
    EXPECT_EQ(probe["facts"][0], report.base);

    const auto& failing = failed().probe;
    EXPECT_EQ(failing["result"], "Merge failed: 2 unresolved conflicts");
    EXPECT_EQ(failing["counts"]["count-unresolved"], "2");
    EXPECT_NE(failing["summary_class"].get<std::string>().find("failed"), std::string::npos);
    EXPECT_EQ(probe["summary_class"].get<std::string>().find("failed"), std::string::npos);
}

TEST_F(MergeReportHtml, ConflictsAreColouredByResolution)
{
    ASSERT_TRUE(failed().error.empty()) << failed().error;
    Report report = failed_report();
    const auto& rows = failed().probe["conflicts"];
    ASSERT_EQ(rows.size(), report.conflicts.size());
    std::map<std::string, std::set<std::string>> colours; // resolution -> backgrounds seen
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& conflict = report.conflicts[i];
        EXPECT_EQ(rows[i]["cells"][0], conflict_code(conflict.kind));
        EXPECT_EQ(rows[i]["cells"][1], conflict.subject);
        EXPECT_EQ(rows[i]["cells"][3], resolution_name(conflict.resolution));
        colours[std::string(resolution_name(conflict.resolution))].insert(rows[i]["background"]);
    }
    ASSERT_EQ(colours.size(), 4u); // the failed report has every resolution
    std::set<std::string> distinct;
    for (const auto& [resolution, backgrounds] : colours) {
        EXPECT_EQ(backgrounds.size(), 1u) << resolution << " rows should share one colour";
        distinct.insert(*backgrounds.begin());
    }
    EXPECT_EQ(distinct.size(), 4u) << "each resolution has its own colour";
}

TEST_F(MergeReportHtml, OutlinesAreNestedSideBySideWithAddedNodesHighlighted)
{
    ASSERT_TRUE(resolved().error.empty()) << resolved().error;
    Report report = resolved_report();
    const auto& outlines = resolved().probe["outlines"];
    ASSERT_EQ(outlines.size(), report.outlines.size());
    for (size_t o = 0; o < report.outlines.size(); ++o) {
        const auto& expected = report.outlines[o];
        const auto& shown = outlines[o];
        EXPECT_EQ(shown["title"], expected.title);
        EXPECT_TRUE(shown["side_by_side"].get<bool>()) << expected.title;
        auto compare = [](const std::vector<OutlineLine>& lines, const nlohmann::json& nodes) {
            ASSERT_EQ(nodes.size(), lines.size());
            for (size_t i = 0; i < lines.size(); ++i) {
                EXPECT_EQ(nodes[i]["label"], lines[i].label);
                EXPECT_EQ(nodes[i]["depth"], lines[i].depth) << lines[i].label;
                EXPECT_EQ(nodes[i]["added"], lines[i].added) << lines[i].label;
            }
        };
        compare(expected.before, shown["before"]);
        compare(expected.after, shown["after"]);
        std::set<std::string> added_backgrounds;
        std::set<std::string> kept_backgrounds;
        for (const auto& node : shown["after"]) {
            (node["added"].get<bool>() ? added_backgrounds : kept_backgrounds).insert(node["background"]);
        }
        ASSERT_FALSE(added_backgrounds.empty());
        for (const auto& background : added_backgrounds) {
            EXPECT_EQ(kept_backgrounds.count(background), 0u) << "added nodes must look different";
        }
    }
}

TEST_F(MergeReportHtml, ChangesShowBeforeAndAfterAsPreformattedText)
{
    ASSERT_TRUE(resolved().error.empty()) << resolved().error;
    const auto& changed = resolved().probe["changed"];
    ASSERT_EQ(changed.size(), 2u);
    EXPECT_EQ(changed[0][0], "tab General\ntab Details\n");
    EXPECT_EQ(changed[0][1], "tab General\ntab Details\ntab Email Marketing\n");
    EXPECT_EQ(changed[1][1], "Area MA\n  Group esc_EmailMarketing");
}

TEST(MergeReportHtmlTree, DeepJumpsStillNestInsideAnItem)
{
    Report report = resolved_report();
    report.outlines = {{"odd", {}, {{2, "deep first", true}, {0, "top", false}, {3, "jump", true}}}};
    std::string page = render_report(report, ReportFormat::html);
    EXPECT_NE(page.find("<ul class=\"tree\">\n<li class=\"added\"><span class=\"node\">deep first</span></li>\n"
                        "<li><span class=\"node\">top</span><ul>\n<li class=\"added\"><span class=\"node\">jump</span>"
                        "</li></ul></li></ul>"),
              std::string::npos)
        << page;
    EXPECT_NE(page.find("<div class=\"side before\">\n<h4>Before</h4>\n<p class=\"none\">(empty)</p>"),
              std::string::npos);
}

} // namespace
