#include "merge/engine.hpp"

#include "connector/render.hpp"
#include "connector/root_components.hpp"
#include "merge/entity.hpp"
#include "merge/option_set.hpp"
#include "merge/outline.hpp"
#include "merge/rewrite.hpp"
#include "merge/scan.hpp"
#include "merge/shell.hpp"
#include "merge/sitemap.hpp"
#include "pack/assemble.hpp"
#include "pack/input.hpp"
#include "pack/pack.hpp"
#include "solution/component_type.hpp"
#include "solution/identity.hpp"
#include "solution/schema.hpp"
#include "util/build_info_access.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"
#include "xml/source.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace escprov::merge {

using connector::add_root_components;
using connector::Connector;
using connector::form_root_component;
using connector::is_extended_entity;
using connector::item_root_component;
using connector::k_connector_option_value_prefix;
using connector::k_connector_publisher;
using connector::org_sitemap_root_component;
using connector::root_components_node;
using connector::RootComponent;
using solution::entity_attributes;
using solution::entity_name;
using solution::item_identity;
using solution::normalise_id;

namespace {

class Merger {
public:
    Merger(Connector& connector, BaseScan& scan, const solution::Manifest* base_manifest, const MergeOptions& options,
           Report& report)
        : m_connector(connector), m_scan(scan), m_base_manifest(base_manifest), m_options(options), m_report(report)
    {}

    void plan()
    {
        Progress* progress = m_options.progress;
        auto step_done = [progress] {
            if (progress != nullptr) {
                progress->advance();
            }
        };
        if (progress != nullptr) {
            progress->begin("merging", 7, Progress::Unit::items, "steps");
        }
        check_publisher();
        step_done();
        plan_entities();
        step_done();
        report_option_clashes(); // after the entities: the extended entities' options are found there
        step_done();
        plan_items();
        step_done();
        plan_sitemap();
        step_done();
        plan_base_apps();
        step_done();
        plan_id_hits();
        sort_report();
        step_done();
    }

    Plan& full_plan() { return m_plan; }
    // The Entities items of the connector-mode output, and the customer forms it carries.
    const std::vector<std::string>& changed_form_ids() const { return m_changed_forms; }

private:
    bool full() const { return m_options.mode == MergeMode::full; }

    // Records a conflict resolved by --on-conflict; returns how it was resolved.
    Resolution resolve(ConflictKind kind, std::string subject, std::string message, const std::string& if_ours,
                       const std::string& if_theirs)
    {
        return record(
            conflict(kind, std::move(subject), std::move(message), if_ours, if_theirs, m_options.on_conflict));
    }

    Resolution record(Conflict entry)
    {
        Resolution resolution = entry.resolution;
        m_report.conflicts.push_back(std::move(entry));
        return resolution;
    }

    void record_automatic(ConflictKind kind, std::string subject, std::string message, std::string outcome)
    {
        record(automatic(kind, std::move(subject), std::move(message), std::move(outcome)));
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
                resolve(ConflictKind::foreign_publisher, "publisher '" + publisher.unique_name + "'",
                        "the base's publisher '" + publisher.unique_name +
                            "' uses the customisation prefix 'esc', which belongs to the connector",
                        "the connector's components are merged; a same-named component of that publisher is "
                        "replaced by the connector's",
                        "the connector's components that have a same-named component of that publisher are left "
                        "out");
        }
        if (!ours && publisher.option_value_prefix == k_connector_option_value_prefix) {
            record_automatic(ConflictKind::option_value_prefix, "publisher '" + publisher.unique_name + "'",
                             "the base's publisher uses the connector's option value prefix " +
                                 std::string(k_connector_option_value_prefix),
                             "merged: the connector adds options only to its own option sets, so no value is shared; "
                             "give that publisher another prefix before it adds options to a shared option set");
        }
    }

