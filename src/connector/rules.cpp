#include "connector/rules.hpp"
#include "solution/identity.hpp"

#include "solution/schema.hpp"
#include "util/text.hpp"

#include <map>
#include <set>

namespace escprov::connector {

namespace {

using profile::Usage;

bool used(Usage usage)
{
    return usage == Usage::always || usage == Usage::sometimes;
}

// The lookups 5.x-7.x exports still list in a custom entity's <attributes>, with the object type
// code of the entity they refer to (SystemUser 8, BusinessUnit 10, Organization 1019). Every other
// lookup of those versions lives only in its relationship's <field> (the 2013 and 2015 org exports
// of the corpus: 0 of their custom lookups listed, every one-to-many relationship with a <field>).
const std::map<std::string, std::string, std::less<>>& listed_lookups()
{
    static const std::map<std::string, std::string, std::less<>> table = {
        {"createdby", "8"},          {"createdonbehalfby", "8"},   {"modifiedby", "8"},
        {"modifiedonbehalfby", "8"}, {"owningbusinessunit", "10"}, {"organizationid", "1019"},
    };
    return table;
}

// The logical owner-name attributes 5.x-8.x exports list on a user-owned entity and 9.x do not.
bool is_owner_name(std::string_view attribute)
{
    return attribute == "owneridname" || attribute == "owneridtype" || attribute == "owneridyominame";
}

std::string text_of(const xml::Node& node, std::string_view child)
{
    return trimmed(node.child_text(child));
}

bool is_one_to_many(const xml::Node& relationship)
{
    return text_of(relationship, "EntityRelationshipType") == "OneToMany";
}

std::string relationship_name(const xml::Node& relationship)
{
    const std::string* name = relationship.attribute("Name");
    return name != nullptr ? *name : std::string();
}

// The <field> a 5.x-7.x relationship defines its lookup with, built from the lookup's attribute:
// what real exports of those versions carry there (name, required level, IME mode and lookup
// style as XML attributes; the customisation flags, security, display mask, auditing and display
// names as children). The generic shaping then keeps only what the target writes.
xml::Node lookup_field(const xml::Node& attribute)
{
    auto value_or = [&](std::string_view child, const std::string& fallback) {
        std::string text = text_of(attribute, child);
        return text.empty() ? fallback : text;
    };
    xml::Node field = xml::make_element("field", {{"name", solution::attribute_name(attribute)},
                                                  {"requiredlevel", value_or("RequiredLevel", "none")},
                                                  {"imemode", value_or("ImeMode", "auto")},
                                                  {"lookupstyle", value_or("LookupStyle", "single")},
                                                  {"lookupbrowse", "0"},
                                                  {"format", ""}});
    for (std::string_view child :
         {"IsCustomizable", "IsRenameable", "CanModifySearchSettings", "CanModifyRequirementLevelSettings", "IsSecured",
          "DisplayMask", "IsAuditEnabled", "displaynames"}) {
        if (const xml::Node* found = attribute.child(child)) {
            add_child(field, *found);
        }
    }
    return field;
}

class Rules {
public:
    Rules(Connector& connector, Shaper& shaper) : m_connector(connector), m_shaper(shaper)
    {
        if (auto* entities = connector.section("Entities")) {
            for (auto& entity : *entities) {
                m_entities[solution::entity_name(entity)] = &entity;
            }
        }
        m_relationships = connector.section("EntityRelationships");
    }

    void apply()
    {
        lookups_as_fields();
        referenced_type_codes();
        referenced_roles_only();
        navigation_property_names();
        owner_names();
    }

private:
    const xml::Node* find_attribute(const std::string& entity, const std::string& attribute) const
    {
        auto found = m_entities.find(entity);
        const xml::Node* attributes = found != m_entities.end() ? solution::entity_attributes(*found->second) : nullptr;
        if (attributes == nullptr) {
            return nullptr;
        }
        for (const xml::Node* candidate : attributes->children_named("attribute")) {
            if (solution::attribute_name(*candidate) == attribute) {
                return candidate;
            }
        }
        return nullptr;
    }

    template <typename Visit> void for_each_attributes(Visit visit)
    {
        for (auto& [name, entity] : m_entities) {
            if (xml::Node* attributes = solution::entity_attributes(*entity)) {
                visit(name, *attributes);
            }
        }
    }

