#include "merge/engine.hpp"

#include "connector/render.hpp"
#include "connector/root_components.hpp"
#include "merge/form.hpp"
#include "merge/outline.hpp"
#include "merge/sitemap.hpp"
#include "merge/walker.hpp"
#include "pack/assemble.hpp"
#include "pack/input.hpp"
#include "pack/pack.hpp"
#include "solution/component_type.hpp"
#include "solution/identity.hpp"
#include "solution/schema.hpp"
#include "util/build_info_access.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"
#include "xml/source.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace escprov::merge {

using connector::add_root_components;
using connector::Connector;
using connector::extended_entities;
using connector::form_root_component;
using connector::is_extended_entity;
using connector::item_root_component;
using connector::k_connector_option_value_prefix;
using connector::k_connector_prefix;
using connector::k_connector_publisher;
using connector::org_sitemap_root_component;
using connector::root_components_node;
using connector::RootComponent;
using solution::attribute_name;
using solution::attribute_type;
using solution::entity_attributes;
using solution::entity_name;
using solution::item_identity;
using solution::normalise_id;

namespace {

constexpr long k_option_range_first = 772630000;
constexpr long k_option_range_last = 772639999;

bool is_ours_name(std::string_view name)
{
    return ascii_lower(name).starts_with(k_connector_prefix);
}

std::optional<long> option_value(const xml::Attributes& attributes)
{
    const std::string* text = xml::find_attribute(attributes, "value");
    if (text == nullptr) {
        return std::nullopt;
    }
    long value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        return std::nullopt;
    }
    return value;
}

// "attribute contact.esc_emailscore": how reports name an attribute.
std::string attribute_subject(const std::string& entity, const std::string& attribute)
{
    std::string subject = "attribute ";
    subject += entity;
    subject += '.';
    subject += attribute;
    return subject;
}

bool in_our_option_range(long value)
{
    return value >= k_option_range_first && value <= k_option_range_last;
}

// Every <systemform> of an entity item, with the type of its <forms> group.
std::vector<std::pair<std::string, xml::Node*>> forms_of(xml::Node& entity)
{
    std::vector<std::pair<std::string, xml::Node*>> forms;
    xml::Node* form_xml = entity.child("FormXml");
    if (form_xml == nullptr) {
        return forms;
    }
    for (auto& group : form_xml->children) {
        if (!group.is_element() || group.name != "forms") {
            continue;
        }
        const std::string* type = group.attribute("type");
        for (auto& form : group.children) {
            if (form.is_element() && form.name == "systemform") {
                forms.emplace_back(type != nullptr ? *type : std::string(), &form);
            }
        }
    }
    return forms;
}

std::vector<xml::Node*> views_of(xml::Node& entity)
{
    std::vector<xml::Node*> views;
    if (xml::Node* queries = entity.child("SavedQueries")) {
        if (xml::Node* list = queries->child("savedqueries")) {
            for (auto& view : list->children) {
                if (view.is_element() && view.name == "savedquery") {
                    views.push_back(&view);
                }
            }
        }
    }
    return views;
}

std::string form_label(const xml::Node& form)
{
    std::string name;
    if (const xml::Node* names = form.child("LocalizedNames")) {
        for (const xml::Node* localized : names->children_named("LocalizedName")) {
            if (const std::string* description = localized->attribute("description")) {
                name = *description;
                break;
            }
        }
    }
    std::string id = normalise_id(form.child_text("formid"));
    return name.empty() ? "{" + id + "}" : "'" + name + "' {" + id + "}";
}

// Inserts `child` into `parent` before the first child element named one of `before`, or at the end.
void insert_before(xml::Node& parent, xml::Node child, std::initializer_list<std::string_view> before)
{
    for (size_t i = 0; i < parent.children.size(); ++i) {
        const xml::Node& existing = parent.children[i];
        if (existing.is_element() && std::find(before.begin(), before.end(), existing.name) != before.end()) {
            parent.children.insert(parent.children.begin() + static_cast<std::ptrdiff_t>(i), std::move(child));
            parent.children.insert(parent.children.begin() + static_cast<std::ptrdiff_t>(i + 1), xml::make_text("\n"));
            return;
        }
    }
    xml::append_on_own_line(parent, std::move(child));
}

// Adds the connector's ribbon parts (elements with an Id) to a customer's RibbonDiffXml, keeping
// every customer element; containers without an Id are matched by name.
size_t merge_ribbon(xml::Node& customer, const xml::Node& ours)
{
    size_t added = 0;
    for (const auto& child : ours.children) {
        if (!child.is_element()) {
            continue;
        }
        const std::string* id = child.attribute("Id");
        xml::Node* match = nullptr;
        for (auto& existing : customer.children) {
            if (!existing.is_element() || existing.name != child.name) {
                continue;
            }
            const std::string* existing_id = existing.attribute("Id");
            if ((id == nullptr && existing_id == nullptr) ||
                (id != nullptr && existing_id != nullptr && *id == *existing_id)) {
                match = &existing;
                break;
            }
        }
        if (match == nullptr) {
            if (customer.empty_tag) {
                customer.empty_tag = false;
            }
            xml::append_on_own_line(customer, child);
            ++added;
        } else if (id == nullptr) {
            match->empty_tag = match->empty_tag && !child.has_element_children();
            added += merge_ribbon(*match, child);
        }
    }
    return added;
}

// The state the scan of the base leaves for planning and writing.
struct BaseScan {
    std::set<std::string> sections;                                // sections present
    std::map<std::string, xml::Node> entities;                     // touched entities by name
    std::map<std::string, std::map<std::string, xml::Node>> items; // other touched items by section and identity
    std::optional<xml::Node> sitemap;                              // the SiteMap section
    std::vector<std::string> foreign_esc_entities;                 // esc_ entities the connector does not have
    std::map<std::string, std::string> id_hits;                    // one of our form/view ids -> "entity x" where found
    std::vector<std::string> option_clashes;                       // customer options in our value range
    size_t app_modules = 0;                                        // AppModules + AppModuleSiteMaps items
    size_t items_seen = 0;
};

// What the connector has, by identity, for the scan's decisions.
struct OurIndex {
    std::set<std::string> entities;                       // our entities and the extended ones
    std::map<std::string, std::set<std::string>> items;   // section -> identities
    std::map<std::string, std::string> form_and_view_ids; // id -> "entity x"
    std::map<std::string, std::string> role_names;        // role id -> name
};

OurIndex index_connector(Connector& connector)
{
    OurIndex index;
    for (auto& [section, items] : connector.sections) {
        for (auto& item : items) {
            if (section == "Entities") {
                std::string name = entity_name(item);
                index.entities.insert(name);
                for (auto& [type, form] : forms_of(item)) {
                    index.form_and_view_ids[normalise_id(form->child_text("formid"))] = name;
                }
                for (xml::Node* view : views_of(item)) {
                    index.form_and_view_ids[normalise_id(view->child_text("savedqueryid"))] = name;
                }
            } else if (!solution::section_item(section).empty()) {
                std::string identity = item_identity(section, item);
                if (!identity.empty()) {
                    index.items[section].insert(identity);
                }
                if (section == "Roles") {
                    const std::string* name = item.attribute("name");
                    index.role_names[identity] = name != nullptr ? *name : std::string();
                }
            }
        }
    }
    for (const auto& entity : extended_entities()) {
        index.entities.insert(entity);
    }
    return index;
}

