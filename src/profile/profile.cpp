#include "profile/profile.hpp"

#include "build_info.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <tuple>

namespace escprov::profile {

namespace {

// Elements whose content has a vocabulary of its own, open or user-defined, that says nothing
// about what a CRM version's solution import accepts (docs/profile.md lists them with examples):
// - RibbonDiffXml: ribbon definitions (RibbonCore schema), ids and labels chosen by the author;
// - fetchxml / FetchXml: FetchXML queries, whose elements and attributes follow the entities queried;
// - datadescription / presentationdescription: chart definitions (the chart control's own XML);
// - IsvConfig: the CRM 4 / 2011 ISV configuration (its own isv.config schema);
// - ControlDescriptionXML: a custom control's default configuration (parameters named by the control);
// - presentationxml / subjectpresentationxml: an e-mail template's rendered body.
// Workflow XAML and custom control manifests are parts of their own (Workflows/*.xaml,
// Controls/*/ControlManifest.xml), never in customizations.xml, so the learner never sees them.
constexpr std::string_view k_opaque_names[] = {
    "ControlDescriptionXML",   "FetchXml",        "IsvConfig",
    "RibbonDiffXml",           "datadescription", "fetchxml",
    "presentationdescription", "presentationxml", "subjectpresentationxml",
};

// Parent and child names of opaque elements that are known only by where they stand: a form
// control's <parameters> (and a custom control's) are named by the control, not by CRM.
constexpr std::pair<std::string_view, std::string_view> k_opaque_children[] = {
    {"control", "parameters"},
    {"customControl", "parameters"},
};

std::string_view last_segment(std::string_view path)
{
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view parent_of(std::string_view path)
{
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// Splits a row at tabs.
std::vector<std::string_view> split_tabs(std::string_view line)
{
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (true) {
        size_t tab = line.find('\t', start);
        if (tab == std::string_view::npos) {
            fields.push_back(line.substr(start));
            return fields;
        }
        fields.push_back(line.substr(start, tab - start));
        start = tab + 1;
    }
}

// The lines of a file with their numbers, without line ends (LF or CRLF).
template <typename Visit> void for_each_line(const std::filesystem::path& file, Visit visit)
{
    std::string text = read_file(file);
    size_t line_number = 0;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::string_view line(text.data() + start, end - start);
        if (line.ends_with('\r')) {
            line.remove_suffix(1);
        }
        ++line_number;
        visit(line, line_number);
        start = end + 1;
    }
}

// A row-reading failure at file:line.
[[noreturn]] void throw_row(const std::filesystem::path& file, size_t line, const std::string& cause)
{
    throw_input("read profile " + quoted(std::filesystem::path(file.string() + ":" + std::to_string(line))) + ": " +
                cause);
}

uint64_t parse_count(std::string_view text, const std::filesystem::path& file, size_t line, std::string_view what)
{
    uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        throw_row(file, line, std::string(what) + " must be a whole number, not '" + std::string(text) + "'");
    }
    return value;
}

// "6.1" -> (6, 1); nullopt when it is not major.minor.
std::optional<std::pair<int, int>> parse_major_minor(std::string_view text)
{
    auto dot = text.find('.');
    if (dot == std::string_view::npos) {
        return std::nullopt;
    }
    int major = 0;
    int minor = 0;
    auto [major_end, major_error] = std::from_chars(text.data(), text.data() + dot, major);
    auto [minor_end, minor_error] = std::from_chars(text.data() + dot + 1, text.data() + text.size(), minor);
    if (major_error != std::errc() || major_end != text.data() + dot || minor_error != std::errc() ||
        minor_end != text.data() + text.size() || dot == 0 || dot + 1 == text.size()) {
        return std::nullopt;
    }
    return std::make_pair(major, minor);
}

// True when LAST is "*", "M.*" or major.minor.
bool is_range_end(std::string_view text)
{
    if (text == "*") {
        return true;
    }
    if (text.ends_with(".*")) {
        int major = 0;
        std::string_view digits = text.substr(0, text.size() - 2);
        auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), major);
        return !digits.empty() && error == std::errc() && end == digits.data() + digits.size();
    }
    return parse_major_minor(text).has_value();
}

