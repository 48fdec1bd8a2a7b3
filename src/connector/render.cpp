#include "connector/render.hpp"
#include "solution/identity.hpp"

#include "connector/rules.hpp"
#include "connector/shape.hpp"
#include "solution/schema.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <optional>

namespace escprov::connector {

namespace {

using profile::Usage;

constexpr std::string_view k_document_path = "customizations.xml";
constexpr std::string_view k_tab_path = "customizations.xml/Entities/Entity/FormXml/forms/systemform/form/tabs/tab";
constexpr std::string_view k_form_xml_path = "customizations.xml/Entities/Entity/FormXml";
constexpr std::string_view k_group_path = "customizations.xml/SiteMap/SiteMap/Area/Group";
constexpr std::string_view k_sitemap_path = "customizations.xml/SiteMap";

const profile::Profile& profile_for(const profile::Profiles& profiles, const solution::CrmVersion& target)
{
    const profile::Profile* found = profiles.for_version(target);
    if (found == nullptr) {
        throw_usage("render the connector for CRM " + target.text +
                    ": no version profile covers that version (templates/profiles)");
    }
    return *found;
}

std::string item_label(std::string_view section, const xml::Node& item)
{
    std::string identity = solution::item_identity(section, item);
    return std::string(solution::section_label(section)) + (identity.empty() ? "" : " " + identity);
}

bool is_extended(const std::string& entity)
{
    const auto& names = connector::extended_entities();
    return std::find(names.begin(), names.end(), entity) != names.end();
}

// True for a section that holds nothing: no items, or a single-value section without content.
bool is_empty_section(std::string_view name, const std::vector<xml::Node>& items)
{
    if (!solution::section_item(name).empty()) {
        return items.empty();
    }
    return std::all_of(items.begin(), items.end(), [](const xml::Node& item) {
        return !item.has_element_children() && is_blank(item.text_content());
    });
}

// The empty form of a section the target always writes, or nullopt when it has none the renderer
// knows.
std::optional<std::vector<xml::Node>> empty_section(std::string_view name)
{
    if (!solution::section_item(name).empty()) {
        return std::vector<xml::Node>{};
    }
    if (name == "RibbonDiffXml") {
        return std::vector<xml::Node>{empty_ribbon_diff()};
    }
    if (name == "OrganizationSettings") {
        return std::vector<xml::Node>{leaf("OrganizationSettings", "")};
    }
    return std::nullopt;
}

// The top-level sections the target writes: the connector's, less the empty ones the target does
// not always write, plus empty ones it always writes, in the target's order.
void shape_sections(Connector& connector, Shaper& shaper)
{
    const profile::Profiles& profiles = shaper.profiles();
    const profile::Profile& profile = shaper.profile();
    std::vector<std::pair<std::string, std::vector<xml::Node>>> kept;
    for (auto& [name, items] : connector.sections) {
        Usage usage = shaper.element_usage(k_document_path, name);
        bool empty = is_empty_section(name, items);
        if (empty && usage != Usage::always && usage != Usage::unknown) {
            continue;
        }
        if (!empty && usage == Usage::never) {
            shaper.note("section " + name + ": CRM " + connector.target.text +
                        " exports never write it; the connector's components in it are kept");
        }
        kept.emplace_back(name, std::move(items));
    }
    for (const auto& name : profiles.always_elements(profile, k_document_path)) {
        bool present =
            std::any_of(kept.begin(), kept.end(), [&](const auto& section) { return section.first == name; });
        if (present) {
            continue;
        }
        if (auto items = empty_section(name)) {
            kept.emplace_back(name, std::move(*items));
        } else {
            shaper.note("section " + name + ": CRM " + connector.target.text +
                        " exports always write it; the renderer knows no empty form of it");
        }
    }
    if (const profile::Context* root = profiles.context(profile, k_document_path)) {
        // By rank; a section real exports never placed stays after the one before it.
        std::vector<std::pair<std::pair<size_t, int>, size_t>> keys;
        size_t last = 0;
        for (size_t i = 0; i < kept.size(); ++i) {
            auto rank = root->rank.find(kept[i].first);
            if (rank != root->rank.end()) {
                last = rank->second;
            }
            keys.push_back({{rank != root->rank.end() ? rank->second : last, rank != root->rank.end() ? 0 : 1}, i});
        }
        std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<std::pair<std::string, std::vector<xml::Node>>> ordered;
        ordered.reserve(keys.size());
        for (const auto& key : keys) {
            ordered.push_back(std::move(kept[key.second]));
        }
        kept = std::move(ordered);
    }
    connector.sections = std::move(kept);
}

} // namespace

profile::Profiles load_profiles(const std::filesystem::path& templates)
{
    std::filesystem::path own = templates / "profiles";
    std::error_code error;
    if (std::filesystem::is_directory(own, error)) {
        return profile::Profiles::load(own);
    }
    return profile::Profiles::load_default();
}

RenderResult render(Connector& connector, const profile::Profiles& profiles)
{
    Shaper shaper(profiles, profile_for(profiles, connector.target), OwnValues{introduced_version(connector.version)});
    std::erase_if(connector.customizations_root, [&](const xml::Attribute& attribute) {
        return !attribute.name.starts_with("xmlns") &&
               shaper.attribute_usage(k_document_path, attribute.name) == Usage::never;
    });
    apply_structural_rules(connector, shaper);
    for (auto& [section, items] : connector.sections) {
        std::string path = item_path(section);
        for (auto& item : items) {
            shaper.shape(item, path, Owner::connector, item_label(section, item));
        }
    }
    for (auto& [entity, tab] : connector.form_tabs) {
        shaper.shape(tab, std::string(k_tab_path), Owner::connector, "the form tab for " + entity);
    }
    if (connector.org_sitemap) {
        // Its Areas only name the customer's; the Groups in them are the connector's.
        for (auto& area : connector.org_sitemap->children) {
            for (auto& group : area.children) {
                if (group.is_element() && group.name == "Group") {
                    shaper.shape(group, std::string(k_group_path), Owner::connector, "the org sitemap additions");
                }
            }
        }
    }
    shape_sections(connector, shaper);
    RenderResult result{shaper.notes(), {}};
    for (const auto& note : result.notes) {
        connector.left_out.push_back("not rendered: " + note);
    }
    return result;
}

RenderResult render_carried(xml::Node& document, const Connector& connector, const profile::Profiles& profiles,
                            const std::optional<solution::CrmVersion>& exported_from)
{
    if (!exported_from || exported_from->family() == connector.target.family()) {
        return {}; // what the customer's CRM wrote is that version's vocabulary
    }
    const Owner owner = Owner::customer;
    Shaper shaper(profiles, profile_for(profiles, connector.target), OwnValues{introduced_version(connector.version)});
    for (auto& section : document.children) {
        if (!section.is_element()) {
            continue;
        }
        if (section.name == "SiteMap") {
            shaper.shape(section, std::string(k_sitemap_path), owner, "the org sitemap");
            continue;
        }
        if (section.name != "Entities") {
            continue;
        }
        for (auto& entity : section.children) {
            std::string name = entity.is_element() ? solution::entity_name(entity) : std::string();
            xml::Node* forms = entity.is_element() && is_extended(name) ? entity.child("FormXml") : nullptr;
            if (forms != nullptr) {
                shaper.shape(*forms, std::string(k_form_xml_path), owner, "the customer forms of " + name);
            }
        }
    }
    return RenderResult{shaper.notes(), shaper.removed()};
}

} // namespace escprov::connector