// Pass one: finds what the merge touches and what conflicts, keeping only touched components.
class Scanner : public ItemWalker {
public:
    Scanner(const OurIndex& ours, BaseScan& scan) : m_ours(ours), m_scan(scan) {}

protected:
    void on_root_start(std::string_view, const xml::Attributes&, bool) override {}
    void on_root_end(std::string_view) override {}
    void on_section_start(std::string_view section, const xml::Attributes&, bool) override
    {
        m_scan.sections.insert(std::string(section));
    }
    void on_section_end(std::string_view) override {}
    ItemAction decide(std::string_view section, const std::string& identity) override
    {
        ++m_scan.items_seen;
        m_item = identity;
        m_materialised = false;
        if (section == "SiteMap") {
            m_scan.sections.insert("SiteMap");
            m_materialised = true;
        } else if (section == "Entities") {
            m_materialised = m_ours.entities.count(identity) != 0;
            if (!m_materialised && is_ours_name(identity)) {
                m_scan.foreign_esc_entities.push_back(identity);
            }
        } else if (section == "AppModules" || section == "AppModuleSiteMaps") {
            ++m_scan.app_modules;
            auto found = m_ours.items.find(std::string(section));
            m_materialised = found != m_ours.items.end() && found->second.count(identity) != 0;
        } else {
            auto found = m_ours.items.find(std::string(section));
            m_materialised = found != m_ours.items.end() && found->second.count(identity) != 0;
        }
        return m_materialised ? ItemAction::materialise : ItemAction::drop;
    }
    void on_item(std::string_view section, xml::Node item) override
    {
        if (section == "SiteMap") {
            m_scan.sitemap = std::move(item);
        } else if (section == "Entities") {
            m_scan.entities[m_item] = std::move(item);
        } else {
            m_scan.items[std::string(section)][m_item] = std::move(item);
        }
    }
    void on_pass_start(std::string_view, const xml::Attributes&, bool) override {}
    void on_pass_end(std::string_view) override {}
    void on_pass_characters(std::string_view, bool) override {}
    bool needs_passed_text() const override { return false; }

    void observe(std::string_view name, const xml::Attributes& attributes) override
    {
        if (current_section() == "Entities" && (name == "formid" || name == "savedqueryid")) {
            m_id_text.clear();
            m_capturing = true;
        }
        if (!m_materialised && name == "option") {
            if (auto value = option_value(attributes); value && in_our_option_range(*value)) {
                m_scan.option_clashes.push_back("option value " + std::to_string(*value) + " in " +
                                                std::string(current_section()) + " '" + m_item + "'");
            }
        }
    }
    bool observing_text() const override { return m_capturing; }
    void observe_text(std::string_view text) override
    {
        m_id_text += text;
        std::string id = normalise_id(m_id_text);
        if (id.starts_with('{')) {
            id.erase(0, 1); // the closing brace is still to come
        }
        if (id.size() >= 36) {
            m_capturing = false;
            auto found = m_ours.form_and_view_ids.find(id);
            if (found != m_ours.form_and_view_ids.end() && found->second != m_item) {
                m_scan.id_hits[id] = "entity " + m_item;
            }
        }
    }

private:
    const OurIndex& m_ours;
    BaseScan& m_scan;
    std::string m_item;
    bool m_materialised = false;
    bool m_capturing = false;
    std::string m_id_text;
};

// A rewrite of the base for full mode: what replaces, what goes, what is appended.
struct Plan {
    std::map<std::string, std::map<std::string, xml::Node>> replace; // section -> identity -> item
    std::map<std::string, std::set<std::string>> drop;               // section -> identities
    std::map<std::string, std::vector<xml::Node>> append;            // section -> new items, in order
    std::map<std::string, std::set<std::string>> strip_ids;          // entity -> form/view ids to remove
    std::optional<xml::Node> sitemap;                                // the merged SiteMap section
    std::set<std::string> drop_sections;                             // whole sections left out
};

class Merger {
public:
    Merger(Connector& connector, BaseScan& scan, const solution::Manifest* base_manifest, const MergeOptions& options,
           Report& report)
        : m_connector(connector), m_scan(scan), m_base_manifest(base_manifest), m_options(options), m_report(report)
    {}

    void plan()
    {
        check_publisher();
        plan_entities();
        plan_items();
        plan_sitemap();
        plan_base_apps();
        plan_id_hits();
        sort_report();
    }

    Plan& full_plan() { return m_plan; }
    // The Entities items of the connector-mode output, and the customer forms it carries.
    const std::vector<std::string>& changed_form_ids() const { return m_changed_forms; }

private:
    bool full() const { return m_options.mode == MergeMode::full; }

    // Records a conflict resolved by --on-conflict; returns how it was resolved.
    Resolution conflict(ConflictKind kind, std::string subject, std::string message, const std::string& if_ours,
                        const std::string& if_theirs)
    {
        Conflict entry;
        entry.kind = kind;
        entry.subject = std::move(subject);
        entry.message = std::move(message);
        switch (m_options.on_conflict) {
        case OnConflict::fail:
            entry.resolution = Resolution::unresolved;
            entry.outcome = "unresolved; --on-conflict ours: " + if_ours + "; --on-conflict theirs: " + if_theirs;
            break;
        case OnConflict::ours:
            entry.resolution = Resolution::ours;
            entry.outcome = if_ours;
            break;
        case OnConflict::theirs:
            entry.resolution = Resolution::theirs;
            entry.outcome = if_theirs;
            break;
        }
        Resolution resolution = entry.resolution;
        m_report.conflicts.push_back(std::move(entry));
        return resolution;
    }

    void automatic(ConflictKind kind, std::string subject, std::string message, std::string outcome)
    {
        m_report.conflicts.push_back(
            Conflict{kind, std::move(subject), std::move(message), Resolution::automatic, std::move(outcome)});
    }

