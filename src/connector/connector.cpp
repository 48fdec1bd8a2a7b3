#include "connector/connector.hpp"

#include "connector/render.hpp"
#include "connector/templates.hpp"
#include "pack/assemble.hpp"
#include "pack/input.hpp"
#include "pack/layout.hpp"
#include "pack/pack.hpp"
#include "solution/component_type.hpp"
#include "solution/identity.hpp"
#include "solution/privilege.hpp"
#include "solution/schema.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"
#include "xml/source.hpp"

#include <build_info.hpp>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace escprov::connector {

using solution::entity_name;
using solution::item_identity;

namespace {

// Builds the whole (small) customizations.xml of the connector's tree.
class DocumentBuilder : public solution::CustomizationsHandler {
public:
    void set_locations(const xml::LocationProvider& locations) override { m_builder = xml::TreeBuilder(&locations); }
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        m_builder.start_element(name, attributes, empty_tag);
    }
    void end_element(std::string_view) override { m_builder.end_element(); }
    void characters(std::string_view text, bool cdata) override { m_builder.characters(text, cdata); }
    void comment(std::string_view text) override { m_builder.comment(text); }
    xml::Node take() { return m_builder.take(); }

private:
    xml::TreeBuilder m_builder;
};

// Removes the child elements of `parent` that `drop` selects, with the line break before each.
template <typename Predicate> size_t remove_children_if(xml::Node& parent, Predicate drop)
{
    size_t removed = 0;
    std::vector<xml::Node> kept;
    for (auto& child : parent.children) {
        if (child.is_element() && drop(child)) {
            if (!kept.empty() && kept.back().kind == xml::NodeKind::text && is_blank(kept.back().text)) {
                kept.pop_back();
            }
            ++removed;
            continue;
        }
        kept.push_back(std::move(child));
    }
    parent.children = std::move(kept);
    return removed;
}

// Removes every <SubArea> below `node` whose Entity is in `entities`.
void remove_subareas(xml::Node& node, const std::set<std::string>& entities)
{
    remove_children_if(node, [&](const xml::Node& child) {
        const std::string* entity = child.attribute("Entity");
        return child.name == "SubArea" && entity != nullptr && entities.count(ascii_lower(*entity)) != 0;
    });
    for (auto& child : node.children) {
        if (child.is_element()) {
            remove_subareas(child, entities);
        }
    }
}

xml::Node read_customizations(solution::SolutionInput& input)
{
    DocumentBuilder builder;
    input.read_customizations(builder);
    return builder.take();
}

xml::Node parse_text(const std::string& text, const std::string& name, const xml::Limits& limits)
{
    xml::MemorySource source(text, name);
    return xml::parse_document(source, limits);
}

} // namespace

const std::vector<std::string>& extended_entities()
{
    static const std::vector<std::string> names = {"account", "campaign", "contact", "lead", "list"};
    return names;
}

bool is_connector_name(std::string_view name)
{
    return ascii_lower(name).starts_with(k_connector_prefix);
}

bool is_extended_entity(std::string_view name)
{
    const auto& names = extended_entities();
    return std::find(names.begin(), names.end(), ascii_lower(name)) != names.end();
}

ConnectorSource locate_connector(const std::optional<fs::path>& dir)
{
    fs::path tree;
    if (dir) {
        tree = *dir;
    } else if (const char* from_environment = std::getenv("ESCPROV_CONNECTOR");
               from_environment != nullptr && *from_environment != '\0') {
        tree = from_environment;
    } else {
        tree = fs::path(k_source_dir) / "solution";
    }
    if (!fs::is_regular_file(tree / "Other" / "Solution.xml")) {
        throw_usage("connector " + quoted(tree) +
                    " is not an unpacked solution (no Other/Solution.xml); pass --connector DIR naming the "
                    "connector's solution/ folder");
    }
    ConnectorSource source;
    source.tree = tree;
    source.templates = fs::absolute(tree).lexically_normal().parent_path() / "templates";
    if (fs::absolute(tree).lexically_normal().filename().empty()) {
        source.templates = fs::absolute(tree).lexically_normal().parent_path().parent_path() / "templates";
    }
    if (!fs::is_regular_file(source.templates / "solution.xml") ||
        !fs::is_regular_file(source.templates / "versions.tsv")) {
        throw_usage("connector " + quoted(tree) + ": no templates/ beside it (expected " +
                    quoted(source.templates / "solution.xml") + " and versions.tsv)");
    }
    return source;
}

