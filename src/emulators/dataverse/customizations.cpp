#include "emulators/dataverse/customizations.hpp"

#include "emulators/dataverse/entity_layer.hpp"
#include "solution/identity.hpp"
#include "solution/schema.hpp"
#include "util/text.hpp"
#include "xml/node.hpp"
#include "xml/reader.hpp"
#include "xml/writer.hpp"

#include <algorithm>

namespace escprov::emulator {

namespace {

bool is_whole_section(std::string_view section)
{
    return section == "SiteMap" || solution::section_item(section).empty();
}

EntityInfo entity_info(const xml::Node& entity)
{
    EntityInfo info;
    info.logical_name = solution::entity_name(entity);
    const xml::Node* name = entity.child("Name");
    info.schema_name = name != nullptr ? trimmed(name->text_content()) : info.logical_name;
    info.entity_set = entity_set_name(info.logical_name);
    const xml::Node* entity_info = entity.child("EntityInfo");
    const xml::Node* inner = entity_info != nullptr ? entity_info->child("entity") : nullptr;
    if (inner != nullptr) {
        std::string set = trimmed(inner->child_text("EntitySetName"));
        if (!set.empty()) {
            info.entity_set = set;
        }
    }
    if (const xml::Node* attributes = solution::entity_attributes(entity); attributes != nullptr) {
        for (const xml::Node* attribute : attributes->children_named("attribute")) {
            std::string logical = trimmed(attribute->child_text("LogicalName"));
            if (logical.empty()) {
                const std::string* physical = attribute->attribute("PhysicalName");
                logical = physical != nullptr ? ascii_lower(*physical) : std::string();
            }
            if (!logical.empty()) {
                info.attributes.push_back(logical);
            }
        }
    }
    return info;
}

std::string item_name(std::string_view section, const xml::Node& item, const std::string& key)
{
    if (section == "Entities") {
        return solution::entity_name(item);
    }
    if (const std::string* name = item.attribute("name"); name != nullptr && !name->empty()) {
        return *name;
    }
    if (const std::string* name = item.attribute("Name"); name != nullptr && !name->empty()) {
        return *name;
    }
    std::string text = trimmed(item.child_text("Name"));
    if (!text.empty()) {
        return text;
    }
    text = trimmed(item.child_text("UniqueName"));
    return text.empty() ? key : text;
}

class Loader : public xml::Handler {
public:
    Loader(const xml::Parser& parser, std::vector<CustomizationsSection>& sections,
           std::vector<std::pair<std::string, std::string>>& root_attributes, std::string& root_name,
           std::map<std::string, EntityInfo>& entities)
        : m_parser(parser), m_sections(sections), m_root_attributes(root_attributes), m_root_name(root_name),
          m_entities(entities)
    {}

    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        ++m_depth;
        if (m_building) {
            m_builder.start_element(name, attributes, empty_tag);
            return;
        }
        if (m_depth == 1) {
            m_root_name = std::string(name);
            for (const auto& attribute : attributes) {
                m_root_attributes.emplace_back(attribute.name, attribute.value);
            }
            return;
        }
        if (m_depth == 2) {
            m_section = std::string(name);
            if (is_whole_section(name)) {
                begin_item(name, attributes, empty_tag);
                return;
            }
            auto it = std::find_if(m_sections.begin(), m_sections.end(),
                                   [&](const CustomizationsSection& s) { return s.name == name; });
            if (it == m_sections.end()) {
                CustomizationsSection section;
                section.name = std::string(name);
                section.empty_tag = empty_tag;
                m_sections.push_back(std::move(section));
            }
            return;
        }
        if (m_depth == 3) {
            begin_item(name, attributes, empty_tag);
        }
    }

    void end_element(std::string_view /*name*/) override
    {
        if (m_building) {
            m_builder.end_element();
            if (m_builder.done()) {
                finish_item();
            }
        }
        --m_depth;
    }

