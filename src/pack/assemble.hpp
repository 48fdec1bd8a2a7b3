#pragma once
// Reads an unpacked tree back as the customizations.xml pack would write: Other/Customizations.xml
// with each placeholder section filled from its files, in the order unpack recorded
// (Other/escprov-order.txt) and then by path. It streams: one component file is parsed at a
// time, except the relationships and whole-section files (SiteMap, EntityMaps), which are small.
// Every event's location names the tree file it came from, so findings point at the right file.

#include "pack/layout.hpp"
#include "xml/reader.hpp"

#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace escprov::pack {

// What unpack recorded in Other/escprov-order.txt.
struct TreeOrder {
    bool present = false;
    std::map<std::string, size_t> rank; // tree path -> position
    bool customizations_bom = false;
    bool customizations_declaration = false;
    bool solution_bom = false;
    bool solution_declaration = false;
    bool content_types_absent = false;
};

// Reads Other/escprov-order.txt under `tree`; an absent file gives TreeOrder{} (present false).
TreeOrder read_order(const std::filesystem::path& tree);

// Every regular file of `tree` as a relative path with '/' separators, sorted. Throws
// Error(input) naming the first symbolic link found: a link can point outside the tree, and
// leaving it out silently would drop a component from the package.
std::vector<std::string> list_tree_files(const std::filesystem::path& tree);

// True for the files that pack turns into customizations.xml and solution.xml (and the
// recorded [Content_Types].xml), as opposed to files that become zip parts as they are.
bool is_layout_file(std::string_view path);

class Assembler : public xml::LocationProvider {
public:
    // `order` and `files` are read_order(tree) and list_tree_files(tree); the caller keeps them
    // alive while the Assembler exists (pack needs them too, and a big tree's lists are megabytes).
    // Throws Error(input) when `tree` has no Other/Customizations.xml.
    Assembler(std::filesystem::path tree, PackageType package_type, xml::Limits limits, const TreeOrder& order,
              const std::vector<std::string>& files);

    // Streams the assembled customizations.xml to `handler`. Throws xml::ParseError naming the
    // tree file, Error(input), and whatever the handler throws.
    void run(xml::Handler& handler);
    // Where the current event comes from (a tree file); valid inside handler calls.
    xml::Location location() const override;
    const TreeOrder& order() const { return m_order; }
    // Called with the number of tree files read so far, for a progress line.
    void set_progress(std::function<void(size_t)> progress) { m_progress = std::move(progress); }

private:
    friend class SkeletonForwarder;
    friend class FileForwarder;

    std::vector<std::string> section_items(const SectionRule& rule) const;
    std::vector<std::string> files_under(const std::string& prefix) const;
    std::vector<std::string> choose_and_sort(const std::vector<std::string>& candidates) const;
    std::optional<std::string> pick_file(const std::string& plain) const;
    // Forwards one tree file; `entity` fills an Entity.xml's placeholders, and a root named
    // `wrapper` (a form file's <forms>) is dropped for its children.
    void forward_file(const std::string& path, xml::Handler& out, bool entity, std::string_view wrapper = {});
    void fill_entity_part(std::string_view name, const xml::Attributes& attributes, const std::string& entity_dir,
                          xml::Handler& out);
    void fill_section(const SectionRule& rule, std::string_view name, const xml::Attributes& attributes,
                      xml::Handler& out, bool& filled);
    void emit_relationships(std::string_view name, const xml::Attributes& attributes, xml::Handler& out, bool& filled);
    void emit_node(const xml::Node& node, const std::string* file, xml::Handler& out);
    const std::string* intern(const std::string& path);

    std::filesystem::path m_tree;
    PackageType m_package_type;
    xml::Limits m_limits;
    const TreeOrder& m_order;
    const std::vector<std::string>& m_files;
    std::deque<std::string> m_names; // stable storage for Location::file
    struct Active {
        const xml::Parser* parser;
        const std::string* file;
    };
    std::vector<Active> m_active;
    // One parser per nesting level (a form file inside Entity.xml is level 1), reused from file
    // to file: a tree holds thousands of files and setting up a Xerces reader is not free.
    std::vector<std::unique_ptr<xml::Parser>> m_parsers;
    std::function<void(size_t)> m_progress;
    size_t m_files_read = 0;
    std::optional<xml::Location> m_node_location; // while emitting a materialised node
    xml::Attributes m_root_namespaces;            // xmlns declarations of the skeleton's root
};

} // namespace escprov::pack