    void check_publisher()
    {
        if (m_base_manifest == nullptr) {
            return;
        }
        const solution::Publisher& publisher = m_base_manifest->publisher;
        bool ours = publisher.unique_name == k_connector_publisher;
        if (!ours && ascii_lower(publisher.prefix) == "esc") {
            m_foreign_publisher =
                conflict(ConflictKind::foreign_publisher, "publisher '" + publisher.unique_name + "'",
                         "the base's publisher '" + publisher.unique_name +
                             "' uses the customisation prefix 'esc', which belongs to the connector",
                         "the connector's components are merged; a same-named component of that publisher is "
                         "replaced by the connector's",
                         "the connector's components that have a same-named component of that publisher are left "
                         "out");
        }
        if (!ours && publisher.option_value_prefix == k_connector_option_value_prefix) {
            automatic(ConflictKind::option_value_prefix, "publisher '" + publisher.unique_name + "'",
                      "the base's publisher uses the connector's option value prefix " +
                          std::string(k_connector_option_value_prefix),
                      "merged: the connector adds options only to its own option sets, so no value is shared; "
                      "give that publisher another prefix before it adds options to a shared option set");
        }
        if (!m_scan.option_clashes.empty()) {
            std::string list;
            for (size_t i = 0; i < m_scan.option_clashes.size() && i < 5; ++i) {
                list += (i == 0 ? "" : "; ") + m_scan.option_clashes[i];
            }
            if (m_scan.option_clashes.size() > 5) {
                list += "; and " + std::to_string(m_scan.option_clashes.size() - 5) + " more";
            }
            automatic(ConflictKind::option_value_prefix, "customer option sets",
                      "customer options use values in the connector's range " + std::to_string(k_option_range_first) +
                          "-" + std::to_string(k_option_range_last) + ": " + list,
                      "merged: those options are in option sets the connector does not touch, so no value is "
                      "overwritten");
        }
    }

    // Our entity and the installed one: ours, plus the customer's attributes ours does not have.
    xml::Node upgrade_entity(const xml::Node& ours, const xml::Node& theirs, const std::string& name)
    {
        xml::Node merged = ours;
        xml::Node* our_attributes = entity_attributes(merged);
        const xml::Node* their_attributes = entity_attributes(theirs);
        std::vector<std::string> kept, added, retyped;
        std::set<std::string> their_names;
        if (their_attributes != nullptr) {
            for (const xml::Node* attribute : their_attributes->children_named("attribute")) {
                their_names.insert(attribute_name(*attribute));
            }
        }
        if (our_attributes != nullptr) {
            for (const xml::Node* attribute : our_attributes->children_named("attribute")) {
                if (their_names.count(attribute_name(*attribute)) == 0) {
                    added.push_back(attribute_name(*attribute));
                }
            }
        }
        if (their_attributes != nullptr && our_attributes != nullptr) {
            for (const xml::Node* attribute : their_attributes->children_named("attribute")) {
                std::string attribute_id = attribute_name(*attribute);
                xml::Node* mine = find_attribute_node(*our_attributes, attribute_id);
                if (mine == nullptr) {
                    xml::append_on_own_line(*our_attributes, *attribute); // data-bearing: never dropped
                    kept.push_back(attribute_id);
                } else if (attribute_type(*mine) != attribute_type(*attribute)) {
                    retyped.push_back(attribute_id);
                    Resolution resolution =
                        conflict(ConflictKind::attribute_type, attribute_subject(name, attribute_id),
                                 "the installed connector's is " + attribute_type(*attribute) +
                                     std::string(", this version's is ").append(attribute_type(*mine)),
                                 "this version's type is written (CRM refuses to change an attribute's type on import: "
                                 "delete the attribute first)",
                                 "the installed type is kept");
                    if (resolution == Resolution::theirs) {
                        *mine = *attribute;
                    }
                }
            }
        }
        if (full()) {
            keep_their_forms_and_views(merged, theirs);
        }
        std::string after;
        for (const auto& attribute : added) {
            after += "+ attribute " + attribute + "\n";
        }
        for (const auto& attribute : kept) {
            after += "= attribute " + attribute + " (kept: not in this version, may hold data)\n";
        }
        if (!xml::equal_ignoring_layout(merged, theirs)) {
            m_report.changed.push_back(
                Change{"Entity", name,
                       "the installed connector's entity is upgraded: " + std::to_string(added.size()) +
                           " attributes added, " + std::to_string(kept.size()) + " kept from the installed version",
                       std::to_string(their_names.size()) + " attributes", after});
        }
        return merged;
    }

    static xml::Node* find_attribute_node(xml::Node& attributes, const std::string& name)
    {
        for (auto& attribute : attributes.children) {
            if (attribute.is_element() && attribute.name == "attribute" && attribute_name(attribute) == name) {
                return &attribute;
            }
        }
        return nullptr;
    }

    // In full mode the customer's own forms and views of a connector entity stay.
    static void keep_their_forms_and_views(xml::Node& merged, const xml::Node& theirs)
    {
        xml::Node copy = theirs;
        std::set<std::string> ids;
        for (auto& [type, form] : forms_of(merged)) {
            ids.insert(normalise_id(form->child_text("formid")));
        }
        for (auto& [type, form] : forms_of(copy)) {
            if (ids.count(normalise_id(form->child_text("formid"))) != 0) {
                continue;
            }
            xml::Node* form_xml = merged.child("FormXml");
            if (form_xml == nullptr) {
                continue;
            }
            xml::Node* group = nullptr;
            for (auto& existing : form_xml->children) {
                const std::string* group_type = existing.attribute("type");
                if (existing.is_element() && existing.name == "forms" && group_type != nullptr && *group_type == type) {
                    group = &existing;
                }
            }
            if (group == nullptr) {
                xml::append_on_own_line(*form_xml, xml::make_element("forms", {{"type", type}}));
                form_xml->empty_tag = false;
                group = &form_xml->children[form_xml->children.size() - 2];
            }
            group->empty_tag = false;
            xml::append_on_own_line(*group, *form);
        }
    }

    void plan_entities()
    {
        std::vector<xml::Node>* entities = m_connector.section("Entities");
        if (entities == nullptr) {
            return;
        }
        for (const auto& ours : *entities) {
            std::string name = entity_name(ours);
            m_installed = m_installed || (!is_extended_entity(name) && m_scan.entities.count(name) != 0);
        }
        bool upgraded = false;
        for (auto& ours : *entities) {
            std::string name = entity_name(ours);
            auto theirs = m_scan.entities.find(name);
            if (is_extended_entity(name)) {
                plan_shell(ours, theirs != m_scan.entities.end() ? &theirs->second : nullptr, name);
                continue;
            }
            if (theirs == m_scan.entities.end()) {
                m_report.added.push_back(Change{"Entity", name, describe_entity(ours), "", ""});
                if (full()) {
                    m_plan.append["Entities"].push_back(ours);
                }
                continue;
            }
            if (m_foreign_publisher == Resolution::theirs) {
                m_report.warnings.push_back("entity " + name +
                                            " of the foreign 'esc' publisher is kept; the "
                                            "connector's is left out");
                drop_ours("Entities", ours);
                continue;
            }
            size_t changes = m_report.changed.size();
            ours = upgrade_entity(ours, theirs->second, name);
            upgraded = upgraded || m_report.changed.size() != changes;
            if (full()) {
                m_plan.replace["Entities"][name] = ours;
            }
        }
        if (upgraded) {
            automatic(ConflictKind::older_connector, "connector entities",
                      "the base already holds connector entities that differ from this version's (an installed "
                      "connector)",
                      "upgrade: this version's definitions are written, the installed attributes this version "
                      "lacks are kept (they may hold data), changed types are reported");
        } else if (m_installed) {
            m_report.warnings.push_back("this version of the connector is already in the base: its entities are "
                                        "unchanged");
        }
        entities->erase(std::remove_if(entities->begin(), entities->end(),
                                       [&](const xml::Node& entity) {
                                           return m_left_out["Entities"].count(entity_name(entity)) != 0;
                                       }),
                        entities->end());
    }

