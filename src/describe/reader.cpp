#include "describe/reader.hpp"

#include "describe/extract.hpp"
#include "describe/targets.hpp"
#include "pack/input.hpp"
#include "solution/component_type.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace escprov::describe {

namespace fs = std::filesystem;

namespace {

// Collects the components describe shows from the stream of customizations.xml, building one
// at a time with a TreeBuilder and turning it into the model as soon as it is complete.
class DescribeHandler : public solution::CustomizationsHandler {
public:
    DescribeHandler(Description& description, std::string prefix)
        : m_description(description), m_prefix(std::move(prefix))
    {}

    void set_locations(const xml::LocationProvider& locations) override { m_locations = &locations; }

    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        ++m_depth;
        if (m_builder) {
            m_builder->start_element(name, attributes, empty_tag);
            return;
        }
        if (m_depth == 2) {
            m_section = name;
        } else if (m_depth == 3 && is_wanted(m_section, name)) {
            m_builder.emplace(m_locations);
            m_builder->start_element(name, attributes, empty_tag);
        }
    }

    void end_element(std::string_view) override
    {
        --m_depth;
        if (!m_builder) {
            return;
        }
        m_builder->end_element();
        if (m_builder->done()) {
            take(m_builder->take());
            m_builder.reset();
            check_interrupted();
        }
    }

    void characters(std::string_view text, bool cdata) override
    {
        if (m_builder) {
            m_builder->characters(text, cdata);
        }
    }
    bool wants_characters() const override { return m_builder.has_value(); }

    std::vector<SiteMap> take_app_site_maps() { return std::move(m_app_site_maps); }

private:
    static bool is_wanted(std::string_view section, std::string_view item)
    {
        static const std::map<std::string_view, std::string_view> k_wanted = {
            {"Entities", "Entity"},
            {"Roles", "Role"},
            {"EntityRelationships", "EntityRelationship"},
            {"optionsets", "optionset"},
            {"WebResources", "WebResource"},
            {"AppModuleSiteMaps", "AppModuleSiteMap"},
            {"AppModules", "AppModule"},
            {"SiteMap", "SiteMap"},
        };
        auto found = k_wanted.find(section);
        return found != k_wanted.end() && found->second == item;
    }

    void take(const xml::Node& element)
    {
        if (m_section == "Entities") {
            Entity entity = read_entity(element, m_prefix);
            m_entity_names.insert(ascii_lower(entity.name));
            m_description.entities.push_back(std::move(entity));
        } else if (m_section == "Roles") {
            m_description.roles.push_back(read_role(element, m_entity_names));
        } else if (m_section == "EntityRelationships") {
            m_description.relationships.push_back(read_relationship(element));
        } else if (m_section == "optionsets") {
            m_description.option_sets.push_back(read_option_set(element));
        } else if (m_section == "WebResources") {
            m_description.web_resources.push_back(read_web_resource(element));
        } else if (m_section == "AppModuleSiteMaps") {
            m_app_site_maps.push_back(read_app_site_map(element));
        } else if (m_section == "AppModules") {
            m_description.app_modules.push_back(read_app_module(element));
        } else if (m_section == "SiteMap") {
            m_description.org_site_map = read_site_map(element);
        }
    }

    Description& m_description;
    std::string m_prefix;
    const xml::LocationProvider* m_locations = nullptr;
    size_t m_depth = 0;
    std::string m_section;
    std::optional<xml::TreeBuilder> m_builder;
    std::set<std::string> m_entity_names; // lower case, for splitting role privileges
    std::vector<SiteMap> m_app_site_maps;
};

// Lookups name no target in the entity XML CRM writes (LookupTypes holds type codes, often
// nothing): their 1:N relationships do.
void resolve_lookup_targets(Description& description)
{
    std::map<std::pair<std::string, std::string>, std::set<std::string>> targets;
    for (const Relationship& relationship : description.relationships) {
        if (relationship.type == "OneToMany" && !relationship.referencing_attribute.empty()) {
            targets[{ascii_lower(relationship.referencing_entity), ascii_lower(relationship.referencing_attribute)}]
                .insert(ascii_lower(relationship.referenced_entity));
        }
    }
    for (Entity& entity : description.entities) {
        for (Attribute& attribute : entity.attributes) {
            auto found = targets.find({ascii_lower(entity.name), attribute.logical_name});
            if (found != targets.end()) {
                attribute.targets.assign(found->second.begin(), found->second.end());
            }
        }
    }
}

