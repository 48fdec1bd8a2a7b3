#pragma once
// What `escprov describe` knows about a solution tree: a plain, sorted picture of its
// customisations (entities with attributes, relationships, forms and views; option sets; roles;
// sitemaps and apps; ribbon buttons; web resources; the templates' form tabs and sitemap
// additions). The reader fills it, the Markdown and JSON writers print it.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace escprov::describe {

// The CRM versions that take a component: `from` and `until` are "5.0"-style texts, "" for an
// open end.
struct VersionRange {
    std::string from;
    std::string until;
};

struct Option {
    std::string value;
    std::string label;
};

struct Attribute {
    std::string schema_name;  // PhysicalName as written (esc_EmailAccountId)
    std::string logical_name; // lower case
    std::string type;         // the <Type> as written: nvarchar, lookup, picklist...
    std::string display_name;
    std::string description;
    std::string required_level; // none, recommended, required, systemrequired
    std::string format;         // <Format>: text, email, url, date, datetime...
    std::string max_length;
    std::string precision;
    std::string min_value;
    std::string max_value;
    std::string option_set;           // the global option set a picklist uses, else ""
    std::vector<Option> options;      // a local option set's (or a two-option field's) options
    std::vector<std::string> targets; // what a lookup points at (from LookupTypes or relationships)
    bool custom = false;              // IsCustomField, or a name with the publisher's prefix
};

struct FormField {
    std::string label;
    std::string field;          // datafieldname, or "" for a control without one
    std::string subgrid_entity; // TargetEntityType of a subgrid, else ""
    std::string relationship;   // RelationshipName of a subgrid, else ""
};

struct FormSection {
    std::string name;
    std::string label;
    std::vector<FormField> fields;
};

struct FormTab {
    std::string name;
    std::string label;
    std::vector<FormSection> sections;
};

struct Form {
    std::string type; // main, quick, quickCreate, card...
    std::string id;
    std::string name;
    std::vector<FormTab> tabs;
};

struct View {
    std::string id;
    std::string name;
    int query_type = 0;
    bool is_default = false;
    std::vector<std::string> columns;
};

struct RibbonButton {
    std::string id;
    std::string label;
    std::string location;
    std::string command;
    std::string library;
    std::string function;
};

struct Entity {
    std::string name; // logical name as the entity element writes it
    std::string display_name;
    std::string collection_name;
    std::string description;
    std::string ownership;  // OwnershipTypeMask (UserOwned, OrgOwned), "" for an extension
    std::string type_code;  // ObjectTypeCode
    bool extension = false; // an extended system entity (a shell holding only our parts)
    std::optional<VersionRange> versions;
    std::vector<Attribute> attributes;
    std::vector<Form> forms;
    std::vector<View> views;
    std::vector<RibbonButton> buttons;
};

struct Relationship {
    std::string name;
    std::string type; // OneToMany or ManyToMany
    // 1:N
    std::string referenced_entity;
    std::string referencing_entity;
    std::string referencing_attribute;
    std::map<std::string, std::string> cascade; // "Assign" -> "Cascade", ... as written
    // N:N
    std::string first_entity;
    std::string second_entity;
    std::string intersect_entity;
};

struct OptionSet {
    std::string name;
    std::string display_name;
    std::string description;
    std::vector<Option> options;
};

// The levels a role grants on one entity, by action (Create, Read, Write, Delete, Append,
// AppendTo, Assign, Share) -> level (Basic, Local, Deep, Global).
using EntityPrivileges = std::map<std::string, std::string>;

struct Role {
    std::string id;
    std::string name;
    std::string description;
    std::map<std::string, EntityPrivileges> entities; // lower-case entity name -> levels
    std::map<std::string, std::string> other;         // privileges on no entity of the tree
};

struct SubArea {
    std::string id;
    std::string title;
    std::string entity;
    std::string url;
};

struct SiteMapGroup {
    std::string id;
    std::string title;
    std::vector<SubArea> sub_areas;
};

struct SiteMapArea {
    std::string id;
    std::string title;
    std::vector<SiteMapGroup> groups;
};

struct SiteMap {
    std::string name; // SiteMapUniqueName of an app's sitemap, "" for the org sitemap
    std::string display_name;
    std::vector<SiteMapArea> areas;
};

struct AppComponent {
    std::string type; // the component type code as written (1 entity, 26 view, 60 form, 62 sitemap)
    std::string key;  // schemaName or id
};

struct AppModule {
    std::string unique_name;
    std::string display_name;
    std::string description;
    std::vector<AppComponent> components;
    std::vector<std::string> role_ids;
    std::optional<SiteMap> site_map; // the AppModuleSiteMap named like the app, when present
    std::optional<VersionRange> versions;
};

struct WebResource {
    std::string name;
    std::string display_name;
    std::string type; // WebResourceType code as written
    std::string description;
};

// templates/form-tab-<entity>.xml: the tab added to the customer's main forms of `entity`.
struct TemplateTab {
    std::string entity;
    std::string file;
    FormTab tab;
};

struct Publisher {
    std::string unique_name;
    std::string display_name;
    std::string prefix;
    std::string option_value_prefix;
};

struct Description {
    std::string solution_name;
    std::string solution_display_name;
    std::string solution_version;
    Publisher publisher;
    std::vector<Entity> entities; // the solution's own entities by name, then the extended ones by name
    std::vector<Relationship> relationships;
    std::vector<OptionSet> option_sets;
    std::vector<Role> roles;
    std::optional<SiteMap> org_site_map;      // Other/SiteMap.xml of the tree
    std::optional<SiteMap> template_site_map; // templates/sitemap.xml
    std::optional<VersionRange> org_site_map_versions;
    std::vector<AppModule> app_modules;
    std::vector<SiteMap> app_site_maps; // AppModuleSiteMaps that no app module claims
    std::vector<WebResource> web_resources;
    std::vector<TemplateTab> template_tabs;
};

} // namespace escprov::describe
