#pragma once
// How CRM tells components apart (DESIGN.md §5): the identity of an item of customizations.xml,
// the names of entities and attributes, and GUIDs and names compared as CRM compares them. Merge,
// connector, validate and describe all match components through these.

#include "xml/node.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace escprov::solution {

// An id or name as CRM compares it: surrounding white space and one pair of braces around it
// dropped, lower case ("{1FED44D1-...}" -> "1fed44d1-...", " Contact " -> "contact").
std::string normalise_id(std::string_view text);

// The identity of an item of customizations.xml section `section`, the key components are
// matched by: an entity's Name, a role's id, an option set's or relationship's Name, a process's
// WorkflowId, a web resource's Name, an app's UniqueName, an app sitemap's SiteMapUniqueName, a
// plug-in assembly's FullName, a step's SdkMessageProcessingStepId; normalised with normalise_id().
// "" for a section whose items have none.
std::string item_identity(std::string_view section, const xml::Node& item);

// The child element whose text names an item of `section` (Entities and WebResources: "Name";
// AppModules: "UniqueName"; AppModuleSiteMaps: "SiteMapUniqueName"); "" when an attribute of the
// item's start tag names it. For readers that see the item as a stream.
std::string_view identity_child(std::string_view section);

// The logical name of an entity item (<Entity><Name>), lower case.
std::string entity_name(const xml::Node& entity);

// The <attributes> of an entity item (EntityInfo/entity/attributes), or nullptr.
xml::Node* entity_attributes(xml::Node& entity);
const xml::Node* entity_attributes(const xml::Node& entity);

// Every <systemform> of an entity item, with the type of its <forms> group ("main", "quick"...).
std::vector<std::pair<std::string, xml::Node*>> forms_of(xml::Node& entity);
std::vector<std::pair<std::string, const xml::Node*>> forms_of(const xml::Node& entity);

// Every <savedquery> of an entity item.
std::vector<const xml::Node*> views_of(const xml::Node& entity);

// The name of a form or view: its first LocalizedNames/LocalizedName description, or "".
std::string localized_name(const xml::Node& form_or_view);

// An attribute's identity (LogicalName, else PhysicalName, lower case) and type (lower case).
std::string attribute_name(const xml::Node& attribute);
std::string attribute_type(const xml::Node& attribute);

} // namespace escprov::solution
