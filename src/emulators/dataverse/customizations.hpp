#pragma once
// An org's customisations as the emulator keeps them: customizations.xml cut into its sections
// and each section's items (entities, roles, option sets, web resources…), every item kept as
// its exported text and keyed by its identity (solution/identity.hpp), so that an import replaces
// or adds items and an export writes the whole file back. Items are text, not trees: memory
// follows the size of the customisations, not their node count.

#include "xml/source.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace escprov::emulator {

// What the metadata endpoints say about one entity.
struct EntityInfo {
    std::string logical_name;            // "account"
    std::string schema_name;             // "Account"
    std::string entity_set;              // "accounts"
    std::vector<std::string> attributes; // logical names
};

struct CustomizationsItem {
    std::string key;         // the item's identity; the section's name for a whole section
    std::string name;        // for messages and import results: an entity's logical name, a role's name…
    std::string text;        // the item as exported, indented for its depth, without a line end
    uint64_t first_line = 0; // where it was in the file it came from
    uint64_t last_line = 0;
};

struct CustomizationsSection {
    std::string name;      // "Entities"
    bool whole = false;    // a single value (SiteMap, OrganizationSettings…): one item, the section itself
    bool empty_tag = true; // written <X /> rather than <X></X> when it has no items
    std::vector<CustomizationsItem> items;
};

class Customizations {
public:
    // Reads customizations.xml. Throws xml::ParseError, Error.
    static Customizations read(xml::ByteSource& source);

    // Takes every item of `other`: an item with the same section and key is replaced, others are
    // appended; sections the org lacks are added.
    void absorb(const Customizations& other);
    // Takes out every item of `other` (an uninstalled solution's components); whole sections and
    // entities in `keep` stay.
    void remove(const Customizations& other, const std::vector<std::string>& keep);
    // customizations.xml as CRM writes it: sections in the schema's order, CRLF, two-space indent.
    std::string write() const;

    // The entities defined here (from the Entities section).
    const std::vector<EntityInfo>& entities() const { return m_entities; }
    const std::vector<CustomizationsSection>& sections() const { return m_sections; }
    // The section and item covering `line` of the file this was read from, or nullptrs.
    std::pair<const CustomizationsSection*, const CustomizationsItem*> item_at_line(uint64_t line) const;
    // Drops the entity `logical_name` from the Entities section (an org seeded without it).
    void drop_entity(const std::string& logical_name);

private:
    CustomizationsSection& section(const std::string& name);
    void rebuild_entities();

    std::string m_root_name = "ImportExportXml";
    std::vector<std::pair<std::string, std::string>> m_root_attributes;
    std::vector<CustomizationsSection> m_sections;
    std::vector<EntityInfo> m_entities;
    std::map<std::string, EntityInfo> m_entity_details; // by logical name, kept across absorb()
};

// CRM's entity set name for a logical name: +s; y after a consonant -> ies; s, x, z, ch, sh -> +es.
std::string entity_set_name(const std::string& logical_name);

} // namespace escprov::emulator
