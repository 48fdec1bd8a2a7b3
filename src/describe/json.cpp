// The JSON face of `escprov describe`: the Markdown's content for tools, with codes kept as
// written next to their readable words.

#include "describe/labels.hpp"
#include "describe/render.hpp"
#include "describe/targets.hpp"

namespace escprov::describe {

namespace {

using Json = nlohmann::ordered_json;

Json versions_json(const std::optional<VersionRange>& range)
{
    Json out = {{"from", range && !range->from.empty() ? Json(range->from) : Json()},
                {"until", range && !range->until.empty() ? Json(range->until) : Json()},
                {"text", range_text(range)}};
    return out;
}

Json options_json(const std::vector<Option>& options)
{
    Json out = Json::array();
    for (const Option& option : options) {
        out.push_back({{"value", option.value}, {"label", option.label}});
    }
    return out;
}

Json tab_json(const FormTab& tab)
{
    Json sections = Json::array();
    for (const FormSection& section : tab.sections) {
        Json fields = Json::array();
        for (const FormField& field : section.fields) {
            Json item = {{"label", field.label}};
            if (field.subgrid_entity.empty()) {
                item["field"] = field.field;
            } else {
                item["subgrid"] = {{"entity", field.subgrid_entity}, {"relationship", field.relationship}};
            }
            fields.push_back(item);
        }
        sections.push_back({{"name", section.name}, {"label", section.label}, {"fields", fields}});
    }
    return {{"name", tab.name}, {"label", tab.label}, {"sections", sections}};
}

Json site_map_json(const SiteMap& site_map)
{
    Json areas = Json::array();
    for (const SiteMapArea& area : site_map.areas) {
        Json groups = Json::array();
        for (const SiteMapGroup& group : area.groups) {
            Json sub_areas = Json::array();
            for (const SubArea& sub_area : group.sub_areas) {
                sub_areas.push_back({{"id", sub_area.id},
                                     {"title", sub_area.title},
                                     {"entity", sub_area.entity},
                                     {"url", sub_area.url}});
            }
            groups.push_back({{"id", group.id}, {"title", group.title}, {"subAreas", sub_areas}});
        }
        areas.push_back({{"id", area.id}, {"title", area.title}, {"groups", groups}});
    }
    return {{"name", site_map.name}, {"displayName", site_map.display_name}, {"areas", areas}};
}

Json attribute_json(const Attribute& attribute, const OptionSetIndex& option_sets)
{
    Json out = {{"schemaName", attribute.schema_name},           {"logicalName", attribute.logical_name},
                {"displayName", attribute.display_name},         {"type", attribute.type},
                {"typeText", type_text(attribute, option_sets)}, {"requiredLevel", attribute.required_level},
                {"description", attribute.description},          {"custom", attribute.custom}};
    auto put = [&out](const char* key, const std::string& value) {
        if (!value.empty()) {
            out[key] = value;
        }
    };
    put("format", attribute.format);
    put("maxLength", attribute.max_length);
    put("precision", attribute.precision);
    put("minValue", attribute.min_value);
    put("maxValue", attribute.max_value);
    put("optionSet", attribute.option_set);
    std::vector<Option> options = attribute_options(attribute, option_sets);
    if (!options.empty()) {
        out["options"] = options_json(options);
    }
    if (!attribute.targets.empty()) {
        out["targets"] = attribute.targets;
    }
    return out;
}

Json entity_json(const Entity& entity, const OptionSetIndex& option_sets)
{
    Json attributes = Json::array();
    for (const Attribute& attribute : entity.attributes) {
        attributes.push_back(attribute_json(attribute, option_sets));
    }
    Json forms = Json::array();
    for (const Form& form : entity.forms) {
        Json tabs = Json::array();
        for (const FormTab& tab : form.tabs) {
            tabs.push_back(tab_json(tab));
        }
        forms.push_back({{"id", form.id}, {"type", form.type}, {"name", form.name}, {"tabs", tabs}});
    }
    Json views = Json::array();
    for (const View& view : entity.views) {
        views.push_back({{"id", view.id},
                         {"name", view.name},
                         {"queryType", view.query_type},
                         {"typeText", view_type_text(view.query_type)},
                         {"isDefault", view.is_default},
                         {"columns", view.columns}});
    }
    Json buttons = Json::array();
    for (const RibbonButton& button : entity.buttons) {
        buttons.push_back({{"id", button.id},
                           {"label", button.label},
                           {"location", button.location},
                           {"command", button.command},
                           {"library", button.library},
                           {"function", button.function}});
    }
    return {{"name", entity.name},
            {"displayName", entity.display_name},
            {"collectionName", entity.collection_name},
            {"description", entity.description},
            {"ownership", entity.ownership},
            {"objectTypeCode", entity.type_code},
            {"extension", entity.extension},
            {"versions", versions_json(entity.versions)},
            {"attributes", attributes},
            {"forms", forms},
            {"views", views},
            {"ribbonButtons", buttons}};
}

Json role_json(const Role& role)
{
    Json entities = Json::object();
    for (const auto& [entity, privileges] : role.entities) {
        Json levels = Json::object();
        for (const auto& [action, level] : privileges) {
            levels[action] = level;
        }
        entities[entity] = levels;
    }
    Json other = Json::object();
    for (const auto& [name, level] : role.other) {
        other[name] = level;
    }
    return {{"id", role.id},
            {"name", role.name},
            {"description", role.description},
            {"entities", entities},
            {"otherPrivileges", other}};
}

} // namespace

Json to_json(const Description& description)
{
    OptionSetIndex option_sets = index_option_sets(description);
    Json out;
    out["solution"] = {{"uniqueName", description.solution_name},
                       {"displayName", description.solution_display_name},
                       {"version", description.solution_version}};
    out["publisher"] = {{"uniqueName", description.publisher.unique_name},
                        {"displayName", description.publisher.display_name},
                        {"prefix", description.publisher.prefix},
                        {"optionValuePrefix", description.publisher.option_value_prefix}};
    Json entities = Json::array();
    for (const Entity& entity : description.entities) {
        entities.push_back(entity_json(entity, option_sets));
    }
    out["entities"] = entities;
    Json relationships = Json::array();
    for (const Relationship& relationship : description.relationships) {
        Json item = {{"name", relationship.name}, {"type", relationship.type}};
        if (relationship.type == "ManyToMany") {
            item["firstEntity"] = relationship.first_entity;
            item["secondEntity"] = relationship.second_entity;
            item["intersectEntity"] = relationship.intersect_entity;
        } else {
            item["referencedEntity"] = relationship.referenced_entity;
            item["referencingEntity"] = relationship.referencing_entity;
            item["referencingAttribute"] = relationship.referencing_attribute;
            Json cascade = Json::object();
            for (const auto& [action, value] : relationship.cascade) {
                cascade[action] = value;
            }
            item["cascade"] = cascade;
        }
        relationships.push_back(item);
    }
    out["relationships"] = relationships;
    Json sets = Json::array();
    for (const OptionSet& option_set : description.option_sets) {
        sets.push_back({{"name", option_set.name},
                        {"displayName", option_set.display_name},
                        {"description", option_set.description},
                        {"options", options_json(option_set.options)}});
    }
    out["optionSets"] = sets;
    Json roles = Json::array();
    for (const Role& role : description.roles) {
        roles.push_back(role_json(role));
    }
    out["roles"] = roles;
    out["orgSiteMap"] = description.org_site_map ? site_map_json(*description.org_site_map) : Json();
    out["templateSiteMap"] = description.template_site_map ? site_map_json(*description.template_site_map) : Json();
    out["templateSiteMapVersions"] = versions_json(description.org_site_map_versions);
    Json apps = Json::array();
    for (const AppModule& app : description.app_modules) {
        Json components = Json::array();
        for (const AppComponent& component : app.components) {
            components.push_back({{"type", component.type},
                                  {"typeText", app_component_type_text(component.type)},
                                  {"key", component.key}});
        }
        apps.push_back({{"uniqueName", app.unique_name},
                        {"displayName", app.display_name},
                        {"description", app.description},
                        {"versions", versions_json(app.versions)},
                        {"siteMap", app.site_map ? site_map_json(*app.site_map) : Json()},
                        {"components", components},
                        {"roleIds", app.role_ids}});
    }
    out["appModules"] = apps;
    Json app_site_maps = Json::array();
    for (const SiteMap& site_map : description.app_site_maps) {
        app_site_maps.push_back(site_map_json(site_map));
    }
    out["appSiteMaps"] = app_site_maps;
    Json tabs = Json::array();
    for (const TemplateTab& tab : description.template_tabs) {
        tabs.push_back({{"entity", tab.entity}, {"file", tab.file}, {"tab", tab_json(tab.tab)}});
    }
    out["templateTabs"] = tabs;
    Json resources = Json::array();
    for (const WebResource& resource : description.web_resources) {
        resources.push_back({{"name", resource.name},
                             {"type", resource.type},
                             {"typeText", web_resource_type_text(resource.type)},
                             {"displayName", resource.display_name},
                             {"description", resource.description}});
    }
    out["webResources"] = resources;
    return out;
}

} // namespace escprov::describe