    void drop_ours(const std::string& section, const xml::Node& item)
    {
        m_left_out[section].insert(section == "Entities" ? entity_name(item) : item_identity(section, item));
    }

    static std::string describe_entity(const xml::Node& entity)
    {
        const xml::Node* attributes = entity_attributes(entity);
        size_t count = attributes != nullptr ? attributes->children_named("attribute").size() : 0;
        std::string display;
        if (const xml::Node* name = entity.child("Name")) {
            if (const std::string* localized = name->attribute("LocalizedName")) {
                display = *localized;
            }
        }
        return (display.empty() ? std::string() : "'" + display + "', ") + std::to_string(count) + " attributes";
    }

    // A system entity the connector extends: our attributes, and our tab on each main form.
    void plan_shell(xml::Node& ours, const xml::Node* theirs, const std::string& name)
    {
        xml::Node* our_attributes = entity_attributes(ours);
        std::vector<std::string> added;
        if (theirs != nullptr && our_attributes != nullptr) {
            check_customer_options(*theirs, name);
            const xml::Node* their_attributes = entity_attributes(*theirs);
            std::vector<xml::Node> kept;
            for (auto& attribute : our_attributes->children) {
                if (!attribute.is_element() || attribute.name != "attribute") {
                    kept.push_back(std::move(attribute));
                    continue;
                }
                const xml::Node* existing =
                    their_attributes != nullptr
                        ? find_attribute_node(const_cast<xml::Node&>(*their_attributes), attribute_name(attribute))
                        : nullptr;
                if (existing != nullptr && attribute_type(*existing) != attribute_type(attribute)) {
                    Resolution resolution =
                        conflict(ConflictKind::attribute_type, attribute_subject(name, attribute_name(attribute)),
                                 "the customer's is " + attribute_type(*existing) + ", the connector's is " +
                                     attribute_type(attribute),
                                 "the connector's definition is written (CRM refuses to change an attribute's type "
                                 "on import: the customer must delete theirs first)",
                                 "the customer's attribute is kept and the connector's is left out");
                    if (resolution == Resolution::theirs) {
                        if (!kept.empty() && kept.back().kind == xml::NodeKind::text) {
                            kept.pop_back();
                        }
                        continue;
                    }
                }
                if (existing == nullptr) {
                    added.push_back(attribute_name(attribute));
                }
                kept.push_back(std::move(attribute));
            }
            our_attributes->children = std::move(kept);
        } else if (our_attributes != nullptr) {
            for (const xml::Node* attribute : our_attributes->children_named("attribute")) {
                added.push_back(attribute_name(*attribute));
            }
        }
        if (theirs == nullptr) {
            m_report.warnings.push_back("the base has no " + name +
                                        " entity, so its forms cannot take the Email Marketing tab; the connector's " +
                                        name + " attributes are added without it");
            if (full()) {
                m_plan.append["Entities"].push_back(ours);
            }
            if (!added.empty()) {
                m_report.added.push_back(
                    Change{"Attributes", name, std::to_string(added.size()) + " attributes: " + join(added), "", ""});
            }
            return;
        }

        xml::Node target = full() ? *theirs : ours;
        if (full()) {
            // The customer's entity keeps everything; ours are added to its attributes.
            xml::Node* their_attributes = entity_attributes(target);
            const xml::Node* our_info = ours.child("EntityInfo");
            if (their_attributes == nullptr && our_info != nullptr) {
                // A base entity exported without its metadata (only Name and placeholders): the
                // connector's attributes come with an EntityInfo of their own.
                xml::Node* their_info = target.child("EntityInfo");
                xml::Node* their_entity = their_info != nullptr ? their_info->child("entity") : nullptr;
                if (their_entity != nullptr && our_attributes != nullptr) {
                    their_entity->empty_tag = false;
                    xml::append_on_own_line(*their_entity, *our_attributes);
                } else if (their_info != nullptr) {
                    *their_info = *our_info;
                } else {
                    insert_before(target, *our_info,
                                  {"FormXml", "SavedQueries", "RibbonDiffXml", "CustomControlDefaultConfigs"});
                }
            } else if (their_attributes != nullptr && our_attributes != nullptr) {
                for (const xml::Node* attribute : our_attributes->children_named("attribute")) {
                    std::string attribute_id = attribute_name(*attribute);
                    if (xml::Node* existing = find_attribute_node(*their_attributes, attribute_id)) {
                        *existing = *attribute;
                    } else {
                        their_attributes->empty_tag = false;
                        xml::append_on_own_line(*their_attributes, *attribute);
                    }
                }
            }
            merge_shell_ribbon(target, ours, name);
        }
        if (!added.empty()) {
            m_report.changed.push_back(Change{"Entity", name,
                                              std::to_string(added.size()) + " connector attributes added", "",
                                              "+ " + join(added, "\n+ ")});
        }

        // Our tab on every main form of theirs.
        xml::Node forms_group = xml::make_element("forms", {{"type", "main"}});
        auto tab = m_connector.form_tabs.find(name);
        xml::Node their_copy = *theirs;
        size_t forms = 0;
        for (auto& [type, form] : forms_of(full() ? target : their_copy)) {
            if (type != "main" || tab == m_connector.form_tabs.end()) {
                continue;
            }
            ++forms;
            FormMerge merged = merge_form_tab(*form, tab->second, m_installed);
            for (const auto& warning : merged.warnings) {
                m_report.warnings.push_back(std::string(name).append(" ").append(warning));
            }
            for (const auto& message : merged.conflicts) {
                automatic(ConflictKind::duplicate_id, name + " " + form_label(*form), message,
                          "the customer's tab is kept; the connector's is not added to this form");
            }
            if (merged.changed()) {
                // The outline shows the form before and after.
                m_report.changed.push_back(
                    Change{"Form", name + " " + form_label(*form), merged.added.front(), "", ""});
                m_report.outlines.push_back(
                    make_outline(name + " form " + form_label(*form), form_outline(*form), form_outline(merged.form)));
            }
            bool carries_tab = merged.changed() || (merged.warnings.empty() && merged.conflicts.empty());
            if (!full() && carries_tab) {
                m_changed_forms.push_back(normalise_id(merged.form.child_text("formid")));
                forms_group.empty_tag = false;
                xml::append_on_own_line(forms_group, std::move(merged.form));
            } else if (full()) {
                *form = std::move(merged.form);
            }
        }
        if (forms == 0 && tab != m_connector.form_tabs.end()) {
            m_report.warnings.push_back("the base's " + name +
                                        " entity has no main form; the Email Marketing tab is not placed");
        }
        if (full()) {
            m_plan.replace["Entities"][name] = std::move(target);
        } else if (forms_group.has_element_children()) {
            xml::Node form_xml = xml::make_element("FormXml");
            xml::append_on_own_line(form_xml, std::move(forms_group));
            insert_before(ours, std::move(form_xml), {"SavedQueries", "RibbonDiffXml", "CustomControlDefaultConfigs"});
        }
    }

