#include "bundle/instructions.hpp"

#include "connector/templates.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"
#include "xml/writer.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace escprov::bundle {

namespace {

// Every phrase an era must define in wording.tsv.
const std::set<std::string, std::less<>>& required_phrases()
{
    static const std::set<std::string, std::less<>> phrases = {
        "product",      "solutions_location", "users_location",   "roles_location",
        "publish_step", "rollback_step",      "navigation_check", "forms_location",
    };
    return phrases;
}

// The phrases of `era`: rows "era<TAB>name<TAB>text".
connector::TemplateValues read_wording(const std::filesystem::path& file, Era era)
{
    connector::TemplateValues phrases;
    for (auto& row : connector::read_table(file, 3, "era, phrase, text")) {
        if (row.fields[0] == era_key(era)) {
            phrases[row.fields[1]] = std::move(row.fields[2]);
        }
    }
    for (const auto& phrase : required_phrases()) {
        if (!phrases.contains(phrase)) {
            throw_input(quoted(file) + ": no wording for '" + phrase + "' in era " + std::string(era_key(era)));
        }
    }
    return phrases;
}

// The characters of UTF-8 `text` (continuation bytes are not counted), for underlines.
size_t characters(std::string_view text)
{
    return static_cast<size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Where a line's text starts: after its indentation and a "1. " or "- " marker, or at the value
// of a "Label:   value" line; wrapped lines continue there.
size_t body_start(const std::string& line)
{
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos) {
        return 0;
    }
    size_t at = indent;
    while (at < line.size() && std::isdigit(static_cast<unsigned char>(line[at])) != 0) {
        ++at;
    }
    if (at > indent && line.compare(at, 2, ". ") == 0) {
        return at + 2;
    }
    if (line.compare(indent, 2, "- ") == 0) {
        return indent + 2;
    }
    size_t colon = line.find(":  ", indent);
    if (colon != std::string::npos && line.find_first_of(".,;", indent) > colon) {
        size_t value = line.find_first_not_of(' ', colon + 1);
        return value != std::string::npos ? value : indent;
    }
    return indent;
}

std::string escaped_html(std::string_view text)
{
    std::string out;
    xml::escape_attribute(out, text);
    return out;
}

// The entities of `placements` whose tab the solution places (`placed`) or does not.
std::vector<std::string> entities(const std::vector<connector::FormTabPlacement>& placements, bool placed)
{
    std::vector<std::string> names;
    for (const auto& placement : placements) {
        if (placement.placed() == placed) {
            names.push_back(placement.entity);
        }
    }
    return names;
}

std::string plural_forms(const std::vector<std::string>& names)
{
    return names.size() == 1 ? "main form of " : "main forms of ";
}

// The test of the forms: only those the solution places, and those the customer adds in the step
// before; never a form the import cannot change.
std::string forms_check(const InstructionFacts& facts, const std::string& manual_step)
{
    std::vector<std::string> placed = entities(facts.form_tabs, true);
    std::vector<std::string> missing = entities(facts.form_tabs, false);
    if (placed.empty() && missing.empty()) {
        return "The connector's own records (Email Campaigns, Email Accounts) open without script errors.";
    }
    std::string text;
    if (!placed.empty()) {
        text = "The " + plural_forms(placed) + connector::display_names(placed) +
               " show the connector's \"Email Marketing\" tab, and the records open without script errors.";
    }
    if (!missing.empty()) {
        text += std::string(text.empty() ? "" : " ") + "After step " + manual_step + ", so " +
                (missing.size() == 1 ? "does the " : "do the ") + plural_forms(missing) +
                connector::display_names(missing) + ".";
    }
    return text;
}

// The step that adds the tab by hand where the solution cannot, as text and as HTML; empty when
// the solution places the tab on every entity it extends.
struct ManualTabStep {
    std::string text;
    std::string html;
};

ManualTabStep manual_tab_step(const InstructionFacts& facts, const std::string& number,
                              const std::string& forms_location)
{
    std::vector<std::string> missing = entities(facts.form_tabs, false);
    if (missing.empty()) {
        return {};
    }
    std::string names = connector::display_names(missing);
    std::string title = "Step " + number + ": add the Email Marketing tab by hand";
    std::string why = "This solution changes no main form of " + names +
                      " (the export it was made from had none it could change), so importing it leaves " +
                      (missing.size() == 1 ? "that form" : "those forms") +
                      " without the connector's tab. Once step 3 is done, add the tab yourself:";
    std::vector<std::string> steps = {
        "Open " + forms_location + ", choose " + (missing.size() == 1 ? names : "each of " + names) +
            ", then Forms, and open the main form.",
        "Insert a tab, label it \"Email Marketing\", and add to it the entity's fields whose names start with "
        "esc_ (the connector's fields, which the import adds).",
        "Save the form, then publish it.",
    };
    ManualTabStep step;
    step.text = title + "\n  " + why + "\n";
    for (size_t i = 0; i < steps.size(); ++i) {
        step.text += "  " + std::to_string(i + 1) + ". " + steps[i] + "\n";
    }
    step.text += "\n";
    step.html = "<h2>" + escaped_html(title) + "</h2>\n<p>" + escaped_html(why) + "</p>\n<ol>\n";
    for (const auto& line : steps) {
        step.html += "<li>" + escaped_html(line) + "</li>\n";
    }
    step.html += "</ol>\n\n";
    return step;
}

std::string backup_check(BackupInBundle backup)
{
    if (backup == BackupInBundle::none) {
        return "Export your organisation's unmanaged customisations now and keep the file: this bundle names no "
               "backup, and that export is how you roll back.";
    }
    return "Make sure the backup named in backup.txt exists, or export your organisation's unmanaged "
           "customisations now: it is how you roll back.";
}

std::string rollback_backup(BackupInBundle backup)
{
    switch (backup) {
    case BackupInBundle::none:
        return "This bundle names no backup: the export you made before the import (see \"Before you start\") is "
               "your way back.";
    case BackupInBundle::named:
        return "backup.txt names the backup taken before these changes and lists the files in it with their "
               "SHA-256; dotdigital keeps the backup and sends it on request. Check a file's hash before "
               "restoring it.";
    case BackupInBundle::included:
        return "backup.txt names the backup taken before these changes and lists the files in it with their "
               "SHA-256; the backup is in this bundle, under backup/. Check a file's hash before restoring it.";
    }
    return {};
}

} // namespace

