#pragma once
// The customer's instructions in a bundle, HTML and plain text, rendered from
// templates/instructions/: instructions.html.in and instructions.txt.in hold the steps, and
// wording.tsv the phrases that differ by CRM version (where solutions, users and roles live).

#include "connector/form_tabs.hpp"
#include "solution/manifest.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace escprov::bundle {

// The CRM generations whose screens differ: 2011-2015 (Settings > Solutions in the classic web
// client), 2016 and 8.x, and 9.x (make.powerapps.com online, the classic area on-premises).
enum class Era { classic, crm2016, dataverse };

// The generation of `version`.
Era era_of(const solution::CrmVersion& version);
// "2011-2015", "2016", "9.x": the era's key in wording.tsv.
std::string_view era_key(Era era);

// Whether the bundle names the backup taken before the changes (backup.txt), and holds it.
enum class BackupInBundle { none, named, included };

// What the instructions say about the bundle. They mention only what the bundle holds.
struct InstructionFacts {
    std::string customer;
    std::string solution_file; // the solution zip's entry name in the bundle
    solution::Manifest manifest;
    solution::CrmVersion crm;
    // Where the solution puts the connector's tab (connector::form_tab_placements of the
    // solution): the forms to check, and the entities whose tab the customer adds by hand.
    std::vector<connector::FormTabPlacement> form_tabs;
    BackupInBundle backup = BackupInBundle::none;
};

struct Instructions {
    std::string html;
    std::string text;
};

// Renders both forms from `folder` (templates/instructions). The text form's paragraphs are
// wrapped at k_instructions_width (a list item's continuation lines indented under its text) and
// its title underlined to the title's length. Throws Error(input) naming the file when a template
// or wording.tsv is missing or malformed, or the era has no wording for a phrase.
Instructions render_instructions(const std::filesystem::path& folder, const InstructionFacts& facts);

inline constexpr size_t k_instructions_width = 78;

// The text form's layout: every line longer than `width` wrapped at spaces, continuation lines
// indented like the line's text (after its indentation and any "1. " or "- " marker, or under the
// value of a "Label:   value" line); a line of nothing but '=' becomes as long as the line above it.
std::string wrap_instructions(const std::string& text, size_t width = k_instructions_width);

} // namespace escprov::bundle