    void characters(std::string_view text, bool cdata) override
    {
        if (m_building) {
            m_builder.characters(text, cdata);
        }
    }
    bool wants_characters() const override { return m_building; }
    void comment(std::string_view text) override
    {
        if (m_building) {
            m_builder.comment(text);
        }
    }

private:
    void begin_item(std::string_view name, const xml::Attributes& attributes, bool empty_tag)
    {
        m_building = true;
        m_first_line = m_parser.location().line;
        m_builder = xml::TreeBuilder(nullptr);
        m_builder.start_element(name, attributes, empty_tag);
    }

    void finish_item()
    {
        m_building = false;
        xml::Node node = m_builder.take();
        bool whole = m_depth == 2;
        CustomizationsItem item;
        item.first_line = m_first_line;
        item.last_line = m_parser.location().line;
        if (whole) {
            item.key = m_section;
            item.name = m_section;
        } else {
            item.key = solution::item_identity(m_section, node);
            if (item.key.empty()) {
                item.key = "#" + std::to_string(m_unnamed++);
            }
            item.name = item_name(m_section, node, item.key);
        }
        xml::Style style;
        style.base_depth = whole ? 1 : 2;
        item.text = xml::to_string(node, style);
        if (!whole && m_section == "Entities") {
            EntityInfo info = entity_info(node);
            m_entities[info.logical_name] = std::move(info);
        }
        if (whole) {
            CustomizationsSection section;
            section.name = m_section;
            section.whole = true;
            section.items.push_back(std::move(item));
            m_sections.push_back(std::move(section));
            return;
        }
        m_sections.back().items.push_back(std::move(item));
    }

    const xml::Parser& m_parser;
    std::vector<CustomizationsSection>& m_sections;
    std::vector<std::pair<std::string, std::string>>& m_root_attributes;
    std::string& m_root_name;
    std::map<std::string, EntityInfo>& m_entities; // details are taken as each entity ends: no tree is kept
    size_t m_depth = 0;
    std::string m_section;
    bool m_building = false;
    uint64_t m_first_line = 0;
    size_t m_unnamed = 0;
    xml::TreeBuilder m_builder;
};

// An entity the org has, with an import's entity of the same name layered over it.
CustomizationsItem layered(const CustomizationsItem& org, const CustomizationsItem& incoming)
{
    xml::MemorySource org_source(org.text, "org entity");
    xml::MemorySource incoming_source(incoming.text, "imported entity");
    xml::Node entity = layer_entity(xml::parse_document(org_source), xml::parse_document(incoming_source));
    CustomizationsItem result = incoming;
    xml::Style style;
    style.base_depth = 2;
    result.text = xml::to_string(entity, style);
    return result;
}

size_t rank_of(const std::string& section)
{
    auto rank = solution::section_rank(section);
    return rank ? *rank : solution::section_order().size();
}

} // namespace

