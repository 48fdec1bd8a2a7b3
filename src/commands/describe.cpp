// escprov describe: the detailed list of a solution tree's customisations, as Markdown for people
// or JSON for tools (docs/customisations.md is this command's output for solution/).

#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "describe/reader.hpp"
#include "describe/render.hpp"
#include "util/fs.hpp"
#include "util/output_target.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <optional>
#include <sstream>

namespace escprov::commands {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

class DescribeCommand : public cli::Command {
public:
    DescribeCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("format", po::value(&m_format)->default_value("md"), "output format: md (Markdown) or json")
            ("templates", po::value(&m_templates),
                 "also describe the form tabs and sitemap additions in DIR (default: TREE/../templates when it "
                 "exists)")
            ("output,o", po::value(&m_output),
                 "write to FILE (atomically) instead of stdout; a folder: FOLDER/description.md (or .json)")
            ("overwrite", po::bool_switch(&m_overwrite), "replace the -o FILE if it exists");
        positional_options().add_options()
            ("tree", po::value(&m_tree)->required(), "the unpacked solution tree");
        // clang-format on
        m_limits.add_to(options());
        positional().add("tree", 1);
    }
    std::string_view name() const override { return "describe"; }
    std::string_view synopsis() const override { return "list a solution tree's customisations as Markdown or JSON"; }
    std::string_view usage() const override { return "escprov describe [OPTIONS] TREE"; }
    std::string_view description() const override
    {
        return "Lists every customisation of TREE, an unpacked solution folder: the summary (publisher,\n"
               "prefixes, version, counts), each entity (its own first, then the extended system ones) with\n"
               "attributes and their types, relationships, forms and views; global option sets; security\n"
               "roles as a privilege matrix; sitemaps and model-driven apps; ribbon buttons; web resources.\n"
               "With templates (templates/form-tab-<entity>.xml, templates/sitemap.xml) it also lists the\n"
               "tabs added to customer forms and the additions to the organisation's sitemap, and\n"
               "Other/escprov-targets.txt gives the CRM versions that take each component. The same tree\n"
               "always gives the same bytes. An existing -o FILE is replaced only with --overwrite (exit 1;\n"
               "see docs/exit-codes.md).";
    }

    ExitCode run(cli::Context& context) override
    {
        std::optional<fs::path> templates;
        if (!m_templates.empty()) {
            templates = fs::path(m_templates);
        } else {
            fs::path beside = fs::path(m_tree).lexically_normal();
            if (beside.filename().empty()) {
                beside = beside.parent_path();
            }
            beside = beside.parent_path() / "templates";
            std::error_code error;
            if (fs::is_directory(beside, error)) {
                templates = beside;
            }
        }
        // Checked before any work (docs/exit-codes.md, "Output targets").
        std::optional<OutputFile> output;
        if (!m_output.empty()) {
            output.emplace(m_output,
                           OutputSpec{"describe", "-o", "description." + m_format, "--overwrite", m_overwrite});
        }
        describe::Description description = describe::read_description(m_tree, templates, m_limits.limits());
        std::ostringstream rendered;
        if (m_format == "json") {
            rendered << describe::to_json(description).dump(2) << "\n";
        } else {
            describe::write_markdown(description, rendered);
        }
        std::string text = rendered.str();
        while (text.size() > 1 && text.ends_with("\n\n")) {
            text.pop_back();
        }
        if (m_output.empty()) {
            context.out << text;
        } else {
            output->make_folders();
            write_file_atomic(output->path(), text, output->overwrite());
            output->keep();
        }
        return ExitCode::ok;
    }

protected:
    void check_options() override
    {
        if (m_format != "md" && m_format != "json") {
            throw_usage("describe: --format must be md or json, not '" + m_format + "'");
        }
    }

private:
    std::string m_format;
    std::string m_templates;
    std::string m_output;
    bool m_overwrite = false;
    std::string m_tree;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_describe()
{
    return std::make_unique<DescribeCommand>();
}

} // namespace escprov::commands
