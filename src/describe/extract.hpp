#pragma once
// Turns one materialised component (an <Entity>, <Role>, <EntityRelationship>...) into the
// describe model. Each function reads only its element; missing parts leave fields empty, since
// describe shows what is there and `escprov validate` judges what is missing.

#include "describe/model.hpp"
#include "xml/node.hpp"

#include <set>
#include <string>

namespace escprov::describe {

// The language every label is read in, falling back to the first label present.
inline constexpr const char* k_language = "1033";

// The `description` of the <item languagecode=...> under <container> in `parent` (LocalizedNames
// / LocalizedName, displaynames / displayname, labels / label...), in k_language when present.
std::string localized(const xml::Node& parent, std::string_view container, std::string_view item);

// An <Entity> of Entities: names, ownership, attributes, forms, views and ribbon buttons.
// `prefix` is the publisher's customisation prefix ("esc"), which marks attributes as ours.
Entity read_entity(const xml::Node& element, const std::string& prefix);
Relationship read_relationship(const xml::Node& element);
// A global <optionset> of optionsets.
OptionSet read_option_set(const xml::Node& element);
// A <Role>; privileges on an entity in `entities` (lower-case names) go into the matrix, the
// rest into Role::other.
Role read_role(const xml::Node& element, const std::set<std::string>& entities);
// A <SiteMap> element holding <Area>s (the org sitemap, an app's sitemap, templates/sitemap.xml).
SiteMap read_site_map(const xml::Node& element);
// An <AppModuleSiteMap>: its unique name, display name and sitemap.
SiteMap read_app_site_map(const xml::Node& element);
AppModule read_app_module(const xml::Node& element);
WebResource read_web_resource(const xml::Node& element);
// A form <tab>: its sections and their fields and subgrids.
FormTab read_tab(const xml::Node& element);

} // namespace escprov::describe
