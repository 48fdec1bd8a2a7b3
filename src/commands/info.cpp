// escprov info: what a solution is and holds, as text or JSON.

#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "pack/input.hpp"
#include "solution/census.hpp"
#include "solution/input.hpp"
#include "solution/schema.hpp"

#include <boost/program_options/value_semantic.hpp>
#include <nlohmann/json.hpp>

#include <iomanip>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

std::string managed_label(const solution::Manifest& manifest)
{
    if (!manifest.managed) {
        return manifest.managed_text.empty() ? "unknown (no <Managed>)" : "unknown ('" + manifest.managed_text + "')";
    }
    switch (*manifest.managed) {
    case 0: return "unmanaged";
    case 1: return "managed";
    case 2: return "both (unpacked from managed and unmanaged exports)";
    default: return "unknown (" + manifest.managed_text + ")";
    }
}

std::string behavior_label(const std::optional<int>& behavior)
{
    if (!behavior) {
        return "";
    }
    switch (*behavior) {
    case 0: return "include subcomponents";
    case 1: return "do not include subcomponents";
    case 2: return "shell only";
    default: return "behavior " + std::to_string(*behavior);
    }
}

class InfoCommand : public cli::Command {
public:
    InfoCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("format", po::value(&m_format)->default_value("text"), "output format: text or json");
        positional_options().add_options()
            ("solution", po::value(&m_path)->required(), "the solution: zip, unpacked folder, or loose XML");
        // clang-format on
        m_limits.add_to(options());
        positional().add("solution", 1);
    }
    std::string_view name() const override { return "info"; }
    std::string_view synopsis() const override { return "show a solution's name, version, publisher and contents"; }
    std::string_view usage() const override { return "escprov info [OPTIONS] SOLUTION"; }
    std::string_view description() const override
    {
        return "Shows what SOLUTION is: unique name, version, managed or not, publisher (prefix and\n"
               "option-value prefix), the CRM version family it was exported from, component counts by\n"
               "type, root components and missing dependencies. SOLUTION is a solution zip, a folder\n"
               "written by `escprov unpack` or SolutionPackager, or a loose customizations.xml or\n"
               "solution.xml.";
    }

    ExitCode run(cli::Context& context) override
    {
        auto input = pack::open_input(m_path, m_limits.limits());
        std::optional<solution::Manifest> manifest;
        if (input->has_manifest()) {
            manifest = input->read_manifest();
        }
        solution::Census census = solution::take_census(*input);
        if (m_format == "json") {
            context.out << to_json(*input, manifest, census).dump(2) << "\n";
        } else {
            write_text(context.out, manifest, census);
        }
        return ExitCode::ok;
    }

protected:
    void check_options() override
    {
        if (m_format != "text" && m_format != "json") {
            throw_usage("info: --format must be text or json, not '" + m_format + "'");
        }
    }