bool covers(const Profile& profile, const solution::CrmVersion& target)
{
    auto first = parse_major_minor(profile.first);
    if (!first || std::make_pair(target.major, target.minor) < *first) {
        return false;
    }
    if (profile.last == "*") {
        return true;
    }
    if (profile.last.ends_with(".*")) {
        return target.major <= std::atoi(profile.last.c_str());
    }
    auto last = parse_major_minor(profile.last);
    return last && std::make_pair(target.major, target.minor) <= *last;
}

// Reads the override fields (PATH KIND NAME WHAT REASON) of a row.
Override read_override_fields(const std::vector<std::string_view>& fields, size_t first,
                              const std::filesystem::path& file, size_t line)
{
    Override fix{std::string(fields[first]), std::string(fields[first + 1]), std::string(fields[first + 2]),
                 std::string(fields[first + 3]), std::string(fields[first + 4])};
    if (fix.kind != "element" && fix.kind != "attribute") {
        throw_row(file, line, "an override's KIND must be element or attribute, not '" + fix.kind + "'");
    }
    if (fix.what != "never" && fix.what != "always" && fix.what != "sometimes") {
        throw_row(file, line, "an override's WHAT must be never, always or sometimes, not '" + fix.what + "'");
    }
    if (fix.reason.empty()) {
        throw_row(file, line, "an override needs a REASON: say why the learned data is wrong or thin");
    }
    return fix;
}

struct RowShape {
    std::string_view kind;
    size_t fields; // after the kind
    std::string_view names;
};

constexpr RowShape k_rows[] = {
    {"profile", 1, "NAME"},
    {"covers", 2, "FIRST LAST"},
    {"fallback", 2, "NAME REASON"},
    {"source", 3, "VERSION MANAGED LABEL"},
    {"context", 2, "PATH INSTANCES"},
    {"element", 4, "PATH NAME PRESENT RANK"},
    {"attribute", 3, "PATH NAME PRESENT"},
    {"value", 3, "PATH COUNT TEXT"},
    {"swapped", 3, "PATH A B"},
    {"override", 5, "PATH KIND NAME WHAT REASON"},
};

const Override* find_override(const Profile& profile, std::string_view path, std::string_view kind,
                              std::string_view name)
{
    std::string_view plain = plain_path(path);
    for (const auto& fix : profile.overrides) {
        if ((fix.path == path || fix.path == plain) && fix.kind == kind && fix.name == name) {
            return &fix;
        }
    }
    return nullptr;
}

} // namespace

std::vector<OverrideRule> read_overrides(const std::filesystem::path& file)
{
    std::vector<OverrideRule> rules;
    for_each_line(file, [&](std::string_view line, size_t number) {
        if (line.empty() || line.starts_with('#')) {
            return;
        }
        auto fields = split_tabs(line);
        if (fields[0] != "override") {
            throw_row(file, number, "overrides.tsv holds only override rows, not '" + std::string(fields[0]) + "'");
        }
        if (fields.size() != 7) {
            throw_row(file, number,
                      "an override row needs 6 fields (PROFILES PATH KIND NAME WHAT REASON), found " +
                          std::to_string(fields.size() - 1));
        }
        OverrideRule rule;
        std::string_view profiles = fields[1];
        size_t start = 0;
        while (start <= profiles.size()) {
            size_t comma = profiles.find(',', start);
            std::string_view name = profiles.substr(start, comma == std::string_view::npos ? comma : comma - start);
            if (name.empty()) {
                throw_row(file, number,
                          "PROFILES must be profile names separated by commas, not '" + std::string(profiles) + "'");
            }
            rule.profiles.emplace_back(name);
            if (comma == std::string_view::npos) {
                break;
            }
            start = comma + 1;
        }
        rule.fix = read_override_fields(fields, 2, file, number);
        rules.push_back(std::move(rule));
    });
    return rules;
}