    // 5.x-7.x: every one-to-many relationship has a <field>; the lookups not listed there leave
    // <attributes>.
    void lookups_as_fields()
    {
        if (!used(m_shaper.element_usage(k_relationship_path, "field")) || m_relationships == nullptr) {
            return;
        }
        std::set<std::string> defined; // "entity attribute" of every lookup a <field> defines
        for (auto& relationship : *m_relationships) {
            if (!is_one_to_many(relationship)) {
                continue;
            }
            std::string entity = ascii_lower(text_of(relationship, "ReferencingEntityName"));
            std::string attribute = ascii_lower(text_of(relationship, "ReferencingAttributeName"));
            std::string key = entity;
            key.append(" ").append(attribute);
            if (relationship.child("field") != nullptr) {
                defined.insert(key);
                continue;
            }
            const xml::Node* lookup = find_attribute(entity, attribute);
            if (lookup == nullptr) {
                std::string note = "relationship " + relationship_name(relationship);
                note.append(": CRM ").append(m_connector.target.text);
                note.append(" defines a lookup in the relationship's <field>, and ").append(entity);
                note.append(".").append(attribute).append(" is not in the connector");
                m_shaper.note(std::move(note));
                continue;
            }
            add_child(relationship, lookup_field(*lookup));
            defined.insert(key);
        }
        for_each_attributes([&](const std::string& entity, xml::Node& attributes) {
            drop_children_if(attributes, [&](const xml::Node& attribute) {
                std::string name = solution::attribute_name(attribute);
                bool unlisted = attribute.name == "attribute" && solution::attribute_type(attribute) == "lookup" &&
                                listed_lookups().count(name) == 0;
                if (unlisted && defined.count(entity + " " + name) == 0) {
                    m_shaper.note("entity " + entity + ": lookup " + name + " has no relationship to define it in");
                    return false;
                }
                return unlisted;
            });
        });
    }

    // 5.x-7.x name the entity a listed system lookup refers to by its object type code.
    void referenced_type_codes()
    {
        if (!used(m_shaper.element_usage(k_lookup_path, "ReferencedEntityObjectTypeCode"))) {
            return;
        }
        for_each_attributes([&](const std::string&, xml::Node& attributes) {
            for (auto& attribute : attributes.children) {
                if (!attribute.is_element() || solution::attribute_type(attribute) != "lookup" ||
                    attribute.child("ReferencedEntityObjectTypeCode") != nullptr) {
                    continue;
                }
                auto code = listed_lookups().find(solution::attribute_name(attribute));
                if (code != listed_lookups().end()) {
                    add_child(attribute, leaf("ReferencedEntityObjectTypeCode", code->second));
                }
            }
        });
    }

    // 5.x-7.x list only the referenced side's role of a one-to-many relationship, and no role type.
    void referenced_roles_only()
    {
        if (m_shaper.element_usage(k_role_path, "RelationshipRoleType") != Usage::never || m_relationships == nullptr) {
            return;
        }
        for (auto& relationship : *m_relationships) {
            xml::Node* roles = relationship.child("EntityRelationshipRoles");
            if (roles == nullptr || !is_one_to_many(relationship)) {
                continue;
            }
            drop_children_if(*roles,
                             [](const xml::Node& role) { return text_of(role, "RelationshipRoleType") == "0"; });
        }
    }

    // 8.2 and later name each role's navigation property: the lookup's schema name on the
    // referencing side (role type 1), the relationship's name on the referenced side (role type 0)
    // and on both sides of a many-to-many relationship.
    void navigation_property_names()
    {
        if (!used(m_shaper.element_usage(k_role_path, "NavigationPropertyName")) || m_relationships == nullptr) {
            return;
        }
        for (auto& relationship : *m_relationships) {
            xml::Node* roles = relationship.child("EntityRelationshipRoles");
            if (roles == nullptr) {
                continue;
            }
            for (auto& role : roles->children) {
                if (!role.is_element() || role.child("NavigationPropertyName") != nullptr) {
                    continue;
                }
                bool lookup_side = is_one_to_many(relationship) && text_of(role, "RelationshipRoleType") == "1";
                std::string name =
                    lookup_side ? text_of(relationship, "ReferencingAttributeName") : relationship_name(relationship);
                add_child(role, leaf("NavigationPropertyName", name));
            }
        }
    }

    // 9.x do not list the logical owner-name attributes.
    void owner_names()
    {
        if (m_connector.target.major < 9) {
            return;
        }
        for_each_attributes([&](const std::string&, xml::Node& attributes) {
            drop_children_if(attributes, [](const xml::Node& attribute) {
                return is_owner_name(solution::attribute_name(attribute));
            });
        });
    }

    Connector& m_connector;
    Shaper& m_shaper;
    std::map<std::string, xml::Node*> m_entities;
    std::vector<xml::Node>* m_relationships = nullptr;
};

} // namespace

std::string item_path(std::string_view section)
{
    std::string path = profile::context_path("customizations.xml", section);
    std::string_view item = solution::section_item(section);
    return item.empty() ? path : profile::context_path(path, item);
}

void apply_structural_rules(Connector& connector, Shaper& shaper)
{
    Rules(connector, shaper).apply();
}

} // namespace escprov::connector
