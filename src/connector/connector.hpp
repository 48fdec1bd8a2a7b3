#pragma once
// The Email Service Connector as merge, package, bundle and describe use it: the source tree in
// solution/ and the templates in templates/, read and rendered for one target CRM version, and
// the target ranges saying which versions take which component. The connector is small (a few
// megabytes), so every component is held in memory.

#include "solution/input.hpp"
#include "solution/manifest.hpp"
#include "xml/node.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace escprov::connector {

inline constexpr std::string_view k_connector_prefix = "esc_";          // schema names
inline constexpr std::string_view k_connector_publisher_prefix = "esc"; // the publisher's CustomizationPrefix
inline constexpr std::string_view k_connector_publisher = "dotdigital";
inline constexpr std::string_view k_connector_option_value_prefix = "77263";

// The system entities the connector extends as shells ("list" is the Marketing List).
const std::vector<std::string>& extended_entities();

// True when `name` (a schema or logical name, any case) carries the connector's prefix "esc_".
bool is_connector_name(std::string_view name);

// True when `name` (a logical name, any case) is one of extended_entities().
bool is_extended_entity(std::string_view name);

// Where the connector's source lives.
struct ConnectorSource {
    std::filesystem::path tree;      // the unpacked solution (solution/)
    std::filesystem::path templates; // the templates (templates/)
};

// `dir` (--connector) names the solution tree, and the templates are its sibling templates/;
// without it, $ESCPROV_CONNECTOR, else the source checkout the binary was built from. Throws
// Error(usage) naming the folder when it holds no Other/Solution.xml or has no templates beside it.
ConnectorSource locate_connector(const std::optional<std::filesystem::path>& dir);

// Which CRM versions take which components (Other/escprov-targets.txt).
class TargetRanges {
public:
    // An absent file means every component goes to every target. Throws Error(input) naming the
    // file and line of a malformed row.
    static TargetRanges read(const std::filesystem::path& tree);
    // False when `kind` `name` is listed with a range that leaves `target` out.
    bool takes(std::string_view kind, std::string_view name, const solution::CrmVersion& target) const;
    // "5.0-8.2", "9.0 and later", or "" when not listed.
    std::string describe(std::string_view kind, std::string_view name) const;
    // The listed first and last version as written ("" for an open end), or nullopt when not listed.
    std::optional<std::pair<std::string, std::string>> range(std::string_view kind, std::string_view name) const;

private:
    struct Range {
        solution::CrmVersion from;
        std::optional<solution::CrmVersion> until;
    };
    std::map<std::string, Range, std::less<>> m_ranges; // "kind name" -> range
};

// The connector rendered for one target: its solution.xml, its customizations.xml components by
// section, the tabs it adds to customer forms, its org sitemap additions and its parts.
struct Connector {
    solution::CrmVersion target;
    xml::Node manifest;                  // solution.xml for the target; RootComponents left empty
    xml::Attributes customizations_root; // attributes of customizations.xml's root for the target
    // Top-level sections of customizations.xml in schema order, each with its items (or, for
    // single-value sections such as Languages, the whole section element as the only item).
    std::vector<std::pair<std::string, std::vector<xml::Node>>> sections;
    std::map<std::string, xml::Node> form_tabs;         // entity logical name -> the <tab> for its main forms
    std::optional<xml::Node> org_sitemap;               // the inner <SiteMap> of additions, when the target takes them
    std::map<std::string, std::filesystem::path> parts; // zip part name -> file
    std::vector<std::string> left_out;                  // components the target does not take, readable
    std::string unique_name;                            // "EmailServiceConnector"
    std::string version;                                // "9.2.0.1"

    std::vector<xml::Node>* section(std::string_view name);
    const std::vector<xml::Node>* section(std::string_view name) const;
};

// The connector's tab for the main forms of each extended entity (templates/form-tab-<entity>.xml),
// by entity logical name. Throws Error(input)/xml::ParseError for a broken template.
std::map<std::string, xml::Node> render_form_tabs(const ConnectorSource& source, const xml::Limits& limits);

// The connector's whole customizations.xml as its source tree holds it, for every target (nothing
// left out). Throws Error(input)/xml::ParseError for a broken tree.
xml::Node read_source_customizations(const ConnectorSource& source, const solution::InputLimits& limits);

// Reads and renders the connector for `target`. Throws Error(usage) for a target versions.tsv does
// not list, Error(input)/xml::ParseError for a broken connector source.
Connector load_connector(const ConnectorSource& source, const solution::CrmVersion& target,
                         const solution::InputLimits& limits);

} // namespace escprov::connector