Profile read_profile(const std::filesystem::path& file)
{
    Profile profile;
    bool named = false;
    bool covered = false;
    for_each_line(file, [&](std::string_view line, size_t number) {
        if (line.empty() || line.starts_with('#')) {
            return;
        }
        auto fields = split_tabs(line);
        const RowShape* shape = nullptr;
        for (const auto& candidate : k_rows) {
            if (candidate.kind == fields[0]) {
                shape = &candidate;
            }
        }
        if (shape == nullptr) {
            throw_row(file, number, "unknown row kind '" + std::string(fields[0]) + "'");
        }
        if (fields.size() != shape->fields + 1) {
            throw_row(file, number,
                      "a " + std::string(shape->kind) + " row needs " + std::to_string(shape->fields) + " fields (" +
                          std::string(shape->names) + "), found " + std::to_string(fields.size() - 1));
        }
        for (size_t i = 1; i < fields.size(); ++i) {
            if (fields[i].empty()) {
                throw_row(file, number,
                          "field " + std::to_string(i) + " of a " + std::string(shape->kind) + " row is empty");
            }
        }
        std::string_view kind = fields[0];
        if (kind != "profile" && !named) {
            throw_row(file, number, "the first row must be the profile row naming the profile");
        }
        if (kind == "profile") {
            if (named) {
                throw_row(file, number, "a second profile row");
            }
            named = true;
            profile.name = fields[1];
        } else if (kind == "covers") {
            if (!parse_major_minor(fields[1]) || !is_range_end(fields[2])) {
                throw_row(file, number, "covers needs FIRST as major.minor and LAST as major.minor, M.* or *");
            }
            profile.first = fields[1];
            profile.last = fields[2];
            covered = true;
        } else if (kind == "fallback") {
            profile.fallback = std::string(fields[1]);
            profile.fallback_reason = fields[2];
        } else if (kind == "source") {
            profile.sources.push_back({std::string(fields[1]), std::string(fields[2]), std::string(fields[3])});
        } else if (kind == "context") {
            auto [at, inserted] = profile.contexts.try_emplace(std::string(fields[1]));
            if (!inserted) {
                throw_row(file, number, "a second context row for '" + std::string(fields[1]) + "'");
            }
            at->second.instances = parse_count(fields[2], file, number, "INSTANCES");
        } else if (kind == "override") {
            profile.overrides.push_back(read_override_fields(fields, 1, file, number));
        } else {
            auto found = profile.contexts.find(fields[1]);
            if (found == profile.contexts.end()) {
                throw_row(file, number,
                          "a " + std::string(kind) + " row for '" + std::string(fields[1]) +
                              "' before its context row");
            }
            Context& context = found->second;
            if (kind == "element" || kind == "attribute") {
                uint64_t present = parse_count(fields[3], file, number, "PRESENT");
                if (present > context.instances) {
                    throw_row(file, number,
                              "PRESENT " + std::to_string(present) + " is more than the context's " +
                                  std::to_string(context.instances) + " instances");
                }
                auto& counts = kind == "element" ? context.elements : context.attributes;
                if (!counts.emplace(std::string(fields[2]), present).second) {
                    throw_row(file, number,
                              "a second " + std::string(kind) + " row for '" + std::string(fields[2]) + "'");
                }
                if (kind == "element") {
                    context.rank[std::string(fields[2])] = parse_count(fields[4], file, number, "RANK");
                }
            } else if (kind == "value") {
                if (context.value) {
                    throw_row(file, number, "a second value row for '" + std::string(fields[1]) + "'");
                }
                context.value = std::make_pair(parse_count(fields[2], file, number, "COUNT"), std::string(fields[3]));
            } else {
                if (!(fields[2] < fields[3])) {
                    throw_row(file, number, "a swapped pair must be in name order (A < B)");
                }
                context.swapped.emplace(std::string(fields[2]), std::string(fields[3]));
            }
        }
    });
    if (!named) {
        throw_input("read profile " + quoted(file) + ": no profile row (is it empty?)");
    }
    if (!covered) {
        throw_input("read profile " + quoted(file) + ": no covers row saying which versions it answers for");
    }
    return profile;
}

