#include "emulators/dataverse/export.hpp"

#include "emulators/dataverse/org_state.hpp"
#include "emulators/dataverse/solution_zip.hpp"
#include "emulators/dataverse/wire.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"
#include "xml/writer.hpp"

#include <mutex>

namespace escprov::emulator {

namespace {

// Codes the emulator answers refused exports with (docs/emulator.md).
constexpr const char* k_code_no_solution = "0x8004F00A";
constexpr const char* k_code_cannot_export_managed = "0x80048033";

std::string manifest_text(const xml::Node& root)
{
    return xml::to_string(root);
}

// A stored unmanaged solution re-labelled managed, as CRM exports one with Managed=true.
std::string relabelled_managed(OrgState& org, const InstalledSolution& solution)
{
    std::filesystem::path path = org.temp_dir() / ("relabel-" + new_guid() + ".zip");
    write_file_atomic(path, solution.zip, AtomicFile::Overwrite::yes);
    SolutionZip zip = read_solution_zip(path, solution.unique_name);
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    if (xml::Node* manifest = zip.manifest.root.child("SolutionManifest"); manifest != nullptr) {
        if (xml::Node* managed = manifest->child("Managed"); managed != nullptr) {
            managed->children.clear();
            managed->children.push_back(xml::make_text("1"));
            managed->empty_tag = false;
        }
    }
    return write_solution_zip(org.temp_dir(), zip.customizations.write(), zip.content_types,
                              manifest_text(zip.manifest.root), zip.parts);
}

} // namespace

std::variant<std::string, ExportRefusal> export_solution(OrgState& org, const std::string& name, bool managed)
{
    std::lock_guard lock(org.mutex);
    if (ascii_lower(name) == "default") {
        if (managed) {
            return ExportRefusal{400, k_code_cannot_export_managed,
                                 "The Default solution cannot be exported as managed."};
        }
        return write_solution_zip(org.temp_dir(), org.customizations().write(), org.content_types(),
                                  manifest_text(org.default_manifest()), org.parts());
    }
    const InstalledSolution* solution = org.installed(name);
    if (solution == nullptr) {
        return ExportRefusal{404, k_code_no_solution,
                             "The solution '" + name + "' was not found in this organization."};
    }
    if (solution->managed) {
        return ExportRefusal{400, k_code_cannot_export_managed,
                             "Managed solutions cannot be exported: '" + name + "' is managed."};
    }
    if (managed) {
        return relabelled_managed(org, *solution);
    }
    return solution->zip;
}

} // namespace escprov::emulator
