// escprov profile: learn version profiles from real exports, and show what a version writes.

#include "profile/profile.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "profile/learn.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <algorithm>
#include <iomanip>
#include <limits>
#include <map>
#include <ostream>
#include <set>

namespace escprov::commands {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

std::string percent(uint64_t part, uint64_t whole)
{
    if (whole == 0) {
        return "-";
    }
    uint64_t rounded = (part * 100 + whole / 2) / whole;
    if (rounded == 100 && part < whole) {
        rounded = 99; // "100%" must mean every instance
    }
    if (rounded == 0 && part > 0) {
        rounded = 1;
    }
    return std::to_string(rounded) + "%";
}

std::string_view usage_word(profile::Usage usage)
{
    switch (usage) {
    case profile::Usage::always: return "always";
    case profile::Usage::sometimes: return "sometimes";
    case profile::Usage::never: return "never";
    case profile::Usage::unknown: break;
    }
    return "unknown";
}

class ProfileCommand : public cli::Command {
public:
    ProfileCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("output,o", po::value(&m_output), "learn: the folder to write NAME.tsv into (made when absent)")
            ("overrides", po::value(&m_overrides),
                 "learn: the reviewed corrections to carry into the profiles (default: DIR/overrides.tsv when "
                 "it exists)")
            ("overwrite", po::bool_switch(&m_overwrite), "learn: replace profile files that exist")
            ("context", po::value(&m_context),
                 "show: only the contexts whose path starts with PREFIX (e.g. customizations.xml/Entities)")
            ("profiles", po::value(&m_profiles),
                 "show: the folder of profiles (default: ESCPROV_PROFILES, else the project's templates/profiles)");
        positional_options().add_options()
            ("action", po::value(&m_action), "learn or show (the first positional argument)")
            ("argument", po::value(&m_arguments), "the action's arguments (the positional arguments after it)");
        // clang-format on
        m_limits.add_to(options());
        positional().add("action", 1).add("argument", -1);
    }
    std::string_view name() const override { return "profile"; }
    std::string_view synopsis() const override { return "learn what each CRM version writes, and show it"; }
    std::string_view usage() const override
    {
        return "escprov profile learn PATH... -o DIR [--overrides FILE] [--overwrite]\n"
               "       escprov profile show VERSION [--context PREFIX] [--profiles DIR]";
    }
    std::string_view description() const override
    {
        return "A version profile is the vocabulary one CRM version writes in solution.xml and\n"
               "customizations.xml, learned from real exports: for every element path, how many instances\n"
               "were seen, which child elements and XML attributes they use and how often, their order,\n"
               "and the usual text of short values (docs/profile.md).\n"
               "learn reads every export at or below each PATH (solution zips, SolutionPackager folders,\n"
               "folders holding solution.xml and customizations.xml), sorts each into the profile of the\n"
               "version it was exported for (5.0, 6.0, 7.0, 8.0, 8.2, 9.0, 9.2), and writes DIR/NAME.tsv\n"
               "for each, atomically; existing files are replaced only with --overwrite (else exit 1,\n"
               "nothing written). Overrides that the data contradicts are reported as warnings.\n"
               "show prints what VERSION (e.g. 8.2, 6.1) writes: per element path, its child elements and\n"
               "attributes as always, sometimes (with the share of instances) or never, where neighbouring\n"
               "versions write them.";
    }