// An app module's sitemap is the AppModuleSiteMap its type-62 component names (CRM names both
// alike); those no app claims are kept on their own.
void attach_app_site_maps(Description& description, std::vector<SiteMap> site_maps)
{
    for (AppModule& app : description.app_modules) {
        for (const AppComponent& component : app.components) {
            if (solution::parse_component_type(component.type) != solution::ComponentType::site_map) {
                continue;
            }
            auto found = std::find_if(site_maps.begin(), site_maps.end(), [&](const SiteMap& site_map) {
                return ascii_lower(site_map.name) == ascii_lower(component.key);
            });
            if (found != site_maps.end()) {
                app.site_map = std::move(*found);
                site_maps.erase(found);
                break;
            }
        }
    }
    description.app_site_maps = std::move(site_maps);
}

void apply_targets(Description& description, const TargetTable& targets)
{
    for (Entity& entity : description.entities) {
        entity.versions = targets.find("entity", entity.name);
    }
    for (AppModule& app : description.app_modules) {
        app.versions = targets.find("appmodule", app.unique_name);
    }
    description.org_site_map_versions = targets.find("orgsitemap", "-");
}

// Same tree, same order: everything printed is sorted by its identity.
void sort_everything(Description& description)
{
    auto by_lower = [](const std::string& a, const std::string& b) { return ascii_lower(a) < ascii_lower(b); };
    std::sort(description.entities.begin(), description.entities.end(), [&](const Entity& a, const Entity& b) {
        if (a.extension != b.extension) {
            return !a.extension;
        }
        return by_lower(a.name, b.name);
    });
    for (Entity& entity : description.entities) {
        std::sort(entity.attributes.begin(), entity.attributes.end(),
                  [](const Attribute& a, const Attribute& b) { return a.logical_name < b.logical_name; });
        std::sort(entity.forms.begin(), entity.forms.end(), [](const Form& a, const Form& b) {
            return std::tie(a.type, a.name, a.id) < std::tie(b.type, b.name, b.id);
        });
        std::sort(entity.views.begin(), entity.views.end(), [](const View& a, const View& b) {
            return std::tie(a.query_type, a.name, a.id) < std::tie(b.query_type, b.name, b.id);
        });
        std::sort(entity.buttons.begin(), entity.buttons.end(),
                  [](const RibbonButton& a, const RibbonButton& b) { return a.id < b.id; });
    }
    std::sort(description.relationships.begin(), description.relationships.end(),
              [&](const Relationship& a, const Relationship& b) { return by_lower(a.name, b.name); });
    std::sort(description.option_sets.begin(), description.option_sets.end(),
              [&](const OptionSet& a, const OptionSet& b) { return by_lower(a.name, b.name); });
    std::sort(description.roles.begin(), description.roles.end(),
              [](const Role& a, const Role& b) { return std::tie(a.name, a.id) < std::tie(b.name, b.id); });
    std::sort(description.web_resources.begin(), description.web_resources.end(),
              [](const WebResource& a, const WebResource& b) { return a.name < b.name; });
    std::sort(description.app_modules.begin(), description.app_modules.end(),
              [](const AppModule& a, const AppModule& b) { return a.unique_name < b.unique_name; });
    std::sort(description.app_site_maps.begin(), description.app_site_maps.end(),
              [](const SiteMap& a, const SiteMap& b) { return a.name < b.name; });
    for (AppModule& app : description.app_modules) {
        std::sort(app.components.begin(), app.components.end(), [](const AppComponent& a, const AppComponent& b) {
            return std::tie(a.type, a.key) < std::tie(b.type, b.key);
        });
        std::sort(app.role_ids.begin(), app.role_ids.end());
    }
}

