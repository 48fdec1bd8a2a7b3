#include "merge/scan.hpp"

#include "merge/entity.hpp"
#include "merge/option_set.hpp"
#include "solution/identity.hpp"
#include "solution/schema.hpp"
#include "solution/walker.hpp"
#include "util/text.hpp"

namespace escprov::merge {

using solution::ItemAction;
using solution::ItemWalker;

using solution::entity_name;
using solution::item_identity;
using solution::normalise_id;

namespace {

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
            if (!m_materialised && connector::is_connector_name(identity)) {
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
            if (auto value = option_value(attributes); value && in_connector_option_range(*value)) {
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

} // namespace

OurIndex index_connector(const connector::Connector& connector)
{
    OurIndex index;
    for (const auto& [section, items] : connector.sections) {
        for (const auto& item : items) {
            if (section == "Entities") {
                std::string name = entity_name(item);
                index.entities.insert(name);
                for (const auto& [type, form] : forms_of(item)) {
                    index.form_and_view_ids[normalise_id(form->child_text("formid"))] = name;
                }
                for (const xml::Node* view : views_of(item)) {
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
    for (const auto& entity : connector::extended_entities()) {
        index.entities.insert(entity);
    }
    return index;
}

BaseScan scan_base(solution::SolutionInput& input, const OurIndex& ours)
{
    BaseScan scan;
    Scanner scanner(ours, scan);
    input.read_customizations(scanner);
    return scan;
}

} // namespace escprov::merge
