#pragma once
// escprov package: an unpacked tree (typically merge's connector-mode output) into the solution
// zip a CRM imports. The manifest is rewritten for the package (the connector's publisher, the
// managed flag, the version, RootComponents computed from the tree, MissingDependencies), the
// components the target cannot take are left out with a warning, and the zip is checked by the
// validator before it is linked into place.

#include "connector/connector.hpp"
#include "connector/root_components.hpp"
#include "pack/layout.hpp"
#include "solution/input.hpp"
#include "solution/manifest.hpp"
#include "util/output_target.hpp"
#include "validate/finding.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::package {

// Which part of the solution version --bump raises (the parts after it restart at 0).
enum class Bump { major, minor, build, revision };

// "major", "minor", "build", "revision" -> Bump; nullopt for anything else.
std::optional<Bump> parse_bump(std::string_view text);

// `version` (X.Y.Z.W, missing parts count as 0) raised by `bump`. Throws Error(input) naming
// the version when it is not dotted numbers of at most 2147483647, Error(usage) when the part
// to raise is already 2147483647 (CRM keeps each part in a 32-bit signed int).
std::string bumped_version(std::string_view version, Bump bump);

// True for four dotted numbers ("1.2.3.4"), each at most 2147483647.
bool is_solution_version(std::string_view version);

// One root component the tree carries, with what the target ranges know it by.
struct Component {
    connector::RootComponent root;  // what RootComponents lists
    std::string range_kind;         // escprov-targets.txt kind ("entity", "appmodule", ...), or ""
    std::string range_name;         // its name there; for a form, the entity it belongs to
    std::vector<std::string> paths; // tree paths (files, or folders ending in '/') that hold it
    std::string label;              // "entity esc_messagequeue", for messages
    std::string display_name;       // a form's name (for MissingDependencies); "" otherwise
};

// The root components of `tree` (whose sorted file list is `files`), grouped: shell entities,
// our entities, roles, option sets, web resources, app sitemaps, apps, customer forms, the org
// sitemap (the manifest lists them in export order, connector/root_components.hpp). Throws
// xml::ParseError / Error(input) for a component file that does not parse or lacks its identity.
std::vector<Component> tree_components(const std::filesystem::path& tree, const std::vector<std::string>& files,
                                       const xml::Limits& limits);

struct PackageOptions {
    solution::InputLimits limits;
    pack::PackageType type = pack::PackageType::managed;
    solution::CrmVersion target;
    std::optional<std::string> version;   // --version
    std::optional<Bump> bump;             // --bump
    bool force = false;                   // package a tree that fails validation
    connector::ConnectorSource connector; // templates/ and the target ranges
    Progress* progress = nullptr;         // shown the checks, the packing and the read-back; may be null
};

struct PackageResult {
    // Components of the tree that are neither the connector's nor the customer forms and org
    // sitemap connector mode changes (connector/ownership.hpp): with any, nothing is written,
    // --force or not.
    std::vector<std::string> foreign;
    std::vector<validate::Finding> tree_errors;    // the tree's validation errors
    std::vector<validate::Finding> package_errors; // the built package's validation errors
    std::vector<std::string> left_out;             // components the target cannot take, readable
    std::vector<std::string> warnings;             // other things worth saying (parts named but missing)
    std::vector<Component> components;             // the RootComponents written
    std::string version;                           // the solution version written
    // False when the tree or the package had errors and force was off: nothing was written.
    // When true with errors listed, force wrote past them.
    bool written = false;
};

// Packages `tree` into `output`: its path, or, for a folder target, the file CRM's export would be
// named (solution::export_file_name), checked once the version is known and before anything is
// written. Nothing is written when the tree holds components that are not the connector's
// (result.foreign, whatever force says), when it fails validation (without force) or when the
// package would not validate clean (without force). Throws Error(output) when the target exists
// (without overwrite), appears meanwhile, or writing fails; Error(input) for a broken tree,
// Error(usage) for a --bump past 2147483647, Interrupted on a signal. No partial output, temporary
// or folder made for the output is left in any case.
PackageResult package(const std::filesystem::path& tree, OutputFile& output, const PackageOptions& options);

} // namespace escprov::package