std::string entity_set_name(const std::string& logical_name)
{
    auto ends_with = [&](std::string_view suffix) {
        return logical_name.size() >= suffix.size() &&
               logical_name.compare(logical_name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (logical_name.size() > 1 && ends_with("y")) {
        char before = logical_name[logical_name.size() - 2];
        if (std::string_view("aeiou").find(before) == std::string_view::npos) {
            return logical_name.substr(0, logical_name.size() - 1) + "ies";
        }
    }
    if (ends_with("s") || ends_with("x") || ends_with("z") || ends_with("ch") || ends_with("sh")) {
        return logical_name + "es";
    }
    return logical_name + "s";
}

Customizations Customizations::read(xml::ByteSource& source)
{
    Customizations result;
    result.m_root_name.clear();
    xml::Parser parser;
    Loader loader(parser, result.m_sections, result.m_root_attributes, result.m_root_name, result.m_entity_details);
    parser.parse(source, loader);
    result.rebuild_entities();
    return result;
}

CustomizationsSection& Customizations::section(const std::string& name)
{
    auto it = std::find_if(m_sections.begin(), m_sections.end(),
                           [&](const CustomizationsSection& s) { return s.name == name; });
    if (it != m_sections.end()) {
        return *it;
    }
    CustomizationsSection added;
    added.name = name;
    added.whole = is_whole_section(name);
    m_sections.push_back(std::move(added));
    return m_sections.back();
}

void Customizations::absorb(const Customizations& other)
{
    for (const auto& incoming : other.m_sections) {
        CustomizationsSection& mine = section(incoming.name);
        if (incoming.whole) {
            mine.whole = true;
            mine.items = incoming.items;
            continue;
        }
        for (const auto& item : incoming.items) {
            auto it = std::find_if(mine.items.begin(), mine.items.end(),
                                   [&](const CustomizationsItem& i) { return i.key == item.key; });
            if (it != mine.items.end()) {
                *it = incoming.name == "Entities" ? layered(*it, item) : item;
            } else {
                mine.items.push_back(item);
            }
        }
    }
    for (const auto& [name, info] : other.m_entity_details) {
        auto& mine = m_entity_details[name];
        if (mine.logical_name.empty()) {
            mine = info;
            continue;
        }
        for (const auto& attribute : info.attributes) {
            if (std::find(mine.attributes.begin(), mine.attributes.end(), attribute) == mine.attributes.end()) {
                mine.attributes.push_back(attribute);
            }
        }
    }
    rebuild_entities();
}

void Customizations::remove(const Customizations& other, const std::vector<std::string>& keep)
{
    for (const auto& incoming : other.m_sections) {
        if (incoming.whole) {
            continue;
        }
        CustomizationsSection& mine = section(incoming.name);
        for (const auto& item : incoming.items) {
            if (incoming.name == "Entities" && std::find(keep.begin(), keep.end(), item.name) != keep.end()) {
                continue;
            }
            std::erase_if(mine.items, [&](const CustomizationsItem& i) { return i.key == item.key; });
            if (incoming.name == "Entities") {
                m_entity_details.erase(item.name);
            }
        }
    }
    rebuild_entities();
}

void Customizations::drop_entity(const std::string& logical_name)
{
    for (auto& section : m_sections) {
        if (section.name == "Entities") {
            std::erase_if(section.items, [&](const CustomizationsItem& i) { return i.name == logical_name; });
        }
    }
    m_entity_details.erase(logical_name);
    rebuild_entities();
}

void Customizations::rebuild_entities()
{
    m_entities.clear();
    for (const auto& section : m_sections) {
        if (section.name != "Entities") {
            continue;
        }
        for (const auto& item : section.items) {
            auto it = m_entity_details.find(item.name);
            if (it != m_entity_details.end()) {
                m_entities.push_back(it->second);
            }
        }
    }
}

std::pair<const CustomizationsSection*, const CustomizationsItem*> Customizations::item_at_line(uint64_t line) const
{
    for (const auto& section : m_sections) {
        for (const auto& item : section.items) {
            if (line >= item.first_line && line <= item.last_line) {
                return {&section, &item};
            }
        }
    }
    return {nullptr, nullptr};
}

std::string Customizations::write() const
{
    std::vector<const CustomizationsSection*> ordered;
    for (const auto& section : m_sections) {
        ordered.push_back(&section);
    }
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const auto* a, const auto* b) { return rank_of(a->name) < rank_of(b->name); });
    size_t size = 256;
    for (const auto& section : m_sections) {
        size += 2 * section.name.size() + 16;
        for (const auto& item : section.items) {
            size += item.text.size() + 2;
        }
    }
    std::string out;
    out.reserve(size); // one allocation: a 250 MB org's file is not copied while it grows
    out += "<" + m_root_name;
    for (const auto& [name, value] : m_root_attributes) {
        out += " " + name + "=\"";
        xml::escape_attribute(out, value);
        out += "\"";
    }
    out += ">";
    for (const auto* section : ordered) {
        if (section->whole) {
            for (const auto& item : section->items) {
                out += "\r\n" + item.text;
            }
            continue;
        }
        if (section->items.empty()) {
            out += "\r\n  <" + section->name + (section->empty_tag ? " />" : "></" + section->name + ">");
            continue;
        }
        out += "\r\n  <" + section->name + ">";
        for (const auto& item : section->items) {
            out += "\r\n" + item.text;
        }
        out += "\r\n  </" + section->name + ">";
    }
    out += "\r\n</" + m_root_name + ">";
    return out;
}

} // namespace escprov::emulator
