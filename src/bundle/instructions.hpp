#pragma once
// The customer's instructions in a bundle, HTML and plain text, rendered from
// templates/instructions/: instructions.html.in and instructions.txt.in hold the steps, and
// wording.tsv the phrases that differ by CRM version (where solutions, users and roles live).

#include "solution/manifest.hpp"

#include <filesystem>
#include <string>

namespace escprov::bundle {

// The CRM generations whose screens differ: 2011-2015 (Settings > Solutions in the classic web
// client), 2016 and 8.x, and 9.x (make.powerapps.com online, the classic area on-premises).
enum class Era { classic, crm2016, dataverse };

// The generation of `version`.
Era era_of(const solution::CrmVersion& version);
// "2011-2015", "2016", "9.x": the era's key in wording.tsv.
std::string_view era_key(Era era);

// What the instructions say about the bundle.
struct InstructionFacts {
    std::string customer;
    std::string solution_file; // the solution zip's entry name in the bundle
    solution::Manifest manifest;
    solution::CrmVersion crm;
};

struct Instructions {
    std::string html;
    std::string text;
};

// Renders both forms from `folder` (templates/instructions). Throws Error(input) naming the file
// when a template or wording.tsv is missing or malformed, or the era has no wording for a phrase.
Instructions render_instructions(const std::filesystem::path& folder, const InstructionFacts& facts);

} // namespace escprov::bundle
