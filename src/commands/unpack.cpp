// escprov unpack: a solution zip into SolutionPackager's folder layout.

#include "pack/unpack.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "util/fs.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class UnpackCommand : public cli::Command {
public:
    UnpackCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("overwrite", po::bool_switch(&m_overwrite),
                 "DIR may be non-empty: files the solution has replace those in DIR; other files stay")
            ("allow-delete", po::bool_switch(&m_allow_delete),
                 "DIR may be non-empty: DIR becomes exactly the solution's tree; files it no longer has are deleted");
        positional_options().add_options()
            ("solution", po::value(&m_zip)->required(), "the solution zip to unpack")
            ("dir", po::value(&m_dir)->required(), "the folder to write the tree into");
        // clang-format on
        m_limits.add_to(options());
        positional().add("solution", 1).add("dir", 1);
    }
    std::string_view name() const override { return "unpack"; }
    std::string_view synopsis() const override { return "unpack a solution zip into SolutionPackager's folder layout"; }
    std::string_view usage() const override { return "escprov unpack [OPTIONS] SOLUTION.zip DIR"; }
    std::string_view description() const override
    {
        return "Unpacks SOLUTION.zip into DIR in SolutionPackager's XML layout (Other/Solution.xml,\n"
               "Other/Customizations.xml, Entities/<Name>/Entity.xml with FormXml/, SavedQueries/ and\n"
               "RibbonDiff.xml, Roles/, OptionSets/, WebResources/, Workflows/, AppModules/, ...), and\n"
               "records the original order in Other/escprov-order.txt so that `escprov pack` gives the\n"
               "same XML back. The tree is built beside DIR and renamed into place: an error leaves\n"
               "nothing behind. A non-empty DIR is refused unless --overwrite or --allow-delete is given\n"
               "(exit 1; see docs/exit-codes.md).";
    }

    ExitCode run(cli::Context& context) override
    {
        pack::UnpackOptions options;
        options.limits = m_limits.limits();
        options.existing = m_allow_delete ? pack::ExistingTarget::allow_delete
                           : m_overwrite  ? pack::ExistingTarget::overwrite
                                          : pack::ExistingTarget::refuse;
        Progress progress(context.err, show_progress(context), "unpack " + Progress::short_name(m_zip));
        options.progress = &progress;
        OutputFolder output(
            m_dir, OutputSpec{"unpack", "", "", "--overwrite or --allow-delete", m_overwrite || m_allow_delete});
        output.make_parents();
        pack::UnpackResult result = pack::unpack(m_zip, output.path(), options);
        output.keep();
        progress.finish();
        context.out << "unpack: wrote " << quoted(output.path()) << " (" << counted(result.files, "file") << " from "
                    << quoted(fs::path(m_zip)) << ")\n";
        return ExitCode::ok;
    }

private:
    std::string m_zip;
    std::string m_dir;
    bool m_overwrite = false;
    bool m_allow_delete = false;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_unpack()
{
    return std::make_unique<UnpackCommand>();
}

} // namespace escprov::commands
