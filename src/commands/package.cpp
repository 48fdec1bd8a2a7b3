// escprov package: an unpacked tree into the solution zip a CRM imports.

#include "package/package.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

// One line per finding, as `escprov validate` prints them.
void print_findings(std::ostream& out, const std::vector<validate::Finding>& findings)
{
    for (const auto& finding : findings) {
        out << finding.file;
        if (finding.line != 0) {
            out << ":" << finding.line << ":" << finding.column;
        }
        out << ": " << validate::severity_name(finding.severity) << ": " << finding.code << ": " << finding.message
            << "\n";
    }
}

class PackageCommand : public cli::Command {
public:
    PackageCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("managed", po::bool_switch(&m_managed), "build a managed solution (what customers install)")
            ("unmanaged", po::bool_switch(&m_unmanaged), "build an unmanaged solution")
            ("target", po::value(&m_target)->required(), "the CRM version to build for: 5.0 ... 9.2")
            ("version", po::value(&m_version), "the solution version to write, X.Y.Z.W (each part at most 2147483647)")
            ("bump", po::value(&m_bump),
                 "raise the tree's solution version: major, minor, build or revision (later parts restart at 0)")
            ("output,o", po::value(&m_out)->default_value("./"),
                 "the solution zip to write, or a folder (made when missing) to write it into under CRM's name, "
                 "UniqueName_1_2_3_4_managed.zip (unmanaged: without _managed); default: the current folder")
            ("overwrite", po::bool_switch(&m_overwrite), "replace the solution zip if it exists")
            ("force", po::bool_switch(&m_force),
                 "package even when the tree or the package has validation errors (each is listed as a warning)")
            ("connector", po::value(&m_connector),
                 "the connector's solution/ folder (templates/ beside it); default: $ESCPROV_CONNECTOR, else the "
                 "source checkout escprov was built from");
        positional_options().add_options()
            ("dir", po::value(&m_dir)->required(), "the unpacked tree");
        // clang-format on
        m_limits.add_to(options());
        positional().add("dir", 1);
    }
    std::string_view name() const override { return "package"; }
    std::string_view synopsis() const override { return "package a merged tree as the solution a CRM imports"; }
    std::string_view usage() const override
    {
        return "escprov package DIR --managed|--unmanaged --target VERSION [--version X.Y.Z.W | --bump PART] "
               "[--force] [--overwrite] [-o FILE.zip|FOLDER/]";
    }
    std::string_view description() const override
    {
        return "Packages DIR (typically `escprov merge`'s connector-mode output) as the solution zip a\n"
               "CRM imports. solution.xml is rewritten: the connector's publisher (esc, 77263), <Managed>,\n"
               "the version, root attributes for CRM VERSION, RootComponents computed from the tree as\n"
               "an export of CRM VERSION lists them (entities, roles, changed customer forms, sitemaps,\n"
               "apps, web resources, option sets; from 8.0 with behavior 2 for the system entities it\n"
               "extends, 0 for the rest) and the MissingDependencies the target must already have\n"
               "(9.x: the marketing entities of msdynce_Marketing). Components the target cannot take are\n"
               "left out with a warning. In a managed package a customer's main form carries only the\n"
               "connector's tab, as a managed difference (solutionaction=\"Added\"). A tree merged for\n"
               "another CRM version than VERSION is refused (exit 2: merge again with --target). A tree\n"
               "holding components that are neither the connector's nor the customer main forms and org\n"
               "sitemap connector mode changes (a --mode full merge tree) is refused, naming them (exit 1,\n"
               "even with --force). A tree with validation errors, import compatibility with VERSION\n"
               "included, is refused (exit 1, the findings listed) unless --force; the package itself is\n"
               "validated before it is linked into place, so without --force FILE.zip either validates\n"
               "clean or is not written. With --force every error is listed as a warning. Without -o, or\n"
               "with -o FOLDER/, the zip is named as CRM names exports (UniqueName_1_2_3_4_managed.zip);\n"
               "a FILE.zip whose name contradicts --managed/--unmanaged (ESC-MAN-006) is refused (exit 2).\n"
               "An existing FILE.zip is replaced only with --overwrite (exit 1); see docs/exit-codes.md.";
    }

    ExitCode run(cli::Context& context) override
    {
        package::PackageOptions options;
        options.limits = m_limits.limits();
        options.type = m_managed ? pack::PackageType::managed : pack::PackageType::unmanaged;
        options.target = m_target_version;
        if (!m_version.empty()) {
            options.version = m_version;
        }
        options.bump = m_bump_part;
        options.force = m_force;
        options.connector = connector::locate_connector(
            m_connector.empty() ? std::nullopt : std::optional<std::filesystem::path>(m_connector));
        OutputFile output(m_out, OutputSpec{"package", "-o", "", "--overwrite", m_overwrite});
        if (!output.into_folder() && solution::file_name_says_managed(output.path().filename().string()) != m_managed) {
            // validate --strict would flag it (ESC-MAN-006): a package escprov makes must pass it.
            throw_usage("package -o " + escprov::quoted(m_out) + ": " +
                        (m_managed ? "a managed package's file name ends in '_managed.zip'"
                                   : "an unmanaged package's file name must not carry '_managed'") +
                        ", as CRM names exports (validate --strict: ESC-MAN-006); name it " +
                        (m_managed ? "NAME_managed.zip" : "NAME.zip") +
                        ", or give -o a folder to get CRM's name (UniqueName_1_2_3_4" + (m_managed ? "_managed" : "") +
                        ".zip)");
        }
        Progress progress(context.err, show_progress(context), "package " + Progress::short_name(m_dir));
        options.progress = &progress;
        package::PackageResult result = package::package(m_dir, output, options);
        progress.finish();
        std::string subject = "package " + escprov::quoted(m_dir) + ": ";
        for (const auto& left_out : result.left_out) {
            context.err << "escprov: warning: " << subject << "CRM " << m_target_version.text << " cannot take "
                        << left_out << "; left out\n";
        }
        for (const auto& warning : result.warnings) {
            context.err << "escprov: warning: " << subject << warning << "\n";
        }
        if (!result.foreign.empty()) {
            context.err << "escprov: error: " << subject << "the tree holds "
                        << counted(result.foreign.size(), "component") << " that "
                        << (result.foreign.size() == 1 ? "is" : "are")
                        << " not the connector's; nothing written (a full-mode merge tree is "
                           "the customer's own solution: pack it with escprov pack, or merge in connector mode to "
                           "package the connector):\n";
            for (const auto& component : result.foreign) {
                context.err << "  " << component << "\n";
            }
            return ExitCode::findings;
        }
        if (!result.written) {
            bool tree = !result.tree_errors.empty();
            const auto& errors = tree ? result.tree_errors : result.package_errors;
            print_findings(context.err, errors);
            context.err << "escprov: error: " << subject << counted(errors.size(), "validation error") << " in "
                        << (tree ? "the tree" : "the package built from it")
                        << "; nothing written (--force packages anyway)\n";
            return ExitCode::findings;
        }
        if (!result.tree_errors.empty()) {
            context.err << "escprov: warning: " << subject << "the tree has "
                        << counted(result.tree_errors.size(), "validation error") << "; packaged anyway (--force):\n";
            print_findings(context.err, result.tree_errors);
        }
        if (!result.package_errors.empty()) {
            context.err << "escprov: warning: package " << escprov::quoted(output.path()) << ": the package has "
                        << counted(result.package_errors.size(), "validation error") << "; written anyway (--force):\n";
            print_findings(context.err, result.package_errors);
        }
        context.out << "package: wrote " << escprov::quoted(output.path()) << " ("
                    << (m_managed ? "managed" : "unmanaged") << ", version " << result.version << ", CRM "
                    << m_target_version.text << ", " << counted(result.components.size(), "root component") << ")\n";
        return ExitCode::ok;
    }

