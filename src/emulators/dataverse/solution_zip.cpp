#include "emulators/dataverse/solution_zip.hpp"

#include "emulators/dataverse/wire.hpp"
#include "solution/input.hpp"
#include "util/fs.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

namespace escprov::emulator {

SolutionZip read_solution_zip(const std::filesystem::path& path, const std::string& display)
{
    zip::Reader reader(path, {}, display);
    solution::ExportEntries entries = solution::find_export_entries(reader);
    SolutionZip result;
    {
        auto source = reader.open(*entries.manifest);
        result.manifest = solution::read_manifest(*source);
    }
    if (entries.customizations != nullptr) {
        auto source = reader.open(*entries.customizations);
        result.customizations = Customizations::read(*source);
    }
    if (entries.content_types != nullptr) {
        result.content_types = reader.read(*entries.content_types);
    }
    for (const auto& entry : reader.entries()) {
        if (entry.is_directory || entries.is_manifest_file(entry)) {
            continue;
        }
        result.parts[entry.name] = reader.read(entry);
    }
    return result;
}

std::string write_solution_zip(const std::filesystem::path& scratch, std::string customizations,
                               const std::string& content_types, const std::string& manifest,
                               const std::map<std::string, std::string>& parts)
{
    std::filesystem::path path = scratch / ("export-" + new_guid() + ".zip");
    {
        zip::Writer writer(path, AtomicFile::Overwrite::yes);
        writer.add_bytes("customizations.xml", std::move(customizations));
        writer.add_bytes("[Content_Types].xml", content_types);
        writer.add_bytes("solution.xml", manifest);
        for (const auto& [name, bytes] : parts) {
            writer.add_bytes(name, bytes);
        }
        writer.commit();
    }
    std::string bytes = read_file(path);
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return bytes;
}

} // namespace escprov::emulator