private:
    static nlohmann::ordered_json to_json(solution::SolutionInput& input,
                                          const std::optional<solution::Manifest>& manifest,
                                          const solution::Census& census)
    {
        nlohmann::ordered_json out;
        out["path"] = input.path().string();
        if (manifest) {
            out["uniqueName"] = manifest->unique_name;
            out["displayName"] = manifest->display_name;
            out["version"] = manifest->solution_version;
            out["managed"] = manifest->managed ? nlohmann::ordered_json(*manifest->managed) : nlohmann::ordered_json();
            out["publisher"] = {{"uniqueName", manifest->publisher.unique_name},
                                {"displayName", manifest->publisher.display_name},
                                {"prefix", manifest->publisher.prefix},
                                {"optionValuePrefix", manifest->publisher.option_value_prefix}};
            auto crm = solution::target_version(*manifest);
            out["crm"] = {{"version", crm ? crm->text : ""},
                          {"family", crm ? std::string(crm->family()) : ""},
                          {"exportedBy", manifest->version},
                          {"solutionPackageVersion", manifest->package_version},
                          {"minimumVersion", manifest->minimum_version},
                          {"generatedBy", manifest->generated_by}};
            auto roots = nlohmann::ordered_json::array();
            for (const auto& root : manifest->root_components) {
                nlohmann::ordered_json item = {{"type", solution::type_code(root.type)},
                                               {"typeName", solution::component_type_name(root.type)}};
                if (!root.schema_name.empty()) {
                    item["schemaName"] = root.schema_name;
                }
                if (!root.id.empty()) {
                    item["id"] = root.id;
                }
                if (root.behavior) {
                    item["behavior"] = *root.behavior;
                }
                roots.push_back(item);
            }
            out["rootComponents"] = roots;
            auto missing = nlohmann::ordered_json::array();
            for (const auto& dependency : manifest->missing_dependencies) {
                missing.push_back({{"required",
                                    {{"type", solution::type_code(dependency.required.type)},
                                     {"schemaName", dependency.required.schema_name},
                                     {"id", dependency.required.id},
                                     {"displayName", dependency.required.display_name},
                                     {"solution", dependency.required.solution}}},
                                   {"dependent",
                                    {{"type", solution::type_code(dependency.dependent.type)},
                                     {"schemaName", dependency.dependent.schema_name},
                                     {"id", dependency.dependent.id},
                                     {"displayName", dependency.dependent.display_name},
                                     {"parentSchemaName", dependency.dependent.parent_schema_name}}}});
            }
            out["missingDependencies"] = missing;
        }
        nlohmann::ordered_json components;
        for (const auto& [section, count] : census.sections) {
            components[section] = count;
        }
        out["components"] = components;
        out["entityParts"] = {{"attributes", census.attributes},
                              {"forms", census.forms},
                              {"views", census.views},
                              {"charts", census.charts}};
        out["entities"] = census.entity_names;
        out["parts"] = input.parts();
        return out;
    }

    static void write_text(std::ostream& out, const std::optional<solution::Manifest>& manifest,
                           const solution::Census& census)
    {
        auto row = [&out](std::string_view label, const std::string& value) {
            out << std::left << std::setw(16) << (std::string(label) + ":") << value << "\n";
        };
        if (manifest) {
            row("Solution", manifest->unique_name +
                                (manifest->display_name.empty() ? "" : " (\"" + manifest->display_name + "\")"));
            row("Version", manifest->solution_version);
            row("Managed", managed_label(*manifest));
            const auto& publisher = manifest->publisher;
            row("Publisher", publisher.unique_name +
                                 (publisher.display_name.empty() ? "" : " (\"" + publisher.display_name + "\")"));
            row("Prefix", publisher.prefix + ", option-value prefix " + publisher.option_value_prefix);
            auto crm = solution::target_version(*manifest);
            std::string source;
            if (!manifest->package_version.empty()) {
                source = "SolutionPackageVersion " + manifest->package_version;
            } else if (!manifest->minimum_version.empty()) {
                source = "minimumversion " + manifest->minimum_version;
            }
            row("CRM version",
                crm ? crm->text + " - " + std::string(crm->family()) +
                          (source.empty() ? "" : " (" + source + "; exported by " + manifest->version + ")")
                    : "unknown");
        } else {
            row("Solution", "(loose customizations.xml: no manifest)");
        }
        out << "Components:\n";
        for (const auto& [section, count] : census.sections) {
            if (count == 0) {
                continue;
            }
            out << "  " << std::left << std::setw(30) << solution::section_label(section) << count << "\n";
            if (section == "Entities") {
                out << "    " << std::setw(28) << "attributes" << census.attributes << "\n"
                    << "    " << std::setw(28) << "forms" << census.forms << "\n"
                    << "    " << std::setw(28) << "views" << census.views << "\n";
                if (census.charts > 0) {
                    out << "    " << std::setw(28) << "charts" << census.charts << "\n";
                }
            }
        }
        if (!manifest) {
            return;
        }
        out << "Root components (" << manifest->root_components.size() << "):\n";
        for (const auto& root : manifest->root_components) {
            std::string behavior = behavior_label(root.behavior);
            // A CRM 2011-2016 org sitemap is listed with neither schemaName nor id.
            std::string key = root.key().empty() && root.type == solution::ComponentType::site_map
                                  ? std::string("(org sitemap)")
                                  : root.key();
            out << "  " << std::left << std::setw(24) << solution::component_type_name(root.type) << key
                << (behavior.empty() ? "" : "  [" + behavior + "]") << "\n";
        }
        out << "Missing dependencies (" << manifest->missing_dependencies.size() << "):\n";
        for (const auto& dependency : manifest->missing_dependencies) {
            const auto& required = dependency.required;
            const auto& dependent = dependency.dependent;
            out << "  " << solution::component_type_name(required.type) << " "
                << (required.schema_name.empty() ? required.id : required.schema_name)
                << (required.solution.empty() ? "" : " from " + required.solution) << ", needed by "
                << solution::component_type_name(dependent.type) << " "
                << (dependent.schema_name.empty() ? dependent.id : dependent.schema_name)
                << (dependent.parent_schema_name.empty() ? "" : " of " + dependent.parent_schema_name) << "\n";
        }
    }

    std::string m_format;
    std::string m_path;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_info()
{
    return std::make_unique<InfoCommand>();
}

} // namespace escprov::commands