// A template with {{lcid}} read as 1033; other placeholders stay as written.
xml::Node parse_template(const fs::path& file, const solution::InputLimits& limits)
{
    std::string text = read_file(file);
    constexpr std::string_view lcid = "{{lcid}}";
    for (size_t at = text.find(lcid); at != std::string::npos; at = text.find(lcid, at)) {
        text.replace(at, lcid.size(), k_language);
    }
    xml::MemorySource source(text, file.string());
    return xml::parse_document(source, limits.xml);
}

const xml::Node* find_element(const xml::Node& node, std::string_view name)
{
    if (node.is_element() && node.name == name) {
        return &node;
    }
    for (const xml::Node& child : node.children) {
        if (const xml::Node* found = find_element(child, name)) {
            return found;
        }
    }
    return nullptr;
}

void read_templates(Description& description, const fs::path& templates, const solution::InputLimits& limits)
{
    std::error_code error;
    if (!fs::is_directory(templates, error)) {
        throw_input("describe: read templates '" + templates.string() + "': not a folder");
    }
    std::vector<fs::path> tab_files;
    for (const auto& entry : fs::directory_iterator(templates)) {
        std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.starts_with("form-tab-") && name.ends_with(".xml")) {
            tab_files.push_back(entry.path());
        }
    }
    std::sort(tab_files.begin(), tab_files.end());
    for (const fs::path& file : tab_files) {
        xml::Node root = parse_template(file, limits);
        const xml::Node* tab = find_element(root, "tab");
        if (!tab) {
            throw_input("describe: read template '" + file.string() + "': it holds no <tab>");
        }
        std::string name = file.filename().string();
        std::string entity = name.substr(9, name.size() - 9 - 4);
        description.template_tabs.push_back({entity, file.filename().string(), read_tab(*tab)});
    }
    fs::path site_map_file = templates / "sitemap.xml";
    if (fs::is_regular_file(site_map_file, error)) {
        xml::Node root = parse_template(site_map_file, limits);
        // The template is <SiteMap><SiteMap>...; take the innermost one that holds Areas.
        const xml::Node* site_map = &root;
        while (site_map->child("SiteMap") && !site_map->child("Area")) {
            site_map = site_map->child("SiteMap");
        }
        description.template_site_map = read_site_map(*site_map);
    }
}

} // namespace

Description read_description(const fs::path& tree, const std::optional<fs::path>& templates,
                             const solution::InputLimits& limits)
{
    std::error_code error;
    if (!fs::exists(tree, error)) {
        throw_input("describe '" + tree.string() + "': no such folder");
    }
    if (!fs::is_directory(tree, error)) {
        throw_input("describe '" + tree.string() + "': not an unpacked solution tree (a folder); unpack a zip first");
    }
    auto input = pack::open_input(tree, limits);
    if (input->kind() != solution::SolutionInput::Kind::tree || !input->has_manifest()) {
        throw_input("describe '" + tree.string() + "': not an unpacked solution tree (no Other/Solution.xml)");
    }
    Description description;
    solution::Manifest manifest = input->read_manifest();
    description.solution_name = manifest.unique_name;
    description.solution_display_name = manifest.display_name;
    description.solution_version = manifest.solution_version;
    description.publisher = {manifest.publisher.unique_name, manifest.publisher.display_name, manifest.publisher.prefix,
                             manifest.publisher.option_value_prefix};

    DescribeHandler handler(description, manifest.publisher.prefix);
    if (input->has_customizations()) {
        input->read_customizations(handler);
    }
    std::vector<SiteMap> app_site_maps = handler.take_app_site_maps();

    // Behaviour 2 in the manifest marks a shell even when it carries a primary key.
    for (Entity& entity : description.entities) {
        for (const auto& root : manifest.root_components) {
            if (root.type == solution::ComponentType::entity && root.behavior == 2 &&
                ascii_lower(root.schema_name) == ascii_lower(entity.name)) {
                entity.extension = true;
            }
        }
    }
    resolve_lookup_targets(description);
    attach_app_site_maps(description, std::move(app_site_maps));
    apply_targets(description, read_targets(tree));
    if (templates) {
        read_templates(description, *templates, limits);
    }
    sort_everything(description);
    return description;
}

} // namespace escprov::describe