std::string wrap_instructions(const std::string& text, size_t width)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    std::string out;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        bool underlined =
            i + 1 < lines.size() && !lines[i + 1].empty() && lines[i + 1].find_first_not_of('=') == std::string::npos;
        if (!line.empty() && line.find_first_not_of('=') == std::string::npos && i > 0) {
            out += std::string(characters(lines[i - 1]), '=') + "\n";
            continue;
        }
        if (underlined || line.size() <= width) {
            out += line + "\n";
            continue;
        }
        size_t body = body_start(line);
        if (body >= width / 2) {
            body = line.find_first_not_of(' ');
        }
        std::vector<std::string> wrapped = wrap_words(std::string_view(line).substr(body), width - body);
        std::string continuation(body, ' ');
        for (size_t k = 0; k < wrapped.size(); ++k) {
            out += (k == 0 ? line.substr(0, body) : continuation) + wrapped[k] + "\n";
        }
    }
    if (!text.empty() && text.back() != '\n' && !out.empty()) {
        out.pop_back();
    }
    return out;
}

Era era_of(const solution::CrmVersion& version)
{
    if (version.major <= 7) {
        return Era::classic;
    }
    return version.major == 8 ? Era::crm2016 : Era::dataverse;
}

std::string_view era_key(Era era)
{
    switch (era) {
    case Era::classic: return "2011-2015";
    case Era::crm2016: return "2016";
    case Era::dataverse: return "9.x";
    }
    return "";
}

Instructions render_instructions(const std::filesystem::path& folder, const InstructionFacts& facts)
{
    connector::TemplateValues values = read_wording(folder / "wording.tsv", era_of(facts.crm));
    values["customer"] = facts.customer;
    values["solution_file"] = facts.solution_file;
    values["solution_name"] = facts.manifest.unique_name;
    values["solution_display_name"] =
        facts.manifest.display_name.empty() ? facts.manifest.unique_name : facts.manifest.display_name;
    values["solution_version"] = facts.manifest.solution_version;
    values["managed"] = std::string(solution::managed_word(facts.manifest));
    values["publisher"] = facts.manifest.publisher.unique_name;
    values["crm_version"] = facts.crm.text;
    values["crm_family"] = std::string(facts.crm.family());
    values["service_role"] = "Email Campaign Connector Service (System Use Only)";
    bool manual = !entities(facts.form_tabs, false).empty();
    std::string manual_number = "4";
    values["test_step"] = manual ? "5" : "4";
    values["forms_check"] = forms_check(facts, manual_number);
    ManualTabStep step = manual_tab_step(facts, manual_number, values.at("forms_location"));
    values["manual_tab_step"] = step.text;
    values["manual_tab_html"] = step.html;
    values["backup_check"] = backup_check(facts.backup);
    values["rollback_backup"] = rollback_backup(facts.backup);
    // The text form takes every value as it is (".raw"); the HTML form escapes them.
    connector::TemplateValues raw;
    for (const auto& [name, value] : values) {
        raw[name + ".raw"] = value;
    }
    values.insert(raw.begin(), raw.end());
    Instructions instructions;
    instructions.html = connector::render_template(folder / "instructions.html.in", values);
    instructions.text = wrap_instructions(connector::render_template(folder / "instructions.txt.in", values));
    return instructions;
}

} // namespace escprov::bundle