    void merge_shell_ribbon(xml::Node& target, const xml::Node& ours, const std::string& name)
    {
        const xml::Node* our_ribbon = ours.child("RibbonDiffXml");
        if (our_ribbon == nullptr || !our_ribbon->has_element_children()) {
            return;
        }
        xml::Node* their_ribbon = target.child("RibbonDiffXml");
        if (their_ribbon == nullptr) {
            insert_before(target, *our_ribbon, {"CustomControlDefaultConfigs"});
            m_report.changed.push_back(Change{"Ribbon", name, "the connector's ribbon parts added", "", ""});
            return;
        }
        size_t added = merge_ribbon(*their_ribbon, *our_ribbon);
        if (added > 0) {
            m_report.changed.push_back(Change{"Ribbon", name,
                                              std::to_string(added) + " ribbon parts of the connector added; the "
                                                                      "customer's are kept",
                                              "", ""});
        }
    }

    // Customer options of a shell entity in the connector's value range.
    void check_customer_options(const xml::Node& entity, const std::string& name)
    {
        const xml::Node* attributes = entity_attributes(entity);
        if (attributes == nullptr) {
            return;
        }
        for (const xml::Node* attribute : attributes->children_named("attribute")) {
            if (is_ours_name(attribute_name(*attribute))) {
                continue;
            }
            std::function<void(const xml::Node&)> visit = [&](const xml::Node& node) {
                for (const auto& child : node.children) {
                    if (!child.is_element()) {
                        continue;
                    }
                    if (child.name == "option") {
                        if (auto value = option_value(child.attributes); value && in_our_option_range(*value)) {
                            m_scan.option_clashes.push_back("option value " + std::to_string(*value) +
                                                            " of attribute " + name + "." + attribute_name(*attribute));
                        }
                    }
                    visit(child);
                }
            };
            visit(*attribute);
        }
    }

    void plan_items()
    {
        for (auto& [section_name, items] : m_connector.sections) {
            const std::string section = section_name; // a lambda below needs a variable, not a binding
            if (section == "Entities" || section == "Languages" || solution::section_item(section).empty()) {
                continue; // entities are planned above; the base's languages are its own
            }
            auto base_items = m_scan.items.find(section);
            for (auto& ours : items) {
                std::string identity = item_identity(section, ours);
                const xml::Node* theirs = nullptr;
                if (base_items != m_scan.items.end()) {
                    auto found = base_items->second.find(identity);
                    theirs = found != base_items->second.end() ? &found->second : nullptr;
                }
                std::string label = solution::section_item(section) == "optionset"
                                        ? "Option set"
                                        : std::string(solution::section_item(section));
                std::string shown =
                    section == "Roles" && ours.attribute("name") != nullptr ? *ours.attribute("name") : identity;
                if (theirs == nullptr) {
                    m_report.added.push_back(Change{label, shown, "", "", ""});
                    if (full()) {
                        m_plan.append[section].push_back(ours);
                    }
                    continue;
                }
                if (xml::equal_ignoring_layout(ours, *theirs)) {
                    if (full()) {
                        m_plan.replace[section][identity] = ours;
                    }
                    continue;
                }
                bool keep_theirs = false;
                if (section == "Roles") {
                    const std::string* their_name = theirs->attribute("name");
                    const std::string* our_name = ours.attribute("name");
                    if (their_name != nullptr && our_name != nullptr && *their_name != *our_name) {
                        keep_theirs = conflict(ConflictKind::duplicate_id, "role id {" + identity + "}",
                                               "the customer's role '" + *their_name +
                                                   "' has the id of the connector's role '" + *our_name + "'",
                                               "the connector's role replaces the customer's",
                                               "the customer's role is kept and the connector's is left out") ==
                                      Resolution::theirs;
                    }
                } else if (section == "optionsets") {
                    keep_theirs = merge_option_set(ours, *theirs, identity);
                }
                if (m_foreign_publisher == Resolution::theirs) {
                    keep_theirs = true;
                }
                if (keep_theirs) {
                    m_left_out[section].insert(identity);
                    m_report.warnings.push_back(std::string(label).append(" ").append(shown).append(
                        ": the customer's is kept; the connector's is left out"));
                    continue;
                }
                m_report.changed.push_back(Change{label, shown, "replaced by this version of the connector's", "", ""});
                if (full()) {
                    m_plan.replace[section][identity] = ours;
                }
            }
            items.erase(std::remove_if(items.begin(), items.end(),
                                       [&](const xml::Node& item) {
                                           return m_left_out[section].count(item_identity(section, item)) != 0;
                                       }),
                        items.end());
        }
    }

    // An installed option set of ours: their extra options are kept; a value both have with other
    // labels is a conflict. Returns true when the customer's option set is to be kept as it is.
    bool merge_option_set(xml::Node& ours, const xml::Node& theirs, const std::string& name)
    {
        auto options_of = [](const xml::Node& optionset) {
            std::map<long, std::pair<std::string, const xml::Node*>> options;
            std::function<void(const xml::Node&)> visit = [&](const xml::Node& node) {
                for (const auto& child : node.children) {
                    if (!child.is_element()) {
                        continue;
                    }
                    if (child.name == "option") {
                        if (auto value = option_value(child.attributes)) {
                            std::string label;
                            if (const xml::Node* labels = child.child("labels")) {
                                if (const xml::Node* first = labels->child("label")) {
                                    const std::string* description = first->attribute("description");
                                    label = description != nullptr ? *description : std::string();
                                }
                            }
                            options[*value] = {label, &child};
                        }
                        continue;
                    }
                    visit(child);
                }
            };
            visit(optionset);
            return options;
        };
        auto mine = options_of(ours);
        auto installed = options_of(theirs);
        for (const auto& [value, label] : installed) {
            auto found = mine.find(value);
            if (found != mine.end() && found->second.first != label.first) {
                Resolution resolution = conflict(
                    ConflictKind::option_value_prefix, "option set " + name + " value " + std::to_string(value),
                    "the installed option is '" + label.first + "', the connector's is '" + found->second.first + "'",
                    "the connector's option set is written", "the installed option set is kept as it is");
                if (resolution == Resolution::theirs) {
                    return true;
                }
            }
        }
        // Options only the installed set has may be in use: keep them.
        xml::Node* our_options = find_options_container(ours);
        if (our_options != nullptr) {
            for (const auto& [value, label] : installed) {
                if (mine.count(value) == 0) {
                    xml::append_on_own_line(*our_options, *label.second);
                }
            }
        }
        return false;
    }

    static xml::Node* find_options_container(xml::Node& node)
    {
        for (auto& child : node.children) {
            if (!child.is_element()) {
                continue;
            }
            if (child.name == "options") {
                return &child;
            }
            if (xml::Node* inner = find_options_container(child)) {
                return inner;
            }
        }
        return nullptr;
    }

