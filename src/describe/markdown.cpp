// The Markdown face of `escprov describe`: what a customer's administrator reads to learn what
// the connector adds to their organisation.

#include "describe/labels.hpp"
#include "describe/render.hpp"
#include "describe/targets.hpp"
#include "solution/identity.hpp"
#include "util/text.hpp"

#include <array>
#include <map>

namespace escprov::describe {

namespace {

// Text for a table cell: pipes escaped, line breaks folded, so one value stays one cell.
std::string cell(std::string_view text)
{
    std::string escaped;
    for (char c : text) {
        if (c == '|') {
            escaped += "\\|";
        } else if (c == '\r' || c == '\n') {
            if (!escaped.empty() && escaped.back() != ' ') {
                escaped += ' ';
            }
        } else {
            escaped += c;
        }
    }
    return trimmed(escaped);
}

std::string code(std::string_view text)
{
    return text.empty() ? std::string() : "`" + std::string(text) + "`";
}

// "Display (`name`)", or just the code when there is no display name.
std::string named(const std::string& display, const std::string& name)
{
    if (display.empty()) {
        return code(name);
    }
    return cell(display) + " (" + code(name) + ")";
}

void row(std::ostream& out, std::initializer_list<std::string> cells)
{
    out << "|";
    for (const std::string& text : cells) {
        out << " " << text << " |";
    }
    out << "\n";
}

void table_head(std::ostream& out, std::initializer_list<std::string> headings)
{
    row(out, headings);
    out << "|";
    for (size_t i = 0; i < headings.size(); ++i) {
        out << "---|";
    }
    out << "\n";
}

std::string ownership_text(const Entity& entity)
{
    if (entity.extension) {
        return "system entity (the connector adds fields and form parts only)";
    }
    if (entity.ownership == "UserOwned") {
        return "user or team";
    }
    if (entity.ownership == "OrgOwned") {
        return "organisation";
    }
    return entity.ownership.empty() ? "not stated" : entity.ownership;
}

std::string cascade_text(const Relationship& relationship)
{
    std::string text;
    auto add = [&text](const std::string& action, const std::string& value) {
        text += (text.empty() ? "" : "; ") + action + ": " + value;
    };
    auto found = relationship.cascade.find("Delete");
    if (found != relationship.cascade.end()) {
        add("Delete", found->second);
    }
    for (const auto& [action, value] : relationship.cascade) {
        if (action != "Delete" && value != "NoCascade" && !value.empty()) {
            add(action, value);
        }
    }
    return text;
}

void write_tab(std::ostream& out, const FormTab& tab, const std::string& indent)
{
    out << indent << "- Tab " << named(tab.label, tab.name) << "\n";
    for (const FormSection& section : tab.sections) {
        out << indent << "  - Section " << named(section.label, section.name);
        std::string fields;
        std::vector<std::string> subgrids;
        for (const FormField& field : section.fields) {
            if (!field.subgrid_entity.empty()) {
                subgrids.push_back("subgrid " + named(field.label, field.subgrid_entity) +
                                   (field.relationship.empty() ? "" : " via " + code(field.relationship)));
            } else {
                fields += (fields.empty() ? "" : ", ") + named(field.label, field.field);
            }
        }
        out << (fields.empty() ? "" : ": " + fields) << "\n";
        for (const std::string& subgrid : subgrids) {
            out << indent << "    - " << subgrid << "\n";
        }
    }
}

// The areas every org sitemap has, by id: templates name them by id only.
std::string area_title(const SiteMapArea& area)
{
    static const std::map<std::string, std::string> k_known = {
        {"Workplace", "Workplace"}, {"SFA", "Sales"},         {"CS", "Service"},
        {"MA", "Marketing"},        {"Settings", "Settings"}, {"HLP", "Resource Center"},
    };
    if (!area.title.empty()) {
        return area.title;
    }
    auto found = k_known.find(area.id);
    return found == k_known.end() ? std::string() : found->second;
}

class MarkdownWriter {
public:
    MarkdownWriter(const Description& description, std::ostream& out)
        : m_description(description), m_out(out), m_option_sets(index_option_sets(description))
    {}