std::string format_profile(const Profile& profile)
{
    std::ostringstream out;
    out << "# escprov version profile: what CRM " << profile.name
        << " writes, learned from real exports (escprov profile learn; docs/profile.md).\n";
    out << "profile\t" << profile.name << "\n";
    out << "covers\t" << profile.first << "\t" << profile.last << "\n";
    if (profile.fallback) {
        out << "fallback\t" << *profile.fallback << "\t" << profile.fallback_reason << "\n";
    }
    size_t thin = 0;
    for (const auto& [path, context] : profile.contexts) {
        thin += context.instances < k_min_instances ? 1 : 0;
    }
    out << "# evidence: " << counted(profile.sources.size(), "export") << ", "
        << counted(profile.contexts.size(), "context") << "; " << thin << " thin (fewer than " << k_min_instances
        << " instances)" << (profile.fallback ? ", answered by " + *profile.fallback + " instead" : std::string())
        << ".\n";
    static constexpr std::pair<std::string_view, std::string_view> key_contexts[] = {
        {"Entity", "customizations.xml/Entities/Entity"},
        {"entity metadata", "customizations.xml/Entities/Entity/EntityInfo/entity[type=full]"},
        {"attribute", "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute"},
        {"form", "customizations.xml/Entities/Entity/FormXml/forms/systemform"},
        {"view", "customizations.xml/Entities/Entity/SavedQueries/savedqueries/savedquery"},
        {"relationship", "customizations.xml/EntityRelationships/EntityRelationship"},
        {"relationship role",
         "customizations.xml/EntityRelationships/EntityRelationship/EntityRelationshipRoles/EntityRelationshipRole"},
        {"option set", "customizations.xml/optionsets/optionset"},
        {"web resource", "customizations.xml/WebResources/WebResource"},
        {"root component", "solution.xml/SolutionManifest/RootComponents/RootComponent"},
    };
    out << "# instances:";
    for (const auto& [label, path] : key_contexts) {
        auto found = profile.contexts.find(path);
        out << (label == key_contexts[0].first ? " " : ", ") << label << " "
            << (found == profile.contexts.end() ? 0 : found->second.instances);
    }
    out << ".\n";
    if (profile.sources.size() < 5) {
        out << "# weak: only " << counted(profile.sources.size(), "export")
            << " of this version; trust its thin contexts least and read overrides below.\n";
    }
    std::vector<Source> sources = profile.sources;
    std::sort(sources.begin(), sources.end(), [](const Source& a, const Source& b) {
        return std::tie(a.label, a.version, a.managed) < std::tie(b.label, b.version, b.managed);
    });
    for (const auto& source : sources) {
        out << "source\t" << source.version << "\t" << source.managed << "\t" << source.label << "\n";
    }
    for (const auto& [path, context] : profile.contexts) {
        out << "context\t" << path << "\t" << context.instances << "\n";
        std::vector<std::pair<size_t, std::string>> ranked;
        for (const auto& [name, present] : context.elements) {
            auto rank = context.rank.find(name);
            ranked.emplace_back(rank == context.rank.end() ? context.rank.size() : rank->second, name);
        }
        std::sort(ranked.begin(), ranked.end());
        for (const auto& [rank, name] : ranked) {
            out << "element\t" << path << "\t" << name << "\t" << context.elements.find(name)->second << "\t" << rank
                << "\n";
        }
        for (const auto& [name, present] : context.attributes) {
            out << "attribute\t" << path << "\t" << name << "\t" << present << "\n";
        }
        if (context.value) {
            out << "value\t" << path << "\t" << context.value->first << "\t" << context.value->second << "\n";
        }
        for (const auto& [a, b] : context.swapped) {
            out << "swapped\t" << path << "\t" << a << "\t" << b << "\n";
        }
    }
    std::vector<Override> overrides = profile.overrides;
    std::sort(overrides.begin(), overrides.end(), [](const Override& a, const Override& b) {
        return std::tie(a.path, a.kind, a.name, a.what) < std::tie(b.path, b.kind, b.name, b.what);
    });
    for (const auto& fix : overrides) {
        out << "override\t" << fix.path << "\t" << fix.kind << "\t" << fix.name << "\t" << fix.what << "\t"
            << fix.reason << "\n";
    }
    return out.str();
}