    void plan_sitemap()
    {
        if (!m_connector.org_sitemap) {
            return;
        }
        if (!m_scan.sitemap) {
            m_report.warnings.push_back("the base holds no org sitemap (export the solution with its SiteMap to "
                                        "merge it); the connector's Email Marketing group is not placed");
            return;
        }
        xml::Node section = *m_scan.sitemap;
        xml::Node* inner = section.child("SiteMap");
        if (inner == nullptr) {
            inner = &section;
        }
        SitemapMerge merged = merge_sitemap(*inner, *m_connector.org_sitemap);
        for (const auto& warning : merged.warnings) {
            m_report.warnings.push_back("org sitemap: " + warning);
        }
        for (const auto& message : merged.conflicts) {
            automatic(ConflictKind::duplicate_id, "org sitemap", message,
                      "the customer's node is kept; the connector's is not placed there");
        }
        if (merged.changed()) {
            std::string detail;
            for (const auto& line : merged.added) {
                detail += (detail.empty() ? "" : "; ") + line;
            }
            m_report.changed.push_back(Change{"SiteMap", "org sitemap", detail, "", ""});
            // The sitemap comes first: it is what every user of the org sees.
            m_report.outlines.insert(m_report.outlines.begin(), make_outline("Org sitemap", sitemap_outline(*inner),
                                                                             sitemap_outline(merged.sitemap)));
        }
        *inner = std::move(merged.sitemap);
        m_plan.sitemap = std::move(section);
    }

    void plan_base_apps()
    {
        if (!full() || m_scan.app_modules == 0 || m_connector.target.major >= 9) {
            return;
        }
        Resolution resolution =
            conflict(ConflictKind::target_too_old, "model-driven apps",
                     "the base holds " + std::to_string(m_scan.app_modules) + " app modules and app sitemaps; CRM " +
                         m_connector.target.text + " has no app modules",
                     "they are left out of the output",
                     "they are written as they are (the import will fail on "
                     "CRM " +
                         m_connector.target.text + ")");
        if (resolution == Resolution::ours) {
            m_plan.drop_sections.insert("AppModules");
            m_plan.drop_sections.insert("AppModuleSiteMaps");
        }
    }

    void plan_id_hits()
    {
        for (const auto& [id, where] : m_scan.id_hits) {
            std::string owner;
            std::vector<xml::Node>* entities = m_connector.section("Entities");
            Resolution resolution =
                conflict(ConflictKind::duplicate_id, "form or view {" + id + "}",
                         "the customer's " + where + " has a form or view with an id of the connector's",
                         "the customer's form or view with that id is removed",
                         "the connector's form or view with that id is left out");
            if (resolution == Resolution::theirs && entities != nullptr) {
                for (auto& entity : *entities) {
                    strip_form_or_view(entity, id);
                    if (full()) {
                        auto found = m_plan.append["Entities"].begin();
                        for (; found != m_plan.append["Entities"].end(); ++found) {
                            strip_form_or_view(*found, id);
                        }
                        for (auto& [name, replacement] : m_plan.replace["Entities"]) {
                            if (is_ours_name(name)) {
                                strip_form_or_view(replacement, id);
                            }
                        }
                    }
                }
            } else if (resolution == Resolution::ours && full()) {
                m_plan.strip_ids[where.substr(std::string_view("entity ").size())].insert(id);
            }
        }
    }

    void sort_report()
    {
        auto by_kind = [](const Conflict& a, const Conflict& b) {
            return std::tie(a.kind, a.subject, a.message) < std::tie(b.kind, b.subject, b.message);
        };
        std::stable_sort(m_report.conflicts.begin(), m_report.conflicts.end(), by_kind);
    }

public:
    static void strip_form_or_view(xml::Node& entity, const std::string& id)
    {
        if (xml::Node* form_xml = entity.child("FormXml")) {
            for (auto& group : form_xml->children) {
                if (group.is_element()) {
                    remove_if_id(group, "formid", id);
                }
            }
        }
        if (xml::Node* queries = entity.child("SavedQueries")) {
            if (xml::Node* list = queries->child("savedqueries")) {
                remove_if_id(*list, "savedqueryid", id);
            }
        }
    }

private:
    static void remove_if_id(xml::Node& parent, std::string_view id_child, const std::string& id)
    {
        std::vector<xml::Node> kept;
        for (auto& child : parent.children) {
            if (child.is_element() && normalise_id(child.child_text(id_child)) == id) {
                if (!kept.empty() && kept.back().kind == xml::NodeKind::text) {
                    kept.pop_back();
                }
                continue;
            }
            kept.push_back(std::move(child));
        }
        parent.children = std::move(kept);
    }

    static std::string join(const std::vector<std::string>& parts, std::string_view separator = ", ")
    {
        std::string out;
        for (const auto& part : parts) {
            out += (out.empty() ? "" : std::string(separator)) + part;
        }
        return out;
    }

    Connector& m_connector;
    BaseScan& m_scan;
    const solution::Manifest* m_base_manifest;
    const MergeOptions& m_options;
    Report& m_report;
    Plan m_plan;
    std::vector<std::string> m_changed_forms;
    std::map<std::string, std::set<std::string>> m_left_out;
    std::optional<Resolution> m_foreign_publisher;
    bool m_installed = false; // the base holds connector entities: an upgrade
};

// Pass two of full mode: the base written through, with the plan's replacements, removals and
// additions, and the connector's sections the base lacks put at their schema place.
class Rewriter : public ItemWalker {
public:
    Rewriter(Plan& plan, const Connector& connector, xml::Handler& out, Report& report)
        : m_plan(plan), m_connector(connector), m_out(out), m_report(report)
    {}
    // The root attributes to write instead of the base's (the target's, when it is not the base's version).
    void set_root_attributes(xml::Attributes attributes) { m_root_attributes = std::move(attributes); }

protected:
    void on_root_start(std::string_view name, const xml::Attributes& attributes, bool) override
    {
        m_out.start_element(name, m_root_attributes ? *m_root_attributes : attributes, false);
    }
    void on_root_end(std::string_view name) override
    {
        emit_missing_sections(std::nullopt);
        m_out.end_element(name);
    }
    void on_section_start(std::string_view section, const xml::Attributes& attributes, bool empty_tag) override
    {
        emit_missing_sections(solution::section_rank(section));
        m_seen.insert(std::string(section));
        m_dropping_section = m_plan.drop_sections.count(std::string(section)) != 0;
        if (m_dropping_section) {
            m_out.start_element(section, attributes, true);
            return;
        }
        bool adds = has_additions(section);
        m_out.start_element(section, attributes, empty_tag && !adds);
    }
    void on_section_end(std::string_view section) override
    {
        if (!m_dropping_section) {
            emit_additions(std::string(section));
        }
        m_dropping_section = false;
        m_out.end_element(section);
    }
    ItemAction decide(std::string_view section, const std::string& identity) override
    {
        m_identity = identity;
        if (section == "SiteMap") {
            m_seen.insert("SiteMap");
            if (m_plan.sitemap) {
                emit_missing_sections(solution::section_rank("SiteMap"));
                xml::replay(*m_plan.sitemap, m_out);
                return ItemAction::drop;
            }
            return ItemAction::pass;
        }
        if (m_dropping_section) {
            return ItemAction::drop;
        }
        std::string key(section);
        auto replacements = m_plan.replace.find(key);
        if (replacements != m_plan.replace.end()) {
            auto found = replacements->second.find(identity);
            if (found != replacements->second.end()) {
                xml::replay(found->second, m_out);
                m_replaced[key].insert(identity);
                return ItemAction::drop;
            }
        }
        if (section == "Entities" && m_plan.strip_ids.count(identity) != 0) {
            return ItemAction::materialise;
        }
        ++m_report.preserved;
        return ItemAction::pass;
    }
    void on_item(std::string_view, xml::Node item) override
    {
        for (const auto& id : m_plan.strip_ids[m_identity]) {
            Merger::strip_form_or_view(item, id);
        }
        xml::replay(item, m_out);
    }
    void on_pass_start(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        if (!m_dropping_section || depth() != 2) {
            if (!m_dropping_section) {
                m_out.start_element(name, attributes, empty_tag);
            }
        }
    }
    void on_pass_end(std::string_view name) override
    {
        if (!m_dropping_section) {
            m_out.end_element(name);
        }
    }
    void on_pass_characters(std::string_view text, bool cdata) override
    {
        if (!m_dropping_section) {
            m_out.characters(text, cdata);
        }
    }
    void on_pass_comment(std::string_view text) override
    {
        if (!m_dropping_section) {
            m_out.comment(text);
        }
    }

private:
    bool has_additions(std::string_view section) const
    {
        auto found = m_plan.append.find(std::string(section));
        return found != m_plan.append.end() && !found->second.empty();
    }

