#pragma once
// escprov unpack's engine: a solution zip into SolutionPackager's folder layout. customizations.xml
// is streamed; only one component (an entity, a role, ...) is in memory at a time, except the
// relationships, which are grouped by entity before they are written.

#include "solution/input.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace escprov {
class Progress;
}

namespace escprov::pack {

// What unpack does when the target folder exists and is not empty.
enum class ExistingTarget {
    refuse,       // exit 1, nothing touched
    overwrite,    // files the solution has replace those in the folder; other files stay
    allow_delete, // the folder becomes exactly the solution's tree (other files are deleted)
};

struct UnpackOptions {
    solution::InputLimits limits;
    ExistingTarget existing = ExistingTarget::refuse;
    // The command writing the tree and how it lets a non-empty folder be written, for the message
    // that refuses one (the command checks first; this catches a folder filled meanwhile).
    std::string command = "unpack";
    std::string when_not_empty = "pass --overwrite to replace the files the solution has, or --allow-delete to make "
                                 "the folder exactly the solution's tree";
    // Shown how many bytes of the zip have been read out of its total; may be null. TreeWriter
    // (merge's writer) leaves it alone.
    Progress* progress = nullptr;
};

struct UnpackResult {
    size_t files = 0;      // files written into the tree
    size_t components = 0; // component files among them
};

// What the order file records about the documents of the solution being written.
struct TreePrologues {
    bool solution_bom = false;
    bool solution_declaration = false;
    bool has_customizations = true;
    bool customizations_bom = false;
    bool customizations_declaration = false;
    bool has_content_types = true; // false: pack writes no [Content_Types].xml
};

// Writes an unpacked tree from a solution's pieces: what unpack does with a zip, for any producer
// (merge writes its output through it). The tree is built beside `folder` and renamed into place by
// commit(); destroyed without commit(), it leaves nothing behind. Call, in this order:
// write_manifest, customizations + events + finish_customizations (when there is a
// customizations.xml), write_content_types (optional), write_part for each part, commit.
class TreeWriter {
public:
    // Throws Error(output) when `folder` is not empty and options.existing is refuse.
    TreeWriter(const std::filesystem::path& folder, const UnpackOptions& options, const TreePrologues& prologues);
    ~TreeWriter();
    TreeWriter(const TreeWriter&) = delete;
    TreeWriter& operator=(const TreeWriter&) = delete;

    void write_manifest(const xml::Node& solution);
    // The handler that takes every event of customizations.xml; `source_name` names it in errors.
    xml::Handler& customizations(const std::string& source_name);
    void finish_customizations();
    void write_content_types(xml::ByteSource& source);
    // A part by its zip entry name; web-resource content goes where SolutionPackager puts it.
    void write_part(const std::string& name, xml::ByteSource& source);
    UnpackResult commit();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Unpacks `zip_path` into `folder`, atomically: the tree is built beside `folder` and renamed
// into place. Throws Error(output) when `folder` is not empty and options.existing is refuse,
// Error(input)/xml::ParseError for a bad or hostile solution, Error(output) when writing fails.
UnpackResult unpack(const std::filesystem::path& zip_path, const std::filesystem::path& folder,
                    const UnpackOptions& options);

} // namespace escprov::pack
