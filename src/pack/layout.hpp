#pragma once
// Where each part of customizations.xml lives in an unpacked tree (SolutionPackager's XML
// layout): one table of section rules shared by unpack, pack and the tree reader, so the two
// directions cannot drift apart. Every path built here is checked with is_safe_relative_path.

#include "xml/node.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::pack {

// Which variant of a component pack takes when a tree holds both `{id}.xml` and `{id}_managed.xml`.
enum class PackageType { unmanaged, managed };

// How a top-level section of customizations.xml is kept in a tree.
enum class SectionLayout {
    items,         // one file per item (Roles/<name>.xml, Entities/<Name>/Entity.xml, ...)
    whole_file,    // the whole section in one file (Other/EntityMaps.xml, Other/SiteMap.xml)
    relationships, // Other/Relationships.xml (names, in order) + Other/Relationships/<Entity>.xml
};

struct SectionRule {
    std::string_view section; // element name in customizations.xml
    std::string_view item;    // item element ("Role"), or "" for whole_file
    SectionLayout layout;
    std::string_view folder; // tree folder of the items, or the file for whole_file
};

// The rule for `section`, or nullptr when the section stays inside Other/Customizations.xml.
const SectionRule* section_rule(std::string_view section);
const std::vector<SectionRule>& section_rules();

// The tree path of the `index`-th item (0-based) of `rule`'s section. Throws Error(input)
// naming the component when its name would leave the tree (`..`, absolute, backslash).
std::string item_path(const SectionRule& rule, const xml::Node& item, size_t index);

// The section whose items live at tree path `path`, or nullptr when `path` is not an item
// file. Managed variants (`_managed.xml`) count as item files of their section.
const SectionRule* item_section_of(std::string_view path);

// Paths of the parts of an Entity.xml kept in their own files.
std::string entity_folder(std::string_view entity_name);
std::string form_path(std::string_view entity_dir, std::string_view form_type, std::string_view form_id);
std::string saved_query_path(std::string_view entity_dir, std::string_view id);
std::string visualization_path(std::string_view entity_dir, std::string_view id);
std::string ribbon_path(std::string_view entity_dir);

// Checks that `name` can be one path segment. Throws Error(input) "unpack: <what> '<name>' ...".
std::string checked_segment(std::string_view what, std::string_view name);
// Checks that `path` is a safe relative path. Throws Error(input).
std::string checked_path(std::string_view what, std::string_view path);

// True for "x_managed.xml"; `plain` receives "x.xml".
bool is_managed_variant(std::string_view path, std::string* plain = nullptr);

// The sidecar unpack writes: tree paths in the order they are spliced into customizations.xml.
inline constexpr std::string_view k_order_file = "Other/escprov-order.txt";
// The original [Content_Types].xml, kept so pack can reproduce its entries.
inline constexpr std::string_view k_content_types_file = "Other/[Content_Types].xml";

} // namespace escprov::pack