TargetRanges TargetRanges::read(const fs::path& tree)
{
    TargetRanges ranges;
    fs::path file = tree / "Other" / "escprov-targets.txt";
    if (!fs::exists(file)) {
        return ranges;
    }
    std::istringstream lines(read_file(file));
    std::string line;
    size_t number = 0;
    while (std::getline(lines, line)) {
        ++number;
        std::string text = trimmed(line);
        if (text.empty() || text.front() == '#') {
            continue;
        }
        std::istringstream fields(text);
        std::string kind, name, from, until, extra;
        fields >> kind >> name >> from >> until;
        auto first = solution::parse_crm_version(from);
        auto last = until == "-" ? std::optional<solution::CrmVersion>() : solution::parse_crm_version(until);
        if (until.empty() || !first || (until != "-" && !last) || (fields >> extra)) {
            throw_input(quoted(file) + " line " + std::to_string(number) +
                        ": expected 'kind name from until' (versions like 9.0, '-' for no end)");
        }
        ranges.m_ranges[kind + " " + ascii_lower(name)] = Range{*first, last};
    }
    return ranges;
}

bool TargetRanges::takes(std::string_view kind, std::string_view name, const solution::CrmVersion& target) const
{
    auto found = m_ranges.find(std::string(kind) + " " + ascii_lower(name));
    if (found == m_ranges.end()) {
        return true;
    }
    const Range& range = found->second;
    auto before = [](const solution::CrmVersion& a, const solution::CrmVersion& b) {
        return a.major != b.major ? a.major < b.major : a.minor < b.minor;
    };
    return !before(target, range.from) && !(range.until && before(*range.until, target));
}

std::string TargetRanges::describe(std::string_view kind, std::string_view name) const
{
    auto found = m_ranges.find(std::string(kind) + " " + ascii_lower(name));
    if (found == m_ranges.end()) {
        return {};
    }
    const Range& range = found->second;
    return range.until ? range.from.text + "-" + range.until->text : range.from.text + " and later";
}

std::optional<std::pair<std::string, std::string>> TargetRanges::range(std::string_view kind,
                                                                       std::string_view name) const
{
    auto found = m_ranges.find(std::string(kind) + " " + ascii_lower(name));
    if (found == m_ranges.end()) {
        return std::nullopt;
    }
    const Range& range = found->second;
    return std::make_pair(range.from.text, range.until ? range.until->text : std::string());
}

std::vector<xml::Node>* Connector::section(std::string_view name)
{
    for (auto& [section_name, items] : sections) {
        if (section_name == name) {
            return &items;
        }
    }
    return nullptr;
}

const std::vector<xml::Node>* Connector::section(std::string_view name) const
{
    return const_cast<Connector*>(this)->section(name);
}

std::map<std::string, xml::Node> render_form_tabs(const ConnectorSource& source, const xml::Limits& limits)
{
    std::map<std::string, xml::Node> tabs;
    TemplateValues values{{"lcid", "1033"}};
    for (const auto& entity : extended_entities()) {
        fs::path file = source.templates / ("form-tab-" + entity + ".xml");
        if (fs::is_regular_file(file)) {
            tabs[entity] = parse_text(render_template(file, values), file.string(), limits);
        }
    }
    return tabs;
}

xml::Node read_source_customizations(const ConnectorSource& source, const solution::InputLimits& limits)
{
    auto input = pack::open_tree_input(source.tree, limits);
    return read_customizations(*input);
}

