#include "bundle/instructions.hpp"

#include "connector/templates.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

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
        "publish_step", "rollback_step",      "navigation_check",
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

// The text form with every line longer than k_text_width broken at spaces; a continuation is
// indented like the line's text (after its indentation and any "1. " or "- " marker), so the
// long per-version phrases read like the rest of the steps.
constexpr size_t k_text_width = 100;

std::string wrapped(const std::string& text)
{
    std::istringstream lines(text);
    std::string out;
    std::string line;
    while (std::getline(lines, line)) {
        size_t indent = line.find_first_not_of(' ');
        if (indent == std::string::npos) {
            indent = 0;
        }
        size_t body = indent;
        while (body < line.size() && std::isdigit(static_cast<unsigned char>(line[body])) != 0) {
            ++body;
        }
        if (body > indent && line.compare(body, 2, ". ") == 0) {
            body += 2;
        } else if (line.compare(indent, 2, "- ") == 0) {
            body = indent + 2;
        } else {
            body = indent;
        }
        std::string continuation(body, ' ');
        while (line.size() > k_text_width) {
            size_t cut = line.rfind(' ', k_text_width);
            if (cut == std::string::npos || cut <= body) {
                break; // one long word: leave it whole
            }
            out.append(line, 0, cut);
            out += '\n';
            line.replace(0, cut + 1, continuation);
        }
        out += line;
        out += '\n';
    }
    if (!text.empty() && text.back() != '\n' && !out.empty()) {
        out.pop_back();
    }
    return out;
}

} // namespace

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
    // The text form takes every value as it is (".raw"); the HTML form escapes them.
    connector::TemplateValues raw;
    for (const auto& [name, value] : values) {
        raw[name + ".raw"] = value;
    }
    values.insert(raw.begin(), raw.end());
    Instructions instructions;
    instructions.html = connector::render_template(folder / "instructions.html.in", values);
    instructions.text = wrapped(connector::render_template(folder / "instructions.txt.in", values));
    return instructions;
}

} // namespace escprov::bundle