    void write()
    {
        write_summary();
        write_entities();
        write_option_sets();
        write_roles();
        write_site_maps();
        write_apps();
        write_template_tabs();
        write_buttons();
        write_web_resources();
    }

private:
    size_t count_if_entities(bool extension) const
    {
        size_t count = 0;
        for (const Entity& entity : m_description.entities) {
            count += entity.extension == extension ? 1 : 0;
        }
        return count;
    }

    bool is_ours(const Relationship& relationship) const
    {
        const std::string& prefix = m_description.publisher.prefix;
        return relationship.type == "ManyToMany" ||
               (!prefix.empty() && ascii_lower(relationship.name).starts_with(ascii_lower(prefix) + "_")) ||
               custom_attribute(relationship.referencing_entity, relationship.referencing_attribute);
    }

    bool custom_attribute(const std::string& entity_name, const std::string& attribute_name) const
    {
        for (const Entity& entity : m_description.entities) {
            if (ascii_lower(entity.name) != ascii_lower(entity_name)) {
                continue;
            }
            for (const Attribute& attribute : entity.attributes) {
                if (attribute.logical_name == ascii_lower(attribute_name)) {
                    return attribute.custom;
                }
            }
        }
        return false;
    }

    void write_summary()
    {
        const Description& d = m_description;
        std::string title = d.solution_display_name.empty() ? d.solution_name : d.solution_display_name;
        m_out << "# " << title << ": the customisations it makes\n\n"
              << "Generated by `escprov describe` from the solution's source tree; do not edit by hand.\n\n";
        size_t attributes = 0, forms = 0, views = 0, buttons = 0, relationships = 0;
        for (const Entity& entity : d.entities) {
            for (const Attribute& attribute : entity.attributes) {
                attributes += attribute.custom ? 1 : 0;
            }
            forms += entity.forms.size();
            views += entity.views.size();
            buttons += entity.buttons.size();
        }
        for (const Relationship& relationship : d.relationships) {
            relationships += is_ours(relationship) ? 1 : 0;
        }
        table_head(m_out, {"", ""});
        row(m_out, {"Solution", named(d.solution_display_name, d.solution_name)});
        row(m_out, {"Version", cell(d.solution_version)});
        row(m_out, {"Publisher", named(d.publisher.display_name, d.publisher.unique_name)});
        row(m_out, {"Customisation prefix", code(d.publisher.prefix)});
        row(m_out, {"Option value prefix", code(d.publisher.option_value_prefix)});
        row(m_out, {"Entities of its own", std::to_string(count_if_entities(false))});
        row(m_out, {"Extended system entities", std::to_string(count_if_entities(true))});
        row(m_out, {"Custom attributes", std::to_string(attributes)});
        row(m_out, {"Relationships", std::to_string(relationships)});
        row(m_out, {"Forms", std::to_string(forms)});
        row(m_out, {"Views", std::to_string(views)});
        row(m_out, {"Global option sets", std::to_string(d.option_sets.size())});
        row(m_out, {"Security roles", std::to_string(d.roles.size())});
        row(m_out, {"Model-driven apps", std::to_string(d.app_modules.size())});
        row(m_out, {"Ribbon buttons", std::to_string(buttons)});
        row(m_out, {"Web resources", std::to_string(d.web_resources.size())});
        row(m_out, {"Form tabs added to customer forms", std::to_string(d.template_tabs.size())});
        m_out << "\n";
    }

    void write_entities()
    {
        bool extensions_started = false;
        if (!m_description.entities.empty() && !m_description.entities.front().extension) {
            m_out << "## Entities of the solution\n\n";
        }
        for (const Entity& entity : m_description.entities) {
            if (entity.extension && !extensions_started) {
                m_out << "## Extended system entities\n\n";
                extensions_started = true;
            }
            write_entity(entity);
        }
    }

    void write_entity(const Entity& entity)
    {
        m_out << "### " << named(entity.display_name, entity.name) << "\n\n";
        if (!entity.description.empty()) {
            m_out << cell(entity.description) << "\n\n";
        }
        table_head(m_out, {"", ""});
        row(m_out, {"Schema name", code(entity.name)});
        if (!entity.collection_name.empty()) {
            row(m_out, {"Plural name", cell(entity.collection_name)});
        }
        row(m_out, {"Ownership", ownership_text(entity)});
        row(m_out, {"CRM versions", range_text(entity.versions)});
        m_out << "\n";
        write_attributes(entity);
        write_relationships(entity);
        write_forms(entity);
        write_views(entity);
    }

