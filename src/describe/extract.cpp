#include "describe/extract.hpp"

#include "solution/privilege.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <array>
#include <map>

namespace escprov::describe {

namespace {

using xml::Node;

// The subgrid control's class id, as CRM writes it in every version.
constexpr std::string_view k_subgrid_class = "{e7a81278-8635-4d9e-8d4d-59480b391c5b}";

// Every element named `name` below `parent` (not `parent` itself), in document order.
void collect(const Node& parent, std::string_view name, std::vector<const Node*>& found)
{
    for (const Node& child : parent.children) {
        if (!child.is_element()) {
            continue;
        }
        if (child.name == name) {
            found.push_back(&child);
        }
        collect(child, name, found);
    }
}

std::vector<const Node*> descendants(const Node& parent, std::string_view name)
{
    std::vector<const Node*> found;
    collect(parent, name, found);
    return found;
}

std::string attribute_or_empty(const Node& element, std::string_view name)
{
    const std::string* value = element.attribute(name);
    return value ? *value : std::string();
}

std::string child_text(const Node* element, std::string_view name)
{
    return element ? trimmed(element->child_text(name)) : std::string();
}

// The label of the <item> with attributes `language_attribute` / `text_attribute` among `items`,
// in k_language when present, else the first.
std::string pick_label(const std::vector<const Node*>& items, std::string_view language_attribute,
                       std::string_view text_attribute)
{
    for (const Node* item : items) {
        if (attribute_or_empty(*item, language_attribute) == k_language) {
            return attribute_or_empty(*item, text_attribute);
        }
    }
    return items.empty() ? std::string() : attribute_or_empty(*items.front(), text_attribute);
}

std::vector<Option> read_options(const Node& option_set)
{
    std::vector<Option> options;
    const Node* list = option_set.child("options");
    if (!list) {
        return options;
    }
    for (const Node* option : list->children_named("option")) {
        options.push_back({attribute_or_empty(*option, "value"), localized(*option, "labels", "label")});
    }
    return options;
}

Attribute read_attribute(const Node& element, const std::string& prefix)
{
    Attribute attribute;
    attribute.schema_name = attribute_or_empty(element, "PhysicalName");
    attribute.logical_name = child_text(&element, "LogicalName");
    if (attribute.logical_name.empty()) {
        attribute.logical_name = ascii_lower(attribute.schema_name);
    }
    attribute.type = child_text(&element, "Type");
    attribute.display_name = localized(element, "displaynames", "displayname");
    attribute.description = localized(element, "Descriptions", "Description");
    attribute.required_level = child_text(&element, "RequiredLevel");
    attribute.format = child_text(&element, "Format");
    attribute.max_length = child_text(&element, "MaxLength");
    attribute.precision = child_text(&element, "Accuracy");
    attribute.min_value = child_text(&element, "MinValue");
    attribute.max_value = child_text(&element, "MaxValue");
    attribute.option_set = child_text(&element, "OptionSetName");
    if (const Node* local = element.child("optionset")) {
        attribute.options = read_options(*local);
    }
    // A custom entity's primary key carries the prefix but is as much a system attribute as createdon.
    attribute.custom = attribute.type != "primarykey" &&
                       (child_text(&element, "IsCustomField") == "1" ||
                        (!prefix.empty() && attribute.logical_name.starts_with(ascii_lower(prefix) + "_")));
    return attribute;
}

FormField read_cell(const Node& cell)
{
    FormField field;
    field.label = localized(cell, "labels", "label");
    const Node* control = cell.child("control");
    if (!control) {
        return field;
    }
    field.field = attribute_or_empty(*control, "datafieldname");
    if (ascii_lower(attribute_or_empty(*control, "classid")) == k_subgrid_class) {
        const Node* parameters = control->child("parameters");
        field.subgrid_entity = child_text(parameters, "TargetEntityType");
        field.relationship = child_text(parameters, "RelationshipName");
    }
    if (field.field.empty() && field.subgrid_entity.empty()) {
        field.field = attribute_or_empty(*control, "id");
    }
    return field;
}

Form read_form(const Node& system_form, const std::string& type)
{
    Form form;
    form.type = type;
    form.id = child_text(&system_form, "formid");
    form.name = localized(system_form, "LocalizedNames", "LocalizedName");
    if (const Node* body = system_form.child("form")) {
        if (const Node* tabs = body->child("tabs")) {
            for (const Node* tab : tabs->children_named("tab")) {
                form.tabs.push_back(read_tab(*tab));
            }
        }
    }
    return form;
}

View read_view(const Node& saved_query)
{
    View view;
    view.id = child_text(&saved_query, "savedqueryid");
    view.name = localized(saved_query, "LocalizedNames", "LocalizedName");
    try {
        view.query_type = std::stoi(child_text(&saved_query, "querytype"));
    } catch (const std::exception&) {
        view.query_type = -1;
    }
    view.is_default = child_text(&saved_query, "isdefault") == "1";
    if (const Node* layout = saved_query.child("layoutxml")) {
        for (const Node* cell : descendants(*layout, "cell")) {
            view.columns.push_back(attribute_or_empty(*cell, "name"));
        }
    }
    return view;
}

std::vector<RibbonButton> read_buttons(const Node& ribbon)
{
    std::map<std::string, std::string> labels;
    for (const Node* label : descendants(ribbon, "LocLabel")) {
        labels[attribute_or_empty(*label, "Id")] =
            pick_label(descendants(*label, "Title"), "languagecode", "description");
    }
    std::map<std::string, std::pair<std::string, std::string>> functions; // command -> library, function
    for (const Node* command : descendants(ribbon, "CommandDefinition")) {
        auto calls = descendants(*command, "JavaScriptFunction");
        if (calls.empty()) {
            continue;
        }
        std::string library = attribute_or_empty(*calls.front(), "Library");
        constexpr std::string_view web_resource = "$webresource:";
        if (library.starts_with(web_resource)) {
            library.erase(0, web_resource.size());
        }
        functions[attribute_or_empty(*command, "Id")] = {library, attribute_or_empty(*calls.front(), "FunctionName")};
    }
    std::vector<RibbonButton> buttons;
    for (const Node* action : descendants(ribbon, "CustomAction")) {
        for (const Node* element : descendants(*action, "Button")) {
            RibbonButton button;
            button.id = attribute_or_empty(*element, "Id");
            button.location = attribute_or_empty(*action, "Location");
            button.command = attribute_or_empty(*element, "Command");
            button.label = attribute_or_empty(*element, "LabelText");
            constexpr std::string_view loc_label = "$LocLabels:";
            if (button.label.starts_with(loc_label)) {
                auto found = labels.find(button.label.substr(loc_label.size()));
                if (found != labels.end()) {
                    button.label = found->second;
                }
            }
            auto call = functions.find(button.command);
            if (call != functions.end()) {
                button.library = call->second.first;
                button.function = call->second.second;
            }
            buttons.push_back(std::move(button));
        }
    }
    return buttons;
}

std::string site_map_title(const Node& element)
{
    if (const Node* titles = element.child("Titles")) {
        return pick_label(titles->children_named("Title"), "LCID", "Title");
    }
    return attribute_or_empty(element, "Title");
}

} // namespace

std::string localized(const Node& parent, std::string_view container, std::string_view item)
{
    const Node* list = parent.child(container);
    return list ? pick_label(list->children_named(item), "languagecode", "description") : std::string();
}

Entity read_entity(const Node& element, const std::string& prefix)
{
    Entity entity;
    const Node* name = element.child("Name");
    entity.name = child_text(&element, "Name");
    entity.type_code = child_text(&element, "ObjectTypeCode");
    const Node* info = element.child("EntityInfo");
    const Node* body = info ? info->child("entity") : nullptr;
    if (body) {
        if (entity.name.empty()) {
            entity.name = attribute_or_empty(*body, "Name");
        }
        entity.display_name = localized(*body, "LocalizedNames", "LocalizedName");
        entity.collection_name = localized(*body, "LocalizedCollectionNames", "LocalizedCollectionName");
        entity.description = localized(*body, "Descriptions", "Description");
        entity.ownership = child_text(body, "OwnershipTypeMask");
        if (const Node* attributes = body->child("attributes")) {
            for (const Node* attribute : attributes->children_named("attribute")) {
                entity.attributes.push_back(read_attribute(*attribute, prefix));
            }
        }
    }
    if (entity.display_name.empty() && name) {
        entity.display_name = attribute_or_empty(*name, "LocalizedName");
    }
    entity.extension = std::none_of(entity.attributes.begin(), entity.attributes.end(),
                                    [](const Attribute& attribute) { return attribute.type == "primarykey"; });
    if (const Node* form_xml = element.child("FormXml")) {
        for (const Node* forms : form_xml->children_named("forms")) {
            for (const Node* system_form : forms->children_named("systemform")) {
                entity.forms.push_back(read_form(*system_form, attribute_or_empty(*forms, "type")));
            }
        }
    }
    if (const Node* saved_queries = element.child("SavedQueries")) {
        for (const Node* saved_query : descendants(*saved_queries, "savedquery")) {
            entity.views.push_back(read_view(*saved_query));
        }
    }
    if (const Node* ribbon = element.child("RibbonDiffXml")) {
        entity.buttons = read_buttons(*ribbon);
    }
    return entity;
}

Relationship read_relationship(const Node& element)
{
    Relationship relationship;
    relationship.name = attribute_or_empty(element, "Name");
    relationship.type = child_text(&element, "EntityRelationshipType");
    relationship.referenced_entity = child_text(&element, "ReferencedEntityName");
    relationship.referencing_entity = child_text(&element, "ReferencingEntityName");
    relationship.referencing_attribute = child_text(&element, "ReferencingAttributeName");
    relationship.first_entity = child_text(&element, "FirstEntityName");
    relationship.second_entity = child_text(&element, "SecondEntityName");
    relationship.intersect_entity = child_text(&element, "IntersectEntityName");
    for (const Node& child : element.children) {
        constexpr std::string_view cascade = "Cascade";
        if (child.is_element() && child.name.starts_with(cascade) && child.name.size() > cascade.size()) {
            relationship.cascade[child.name.substr(cascade.size())] = trimmed(child.text_content());
        }
    }
    return relationship;
}

OptionSet read_option_set(const Node& element)
{
    OptionSet option_set;
    option_set.name = attribute_or_empty(element, "Name");
    option_set.display_name = localized(element, "displaynames", "displayname");
    if (option_set.display_name.empty()) {
        option_set.display_name = attribute_or_empty(element, "localizedName");
    }
    option_set.description = localized(element, "Descriptions", "Description");
    option_set.options = read_options(element);
    return option_set;
}

Role read_role(const Node& element, const std::set<std::string>& entities)
{
    Role role;
    role.id = attribute_or_empty(element, "id");
    role.name = attribute_or_empty(element, "name");
    role.description = child_text(&element, "Description");
    const Node* privileges = element.child("RolePrivileges");
    if (!privileges) {
        return role;
    }
    for (const Node* privilege : privileges->children_named("RolePrivilege")) {
        std::string name = attribute_or_empty(*privilege, "name");
        std::string level = attribute_or_empty(*privilege, "level");
        auto parsed = solution::parse_privilege(name);
        std::string entity = parsed ? ascii_lower(parsed->entity) : std::string();
        if (parsed && entities.contains(entity)) {
            role.entities[entity][std::string(parsed->action)] = level;
        } else {
            role.other[name] = level;
        }
    }
    return role;
}

SiteMap read_site_map(const Node& element)
{
    SiteMap site_map;
    for (const Node* area_element : element.children_named("Area")) {
        SiteMapArea area{attribute_or_empty(*area_element, "Id"), site_map_title(*area_element), {}};
        for (const Node* group_element : area_element->children_named("Group")) {
            SiteMapGroup group{attribute_or_empty(*group_element, "Id"), site_map_title(*group_element), {}};
            for (const Node* sub_area : group_element->children_named("SubArea")) {
                group.sub_areas.push_back({attribute_or_empty(*sub_area, "Id"), site_map_title(*sub_area),
                                           attribute_or_empty(*sub_area, "Entity"),
                                           attribute_or_empty(*sub_area, "Url")});
            }
            area.groups.push_back(std::move(group));
        }
        site_map.areas.push_back(std::move(area));
    }
    return site_map;
}

SiteMap read_app_site_map(const Node& element)
{
    SiteMap site_map;
    if (const Node* inner = element.child("SiteMap")) {
        site_map = read_site_map(*inner);
    }
    site_map.name = child_text(&element, "SiteMapUniqueName");
    site_map.display_name = localized(element, "LocalizedNames", "LocalizedName");
    return site_map;
}

AppModule read_app_module(const Node& element)
{
    AppModule app;
    app.unique_name = child_text(&element, "UniqueName");
    app.display_name = localized(element, "LocalizedNames", "LocalizedName");
    app.description = localized(element, "Descriptions", "Description");
    if (const Node* components = element.child("AppModuleComponents")) {
        for (const Node* component : components->children_named("AppModuleComponent")) {
            std::string key = attribute_or_empty(*component, "schemaName");
            app.components.push_back(
                {attribute_or_empty(*component, "type"), key.empty() ? attribute_or_empty(*component, "id") : key});
        }
    }
    if (const Node* roles = element.child("AppModuleRoleMaps")) {
        for (const Node* role : roles->children_named("Role")) {
            app.role_ids.push_back(attribute_or_empty(*role, "id"));
        }
    }
    return app;
}

WebResource read_web_resource(const Node& element)
{
    return {child_text(&element, "Name"), child_text(&element, "DisplayName"), child_text(&element, "WebResourceType"),
            child_text(&element, "Description")};
}

FormTab read_tab(const Node& element)
{
    FormTab tab;
    tab.name = attribute_or_empty(element, "name");
    tab.label = localized(element, "labels", "label");
    for (const Node* section_element : descendants(element, "section")) {
        FormSection section;
        section.name = attribute_or_empty(*section_element, "name");
        section.label = localized(*section_element, "labels", "label");
        for (const Node* cell : descendants(*section_element, "cell")) {
            FormField field = read_cell(*cell);
            if (!field.field.empty() || !field.subgrid_entity.empty()) {
                section.fields.push_back(std::move(field));
            }
        }
        tab.sections.push_back(std::move(section));
    }
    return tab;
}

} // namespace escprov::describe