    void emit_additions(const std::string& section)
    {
        auto found = m_plan.append.find(section);
        if (found == m_plan.append.end()) {
            return;
        }
        for (const auto& item : found->second) {
            m_out.characters("\n", false);
            xml::replay(item, m_out);
        }
        m_plan.append.erase(found);
    }

    // Sections of the connector that the base lacks, before the section of rank `before` (all
    // that are left when `before` is empty).
    void emit_missing_sections(std::optional<size_t> before)
    {
        for (const auto& [section, items] : m_connector.sections) {
            if (m_seen.count(section) != 0 || !has_additions(section)) {
                continue;
            }
            auto rank = solution::section_rank(section);
            if (before && rank && *rank >= *before) {
                continue;
            }
            m_seen.insert(section);
            m_out.characters("\n", false);
            m_out.start_element(section, {}, false);
            emit_additions(section);
            m_out.characters("\n", false);
            m_out.end_element(section);
        }
        if (!before && m_plan.sitemap && m_seen.count("SiteMap") == 0) {
            m_seen.insert("SiteMap");
            xml::replay(*m_plan.sitemap, m_out);
        }
    }

    Plan& m_plan;
    const Connector& m_connector;
    xml::Handler& m_out;
    Report& m_report;
    std::set<std::string> m_seen;
    std::map<std::string, std::set<std::string>> m_replaced;
    std::string m_identity;
    bool m_dropping_section = false;
    std::optional<xml::Attributes> m_root_attributes;
};

// The RootComponents a connector-mode tree declares: everything it carries.
std::vector<RootComponent> root_components(const Connector& connector, const std::vector<std::string>& forms,
                                           bool sitemap)
{
    std::vector<RootComponent> components;
    for (const auto& [section, items] : connector.sections) {
        for (const auto& item : items) {
            if (auto component = item_root_component(section, item)) {
                components.push_back(std::move(*component));
            }
        }
    }
    for (const auto& form : forms) {
        components.push_back(form_root_component(form));
    }
    if (sitemap) {
        components.push_back(org_sitemap_root_component());
    }
    return components;
}

// Replaces the <RootComponents> of a manifest document.
void set_root_components(xml::Node& manifest, xml::Node components)
{
    xml::Node* solution = manifest.child("SolutionManifest");
    if (solution == nullptr) {
        throw_input("the connector's solution.xml template has no SolutionManifest");
    }
    for (auto& child : solution->children) {
        if (child.is_element() && child.name == "RootComponents") {
            child = std::move(components);
            return;
        }
    }
    insert_before(*solution, std::move(components), {"MissingDependencies"});
}

// Removes the root components of model-driven apps (type 80) and their sitemaps (type 62 with a
// name; the org sitemap has none), for a target that takes no apps.
void drop_app_root_components(xml::Node& manifest)
{
    xml::Node* solution = manifest.child("SolutionManifest");
    xml::Node* list = solution != nullptr ? solution->child("RootComponents") : nullptr;
    if (list == nullptr) {
        return;
    }
    std::vector<xml::Node> kept;
    for (auto& component : list->children) {
        const std::string* type_attribute = component.attribute("type");
        const std::string* schema = component.attribute("schemaName");
        auto type = type_attribute != nullptr ? solution::parse_component_type(*type_attribute) : std::nullopt;
        bool app = type == solution::ComponentType::app_module ||
                   (type == solution::ComponentType::site_map && schema != nullptr && !schema->empty());
        if (component.is_element() && app) {
            if (!kept.empty() && kept.back().kind == xml::NodeKind::text) {
                kept.pop_back();
            }
            continue;
        }
        kept.push_back(std::move(component));
    }
    list->children = std::move(kept);
}

xml::Node connector_document(const Connector& connector, const std::optional<xml::Node>& sitemap)
{
    xml::Node root = xml::make_element("ImportExportXml", connector.customizations_root);
    bool sitemap_placed = !sitemap;
    auto sitemap_rank = solution::section_rank("SiteMap");
    for (const auto& [section, items] : connector.sections) {
        auto rank = solution::section_rank(section);
        if (!sitemap_placed && rank && sitemap_rank && *rank > *sitemap_rank) {
            xml::append_on_own_line(root, *sitemap);
            sitemap_placed = true;
        }
        if (solution::section_item(section).empty()) {
            for (const auto& item : items) {
                xml::append_on_own_line(root, item);
            }
            continue;
        }
        xml::Node element = xml::make_element(section);
        for (const auto& item : items) {
            xml::append_on_own_line(element, item);
        }
        element.empty_tag = items.empty();
        xml::append_on_own_line(root, std::move(element));
    }
    if (!sitemap_placed) {
        xml::append_on_own_line(root, *sitemap);
    }
    return root;
}

std::string_view mode_name(MergeMode mode)
{
    return mode == MergeMode::full ? "full" : "connector";
}

std::string_view on_conflict_name(OnConflict on_conflict)
{
    switch (on_conflict) {
    case OnConflict::ours: return "ours";
    case OnConflict::theirs: return "theirs";
    case OnConflict::fail: break;
    }
    return "fail";
}