    void write_attributes(const Entity& entity)
    {
        std::vector<const Attribute*> custom;
        std::string system;
        for (const Attribute& attribute : entity.attributes) {
            if (attribute.custom) {
                custom.push_back(&attribute);
            } else {
                system += (system.empty() ? "" : ", ") + code(attribute.logical_name);
            }
        }
        m_out << "#### Attributes (" << custom.size() << ")\n\n";
        if (!custom.empty()) {
            table_head(m_out, {"Schema name", "Display name", "Type", "Requirement", "Description"});
            for (const Attribute* attribute : custom) {
                row(m_out, {code(attribute->schema_name.empty() ? attribute->logical_name : attribute->schema_name),
                            cell(attribute->display_name), cell(type_text(*attribute, m_option_sets)),
                            requirement_text(attribute->required_level), cell(attribute->description)});
            }
            m_out << "\n";
        }
        if (!system.empty()) {
            m_out << "System attributes: " << system << ".\n\n";
        }
    }

    void write_relationships(const Entity& entity)
    {
        std::string name = ascii_lower(entity.name);
        std::vector<std::array<std::string, 5>> rows;
        for (const Relationship& relationship : m_description.relationships) {
            if (!is_ours(relationship)) {
                continue;
            }
            if (relationship.type == "ManyToMany") {
                std::string other;
                if (ascii_lower(relationship.first_entity) == name) {
                    other = relationship.second_entity;
                } else if (ascii_lower(relationship.second_entity) == name) {
                    other = relationship.first_entity;
                } else {
                    continue;
                }
                rows.push_back({code(relationship.name), "N:N", code(ascii_lower(other)),
                                "intersect " + code(relationship.intersect_entity), ""});
                continue;
            }
            bool referencing = ascii_lower(relationship.referencing_entity) == name;
            bool referenced = ascii_lower(relationship.referenced_entity) == name;
            if (referencing) {
                rows.push_back({code(relationship.name), "N:1", code(ascii_lower(relationship.referenced_entity)),
                                code(ascii_lower(relationship.referencing_attribute)), cascade_text(relationship)});
            }
            if (referenced) {
                rows.push_back({code(relationship.name), "1:N", code(ascii_lower(relationship.referencing_entity)),
                                code(ascii_lower(relationship.referencing_attribute)), cascade_text(relationship)});
            }
        }
        if (rows.empty()) {
            return;
        }
        m_out << "#### Relationships (" << rows.size() << ")\n\n";
        table_head(m_out, {"Name", "Kind", "Related entity", "Lookup", "Cascade"});
        for (const auto& cells : rows) {
            row(m_out, {cells[0], cells[1], cells[2], cells[3], cells[4]});
        }
        m_out << "\n";
    }

    void write_forms(const Entity& entity)
    {
        if (entity.forms.empty()) {
            return;
        }
        m_out << "#### Forms (" << entity.forms.size() << ")\n\n";
        for (const Form& form : entity.forms) {
            m_out << "- **" << cell(form.name.empty() ? form.id : form.name) << "** (" << form.type << " form, "
                  << code(form.id) << ")\n";
            for (const FormTab& tab : form.tabs) {
                write_tab(m_out, tab, "  ");
            }
        }
        m_out << "\n";
    }

    void write_views(const Entity& entity)
    {
        if (entity.views.empty()) {
            return;
        }
        m_out << "#### Views (" << entity.views.size() << ")\n\n";
        table_head(m_out, {"Name", "Type", "Default", "Columns"});
        for (const View& view : entity.views) {
            std::string columns;
            for (const std::string& column : view.columns) {
                columns += (columns.empty() ? "" : ", ") + code(column);
            }
            row(m_out, {cell(view.name), view_type_text(view.query_type), view.is_default ? "yes" : "no", columns});
        }
        m_out << "\n";
    }

