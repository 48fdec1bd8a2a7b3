// escprov validate: checks solutions offline and reports findings for people and CI servers.

#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "profile/profile.hpp"
#include "util/fs.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "validate/report.hpp"
#include "validate/validator.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <optional>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class ValidateCommand : public cli::Command {
public:
    ValidateCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("format", po::value(&m_format_name)->default_value("text"), "report format: text, json, junit or sarif")
            ("output,o", po::value(&m_output),
                 "write the report to FILE (atomically) instead of stdout; a folder: FOLDER/validate-report.EXT")
            ("overwrite", po::bool_switch(&m_overwrite), "replace the -o FILE if it exists")
            ("strict", po::bool_switch(&m_strict), "fail (exit 1) on warnings too, not only on errors")
            ("schemas", po::value(&m_schemas),
                 "also validate against Microsoft's XSDs in DIR: the whole customizations.xml against "
                 "CustomizationsSolution.xsd, or without it SiteMaps, RibbonDiffXml and FetchXml (SiteMap.xsd, "
                 "RibbonCore.xsd, Fetch.xsd)")
            ("target", po::value(&m_target),
                 "check import compatibility against CRM VERSION (e.g. 8.2) instead of the version in solution.xml")
            ("no-compat", po::bool_switch(&m_no_compat), "skip the import-compatibility check");
        positional_options().add_options()
            ("path", po::value(&m_paths)->required()->composing(),
                 "a solution zip, an unpacked folder, or a loose customizations.xml / solution.xml");
        // clang-format on
        m_limits.add_to(options());
        positional().add("path", -1);
    }
    std::string_view name() const override { return "validate"; }
    std::string_view synopsis() const override { return "check solutions offline; text, JSON, JUnit or SARIF report"; }
    std::string_view usage() const override { return "escprov validate [OPTIONS] PATH..."; }
    std::string_view description() const override
    {
        return "Checks each PATH (a solution zip, an unpacked SolutionPackager folder, or a loose\n"
               "customizations.xml or solution.xml) without a CRM server: well-formedness, the root\n"
               "element and section order of customizations.xml, required manifest fields, root\n"
               "components against the content, duplicate identities (entities, attributes, forms,\n"
               "views, SiteMap ids, roles, web resources, option sets), privileges naming unknown\n"
               "entities, prefixes against the publisher's, [Content_Types].xml coverage, <Managed>\n"
               "against the file name and referenced parts; import compatibility: elements and\n"
               "attributes the CRM version (solution.xml's, or --target) never writes, ones it always\n"
               "writes that are missing, and child orders none of its real exports show; with\n"
               "--schemas, customizations.xml against Microsoft's XSDs. Each finding has a file,\n"
               "line, column, severity (error, warning, note) and a stable code (docs/validate.md\n"
               "lists them).\n"
               "Exit 0 when no errors were found (warnings allowed unless --strict), 1 when there are\n"
               "findings, 2 when a PATH could not be checked (missing, not a solution, hostile).\n"
               "All PATHs are checked; the exit code is the worst. An existing -o FILE is replaced only\n"
               "with --overwrite (exit 1; see docs/exit-codes.md).";
    }

    ExitCode run(cli::Context& context) override
    {
        validate::Options options;
        options.limits = m_limits.limits();
        if (!m_schemas.empty()) {
            if (!std::filesystem::is_directory(m_schemas)) {
                throw_input("validate: --schemas " + escprov::quoted(std::filesystem::path(m_schemas)) +
                            " is not a folder");
            }
            options.schemas = m_schemas;
        }
        std::optional<profile::Profiles> profiles;
        options.compat.enabled = !m_no_compat;
        if (options.compat.enabled) {
            options.compat.target = m_target_version;
            try {
                profiles = profile::Profiles::load_default();
                options.compat.profiles = &*profiles;
            } catch (const Error&) {
                if (m_target_version) {
                    throw; // asked for explicitly: not being able to check is a failure
                }
                // Each PATH gets a note saying the check was skipped, and why.
            }
            if (profiles && m_target_version && profiles->for_version(*m_target_version) == nullptr) {
                std::string names;
                for (const auto& known : profiles->all()) {
                    names += (names.empty() ? "" : ", ") + known.name;
                }
                throw_usage("validate: no version profile covers --target " + m_target + " (profiles: " + names + ")");
            }
        }
        // Checked before any work (docs/exit-codes.md, "Output targets").
        std::optional<OutputFile> output;
        if (!m_output.empty()) {
            output.emplace(m_output, OutputSpec{"validate", "-o", "validate-report" + report_extension(), "--overwrite",
                                                m_overwrite});
        }
        std::vector<validate::PathReport> reports;
        Progress progress(context.err, show_progress(context), "validate");
        options.progress = &progress;
        for (size_t i = 0; i < m_paths.size(); ++i) {
            std::string counter =
                m_paths.size() > 1 ? "[" + std::to_string(i + 1) + "/" + std::to_string(m_paths.size()) + "] " : "";
            progress.set_label("validate " + counter + Progress::short_name(m_paths[i]));
            reports.push_back(validate::validate_path(m_paths[i], options));
        }
        progress.finish();
        std::string rendered = validate::render(reports, *validate::parse_format(m_format_name), m_strict);
        if (m_output.empty()) {
            context.out << rendered;
        } else {
            output->make_folders();
            write_file_atomic(output->path(), rendered, output->overwrite());
            output->keep();
        }

        ExitCode code = ExitCode::ok;
        for (const auto& report : reports) {
            if (report.failure) {
                context.err << "escprov: error: " << *report.failure << "\n";
                code = ExitCode::usage;
            } else if (code == ExitCode::ok && (report.count(validate::Severity::error) > 0 ||
                                                (m_strict && report.count(validate::Severity::warning) > 0))) {
                code = ExitCode::findings;
            }
        }
        if (!m_output.empty() || m_format_name != "text") {
            context.err << validate::summary_line(reports) << "\n";
        }
        return code;
    }

protected:
    void check_options() override
    {
        if (!validate::parse_format(m_format_name)) {
            throw_usage("validate: --format must be text, json, junit or sarif, not '" + m_format_name + "'");
        }
        if (!m_target.empty()) {
            m_target_version = solution::parse_crm_version(m_target);
            if (!m_target_version) {
                throw_usage("validate: --target must be a CRM version such as 8.2 or 9.0, not '" + m_target + "'");
            }
            if (m_no_compat) {
                throw_usage("validate: --target and --no-compat contradict each other");
            }
        }
    }

private:
    // The file extension of --format's report, for -o FOLDER.
    std::string report_extension() const
    {
        if (m_format_name == "junit") {
            return ".xml";
        }
        if (m_format_name == "text") {
            return ".txt";
        }
        return "." + m_format_name;
    }

    std::string m_format_name;
    std::string m_output;
    std::string m_schemas;
    std::string m_target;
    std::optional<solution::CrmVersion> m_target_version;
    bool m_no_compat = false;
    bool m_strict = false;
    bool m_overwrite = false;
    std::vector<std::string> m_paths;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_validate()
{
    return std::make_unique<ValidateCommand>();
}

} // namespace escprov::commands