protected:
    void check_options() override
    {
        if (m_managed == m_unmanaged) {
            throw_usage("package: pass exactly one of --managed and --unmanaged");
        }
        auto version = solution::parse_crm_version(m_target);
        if (!version) {
            throw_usage("package: --target must be a CRM version such as 8.2 or 9.2, not '" + m_target + "'");
        }
        m_target_version = *version;
        if (!m_version.empty() && !m_bump.empty()) {
            throw_usage("package: --version and --bump cannot be used together");
        }
        if (!m_version.empty() && !package::is_solution_version(m_version)) {
            throw_usage("package: --version must be four numbers X.Y.Z.W, each at most 2147483647, not '" + m_version +
                        "'");
        }
        if (!m_bump.empty()) {
            m_bump_part = package::parse_bump(m_bump);
            if (!m_bump_part) {
                throw_usage("package: --bump must be major, minor, build or revision, not '" + m_bump + "'");
            }
        }
    }

private:
    std::string m_dir;
    std::string m_out;
    std::string m_target;
    std::string m_version;
    std::string m_bump;
    std::string m_connector;
    bool m_managed = false;
    bool m_unmanaged = false;
    bool m_force = false;
    bool m_overwrite = false;
    solution::CrmVersion m_target_version;
    std::optional<package::Bump> m_bump_part;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_package()
{
    return std::make_unique<PackageCommand>();
}

} // namespace escprov::commands
