// escprov pack: an unpacked tree into a solution zip that reads like a CRM export.

#include "pack/pack.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "util/fs.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

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
               "reported as warnings (errors with --strict). The zip is written atomically.";
    }

    ExitCode run(cli::Context& context) override
    {
        pack::PackOptions options;
        options.limits = m_limits.limits();
        options.package_type = m_package_type == "managed" ? pack::PackageType::managed : pack::PackageType::unmanaged;
        options.overwrite = m_overwrite;
        options.strict = m_strict;
        Progress progress(context.err, show_progress(context), "pack " + m_dir);
        if (progress.enabled()) {
            options.progress = [&progress](size_t files) { progress.count(files, "files"); };
        }
        pack::PackResult result = pack::pack(m_dir, m_zip, options);
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
        context.out << "pack: wrote " << quoted(fs::path(m_zip)) << " (" << counted(result.entries, "entry", "entries")
                    << " from " << quoted(fs::path(m_dir)) << ")\n";
        return ExitCode::ok;
    }

protected:
    void check_options() override
    {
        if (m_package_type != "unmanaged" && m_package_type != "managed") {
            throw_usage("pack: --packagetype must be unmanaged or managed, not '" + m_package_type + "'");
        }
    }

private:
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
