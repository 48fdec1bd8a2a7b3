#include "connector/root_components.hpp"

#include "connector/connector.hpp"
#include "solution/identity.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace escprov::connector {

using solution::ComponentType;

namespace {

// Where a 9.x org has the entities the connector extends, when they are not in every org: the
// marketing entities moved into the msdynce_Marketing solution in Dynamics 365 (9.0). The solution
// is named as real 9.x exports name it, with the version they show (the accelerators' exports);
// the import matches the required component, the solution's name is what it tells the user.
struct ProvidedEntity {
    std::string_view entity;
    std::string_view display_name;
    std::string_view solution;
};
constexpr ProvidedEntity k_marketing_entities[] = {
    {"campaign", "Campaign", "msdynce_Marketing (9.0.4.37)"},
    {"list", "Marketing List", "msdynce_Marketing (9.0.4.37)"},
};

// The sort key of export order: type, then named before unnamed, then the name or id.
std::tuple<int, bool, std::string> order_key(const RootComponent& component)
{
    return {solution::type_code(component.type), component.value.empty(), ascii_lower(component.value)};
}

// What tells two root components apart: their type and name or id, ignoring case.
std::string identity(const RootComponent& component)
{
    return solution::type_text(component.type) + "|" + ascii_lower(component.value);
}

RootComponent read_root_component(const xml::Node& node)
{
    RootComponent component;
    if (const std::string* type = node.attribute("type")) {
        component.type = solution::parse_component_type(*type).value_or(ComponentType{});
    }
    for (std::string_view key : {"schemaName", "id"}) {
        if (const std::string* value = node.attribute(key)) {
            component.key = key;
            component.value = *value;
            break;
        }
    }
    return component;
}

xml::Node root_component_node(const RootComponent& component, const solution::CrmVersion& target)
{
    xml::Attributes attributes{{"type", solution::type_text(component.type)}};
    if (!component.key.empty()) {
        attributes.push_back(xml::Attribute{component.key, component.value});
    }
    if (target.major >= 8) {
        attributes.push_back(xml::Attribute{"behavior", component.shell ? "2" : "0"});
    }
    xml::Node node = xml::make_element("RootComponent", std::move(attributes));
    node.empty_tag = true;
    return node;
}

} // namespace

RootComponent entity_root_component(std::string_view name)
{
    std::string lower = ascii_lower(name);
    bool shell = is_extended_entity(lower);
    return RootComponent{ComponentType::entity, "schemaName", std::move(lower), shell};
}

RootComponent form_root_component(std::string_view id)
{
    std::string text = trimmed(id);
    if (!text.starts_with('{')) {
        text = "{" + text + "}";
    }
    return RootComponent{ComponentType::system_form, "id", std::move(text), false};
}

RootComponent org_sitemap_root_component()
{
    return RootComponent{ComponentType::site_map, "", "", false};
}

std::optional<RootComponent> item_root_component(std::string_view section, const xml::Node& item)
{
    auto attribute = [&](std::string_view name) {
        const std::string* value = item.attribute(name);
        return value != nullptr ? trimmed(*value) : std::string();
    };
    if (section == "Entities") {
        return entity_root_component(solution::entity_name(item));
    }
    if (section == "optionsets") {
        return RootComponent{ComponentType::option_set, "schemaName", attribute("Name"), false};
    }
    if (section == "Roles") {
        return RootComponent{ComponentType::role, "id", attribute("id"), false};
    }
    if (section == "WebResources") {
        return RootComponent{ComponentType::web_resource, "schemaName", trimmed(item.child_text("Name")), false};
    }
    if (section == "AppModuleSiteMaps") {
        return RootComponent{ComponentType::site_map, "schemaName", trimmed(item.child_text("SiteMapUniqueName")),
                             false};
    }
    if (section == "AppModules") {
        return RootComponent{ComponentType::app_module, "schemaName", trimmed(item.child_text("UniqueName")), false};
    }
    return std::nullopt;
}

bool export_order(const RootComponent& a, const RootComponent& b)
{
    return order_key(a) < order_key(b);
}

xml::Node root_components_node(std::vector<RootComponent> components, const solution::CrmVersion& target)
{
    std::stable_sort(components.begin(), components.end(), export_order);
    xml::Node list = xml::make_element("RootComponents");
    for (const auto& component : components) {
        xml::append_on_own_line(list, root_component_node(component, target));
    }
    list.empty_tag = !list.has_element_children();
    return list;
}

