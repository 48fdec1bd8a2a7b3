#pragma once
// The structural half of rendering: what a version writes differently in a way the generic
// shaping (shape.hpp) cannot derive from element names alone, because a component moves, is
// rebuilt elsewhere or computed from another one. Each rule is guarded by what the target's
// profile says, so it runs exactly for the versions whose real exports show it (but the last, about
// attribute instances rather than element names, which a profile cannot tell: it is guarded by
// the version):
//  - 5.x-7.x list a custom lookup in its relationship's <field>, not in the entity's <attributes>
//    (only the system lookups createdby, modifiedby, their onbehalfby, owningbusinessunit and
//    organizationid stay, with ReferencedEntityObjectTypeCode), and every one-to-many
//    relationship has a <field>;
//  - 5.x-7.x list one role per one-to-many relationship (the referenced side), without
//    RelationshipRoleType;
//  - 8.2 and later name every relationship role's NavigationPropertyName;
//  - 9.x no longer list the logical owner-name attributes (owneridname, owneridtype,
//    owneridyominame) that 5.x-8.x exports list on user-owned entities.

#include "connector/render.hpp"
#include "connector/shape.hpp"

#include <string>
#include <vector>

namespace escprov::connector {

// Applies the rules above to the connector's sections for the profile of `shaper`, before the
// generic shaping. What a rule cannot do (a lookup without its relationship) is noted in `shaper`.
void apply_structural_rules(Connector& connector, Shaper& shaper);

// The context path of the items of a customizations.xml section: "customizations.xml/Entities/Entity",
// or for a section that is one value (OrganizationSettings, RibbonDiffXml) the section's own path.
std::string item_path(std::string_view section);

inline constexpr std::string_view k_relationship_path = "customizations.xml/EntityRelationships/EntityRelationship";
inline constexpr std::string_view k_role_path =
    "customizations.xml/EntityRelationships/EntityRelationship/EntityRelationshipRoles/EntityRelationshipRole";
inline constexpr std::string_view k_lookup_path =
    "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute[type=lookup]";

} // namespace escprov::connector
