#pragma once
// The RootComponents and MissingDependencies of a connector solution's solution.xml, written the
// way real exports of the target version write them (../shared/corpus: 40 exports, CRM 5.0 to 9.2):
//  - one <RootComponent> per component, sorted by type, then by schemaName (else id) ignoring case,
//    a component with neither (the org sitemap) last of its type;
//  - attributes in the order type, schemaName or id, behavior. CRM 5.x-7.x never writes behavior
//    (0 of 2,151 root components); 8.0 and later write it on every root component: 0 for a
//    component with all it holds, 2 for a system entity the solution only extends (a shell).
// merge (both modes) and package both write their manifests' components through here.

#include "solution/component_type.hpp"
#include "solution/manifest.hpp"
#include "xml/node.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::connector {

// One entry of RootComponents.
struct RootComponent {
    solution::ComponentType type = solution::ComponentType::entity;
    std::string key;    // "schemaName" or "id"; "" for the org sitemap, which has no name
    std::string value;  // the schemaName or id as written
    bool shell = false; // a system entity the connector extends: behavior 2 where behavior is written
};

// The entity `name` (logical name); a shell when it is one of extended_entities().
RootComponent entity_root_component(std::string_view name);

// A customer form the connector changes; `id` with or without braces ("{...}" is written).
RootComponent form_root_component(std::string_view id);

// The org sitemap (customizations.xml's SiteMap section), which has no name.
RootComponent org_sitemap_root_component();

// The root component of an item of customizations.xml `section` (Entities, optionsets, Roles,
// WebResources, AppModuleSiteMaps, AppModules); nullopt for an item of any other section.
std::optional<RootComponent> item_root_component(std::string_view section, const xml::Node& item);

// True when `a` comes before `b` in an export's RootComponents.
bool export_order(const RootComponent& a, const RootComponent& b);

// The <RootComponents> element listing `components` as an export of `target` writes them.
xml::Node root_components_node(std::vector<RootComponent> components, const solution::CrmVersion& target);

// Adds to `manifest` (a solution.xml document) the `components` its RootComponents does not list
// yet (same type and name or id, ignoring case), each written as for `target` and put before the
// first listed component that comes after it in export order, so that a sorted list stays sorted.
// Does nothing when the manifest has no RootComponents element.
void add_root_components(xml::Node& manifest, const std::vector<RootComponent>& components,
                         const solution::CrmVersion& target);

// A customer form of a package, as a MissingDependency names it when it depends on a shell.
struct FormDependent {
    std::string id;           // "{...}"
    std::string entity;       // its entity's logical name
    std::string display_name; // the form's name; "" when the form has none
};

// <MissingDependencies> for a package of `target` holding `components`. From 9.0 the marketing
// entities (list, campaign) live in the msdynce_Marketing solution, which the org must have: each
// shell of them depends on itself there, and each of `forms` on its entity. Written as real 9.x
// exports write them (MicrosoftDynamics365NonprofitAccelerator 2.0): Required and Dependent with a
// key attribute that numbers the components in order of first mention (a component met again
// keeps its key), the providing solution named with the version those exports show. Empty before 9.0.
xml::Node missing_dependencies_node(const std::vector<RootComponent>& components,
                                    const std::vector<FormDependent>& forms, const solution::CrmVersion& target);

} // namespace escprov::connector
