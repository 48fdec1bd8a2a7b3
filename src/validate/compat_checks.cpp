#include "validate/compat_checks.hpp"

#include "util/error.hpp"

namespace escprov::validate {

namespace {

std::string_view code_of(const profile::Violation& violation)
{
    switch (violation.what) {
    case profile::ViolationWhat::never_written:
        return violation.kind == profile::ViolationKind::attribute ? "ESC-VER-002" : "ESC-VER-001";
    case profile::ViolationWhat::always_missing: return "ESC-VER-003";
    case profile::ViolationWhat::order_unseen: return "ESC-VER-004";
    }
    return "ESC-VER-001";
}

// How many exports a profile was learned from, for the note.
std::string learned_from(const profile::Profile& profile)
{
    size_t count = profile.sources.size();
    return std::to_string(count) + (count == 1 ? " real export" : " real exports");
}

} // namespace

std::unique_ptr<CompatChecks> CompatChecks::start(const CompatOptions& options, const solution::Manifest* manifest,
                                                  const std::string& file, Findings& findings)
{
    if (!options.enabled) {
        return nullptr;
    }
    std::optional<solution::CrmVersion> version = options.target;
    std::string chosen_by = "--target";
    if (!version && manifest != nullptr) {
        version = solution::target_version(*manifest);
        chosen_by = manifest->file;
    }
    if (!version) {
        return nullptr; // nothing says which version to hold it against
    }
    std::unique_ptr<profile::Profiles> owned;
    const profile::Profiles* profiles = options.profiles;
    if (profiles == nullptr) {
        try {
            owned = std::make_unique<profile::Profiles>(profile::Profiles::load_default());
        } catch (const Error& error) {
            findings.add("ESC-VER-005", file,
                         std::string("the version profiles could not be loaded, so import compatibility was not "
                                     "checked: ") +
                             error.what());
            return nullptr;
        }
        profiles = owned.get();
    }
    const profile::Profile* chosen = profiles->for_version(*version);
    if (chosen == nullptr) {
        findings.add("ESC-VER-005", file,
                     "no version profile covers CRM " + version->text + " (from " + chosen_by +
                         "), so import compatibility was not checked");
        return nullptr;
    }
    return std::unique_ptr<CompatChecks>(
        new CompatChecks(std::move(owned), *profiles, *chosen, *version, std::move(chosen_by), file, findings));
}

CompatChecks::CompatChecks(std::unique_ptr<profile::Profiles> owned, const profile::Profiles& profiles,
                           const profile::Profile& profile, solution::CrmVersion version, std::string chosen_by,
                           std::string file, Findings& findings)
    : m_owned(std::move(owned)), m_profiles(profiles), m_profile(profile), m_version(std::move(version)),
      m_chosen_by(std::move(chosen_by)), m_file(std::move(file)), m_findings(findings)
{}

CompatChecks::~CompatChecks() = default;

void CompatChecks::check_manifest(const solution::Manifest& manifest)
{
    const std::string& file = manifest.file;
    profile::VocabularyChecker checker(m_profiles, m_profile, "solution.xml",
                                       [&](const profile::Violation& violation) { add(violation, file); });
    checker.set_context_observer(observer());
    profile::check_document(checker, manifest.root, &file);
}

profile::VocabularyChecker::ContextObserver CompatChecks::observer()
{
    return [this](const std::string& context, const std::string& answered_by) {
        if (answered_by != m_profile.name) {
            m_fallbacks[answered_by].insert(context);
        }
    };
}

solution::CustomizationsHandler& CompatChecks::customizations(const std::string& file)
{
    m_customizations = std::make_unique<profile::CustomizationsVocabulary>(
        m_profiles, m_profile, [this, file](const profile::Violation& violation) { add(violation, file); });
    // Section order is ESC-SEC-001's: it knows the pairs real exports write both ways.
    m_customizations->checker().set_check_root_order(false);
    m_customizations->checker().set_context_observer(observer());
    return *m_customizations;
}

void CompatChecks::add(const profile::Violation& violation, const std::string& file)
{
    std::string at_file = violation.where.file != nullptr ? *violation.where.file : file;
    std::string_view code = code_of(violation);
    // Qualified contexts count as their plain one: an XML attribute on every attribute is one finding.
    std::string key = std::string(code) + '\n' + at_file + '\n' + std::string(profile::plain_path(violation.context)) +
                      '\n' + violation.name + '\n' + violation.before;
    auto [entry, inserted] = m_pending.try_emplace(key);
    if (!inserted) {
        ++entry->second.more;
        return;
    }
    m_order.push_back(key);
    std::string version = "CRM " + m_version.text;
    std::string message;
    switch (violation.what) {
    case profile::ViolationWhat::never_written:
        message = std::string(profile::kind_name(violation.kind)) + " '" + violation.name + "' in '" +
                  violation.context + "' is never written by real " + version + " exports; the import would reject it";
        break;
    case profile::ViolationWhat::always_missing:
        message = "'" + violation.context + "' lacks " + std::string(profile::kind_name(violation.kind)) + " '" +
                  violation.name + "', which every real " + version + " export writes there";
        break;
    case profile::ViolationWhat::order_unseen:
        message = "in '" + violation.context + "', element '" + violation.name + "' comes after '" + violation.before +
                  "'; no real " + version + " export writes them in this order";
        break;
    }
    message += " (profile " + m_profile.name;
    if (violation.answered_by != m_profile.name) {
        message += ", answered by profile " + violation.answered_by + " where " + m_profile.name + " is thin";
    }
    message += ")";
    xml::Location where{violation.where.line, violation.where.column, nullptr};
    entry->second = Pending{std::string(code), at_file, where, std::move(message), 0};
}

void CompatChecks::finish()
{
    for (const std::string& key : m_order) {
        Pending& pending = m_pending.at(key);
        std::string message = pending.message;
        if (pending.more > 0) {
            message += "; and " + std::to_string(pending.more) + " more like it in this file";
        }
        m_findings.add(pending.code, pending.file, pending.where, std::move(message));
    }
    m_pending.clear();
    m_order.clear();

    std::string note = "import compatibility checked against version profile " + m_profile.name + " (CRM " +
                       m_profile.first + (m_profile.last != m_profile.first ? "–" + m_profile.last : "") +
                       ", learned from " + learned_from(m_profile) + ") for CRM " + m_version.text + " (from " +
                       m_chosen_by + ")";
    for (const auto& [name, contexts] : m_fallbacks) {
        note += "; profile " + name + " answered " + std::to_string(contexts.size()) + " thin context" +
                (contexts.size() == 1 ? "" : "s") + ", e.g. '" + *contexts.begin() + "'";
    }
    if (m_profile.fallback && m_fallbacks.empty()) {
        note += "; thin contexts would be answered by profile " + *m_profile.fallback;
    }
    m_findings.add("ESC-VER-005", m_file, note);
}

} // namespace escprov::validate