Connector load_connector(const ConnectorSource& source, const solution::CrmVersion& target,
                         const solution::InputLimits& limits)
{
    Connector connector;
    connector.target = target;
    const TargetRanges ranges = TargetRanges::read(source.tree);
    const VersionStamp stamp = version_stamp(source.templates / "versions.tsv", target);

    auto input = pack::open_tree_input(source.tree, limits);
    solution::Manifest own = input->read_manifest();
    connector.unique_name = own.unique_name;
    connector.version = own.solution_version;

    TemplateValues values{{"root.raw", stamp.root},
                          {"solution.version", own.solution_version},
                          {"solution.managed", "0"},
                          {"lcid", "1033"}};
    fs::path manifest_template = source.templates / "solution.xml";
    connector.manifest = parse_text(render_template(manifest_template, values), manifest_template.string(), limits.xml);
    xml::Node stamp_root =
        parse_text("<ImportExportXml " + stamp.customizations + " />", "templates/versions.tsv", limits.xml);
    connector.customizations_root = stamp_root.attributes;

    xml::Node document = read_customizations(*input);

    // What this target does not take, and everything that refers to it.
    std::set<std::string> excluded;
    for (const xml::Node& section : document.children) {
        if (!section.is_element() || section.name != "Entities") {
            continue;
        }
        for (const xml::Node* entity : section.children_named("Entity")) {
            std::string name = entity_name(*entity);
            if (!ranges.takes("entity", name, target)) {
                excluded.insert(name);
                connector.left_out.push_back("entity " + name + " (for CRM " + ranges.describe("entity", name) + ")");
            }
        }
    }
    auto refers_to_excluded = [&](const xml::Node& relationship) {
        for (std::string_view field :
             {"ReferencedEntityName", "ReferencingEntityName", "FirstEntityName", "SecondEntityName"}) {
            if (excluded.count(ascii_lower(trimmed(relationship.child_text(field)))) != 0) {
                return true;
            }
        }
        return false;
    };

    for (xml::Node& section : document.children) {
        if (!section.is_element()) {
            continue;
        }
        std::string_view item = solution::section_item(section.name);
        std::vector<xml::Node> items;
        if (item.empty()) {
            items.push_back(std::move(section));
            connector.sections.emplace_back(items.front().name, std::move(items));
            continue;
        }
        for (xml::Node& child : section.children) {
            if (!child.is_element() || child.name != item) {
                continue;
            }
            if (section.name == "Entities" && excluded.count(entity_name(child)) != 0) {
                continue;
            }
            if (section.name == "EntityRelationships" && refers_to_excluded(child)) {
                continue;
            }
            if (section.name == "Roles") {
                if (xml::Node* privileges = child.child("RolePrivileges")) {
                    remove_children_if(*privileges, [&](const xml::Node& privilege) {
                        const std::string* name = privilege.attribute("name");
                        auto parsed = name != nullptr ? solution::parse_privilege(*name) : std::nullopt;
                        return parsed && excluded.count(ascii_lower(parsed->entity)) != 0;
                    });
                }
            }
            if (section.name == "AppModules" || section.name == "AppModuleSiteMaps") {
                std::string kind = section.name == "AppModules" ? "appmodule" : "appmodulesitemap";
                std::string name = item_identity(section.name, child);
                if (!ranges.takes(kind, name, target)) {
                    connector.left_out.push_back(kind == "appmodule" ? "model-driven app " + name
                                                                     : "app sitemap " + name);
                    continue;
                }
                if (xml::Node* components = child.child("AppModuleComponents")) {
                    remove_children_if(*components, [&](const xml::Node& component) {
                        const std::string* type = component.attribute("type");
                        const std::string* schema = component.attribute("schemaName");
                        return type != nullptr &&
                               solution::parse_component_type(*type) == solution::ComponentType::entity &&
                               schema != nullptr && excluded.count(ascii_lower(*schema)) != 0;
                    });
                }
                remove_subareas(child, excluded);
            }
            items.push_back(std::move(child));
        }
        connector.sections.emplace_back(section.name, std::move(items));
    }

    TemplateValues fragment_values{{"lcid", "1033"}};
    connector.form_tabs = render_form_tabs(source, limits.xml);
    fs::path sitemap_file = source.templates / "sitemap.xml";
    if (fs::is_regular_file(sitemap_file)) {
        if (ranges.takes("orgsitemap", "-", target)) {
            xml::Node outer =
                parse_text(render_template(sitemap_file, fragment_values), sitemap_file.string(), limits.xml);
            xml::Node* inner = outer.child("SiteMap");
            if (inner == nullptr) {
                throw_input(quoted(sitemap_file) + ": expected <SiteMap><SiteMap>...</SiteMap></SiteMap>");
            }
            remove_subareas(*inner, excluded);
            connector.org_sitemap = std::move(*inner);
        } else {
            connector.left_out.push_back("org sitemap additions (for CRM " + ranges.describe("orgsitemap", "-") +
                                         "; this target uses the connector's app)");
        }
    }

    std::vector<std::string> files = pack::list_tree_files(source.tree);
    for (const auto& [part, file] : pack::plan_parts(source.tree, files, limits.xml).parts) {
        if (file.find('/') == std::string::npos) {
            continue; // the tree's own README, not a part of the solution
        }
        connector.parts[part] = source.tree / file;
    }
    connector::render(connector, connector::load_profiles(source.templates));
    return connector;
}

} // namespace escprov::connector
