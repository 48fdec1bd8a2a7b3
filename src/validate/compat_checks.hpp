#pragma once
// The import-compatibility check of `escprov validate`: a solution held against what real exports
// of its CRM version write (the version profiles of templates/profiles, see profile/check.hpp).
// Violations become ESC-VER-001…004 findings; the same finding (code, file, context, name; a
// qualified context counting as its plain one) is reported once per file, at its first place,
// with how many more there were; ESC-VER-005 says which profile answered.

#include "profile/check.hpp"
#include "solution/manifest.hpp"
#include "validate/finding.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace escprov::validate {

struct CompatOptions {
    bool enabled = false;                        // on in `escprov validate` unless --no-compat; callers opt in
    std::optional<solution::CrmVersion> target;  // --target VERSION; else the manifest's version
    const profile::Profiles* profiles = nullptr; // nullptr: Profiles::load_default() when needed
};

class CompatChecks {
public:
    // The check for one input, or nullptr when it does not run: turned off, no version known (a
    // loose customizations.xml without --target), or no profile for the version (an ESC-VER-005
    // note for `file` says so, as it does when the profiles cannot be loaded).
    static std::unique_ptr<CompatChecks> start(const CompatOptions& options, const solution::Manifest* manifest,
                                               const std::string& file, Findings& findings);
    ~CompatChecks();
    CompatChecks(const CompatChecks&) = delete;
    CompatChecks& operator=(const CompatChecks&) = delete;

    // Checks solution.xml (held in `manifest.root`).
    void check_manifest(const solution::Manifest& manifest);
    // The handler that checks customizations.xml, whose display name is `file`. Valid while this
    // object lives; call once.
    solution::CustomizationsHandler& customizations(const std::string& file);
    // Adds the findings held back to merge repeats, and the ESC-VER-005 note. Call once, last.
    void finish();

private:
    struct Pending {
        std::string code;
        std::string file;
        xml::Location where;
        std::string message;
        size_t more = 0;
    };
    CompatChecks(std::unique_ptr<profile::Profiles> owned, const profile::Profiles& profiles,
                 const profile::Profile& profile, solution::CrmVersion version, std::string chosen_by, std::string file,
                 Findings& findings);
    void add(const profile::Violation& violation, const std::string& file);
    profile::VocabularyChecker::ContextObserver observer();

    std::unique_ptr<profile::Profiles> m_owned;
    const profile::Profiles& m_profiles;
    const profile::Profile& m_profile;
    solution::CrmVersion m_version;
    std::string m_chosen_by; // "solution.xml" or "--target"
    std::string m_file;      // where the note goes
    Findings& m_findings;
    std::map<std::string, Pending> m_pending;                 // by code, file, context and name
    std::vector<std::string> m_order;                         // keys of m_pending as they came
    std::map<std::string, std::set<std::string>> m_fallbacks; // profile -> contexts it answered
    std::unique_ptr<profile::CustomizationsVocabulary> m_customizations;
};

} // namespace escprov::validate
