#pragma once
// A solution as the user hands it to us: a zip, an unpacked SolutionPackager folder, or a loose
// customizations.xml / solution.xml. Commands read through this one interface, so every command
// accepts every form where it makes sense; pack/input.hpp opens any of them, trees included.

#include "solution/manifest.hpp"
#include "xml/reader.hpp"
#include "zip/reader.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace escprov::solution {

// Every safety limit an input is read under (configurable with the --max-* options).
struct InputLimits {
    xml::Limits xml;
    zip::Limits zip;
};

// Receives the events of customizations.xml. set_locations() is called once before the first
// event; the provider says where each event comes from (a tree's events come from many files).
class CustomizationsHandler : public xml::Handler {
public:
    virtual void set_locations(const xml::LocationProvider& locations) = 0;
};

class SolutionInput {
public:
    enum class Kind { zip, tree, loose_customizations, loose_manifest };
    virtual ~SolutionInput() = default;

    virtual Kind kind() const = 0;
    // The path as the user gave it.
    virtual const std::filesystem::path& path() const = 0;
    virtual bool has_manifest() const = 0;
    // Throws xml::ParseError or Error(input).
    virtual Manifest read_manifest() = 0;
    virtual bool has_customizations() const = 0;
    // Streams customizations.xml (for a tree: as pack would assemble it). Throws xml::ParseError
    // or Error.
    virtual void read_customizations(CustomizationsHandler& handler) = 0;
    // Names of the other parts: zip entries other than the three manifests, or the files of a
    // tree that become zip entries as they are (web resource content, workflow XAML...).
    virtual std::vector<std::string> parts() const = 0;
    // [Content_Types].xml when the input has one (zips).
    virtual std::optional<std::string> content_types() = 0;
    // The display name of solution.xml / customizations.xml for findings.
    virtual std::string manifest_name() const = 0;
    virtual std::string customizations_name() const = 0;
    // The zip behind a zip input, else nullptr.
    virtual zip::Reader* archive() { return nullptr; }
};

// The three files every export zip has besides its parts: solution.xml, customizations.xml and
// [Content_Types].xml. Pack writes them itself, so a tree file with one of these names is no part.
bool is_export_manifest_name(std::string_view name);

// Where a zip keeps those three: found by exact name, else ignoring ASCII case (CRM writes lower
// case; hand-made zips vary). customizations and content_types may be null.
struct ExportEntries {
    const zip::Entry* manifest = nullptr;
    const zip::Entry* customizations = nullptr;
    const zip::Entry* content_types = nullptr;
    bool is_manifest_file(const zip::Entry& entry) const
    {
        return &entry == manifest || &entry == customizations || &entry == content_types;
    }
};
// Throws Error(foreign) naming the zip (by its display name) when it has no solution.xml.
ExportEntries find_export_entries(const zip::Reader& zip);

// Opens the file `path`: a file starting with the zip signature is a zip; an XML file is loose
// customizations.xml or solution.xml by its root element. Throws Error(input) when it is missing
// or unreadable, Error(foreign) naming the path and the reason when it is none of these, or a folder
// (trees are read by pack::open_input, which knows their layout), and the reader's errors.
std::unique_ptr<SolutionInput> open_file_input(const std::filesystem::path& path, const InputLimits& limits);

// Opens the solution zip `path`, named `display` in every message (a zip held in a temporary file,
// such as the solution apply checks inside a bundle). Throws as open_file_input does.
std::unique_ptr<SolutionInput> open_zip_input(const std::filesystem::path& path, const InputLimits& limits,
                                              std::string display);

} // namespace escprov::solution
