// escprov pack: an unpacked tree into a solution zip that reads like a CRM export.

#include "pack/pack.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "solution/manifest.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"
#include "xml/source.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <filesystem>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

class PackCommand : public cli::Command {
public:
    PackCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("packagetype", po::value(&m_package_type)->default_value("unmanaged"),
                 "unmanaged or managed: which variant of forms, sitemaps and apps to take when the tree has both "
                 "{id}.xml and {id}_managed.xml")
            ("overwrite", po::bool_switch(&m_overwrite), "replace SOLUTION.zip if it exists")
            ("strict", po::bool_switch(&m_strict),
                 "a part file the tree lacks (web-resource content, assembly, workflow) is an error: exit 1, nothing "
                 "written");
        positional_options().add_options()
            ("dir", po::value(&m_dir)->required(), "the unpacked tree")
            ("solution", po::value(&m_zip)->required(), "the zip to write");
        // clang-format on
        m_limits.add_to(options());
        positional().add("dir", 1).add("solution", 1);
    }
    std::string_view name() const override { return "pack"; }
    std::string_view synopsis() const override { return "pack an unpacked tree into a solution zip"; }
    std::string_view usage() const override { return "escprov pack [OPTIONS] DIR SOLUTION.zip"; }
    std::string_view description() const override
    {
        return "Packs DIR (written by `escprov unpack` or SolutionPackager) into SOLUTION.zip as a CRM\n"
               "export writes it: customizations.xml and solution.xml without BOM or declaration (unless\n"
               "the unpacked original had them), CRLF, sections in the schema's order, components in the\n"
               "order recorded in Other/escprov-order.txt (then by path), and [Content_Types].xml\n"
               "regenerated from the parts written. Same tree, same bytes. Part files the tree lacks are\n"
               "reported as warnings (errors with --strict). The zip is written atomically. When\n"
               "SOLUTION.zip ends in '/' or is a folder, the zip goes into it (made when missing) under\n"
               "the name CRM gives the export (UniqueName_1_2_3_4.zip, _managed with --packagetype managed).\n"
               "An existing zip is replaced only with --overwrite (exit 1); see docs/exit-codes.md.";
    }

    ExitCode run(cli::Context& context) override
    {
        check_argument_order();
        pack::PackOptions options;
        options.limits = m_limits.limits();
        options.package_type = m_package_type == "managed" ? pack::PackageType::managed : pack::PackageType::unmanaged;
        options.overwrite = m_overwrite;
        options.strict = m_strict;
        Progress progress(context.err, show_progress(context), "pack " + Progress::short_name(m_dir));
        options.progress = &progress;
        OutputFile output(m_zip, OutputSpec{"pack", "", "", "--overwrite", m_overwrite});
        if (output.path().empty()) {
            output.name(crm_file_name(options.package_type));
        }
        output.make_folders();
        pack::PackResult result = pack::pack(m_dir, output.path(), options);
        output.keep();
        progress.finish();
        for (const auto& missing : result.missing_parts) {
            context.err << "escprov: " << (m_strict ? "error" : "warning") << ": pack '" << m_dir << "': '" << missing
                        << "' is named by a component but is not in the tree"
                        << (m_strict ? "" : "; the zip is written without it") << "\n";
        }
        if (!result.written) {
            context.err << "escprov: error: pack '" << m_dir
                        << "': " << counted(result.missing_parts.size(), "part file")
                        << " missing; nothing written (--strict)\n";
            return ExitCode::findings;
        }
        context.out << "pack: wrote " << quoted(output.path()) << " (" << counted(result.entries, "entry", "entries")
                    << " from " << quoted(fs::path(m_dir)) << ")\n";
        return ExitCode::ok;
    }

private:
    // The name CRM gives the export of the tree's solution (its Other/Solution.xml); "solution.zip"
    // style names for a tree without one are left to pack, which refuses it.
    std::string crm_file_name(pack::PackageType type) const
    {
        fs::path file = fs::path(m_dir) / "Other" / "Solution.xml";
        std::error_code ec;
        if (!fs::is_regular_file(file, ec)) {
            return "solution.zip";
        }
        xml::FileSource source(file, file.string());
        solution::Manifest manifest = solution::read_manifest(source, m_limits.limits().xml);
        // <Managed> 2 (unpacked from both exports) becomes what --packagetype asks for; 0 and 1 stay.
        bool managed = manifest.managed == 1 || (manifest.managed == 2 && type == pack::PackageType::managed);
        return solution::export_file_name(trimmed(manifest.unique_name), trimmed(manifest.solution_version), managed);
    }

protected:
    void check_options() override
    {
        if (m_package_type != "unmanaged" && m_package_type != "managed") {
            throw_usage("pack: --packagetype must be unmanaged or managed, not '" + m_package_type + "'");
        }
    }

private:
    // pac takes the zip first (--zipfile, then --folder); pack takes the folder first. A file where
    // the folder goes is refused with the order that works, before anything else is said about it.
    void check_argument_order() const
    {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(m_dir, ec)) {
            return; // a folder, or nothing: pack says what is wrong with it
        }
        std::string message = "pack: '" + m_dir + "' is a file, not an unpacked folder; pack takes the FOLDER first " +
                              "and the zip to write second (escprov pack FOLDER SOLUTION.zip)";
        if (std::filesystem::is_directory(m_zip, ec)) {
            throw_usage(message + "; the arguments are the wrong way round: escprov pack " + m_zip + " " + m_dir);
        }
        throw_usage(message + "; the arguments may be the wrong way round; to unpack a zip into a folder: " +
                    "escprov unpack " + m_dir + " FOLDER");
    }

    std::string m_dir;
    std::string m_zip;
    std::string m_package_type;
    bool m_overwrite = false;
    bool m_strict = false;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_pack()
{
    return std::make_unique<PackCommand>();
}

} // namespace escprov::commands