void write_profile(const Profile& profile, const std::filesystem::path& file)
{
    write_file_atomic(file, format_profile(profile), AtomicFile::Overwrite::yes);
}

std::string context_path(std::string_view parent, std::string_view child)
{
    std::string path(plain_path(parent));
    path += '/';
    path += child;
    return path;
}

std::string qualified_path(std::string_view path, std::string_view type)
{
    std::string qualified(path);
    qualified += "[type=";
    qualified += type;
    qualified += ']';
    return qualified;
}

std::string_view plain_path(std::string_view path)
{
    if (!path.ends_with(']')) {
        return path;
    }
    auto open = path.rfind("[type=");
    auto slash = path.rfind('/');
    if (open == std::string_view::npos || (slash != std::string_view::npos && slash > open)) {
        return path;
    }
    return path.substr(0, open);
}

bool is_opaque(std::string_view path)
{
    std::string_view plain = plain_path(path);
    std::string_view name = last_segment(plain);
    if (std::find(std::begin(k_opaque_names), std::end(k_opaque_names), name) != std::end(k_opaque_names)) {
        return true;
    }
    std::string_view parent = last_segment(parent_of(plain));
    return std::find(std::begin(k_opaque_children), std::end(k_opaque_children), std::make_pair(parent, name)) !=
           std::end(k_opaque_children);
}

bool is_inside_opaque(std::string_view path)
{
    std::string_view ancestor = parent_of(path);
    while (!ancestor.empty()) {
        if (is_opaque(ancestor)) {
            return true;
        }
        ancestor = parent_of(ancestor);
    }
    return false;
}

