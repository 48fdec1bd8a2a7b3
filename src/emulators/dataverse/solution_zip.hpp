#pragma once
// A solution zip read whole, as the emulator takes one in (the seed, an import): its manifest,
// its customisations cut into items, [Content_Types].xml and the other parts' bytes.

#include "emulators/dataverse/customizations.hpp"
#include "solution/manifest.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace escprov::emulator {

struct SolutionZip {
    solution::Manifest manifest;
    Customizations customizations;
    std::string content_types;
    std::map<std::string, std::string> parts; // entry name -> bytes
};

// Reads the zip at `path`, named `display` in messages. Throws Error (not a zip, unsafe, no
// solution.xml) or xml::ParseError (a manifest that is not well-formed).
SolutionZip read_solution_zip(const std::filesystem::path& path, const std::string& display);

// Writes a solution zip as CRM lays one out: customizations.xml, [Content_Types].xml,
// solution.xml, then the parts by name. Returns the zip's bytes; `scratch` is a folder for the
// temporary file. Throws Error(output).
std::string write_solution_zip(const std::filesystem::path& scratch, std::string customizations,
                               const std::string& content_types, const std::string& manifest,
                               const std::map<std::string, std::string>& parts);

} // namespace escprov::emulator