    // Customer options in the connector's value range: those of the option sets the scan passed
    // by, and those of the extended entities' attributes (found while their shells are merged).
    void report_option_clashes()
    {
        if (m_base_manifest == nullptr || m_scan.option_clashes.empty()) {
            return;
        }
        std::string list;
        for (size_t i = 0; i < m_scan.option_clashes.size() && i < 5; ++i) {
            list += (i == 0 ? "" : "; ") + m_scan.option_clashes[i];
        }
        if (m_scan.option_clashes.size() > 5) {
            list += "; and " + std::to_string(m_scan.option_clashes.size() - 5) + " more";
        }
        record_automatic(ConflictKind::option_value_prefix, "customer option sets",
                         "customer options use values in the connector's range " +
                             std::to_string(k_option_range_first) + "-" + std::to_string(k_option_range_last) + ": " +
                             list,
                         "merged: those options are in option sets the connector does not touch, so no value is "
                         "overwritten");
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
            EntityMerge upgrade = upgrade_entity(ours, theirs->second, name, m_options.mode, m_options.on_conflict);
            upgrade.report.append_to(m_report);
            upgraded = upgraded || upgrade.changed();
            ours = std::move(upgrade.entity);
            if (full()) {
                m_plan.replace["Entities"][name] = ours;
            }
        }
        if (upgraded) {
            record_automatic(ConflictKind::older_connector, "connector entities",
                             "the base already holds connector entities that differ from this version's (an installed "
                             "connector)",
                             "upgrade: this version's definitions are written, the installed attributes this version "
                             "lacks are kept (they may hold data), changed types are reported");
        } else if (m_installed) {
            m_report.notes.push_back("this version of the connector is already in the base: its entities are "
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
        return (display.empty() ? std::string() : "'" + display + "', ") + counted(count, "attribute");
    }

    // A system entity the connector extends: our attributes, and our tab on each main form.
    void plan_shell(xml::Node& ours, const xml::Node* theirs, const std::string& name)
    {
        auto tab = m_connector.form_tabs.find(name);
        ShellMerge merged = merge_shell(ours, theirs, name, tab != m_connector.form_tabs.end() ? &tab->second : nullptr,
                                        m_options.mode, m_options.on_conflict, m_installed);
        merged.report.append_to(m_report);
        m_scan.option_clashes.insert(m_scan.option_clashes.end(), merged.option_clashes.begin(),
                                     merged.option_clashes.end());
        m_changed_forms.insert(m_changed_forms.end(), merged.changed_forms.begin(), merged.changed_forms.end());
        ours = std::move(merged.connector_entity);
        if (full() && merged.customer_entity) {
            m_plan.replace["Entities"][name] = std::move(*merged.customer_entity);
        } else if (full()) {
            m_plan.append["Entities"].push_back(ours);
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
                        keep_theirs = resolve(ConflictKind::duplicate_id, "role id {" + identity + "}",
                                              "the customer's role '" + *their_name +
                                                  "' has the id of the connector's role '" + *our_name + "'",
                                              "the connector's role replaces the customer's",
                                              "the customer's role is kept and the connector's is left out") ==
                                      Resolution::theirs;
                    }
                } else if (section == "optionsets") {
                    OptionSetMerge merged = merge_option_set(ours, *theirs, identity, m_options.on_conflict);
                    merged.report.append_to(m_report);
                    keep_theirs = merged.keep_theirs;
                    if (!keep_theirs) {
                        ours = std::move(merged.option_set);
                    }
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
            record_automatic(ConflictKind::duplicate_id, "org sitemap", message,
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
            resolve(ConflictKind::target_too_old, "model-driven apps",
                    "the base holds " +
                        counted(m_scan.app_modules, "app module or app sitemap", "app modules and app sitemaps") +
                        "; CRM " + m_connector.target.text + " has no app modules",
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
            std::vector<xml::Node>* entities = m_connector.section("Entities");
            Resolution resolution =
                resolve(ConflictKind::duplicate_id, "form or view {" + id + "}",
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
                            if (connector::is_connector_name(name)) {
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
    xml::insert_before(*solution, std::move(components), {"MissingDependencies"});
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
        report.notes.push_back("left out for CRM " + target.text + ": " + left);
    }
    if (base_manifest && base_manifest->unique_name == connector.unique_name) {
        report.notes.push_back("the base is a connector solution (" + report.base_solution + "): merging upgrades it");
    }

    zip::Reader* archive = input->archive();
    const zip::Entry* base_customizations =
        archive != nullptr ? solution::find_export_entries(*archive).customizations : nullptr;
    if (options.progress != nullptr) {
        options.progress->begin("reading the base", base_customizations != nullptr ? base_customizations->size : 0,
                                Progress::Unit::bytes);
        if (archive != nullptr) {
            archive->set_read_hook([progress = options.progress](uint64_t bytes) { progress->advance(bytes); });
        }
    }
    BaseScan scan = scan_base(*input, index_connector(connector));
    if (archive != nullptr) {
        archive->set_read_hook({});
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
    unpack_options.command = "merge --out";
    unpack_options.when_not_empty = "pass --overwrite to replace it, or give a new or empty folder";
    pack::TreePrologues prologues; // CRM's own: no BOM, no declaration
    prologues.has_content_types = true;
    pack::TreeWriter writer(out, unpack_options, prologues);
    std::set<std::string> ours_parts;
    for (const auto& [part, file] : connector.parts) {
        ours_parts.insert(part);
    }
    if (options.progress != nullptr) {
        // Full mode streams the base through once more (customizations.xml and its parts); the
        // connector's own parts are small.
        uint64_t total = 0;
        if (options.mode == MergeMode::full && archive != nullptr) {
            const solution::ExportEntries exported = solution::find_export_entries(*archive);
            for (const auto& entry : archive->entries()) {
                bool copied = !exported.is_manifest_file(entry) && ours_parts.count(entry.name) == 0;
                total += (copied || &entry == exported.customizations) ? entry.size : 0;
            }
            archive->set_read_hook([progress = options.progress](uint64_t bytes) { progress->advance(bytes); });
        }
        options.progress->begin("writing", total, Progress::Unit::bytes);
    }

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
            report.notes.push_back("removed for CRM " + target.text + " (its exports never write it): " + removed);
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
        std::optional<xml::Attributes> root;
        if (!base_version || base_version->text != target.text) {
            root = connector.customizations_root;
        }
        report.preserved += rewrite_customizations(*input, plan, connector, handler, root).preserved;
        writer.finish_customizations();
    }

    if (options.mode == MergeMode::full) {
        copy_base_parts(*input, writer, ours_parts, options.limits);
    }
    for (const auto& [part, file] : connector.parts) {
        xml::FileSource part_source(file, file.string());
        writer.write_part(part, part_source);
    }
    if (archive != nullptr) {
        archive->set_read_hook({});
    }
    report.output = out.string();
    if (options.before_commit) {
        options.before_commit(report);
    }
    writer.commit();
    return report;
}

} // namespace escprov::merge