// Streams the parts of the base (zip entries or tree files) into the output tree.
void copy_base_parts(solution::SolutionInput& input, pack::TreeWriter& writer, const std::set<std::string>& skip,
                     const solution::InputLimits& limits)
{
    if (zip::Reader* archive = input.archive()) {
        const solution::ExportEntries exported = solution::find_export_entries(*archive);
        for (const auto& entry : archive->entries()) {
            if (entry.is_directory || exported.is_manifest_file(entry) || skip.count(entry.name) != 0) {
                continue;
            }
            auto source = archive->open(entry);
            writer.write_part(entry.name, *source);
        }
        return;
    }
    if (input.kind() == solution::SolutionInput::Kind::tree) {
        std::vector<std::string> files = pack::list_tree_files(input.path());
        for (const auto& [part, file] : pack::plan_parts(input.path(), files, limits.xml).parts) {
            if (skip.count(part) != 0) {
                continue;
            }
            xml::FileSource source(input.path() / file, (input.path() / file).string());
            writer.write_part(part, source);
        }
    }
}

} // namespace

Report merge(const fs::path& base, const connector::ConnectorSource& source, const MergeOptions& options,
             const fs::path& out)
{
    Report report;
    report.tool = "escprov " + std::string(version_string());
    report.base = base.string();
    report.target = options.target.text;
    report.mode = mode_name(options.mode);
    report.on_conflict = on_conflict_name(options.on_conflict);

    auto input = pack::open_input(base, options.limits);
    if (!input->has_customizations()) {
        throw_input("merge: " + quoted(base) + " has no customizations.xml to merge into");
    }
    std::optional<solution::Manifest> base_manifest;
    if (input->has_manifest()) {
        base_manifest = input->read_manifest();
        report.base_solution = base_manifest->unique_name + " " + base_manifest->solution_version;
    } else if (options.mode == MergeMode::full) {
        throw_input("merge: " + quoted(base) +
                    " has no solution.xml; full mode writes the customer's solution "
                    "and needs its manifest (connector mode does not)");
    } else {
        report.warnings.push_back("the base has no solution.xml: its CRM version and publisher are not checked");
    }

    // The target, or the base's version when the families differ and --on-conflict theirs says so.
    solution::CrmVersion target = options.target;
    std::optional<solution::CrmVersion> base_version =
        base_manifest ? solution::target_version(*base_manifest) : std::nullopt;
    std::vector<Conflict> early;
    if (base_version) {
        report.base_version = base_version->text;
        if (base_version->family() != target.family()) {
            Conflict entry{ConflictKind::version_family, "target " + target.text,
                           "the base was exported from " + std::string(base_version->family()) + " (" +
                               base_version->text + "), the target is " + std::string(target.family()) + " (" +
                               target.text + ")",
                           Resolution::unresolved, ""};
            std::string if_ours = "the connector is rendered for " + target.text;
            std::string if_theirs = "the connector is rendered for the base's version " + base_version->text;
            if (options.on_conflict == OnConflict::ours) {
                entry.resolution = Resolution::ours;
                entry.outcome = if_ours;
            } else if (options.on_conflict == OnConflict::theirs) {
                entry.resolution = Resolution::theirs;
                entry.outcome = if_theirs;
                target = *base_version;
                report.target = target.text;
            } else {
                entry.outcome = "unresolved; --on-conflict ours: " + if_ours + "; --on-conflict theirs: " + if_theirs;
            }
            early.push_back(std::move(entry));
        }
    }

    Connector connector = escprov::connector::load_connector(source, target, options.limits);
    report.connector = connector.unique_name + " " + connector.version;
    for (const auto& left : connector.left_out) {
        report.warnings.push_back("left out for CRM " + target.text + ": " + left);
    }
    if (base_manifest && base_manifest->unique_name == connector.unique_name) {
        report.warnings.push_back("the base is a connector solution (" + report.base_solution +
                                  "): merging upgrades it");
    }

    OurIndex ours = index_connector(connector);
    BaseScan scan;
    {
        Scanner scanner(ours, scan);
        input->read_customizations(scanner);
    }
    for (const auto& name : scan.foreign_esc_entities) {
        report.warnings.push_back("the base holds entity " + name + ", which this connector for CRM " + target.text +
                                  " does not have; it stays in the org (import as an update, not an upgrade, to "
                                  "keep its data)");
    }

    Merger merger(connector, scan, base_manifest ? &*base_manifest : nullptr, options, report);
    merger.plan();
    report.conflicts.insert(report.conflicts.begin(), early.begin(), early.end());
    if (!report.succeeded()) {
        return report;
    }

    pack::UnpackOptions unpack_options;
    unpack_options.limits = options.limits;
    unpack_options.existing = options.existing;
    pack::TreePrologues prologues; // CRM's own: no BOM, no declaration
    prologues.has_content_types = true;
    pack::TreeWriter writer(out, unpack_options, prologues);

    xml::Node manifest = connector.manifest;
    Plan& plan = merger.full_plan();
    if (options.mode == MergeMode::connector) {
        set_root_components(
            manifest, root_components_node(
                          root_components(connector, merger.changed_form_ids(), plan.sitemap.has_value()), target));
        writer.write_manifest(manifest);
        xml::Handler& handler = writer.customizations("the merged customizations");
        xml::Node document = connector_document(connector, plan.sitemap);
        connector::RenderResult carried =
            connector::render_carried(document, connector, connector::load_profiles(source.templates), base_version);
        for (const auto& note : carried.notes) {
            report.warnings.push_back("not rendered for CRM " + target.text + ": " + note);
        }
        for (const auto& removed : carried.removed) {
            report.warnings.push_back("removed for CRM " + target.text + " (its exports never write it): " + removed);
        }
        handler.start_element(document.name, document.attributes, false);
        for (const auto& child : document.children) {
            xml::replay(child, handler);
        }
        handler.end_element(document.name);
        writer.finish_customizations();
    } else {
        xml::Node base_document = base_manifest->root;
        if (base_version && (base_version->major != target.major || base_version->minor != target.minor)) {
            // Only the connector is rendered here: the base's own components stream through as its
            // CRM wrote them, which the target's import may reject.
            report.warnings.push_back("full mode: the customer's own components are carried as CRM " +
                                      base_version->text + " wrote them, not rendered for CRM " + target.text +
                                      "; check them with escprov validate --target " + target.text);
        }
        if (!base_version || base_version->text != target.text) {
            base_document.attributes = connector.manifest.attributes; // the target's version stamps
        }
        if (!plan.drop_sections.empty()) {
            drop_app_root_components(base_document);
        }
        add_root_components(base_document, root_components(connector, {}, false), target);
        writer.write_manifest(base_document);
        xml::Handler& handler = writer.customizations("the merged customizations");
        Rewriter rewriter(plan, connector, handler, report);
        if (!base_version || base_version->text != target.text) {
            rewriter.set_root_attributes(connector.customizations_root);
        }
        input->read_customizations(rewriter);
        writer.finish_customizations();
    }

    std::set<std::string> ours_parts;
    for (const auto& [part, file] : connector.parts) {
        ours_parts.insert(part);
    }
    if (options.mode == MergeMode::full) {
        copy_base_parts(*input, writer, ours_parts, options.limits);
    }
    for (const auto& [part, file] : connector.parts) {
        xml::FileSource part_source(file, file.string());
        writer.write_part(part, part_source);
    }
    writer.commit();
    report.output = out.string();
    return report;
}

} // namespace escprov::merge