void add_root_components(xml::Node& manifest, const std::vector<RootComponent>& components,
                         const solution::CrmVersion& target)
{
    xml::Node* solution = manifest.child("SolutionManifest");
    xml::Node* list = solution != nullptr ? solution->child("RootComponents") : nullptr;
    if (list == nullptr) {
        return;
    }
    std::set<std::string> present;
    for (const xml::Node* node : list->children_named("RootComponent")) {
        present.insert(identity(read_root_component(*node)));
    }
    std::vector<RootComponent> added;
    for (const auto& component : components) {
        if (present.insert(identity(component)).second) {
            added.push_back(component);
        }
    }
    std::stable_sort(added.begin(), added.end(), export_order);
    for (const auto& component : added) {
        auto before = std::find_if(list->children.begin(), list->children.end(), [&](const xml::Node& node) {
            return node.is_element() && node.name == "RootComponent" &&
                   export_order(component, read_root_component(node));
        });
        if (before == list->children.end()) {
            list->empty_tag = false;
            xml::append_on_own_line(*list, root_component_node(component, target));
            continue;
        }
        before = list->children.insert(before, root_component_node(component, target));
        list->children.insert(before + 1, xml::make_text("\n"));
    }
}

xml::Node missing_dependencies_node(const std::vector<RootComponent>& components,
                                    const std::vector<FormDependent>& forms, const solution::CrmVersion& target)
{
    xml::Node list = xml::make_element("MissingDependencies");
    std::map<std::string, size_t> keys; // component identity -> key
    // 9.0 and 9.1 number each component with @key, first; 9.2 exports no longer write it.
    const bool numbered = target.major == 9 && target.minor < 2;
    auto keyed = [&](const std::string& component, xml::Attributes attributes) {
        if (numbered) {
            std::string key = std::to_string(keys.emplace(component, keys.size()).first->second);
            attributes.insert(attributes.begin(), xml::Attribute{"key", std::move(key)});
        }
        return attributes;
    };
    if (target.major >= 9) {
        for (const auto& provided : k_marketing_entities) {
            std::string entity(provided.entity);
            bool shell = std::any_of(components.begin(), components.end(), [&](const RootComponent& component) {
                return component.type == ComponentType::entity && ascii_lower(component.value) == entity;
            });
            if (!shell) {
                continue;
            }
            const std::string entity_identity = solution::type_text(ComponentType::entity) + "|" + entity;
            xml::Node required = xml::make_element(
                "Required", keyed(entity_identity, {{"type", solution::type_text(ComponentType::entity)},
                                                    {"schemaName", entity},
                                                    {"displayName", std::string(provided.display_name)},
                                                    {"solution", std::string(provided.solution)}}));
            required.empty_tag = true;
            std::vector<xml::Node> dependents;
            xml::Node itself = xml::make_element(
                "Dependent", keyed(entity_identity, {{"type", solution::type_text(ComponentType::entity)},
                                                     {"schemaName", entity},
                                                     {"displayName", std::string(provided.display_name)}}));
            dependents.push_back(std::move(itself));
            std::vector<FormDependent> on_entity;
            std::copy_if(forms.begin(), forms.end(), std::back_inserter(on_entity),
                         [&](const FormDependent& form) { return ascii_lower(form.entity) == entity; });
            std::stable_sort(on_entity.begin(), on_entity.end(), [](const FormDependent& a, const FormDependent& b) {
                return ascii_lower(a.id) < ascii_lower(b.id);
            });
            for (const auto& form : on_entity) {
                dependents.push_back(xml::make_element(
                    "Dependent", keyed(solution::type_text(ComponentType::system_form) + "|" + ascii_lower(form.id),
                                       {{"type", solution::type_text(ComponentType::system_form)},
                                        {"displayName", form.display_name},
                                        {"parentDisplayName", std::string(provided.display_name)},
                                        {"id", form.id}})));
            }
            for (auto& dependent : dependents) {
                dependent.empty_tag = true;
                xml::Node dependency = xml::make_element("MissingDependency");
                xml::append_on_own_line(dependency, required);
                xml::append_on_own_line(dependency, std::move(dependent));
                xml::append_on_own_line(list, std::move(dependency));
            }
        }
    }
    list.empty_tag = !list.has_element_children();
    return list;
}

} // namespace escprov::connector