Profiles Profiles::load(const std::filesystem::path& dir)
{
    std::error_code error;
    if (!std::filesystem::is_directory(dir, error)) {
        throw_input("load profiles " + quoted(dir) + ": no such folder");
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const auto& path = entry.path();
        if (entry.is_regular_file() && path.extension() == ".tsv" && path.filename() != "overrides.tsv") {
            files.push_back(path);
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        throw_input("load profiles " + quoted(dir) + ": the folder holds no profile (*.tsv)");
    }
    Profiles profiles;
    for (const auto& file : files) {
        Profile profile = read_profile(file);
        if (profile.name != file.stem().string()) {
            throw_input("load profiles: " + quoted(file) + " names profile '" + profile.name + "', not '" +
                        file.stem().string() + "'");
        }
        profiles.m_profiles.push_back(std::move(profile));
    }
    std::stable_sort(profiles.m_profiles.begin(), profiles.m_profiles.end(), [](const Profile& a, const Profile& b) {
        return parse_major_minor(a.first) < parse_major_minor(b.first);
    });
    for (const auto& profile : profiles.m_profiles) {
        if (profile.fallback && profiles.named(*profile.fallback) == nullptr) {
            throw_input("load profiles " + quoted(dir) + ": profile " + profile.name + " falls back to '" +
                        *profile.fallback + "', which is not there");
        }
    }
    return profiles;
}

Profiles Profiles::load_default()
{
    if (const char* from_environment = std::getenv("ESCPROV_PROFILES");
        from_environment != nullptr && *from_environment != '\0') {
        return load(from_environment);
    }
    return load(std::filesystem::path(k_source_dir) / "templates" / "profiles");
}

const Profile* Profiles::for_version(const solution::CrmVersion& target) const
{
    for (const auto& profile : m_profiles) {
        if (covers(profile, target)) {
            return &profile;
        }
    }
    return nullptr;
}

const Profile* Profiles::named(std::string_view name) const
{
    for (const auto& profile : m_profiles) {
        if (profile.name == name) {
            return &profile;
        }
    }
    return nullptr;
}

const Context* Profiles::context(const Profile& profile, std::string_view path, std::string* from) const
{
    std::string_view plain = plain_path(path);
    std::vector<std::string_view> visited;
    const Profile* current = &profile;
    while (current != nullptr) {
        if (std::find(visited.begin(), visited.end(), current->name) != visited.end()) {
            break; // a fallback cycle: every profile on it was asked
        }
        visited.push_back(current->name);
        for (std::string_view candidate : {path, plain}) {
            auto found = current->contexts.find(candidate);
            if (found != current->contexts.end() && found->second.instances >= k_min_instances) {
                if (from != nullptr) {
                    *from = current->name;
                }
                return &found->second;
            }
        }
        current = current->fallback ? named(*current->fallback) : nullptr;
    }
    return nullptr;
}

Usage Profiles::usage(const Profile& profile, std::string_view path, std::string_view kind, std::string_view name) const
{
    if (const Override* fix = find_override(profile, path, kind, name)) {
        return fix->what == "never" ? Usage::never : fix->what == "always" ? Usage::always : Usage::sometimes;
    }
    if (kind == "element" && is_opaque(path)) {
        return Usage::unknown;
    }
    if (kind == "attribute" && (name == "solutionaction" || name == "ordinalvalue")) {
        // The marks of a managed difference, written by every version on the nodes a solution
        // changes in a component it does not own: a corpus without such a difference for a
        // version says nothing about them, and a full component never has them.
        return Usage::sometimes;
    }
    // The profile's own instances, however few: a name they show is written by this version, and
    // an instance without it shows the name is not always there.
    uint64_t own_present = present_in(profile, path, kind, name);
    uint64_t own_instances = instances_in(profile, path);
    const Context* found = context(profile, path);
    if (found == nullptr) {
        return own_present > 0 ? Usage::sometimes : Usage::unknown;
    }
    const auto& counts = kind == "element" ? found->elements : found->attributes;
    auto count = counts.find(name);
    uint64_t present = count == counts.end() ? 0 : count->second;
    if (present == 0) {
        if (own_present > 0 || written_before_and_after(profile, path, kind, name) ||
            absence_is_chance(profile, path, kind, name, found->instances)) {
            return Usage::sometimes;
        }
        return Usage::never;
    }
    if (present >= found->instances && own_present >= own_instances) {
        return Usage::always;
    }
    return Usage::sometimes;
}

uint64_t Profiles::present_in(const Profile& profile, std::string_view path, std::string_view kind,
                              std::string_view name) const
{
    auto found = profile.contexts.find(path);
    if (found == profile.contexts.end()) {
        return 0;
    }
    const auto& counts = kind == "element" ? found->second.elements : found->second.attributes;
    auto count = counts.find(name);
    return count == counts.end() ? 0 : count->second;
}

uint64_t Profiles::instances_in(const Profile& profile, std::string_view path) const
{
    auto found = profile.contexts.find(path);
    return found == profile.contexts.end() ? 0 : found->second.instances;
}

bool Profiles::written_before_and_after(const Profile& profile, std::string_view path, std::string_view kind,
                                        std::string_view name) const
{
    bool before = false;
    bool after = false;
    bool passed = false;
    for (const auto& other : m_profiles) { // in version order
        if (other.name == profile.name) {
            passed = true;
        } else if (present_in(other, path, kind, name) > 0) {
            (passed ? after : before) = true;
        }
    }
    return before && after;
}

bool Profiles::seen_both_ways(std::string_view path, const std::pair<std::string, std::string>& pair) const
{
    // An entity attribute's order is judged in its typed context: either that or the plain one
    // counts.
    auto swapped_at = [&](const Profile& other, std::string_view at) {
        auto found = other.contexts.find(at);
        return found != other.contexts.end() && found->second.swapped.contains(pair);
    };
    return std::any_of(m_profiles.begin(), m_profiles.end(), [&](const Profile& other) {
        return swapped_at(other, path) || swapped_at(other, plain_path(path));
    });
}

bool Profiles::absence_is_chance(const Profile& profile, std::string_view path, std::string_view kind,
                                 std::string_view name, uint64_t instances) const
{
    // A neighbour writing the name in a share p of its instances would leave it out of n instances
    // with probability (1-p)^n; above 5% the absence says nothing about what this version accepts.
    // n counts this version's instances and those of every version beyond it, away from the
    // neighbour, that lacks the name too: a name first written by 9.0 is judged on all of 5.0-8.2.
    constexpr double k_chance = 0.05;
    auto at = static_cast<ptrdiff_t>(std::find_if(m_profiles.begin(), m_profiles.end(),
                                                  [&](const Profile& other) { return other.name == profile.name; }) -
                                     m_profiles.begin());
    auto count = static_cast<ptrdiff_t>(m_profiles.size());
    for (ptrdiff_t step : {ptrdiff_t{-1}, ptrdiff_t{1}}) {
        ptrdiff_t neighbour = at + step;
        if (at >= count || neighbour < 0 || neighbour >= count) {
            continue;
        }
        uint64_t total = instances_in(m_profiles[neighbour], path);
        uint64_t present = present_in(m_profiles[neighbour], path, kind, name);
        if (total == 0 || present == 0) {
            continue;
        }
        uint64_t lacking = instances;
        for (ptrdiff_t other = at - step; other >= 0 && other < count; other -= step) {
            if (present_in(m_profiles[other], path, kind, name) > 0) {
                break;
            }
            lacking += instances_in(m_profiles[other], path);
        }
        double share = static_cast<double>(present) / static_cast<double>(total);
        if (std::pow(1.0 - share, static_cast<double>(lacking)) > k_chance) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> Profiles::always_elements(const Profile& profile, std::string_view path) const
{
    std::vector<std::pair<size_t, std::string>> ranked;
    const Context* found = is_opaque(path) ? nullptr : context(profile, path);
    auto rank_of = [found](const std::string& name) {
        if (found == nullptr) {
            return std::numeric_limits<size_t>::max();
        }
        auto rank = found->rank.find(name);
        return rank == found->rank.end() ? std::numeric_limits<size_t>::max() : rank->second;
    };
    if (found != nullptr) {
        for (const auto& [name, present] : found->elements) {
            if (present >= found->instances && found->instances > 0 &&
                usage(profile, path, "element", name) == Usage::always) {
                ranked.emplace_back(rank_of(name), name);
            }
        }
    }
    std::string_view plain = plain_path(path);
    for (const auto& fix : profile.overrides) {
        if ((fix.path == path || fix.path == plain) && fix.kind == "element" && fix.what == "always" &&
            std::none_of(ranked.begin(), ranked.end(), [&fix](const auto& item) { return item.second == fix.name; })) {
            ranked.emplace_back(rank_of(fix.name), fix.name);
        }
    }
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::string> names;
    names.reserve(ranked.size());
    for (auto& [rank, name] : ranked) {
        names.push_back(std::move(name));
    }
    return names;
}

} // namespace escprov::profile