    ExitCode run(cli::Context& context) override { return m_action == "learn" ? learn(context) : show(context); }

protected:
    void check_options() override
    {
        if (m_action.empty()) {
            throw_usage("profile: missing ACTION (learn or show)");
        }
        if (m_action != "learn" && m_action != "show") {
            throw_usage("profile: the action must be learn or show, not '" + m_action + "'");
        }
        if (m_action == "learn") {
            if (m_arguments.empty()) {
                throw_usage("profile learn: missing PATH (the exports to learn from)");
            }
            if (m_output.empty()) {
                throw_usage("profile learn: -o is required (the folder to write the profiles into)");
            }
            if (!m_context.empty() || !m_profiles.empty()) {
                throw_usage("profile learn: --context and --profiles belong to show");
            }
        } else {
            if (m_arguments.empty()) {
                throw_usage("profile show: missing VERSION (e.g. 9.2)");
            }
            if (m_arguments.size() > 1) {
                throw_usage("profile show: unexpected argument '" + m_arguments[1] + "' (see escprov profile --help)");
            }
            if (!solution::parse_crm_version(m_arguments[0])) {
                throw_usage("profile show: VERSION must be a CRM version such as 9.2, not '" + m_arguments[0] + "'");
            }
            if (!m_output.empty() || !m_overrides.empty() || m_overwrite) {
                throw_usage("profile show: -o, --overrides and --overwrite belong to learn");
            }
        }
    }

private:
    ExitCode learn(cli::Context& context)
    {
        if (verbose()) {
            describe_options(context.err);
        }
        fs::path output = m_output;
        std::vector<profile::OverrideRule> overrides;
        fs::path overrides_file = m_overrides.empty() ? output / "overrides.tsv" : fs::path(m_overrides);
        std::error_code error;
        if (!m_overrides.empty() || fs::is_regular_file(overrides_file, error)) {
            overrides = profile::read_overrides(overrides_file);
        }
        profile::Learner learner(m_limits.limits());
        size_t learned = 0;
        for (const auto& path : m_arguments) {
            profile::FoundExports found = profile::find_exports(path);
            for (const auto& skipped : found.skipped) {
                context.err << "escprov: note: skipped " << skipped << "\n";
            }
            for (const auto& input : found.exports) {
                check_interrupted();
                std::string into = learner.add(input);
                ++learned;
                if (verbose()) {
                    context.err << "  " << input.label << " -> " << into << "\n";
                }
            }
        }
        if (learned == 0) {
            throw_input("profile learn: no solution export found in the paths given");
        }
        std::vector<profile::Profile> profiles = learner.profiles(overrides);
        for (const auto& note : profile::contradicted_overrides(profiles)) {
            context.err << "escprov: warning: override contradicted by the data: " << note << "\n";
        }
        fs::create_directories(output, error);
        if (error) {
            throw_output("profile learn: cannot make " + quoted(output) + ": " + error.message());
        }
        if (!m_overwrite) {
            for (const auto& profile : profiles) {
                fs::path file = output / (profile.name + ".tsv");
                if (fs::exists(file, error)) {
                    throw_output("write " + quoted(file) +
                                 ": the file exists; nothing was written (pass --overwrite to replace the profiles)");
                }
            }
        }
        for (const auto& profile : profiles) {
            fs::path file = output / (profile.name + ".tsv");
            write_file_atomic(file, profile::format_profile(profile),
                              m_overwrite ? AtomicFile::Overwrite::yes : AtomicFile::Overwrite::no);
            size_t thin = std::count_if(profile.contexts.begin(), profile.contexts.end(), [](const auto& item) {
                return item.second.instances < profile::k_min_instances;
            });
            context.out << std::left << std::setw(5) << profile.name << counted(profile.sources.size(), "export")
                        << ", " << counted(profile.contexts.size(), "context") << " (" << thin << " thin) -> "
                        << file.string() << "\n";
        }
        return ExitCode::ok;
    }

    ExitCode show(cli::Context& context)
    {
        profile::Profiles profiles =
            m_profiles.empty() ? profile::Profiles::load_default() : profile::Profiles::load(m_profiles);
        auto version = solution::parse_crm_version(m_arguments[0]);
        const profile::Profile* shown = profiles.for_version(*version);
        if (shown == nullptr) {
            throw_input("profile show: no profile covers CRM " + version->text);
        }
        context.out << "CRM " << version->text << ": profile " << shown->name << " (covers " << shown->first << " to "
                    << shown->last << "), learned from " << counted(shown->sources.size(), "export") << "\n";
        if (shown->fallback) {
            context.out << "Thin contexts (fewer than " << profile::k_min_instances << " instances) are answered by "
                        << *shown->fallback << ": " << shown->fallback_reason << "\n";
        }
        std::vector<const profile::Profile*> neighbours = neighbours_of(profiles, *shown);
        std::set<std::string> paths;
        for (const auto& [path, found] : shown->contexts) {
            paths.insert(path);
        }
        for (const auto& fix : shown->overrides) {
            paths.insert(fix.path);
        }
        size_t listed = 0;
        for (const auto& path : paths) {
            if (!path.starts_with(m_context)) {
                continue;
            }
            ++listed;
            show_context(context.out, profiles, *shown, neighbours, path);
        }
        if (listed == 0) {
            context.out << "\nNo context starts with '" << m_context << "'.\n";
        }
        return ExitCode::ok;
    }