    void write_option_sets()
    {
        if (m_description.option_sets.empty()) {
            return;
        }
        m_out << "## Global option sets\n\n";
        for (const OptionSet& option_set : m_description.option_sets) {
            m_out << "### " << named(option_set.display_name, option_set.name) << "\n\n";
            if (!option_set.description.empty()) {
                m_out << cell(option_set.description) << "\n\n";
            }
            table_head(m_out, {"Value", "Label"});
            for (const Option& option : option_set.options) {
                row(m_out, {code(option.value), cell(option.label)});
            }
            m_out << "\n";
        }
    }

    void write_roles()
    {
        const auto& roles = m_description.roles;
        if (roles.empty()) {
            return;
        }
        m_out << "## Security roles\n\n";
        for (const Role& role : roles) {
            m_out << "- **" << cell(role.name) << "** " << code(role.id)
                  << (role.description.empty() ? "" : ": " + cell(role.description)) << "\n";
        }
        m_out << "\nEach cell gives the level a role grants for the actions Create, Read, Write, Delete, Append, "
                 "Append To, Assign and Share, in that order: `B` user, `L` business unit, `D` parent: child "
                 "business units, `G` organisation, `-` none.\n\n";
        m_out << "| Entity |";
        for (const Role& role : roles) {
            m_out << " " << cell(role.name) << " |";
        }
        m_out << "\n|---|";
        for (size_t i = 0; i < roles.size(); ++i) {
            m_out << "---|";
        }
        m_out << "\n";
        for (const Entity& entity : m_description.entities) {
            std::string key = ascii_lower(entity.name);
            bool any = false;
            for (const Role& role : roles) {
                any = any || role.entities.contains(key);
            }
            if (!any) {
                continue;
            }
            m_out << "| " << code(key) << " |";
            for (const Role& role : roles) {
                auto found = role.entities.find(key);
                m_out << " " << code(privilege_code(found == role.entities.end() ? EntityPrivileges{} : found->second))
                      << " |";
            }
            m_out << "\n";
        }
        m_out << "\n";
        bool heading = false;
        for (const Role& role : roles) {
            if (role.other.empty()) {
                continue;
            }
            if (!heading) {
                m_out << "Other privileges:\n\n";
                heading = true;
            }
            std::string list;
            for (const auto& [name, level] : role.other) {
                list += (list.empty() ? "" : ", ") + code(name) + " " + std::string(1, level_code(level));
            }
            m_out << "- " << cell(role.name) << ": " << list << "\n";
        }
        if (heading) {
            m_out << "\n";
        }
    }

    // A subarea without a title shows its entity's plural name, as CRM does.
    void write_site_map(const SiteMap& site_map)
    {
        for (const SiteMapArea& area : site_map.areas) {
            m_out << "- Area " << named(area_title(area), area.id) << "\n";
            for (const SiteMapGroup& group : area.groups) {
                m_out << "  - Group " << named(group.title, group.id) << "\n";
                for (const SubArea& sub_area : group.sub_areas) {
                    std::string title = sub_area.title;
                    if (title.empty() && !sub_area.entity.empty()) {
                        title = entity_plural(sub_area.entity);
                    }
                    m_out << "    - " << named(title, sub_area.id);
                    if (!sub_area.entity.empty()) {
                        m_out << ": entity " << code(sub_area.entity);
                    } else if (!sub_area.url.empty()) {
                        m_out << ": " << code(sub_area.url);
                    }
                    m_out << "\n";
                }
            }
        }
        m_out << "\n";
    }

    std::string entity_plural(const std::string& name) const
    {
        for (const Entity& entity : m_description.entities) {
            if (ascii_lower(entity.name) == ascii_lower(name)) {
                return entity.collection_name.empty() ? entity.display_name : entity.collection_name;
            }
        }
        return "";
    }

    void write_site_maps()
    {
        if (m_description.template_site_map) {
            m_out << "## Additions to the organisation's sitemap\n\n"
                  << "From `templates/sitemap.xml`; CRM versions: " << range_text(m_description.org_site_map_versions)
                  << ". Areas name the customer's existing areas; the groups and subareas are the connector's.\n\n";
            write_site_map(*m_description.template_site_map);
        }
        if (m_description.org_site_map) {
            m_out << "## Organisation sitemap\n\n";
            write_site_map(*m_description.org_site_map);
        }
        for (const SiteMap& site_map : m_description.app_site_maps) {
            m_out << "## App sitemap " << named(site_map.display_name, site_map.name) << "\n\n";
            write_site_map(site_map);
        }
    }

