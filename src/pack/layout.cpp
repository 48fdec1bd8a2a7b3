#include "pack/layout.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <algorithm>

namespace escprov::pack {

namespace {

// How an item's file name is derived from its content, and how its path looks.
enum class Shape {
    flat,         // <folder>/<id>.xml
    named_folder, // <folder>/<id>/<file>
    data_file,    // <folder>/<path>.data.xml, the path coming from the item's FileName
};

struct ItemNaming {
    std::string_view section;
    Shape shape;
    std::string_view file;         // for named_folder
    std::string_view id_child;     // child element holding the identity, or ""
    std::string_view id_attribute; // attribute holding the identity, or ""
};

const std::vector<ItemNaming>& namings()
{
    static const std::vector<ItemNaming> table = {
        {"Entities", Shape::named_folder, "Entity.xml", "Name", ""},
        {"Roles", Shape::flat, "", "", "name"},
        {"Workflows", Shape::data_file, "", "", "WorkflowId"},
        {"optionsets", Shape::flat, "", "", "Name"},
        {"Dashboards", Shape::flat, "", "FormId", ""},
        {"WebResources", Shape::data_file, "", "Name", ""},
        {"SolutionPluginAssemblies", Shape::data_file, "", "", "FullName"},
        {"SdkMessageProcessingSteps", Shape::flat, "", "", "SdkMessageProcessingStepId"},
        {"AppModuleSiteMaps", Shape::named_folder, "AppModuleSiteMap.xml", "SiteMapUniqueName", ""},
        {"AppModules", Shape::named_folder, "AppModule.xml", "UniqueName", ""},
    };
    return table;
}

const ItemNaming* naming_of(std::string_view section)
{
    for (const auto& naming : namings()) {
        if (naming.section == section) {
            return &naming;
        }
    }
    return nullptr;
}

// Role names are display names: characters a file name cannot hold become '_', as
// SolutionPackager does; what is left must still be a safe segment.
std::string display_name_segment(std::string_view name)
{
    std::string segment(name);
    for (char& c : segment) {
        if (c == '/' || c == '\\' || c == ':' || c == '*' || c == '?' || c == '"' || c == '<' || c == '>' || c == '|' ||
            static_cast<unsigned char>(c) < 0x20) {
            c = '_';
        }
    }
    return segment;
}

// The path a web resource, plug-in assembly or process keeps its own zip part under: the
// item's FileName without the leading '/'.
std::string part_name(const xml::Node& item)
{
    for (std::string_view child : {"FileName", "XamlFileName", "JsonFileName"}) {
        std::string value = trimmed(item.child_text(child));
        if (!value.empty()) {
            return value.front() == '/' ? value.substr(1) : value;
        }
    }
    return {};
}

} // namespace

const std::vector<SectionRule>& section_rules()
{
    static const std::vector<SectionRule> table = {
        {"Entities", "Entity", SectionLayout::items, "Entities"},
        {"Roles", "Role", SectionLayout::items, "Roles"},
        {"Workflows", "Workflow", SectionLayout::items, "Workflows"},
        {"ConnectionRoles", "", SectionLayout::whole_file, "Other/ConnectionRoles.xml"},
        {"SiteMap", "", SectionLayout::whole_file, "Other/SiteMap.xml"},
        {"EntityMaps", "", SectionLayout::whole_file, "Other/EntityMaps.xml"},
        {"EntityRelationships", "EntityRelationship", SectionLayout::relationships, "Other/Relationships"},
        {"optionsets", "optionset", SectionLayout::items, "OptionSets"},
        {"Dashboards", "Dashboard", SectionLayout::items, "Dashboards"},
        {"WebResources", "WebResource", SectionLayout::items, "WebResources"},
        {"SolutionPluginAssemblies", "PluginAssembly", SectionLayout::items, "PluginAssemblies"},
        {"SdkMessageProcessingSteps", "SdkMessageProcessingStep", SectionLayout::items, "SdkMessageProcessingSteps"},
        {"AppModuleSiteMaps", "AppModuleSiteMap", SectionLayout::items, "AppModuleSiteMaps"},
        {"AppModules", "AppModule", SectionLayout::items, "AppModules"},
    };
    return table;
}

const SectionRule* section_rule(std::string_view section)
{
    for (const auto& rule : section_rules()) {
        if (rule.section == section) {
            return &rule;
        }
    }
    return nullptr;
}

std::string checked_segment(std::string_view what, std::string_view name)
{
    if (name.empty() || name.find('/') != std::string_view::npos || !is_safe_relative_path(name)) {
        throw_input("unpack: " + std::string(what) + " '" + std::string(name) +
                    "' cannot be used as a file name: it would leave the target folder or is empty");
    }
    return std::string(name);
}

std::string checked_path(std::string_view what, std::string_view path)
{
    if (!is_safe_relative_path(path)) {
        throw_input("unpack: " + std::string(what) + " '" + std::string(path) +
                    "' cannot be used as a file path: it would leave the target folder");
    }
    return std::string(path);
}

std::string item_path(const SectionRule& rule, const xml::Node& item, size_t index)
{
    const ItemNaming* naming = naming_of(rule.section);
    std::string folder(rule.folder);
    std::string fallback = std::string(rule.item) + "-" + std::to_string(index + 1);
    std::string what = std::string(rule.item) + " name";
    std::string id;
    if (naming != nullptr && item.name == rule.item) {
        if (!naming->id_child.empty()) {
            id = trimmed(item.child_text(naming->id_child));
        } else if (const std::string* value = item.attribute(naming->id_attribute)) {
            id = *value;
        }
    }
    if (naming == nullptr || item.name != rule.item) {
        return folder + "/" + checked_segment("item", item.name + "-" + std::to_string(index + 1)) + ".xml";
    }
    switch (naming->shape) {
    case Shape::named_folder:
        if (id.empty()) {
            if (rule.section == "Entities") {
                throw_input("unpack: entity number " + std::to_string(index + 1) + " has no <Name>");
            }
            id = fallback;
        }
        return folder + "/" + checked_segment(what, id) + "/" + std::string(naming->file);
    case Shape::flat:
        if (rule.section == "Roles") {
            id = display_name_segment(id);
        }
        if (id.empty()) {
            id = fallback;
        }
        return folder + "/" + checked_segment(what, id) + ".xml";
    case Shape::data_file: {
        if (rule.section == "WebResources") {
            if (id.empty()) {
                id = fallback;
            }
            return checked_path(what, folder + "/" + id) + ".data.xml";
        }
        std::string part = part_name(item);
        if (part.rfind(folder + "/", 0) == 0) {
            return checked_path("file name", part) + ".data.xml";
        }
        if (id.empty()) {
            id = fallback;
        }
        return folder + "/" + checked_segment(what, display_name_segment(id)) + ".data.xml";
    }
    }
    return {};
}

const SectionRule* item_section_of(std::string_view path)
{
    std::string plain;
    if (is_managed_variant(path, &plain)) {
        path = plain;
    }
    for (const auto& naming : namings()) {
        const SectionRule* rule = section_rule(naming.section);
        std::string prefix = std::string(rule->folder) + "/";
        if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) {
            continue;
        }
        std::string_view rest = path.substr(prefix.size());
        size_t slash = rest.find('/');
        switch (naming.shape) {
        case Shape::flat:
            if (slash == std::string_view::npos && rest.ends_with(".xml")) {
                return rule;
            }
            break;
        case Shape::named_folder:
            if (slash != std::string_view::npos && rest.substr(slash + 1) == naming.file) {
                return rule;
            }
            break;
        case Shape::data_file:
            if (rest.ends_with(".data.xml")) {
                return rule;
            }
            break;
        }
    }
    return nullptr;
}

std::string entity_folder(std::string_view entity_name)
{
    return "Entities/" + checked_segment("entity name", entity_name);
}

std::string form_path(std::string_view entity_dir, std::string_view form_type, std::string_view form_id)
{
    return std::string(entity_dir) + "/FormXml/" + checked_segment("form type", form_type) + "/" +
           checked_segment("form id", form_id) + ".xml";
}

std::string saved_query_path(std::string_view entity_dir, std::string_view id)
{
    return std::string(entity_dir) + "/SavedQueries/" + checked_segment("view id", id) + ".xml";
}

std::string visualization_path(std::string_view entity_dir, std::string_view id)
{
    return std::string(entity_dir) + "/Visualizations/" + checked_segment("chart id", id) + ".xml";
}

std::string ribbon_path(std::string_view entity_dir)
{
    return std::string(entity_dir) + "/RibbonDiff.xml";
}

bool is_managed_variant(std::string_view path, std::string* plain)
{
    constexpr std::string_view suffix = "_managed.xml";
    if (!path.ends_with(suffix)) {
        return false;
    }
    if (plain != nullptr) {
        *plain = std::string(path.substr(0, path.size() - suffix.size())) + ".xml";
    }
    return true;
}

} // namespace escprov::pack