    // The profiles just before and after `shown` in version order (all() is in that order).
    static std::vector<const profile::Profile*> neighbours_of(const profile::Profiles& profiles,
                                                              const profile::Profile& shown)
    {
        const auto& all = profiles.all();
        std::vector<const profile::Profile*> result;
        for (size_t i = 0; i < all.size(); ++i) {
            if (&all[i] == &shown) {
                if (i > 0) {
                    result.push_back(&all[i - 1]);
                }
                if (i + 1 < all.size()) {
                    result.push_back(&all[i + 1]);
                }
            }
        }
        return result;
    }

    static void show_context(std::ostream& out, const profile::Profiles& profiles, const profile::Profile& shown,
                             const std::vector<const profile::Profile*>& neighbours, const std::string& path)
    {
        auto own = shown.contexts.find(path);
        uint64_t own_instances = own == shown.contexts.end() ? 0 : own->second.instances;
        std::string from;
        const profile::Context* answer = profiles.context(shown, path, &from);
        out << "\n" << path << "  (" << counted(own_instances, "instance");
        if (profile::is_opaque(path)) {
            out << "; opaque: its content is not profiled";
        }
        if (answer == nullptr) {
            out << "; thin, and no fallback has enough: unknown";
        } else if (answer != (own == shown.contexts.end() ? nullptr : &own->second)) {
            out << "; thin: answered by " << from << ", " << counted(answer->instances, "instance");
        }
        out << ")\n";
        auto line = [&out](std::string_view kind, const std::string& name, const std::string& how) {
            out << "  " << std::left << std::setw(10) << kind << std::setw(40) << name << how << "\n";
        };
        for (std::string_view kind : {"element", "attribute"}) {
            std::vector<std::pair<size_t, std::string>> names;
            if (answer != nullptr) {
                const auto& counts = kind == "element" ? answer->elements : answer->attributes;
                for (const auto& [name, present] : counts) {
                    auto rank = answer->rank.find(name);
                    names.emplace_back(kind == "element" && rank != answer->rank.end() ? rank->second : 0, name);
                }
            }
            std::set<std::string> known;
            for (const auto& item : names) {
                known.insert(item.second);
            }
            for (const auto& fix : shown.overrides) {
                if (fix.path == path && fix.kind == kind && known.insert(fix.name).second) {
                    names.emplace_back(std::numeric_limits<size_t>::max(), fix.name);
                }
            }
            std::sort(names.begin(), names.end());
            for (const auto& [rank, name] : names) {
                profile::Usage usage = profiles.usage(shown, path, kind, name);
                std::string how(usage_word(usage));
                const auto& counts = kind == "element" ? answer->elements : answer->attributes;
                auto count = counts.find(name);
                if (usage == profile::Usage::sometimes && count != counts.end()) {
                    // A name only an override gives has no share to show.
                    how += " " + percent(count->second, answer->instances);
                }
                for (const auto& fix : shown.overrides) {
                    if (fix.path == path && fix.kind == kind && fix.name == name) {
                        how += "  (override: " + fix.reason + ")";
                    }
                }
                line(kind, name, how);
            }
            // Names a neighbouring version writes here that this one never does.
            std::map<std::string, std::string> elsewhere;
            for (const auto* neighbour : neighbours) {
                const profile::Context* there = profiles.context(*neighbour, path);
                if (there == nullptr) {
                    continue;
                }
                const auto& counts = kind == "element" ? there->elements : there->attributes;
                for (const auto& [name, present] : counts) {
                    if (!known.contains(name)) {
                        std::string& note = elsewhere[name];
                        note += (note.empty() ? "" : ", ") + neighbour->name + " " + percent(present, there->instances);
                    }
                }
            }
            for (const auto& [name, note] : elsewhere) {
                line(kind, name, std::string(usage_word(profiles.usage(shown, path, kind, name))) + " (" + note + ")");
            }
        }
        if (answer != nullptr && answer->value) {
            out << "  value     '" << answer->value->second << "' in " << answer->value->first << " of "
                << counted(answer->instances, "instance") << "\n";
        }
        if (answer != nullptr) {
            for (const auto& [a, b] : answer->swapped) {
                out << "  order     " << a << " and " << b << " are seen in both orders\n";
            }
        }
    }

    std::string m_action;
    std::vector<std::string> m_arguments;
    std::string m_output;
    std::string m_overrides;
    bool m_overwrite = false;
    std::string m_context;
    std::string m_profiles;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_profile()
{
    return std::make_unique<ProfileCommand>();
}

} // namespace escprov::commands