    std::string role_name(const std::string& id) const
    {
        for (const Role& role : m_description.roles) {
            if (solution::normalise_id(role.id) == solution::normalise_id(id)) {
                return cell(role.name) + " (" + code(id) + ")";
            }
        }
        return code(id) + " (a role outside this solution)";
    }

    void write_apps()
    {
        if (m_description.app_modules.empty()) {
            return;
        }
        m_out << "## Model-driven apps\n\n";
        for (const AppModule& app : m_description.app_modules) {
            m_out << "### " << named(app.display_name, app.unique_name) << "\n\n";
            if (!app.description.empty()) {
                m_out << cell(app.description) << "\n\n";
            }
            m_out << "CRM versions: " << range_text(app.versions) << ".\n\n";
            if (app.site_map) {
                m_out << "Sitemap " << named(app.site_map->display_name, app.site_map->name) << ":\n\n";
                write_site_map(*app.site_map);
            }
            if (!app.components.empty()) {
                m_out << "Components:\n\n";
                std::string current;
                for (const AppComponent& component : app.components) {
                    std::string type = app_component_type_text(component.type);
                    if (type != current) {
                        m_out << (current.empty() ? "" : "\n") << "- " << type << ": ";
                        current = type;
                    } else {
                        m_out << ", ";
                    }
                    m_out << code(component.key);
                }
                m_out << "\n\n";
            }
            if (!app.role_ids.empty()) {
                m_out << "Roles that see the app:\n\n";
                for (const std::string& id : app.role_ids) {
                    m_out << "- " << role_name(id) << "\n";
                }
                m_out << "\n";
            }
        }
    }

    std::string entity_title(const std::string& name) const
    {
        for (const Entity& entity : m_description.entities) {
            if (ascii_lower(entity.name) == ascii_lower(name)) {
                return named(entity.display_name, ascii_lower(name));
            }
        }
        return code(name);
    }

    void write_template_tabs()
    {
        if (m_description.template_tabs.empty()) {
            return;
        }
        m_out << "## Tabs added to customer forms\n\n"
              << "The merge adds each tab to every main form the customer has for the entity; the rest of the form "
                 "stays as it is.\n\n";
        for (const TemplateTab& tab : m_description.template_tabs) {
            m_out << "### " << entity_title(tab.entity) << " (`templates/" << tab.file << "`)\n\n";
            write_tab(m_out, tab.tab, "");
            m_out << "\n";
        }
    }

    void write_buttons()
    {
        bool heading = false;
        for (const Entity& entity : m_description.entities) {
            for (const RibbonButton& button : entity.buttons) {
                if (!heading) {
                    m_out << "## Ribbon buttons\n\n";
                    table_head(m_out, {"Entity", "Button", "Label", "Location", "Command", "Library / function"});
                    heading = true;
                }
                std::string call = button.library.empty() ? "" : code(button.library) + " / " + code(button.function);
                row(m_out, {code(ascii_lower(entity.name)), code(button.id), cell(button.label), code(button.location),
                            code(button.command), call});
            }
        }
        if (heading) {
            m_out << "\n";
        }
    }

    void write_web_resources()
    {
        if (m_description.web_resources.empty()) {
            return;
        }
        m_out << "## Web resources\n\n";
        table_head(m_out, {"Name", "Type", "Display name", "Description"});
        for (const WebResource& resource : m_description.web_resources) {
            row(m_out, {code(resource.name), web_resource_type_text(resource.type), cell(resource.display_name),
                        cell(resource.description)});
        }
        m_out << "\n";
    }

    const Description& m_description;
    std::ostream& m_out;
    OptionSetIndex m_option_sets;
};

} // namespace

void write_markdown(const Description& description, std::ostream& out)
{
    MarkdownWriter(description, out).write();
}

} // namespace escprov::describe
