#include "pack/input.hpp"

#include "pack/assemble.hpp"
#include "pack/content_types.hpp"
#include "pack/pack.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

#include <algorithm>

namespace escprov::pack {

using solution::CustomizationsHandler;
using solution::InputLimits;
using solution::Manifest;
using solution::SolutionInput;

namespace {

class TreeInput : public SolutionInput {
public:
    TreeInput(const std::filesystem::path& path, const InputLimits& limits) : m_path(path), m_limits(limits)
    {
        if (!std::filesystem::is_regular_file(path / "Other" / "Solution.xml") &&
            !std::filesystem::is_regular_file(path / "Other" / "Customizations.xml")) {
            throw_input("open " + quoted(path) +
                        ": the folder has neither Other/Solution.xml nor Other/Customizations.xml, so it is not an "
                        "unpacked solution");
        }
    }
    Kind kind() const override { return Kind::tree; }
    const std::filesystem::path& path() const override { return m_path; }
    bool has_manifest() const override { return std::filesystem::is_regular_file(m_path / "Other" / "Solution.xml"); }
    Manifest read_manifest() override
    {
        xml::FileSource source(m_path / "Other" / "Solution.xml", manifest_name());
        return solution::read_manifest(source, m_limits.xml);
    }
    bool has_customizations() const override
    {
        return std::filesystem::is_regular_file(m_path / "Other" / "Customizations.xml");
    }
    void read_customizations(CustomizationsHandler& handler) override
    {
        Assembler assembler(m_path, PackageType::unmanaged, m_limits.xml, order(), files());
        handler.set_locations(assembler);
        assembler.run(handler);
    }
    std::vector<std::string> parts() const override
    {
        std::vector<std::string> names;
        for (const auto& [name, tree_path] : plan().parts) {
            names.push_back(name);
        }
        return names;
    }
    std::optional<std::string> content_types() override
    {
        // What pack would write, so checks of the tree agree with checks of the packed zip.
        if (order().content_types_absent) {
            return std::nullopt;
        }
        std::vector<std::string> entries = {"customizations.xml", "solution.xml"};
        for (const auto& name : parts()) {
            entries.push_back(name);
        }
        std::optional<std::string> recorded;
        if (std::filesystem::is_regular_file(m_path / std::string(k_content_types_file))) {
            recorded = read_file(m_path / std::string(k_content_types_file));
        }
        return make_content_types(entries, recorded);
    }
    std::string manifest_name() const override { return (m_path / "Other" / "Solution.xml").string(); }
    std::string customizations_name() const override { return (m_path / "Other" / "Customizations.xml").string(); }

private:
    // The tree's order file, file list and part plan, each read once: validate asks for the parts,
    // the content types (which need the parts) and the customizations, and a big tree's listing
    // and its .data.xml files are not free.
    const TreeOrder& order() const
    {
        if (!m_order) {
            m_order = read_order(m_path);
        }
        return *m_order;
    }
    const std::vector<std::string>& files() const
    {
        if (!m_files) {
            m_files = list_tree_files(m_path);
        }
        return *m_files;
    }
    const PartPlan& plan() const
    {
        if (!m_plan) {
            m_plan = plan_parts(m_path, files(), m_limits.xml);
        }
        return *m_plan;
    }

    std::filesystem::path m_path;
    InputLimits m_limits;
    mutable std::optional<TreeOrder> m_order;
    mutable std::optional<std::vector<std::string>> m_files;
    mutable std::optional<PartPlan> m_plan;
};

} // namespace

std::unique_ptr<SolutionInput> open_tree_input(const std::filesystem::path& path, const InputLimits& limits)
{
    return std::make_unique<TreeInput>(path, limits);
}

std::unique_ptr<SolutionInput> open_input(const std::filesystem::path& path, const InputLimits& limits)
{
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return open_tree_input(path, limits);
    }
    return solution::open_file_input(path, limits);
}

} // namespace escprov::pack
