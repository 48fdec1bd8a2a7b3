#include "validate/content_checks.hpp"

#include "solution/component_type.hpp"
#include "solution/identity.hpp"
#include "solution/privilege.hpp"
#include "solution/schema.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"
#include "validate/system_privileges.hpp"

#include <algorithm>
#include <cctype>

namespace escprov::validate {

using solution::ComponentType;
using solution::normalise_id;

namespace {

// The customization prefix of a schema name ("esc_emailcampaign" -> "esc"), or "" when the name
// has none (system components, names whose first segment is not a plain word).
std::string prefix_of(std::string_view name)
{
    size_t underscore = name.find('_');
    if (underscore == std::string_view::npos || underscore == 0) {
        return {};
    }
    std::string_view head = name.substr(0, underscore);
    bool plain = std::all_of(head.begin(), head.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
    return plain ? ascii_lower(head) : std::string();
}

bool is_text_field(std::string_view name)
{
    static constexpr std::string_view fields[] = {"Name",         "LogicalName", "IsCustomField",    "formid",
                                                  "savedqueryid", "FileName",    "XamlFileName",     "JsonFileName",
                                                  "FormId",       "UniqueName",  "SiteMapUniqueName"};
    return std::find(std::begin(fields), std::end(fields), name) != std::end(fields);
}

bool is_privilege_level(std::string_view level)
{
    return level == "Basic" || level == "Local" || level == "Deep" || level == "Global";
}

} // namespace

struct ContentChecks::State {
    ContentContext context;
    Findings& findings;
    SubtreeCheck subtree_check;

    // Where we are.
    std::vector<std::string> path;
    std::string text;
    bool capturing = false;
    xml::Location text_where;

    // Sections.
    std::vector<std::string> known_sections; // in the order they came
    std::unordered_set<std::string> sections_seen;

    // What the content holds, by component type: the identity sets that also find duplicates.
    std::map<ComponentType, std::unordered_set<std::string>> present;
    bool org_sitemap = false;

    // The root components of the manifest, by type, and each root entity's behavior.
    std::map<ComponentType, std::unordered_set<std::string>> roots;
    std::unordered_map<std::string, int> entity_behavior;
    bool check_coverage = false;
    std::string publisher_prefix; // lower case; empty when prefixes are not checked

    // The entity being read.
    std::string entity_name;
    xml::Location entity_where;
    bool entity_has_rooted_part = false;
    std::unordered_set<std::string> attribute_physical;
    std::unordered_set<std::string> attribute_logical;
    // The attribute being read.
    std::string attribute_physical_name;
    xml::Location attribute_where;
    bool attribute_custom = false;

    // SiteMap scopes: Areas of one sitemap, Groups of one Area, SubAreas of one Group.
    size_t sitemap_depth = 0;
    std::unordered_set<std::string> areas;
    std::string area_id;
    std::unordered_set<std::string> groups;
    std::unordered_set<std::string> subareas;

    // Privileges naming entities we cannot yet place, by lower-case entity: the first use.
    struct PrivilegeUse {
        std::string privilege;
        std::string file;
        xml::Location where;
    };
    std::map<std::string, PrivilegeUse> privilege_targets;

    // The subtree being materialised for the XSD checks.
    std::unique_ptr<xml::TreeBuilder> subtree;
    std::string subtree_kind;
    std::string subtree_file;
    xml::Location subtree_where;

    State(ContentContext context_in, Findings& findings_in, SubtreeCheck check)
        : context(std::move(context_in)), findings(findings_in), subtree_check(std::move(check))
    {
        const solution::Manifest* manifest = context.manifest;
        if (manifest == nullptr) {
            return;
        }
        for (const auto& root : manifest->root_components) {
            const std::string& key = root.schema_name.empty() ? root.id : root.schema_name;
            roots[root.type].insert(normalise_id(key));
            if (root.type == ComponentType::entity) {
                entity_behavior[normalise_id(key)] = root.behavior.value_or(0);
            }
        }
        // The Default solution is the whole organisation: it names no components one by one.
        bool is_default = ascii_lower(manifest->unique_name) == "default";
        check_coverage = !is_default && !manifest->root_components.empty();
        if (!is_default) {
            publisher_prefix = ascii_lower(manifest->publisher.prefix);
        }
    }

    const std::string& file_of(const xml::Location& where) const
    {
        return where.file != nullptr ? *where.file : context.file;
    }
    void add(std::string_view code, const xml::Location& where, std::string message)
    {
        findings.add(code, file_of(where), where, std::move(message));
    }
    bool in(std::initializer_list<std::string_view> expected) const
    {
        if (path.size() != expected.size() + 1) {
            return false;
        }
        return std::equal(expected.begin(), expected.end(), path.begin() + 1);
    }
    bool rooted(ComponentType type, const std::string& key) const
    {
        auto found = roots.find(type);
        return found != roots.end() && found->second.contains(key);
    }
    // Records a component; returns false when one with the same identity was seen before.
    bool record(ComponentType type, const std::string& key) { return present[type].insert(key).second; }
    void check_prefix(std::string_view code, std::string_view kind, const std::string& name, const xml::Location& where)
    {
        if (publisher_prefix.empty()) {
            return;
        }
        std::string prefix = prefix_of(name);
        if (!prefix.empty() && prefix != publisher_prefix) {
            add(code, where,
                kind.data() + (" '" + name + "' has the prefix '" + prefix + "_', not the publisher's '" +
                               publisher_prefix + "_'"));
        }
    }
    void check_covered(ComponentType type, std::string_view kind, const std::string& key, const std::string& shown,
                       const xml::Location& where)
    {
        if (check_coverage && !key.empty() && !rooted(type, key)) {
            add("ESC-ROOT-003", where,
                std::string(kind) + " '" + shown + "' is in customizations.xml but no RootComponent of type " +
                    solution::type_text(type) + " names it");
        }
    }

    void start(std::string_view name, const xml::Attributes& attributes, const xml::Location& where);
    void end(const xml::Location& where);
    void finish();
    void start_subtree(std::string_view kind, const xml::Location& where);
};

void ContentChecks::State::start(std::string_view name, const xml::Attributes& attributes, const xml::Location& where)
{
    size_t depth = path.size();
    if (depth == 1) {
        return; // the input layer refuses any other root than ImportExportXml before we see it
    }
    if (depth == 2) {
        if (!sections_seen.insert(std::string(name)).second) {
            add("ESC-SEC-002", where, "section '" + std::string(name) + "' appears a second time");
        } else if (!solution::section_rank(name)) {
            add("ESC-SEC-003", where, "unknown section '" + std::string(name) + "' (kept as it is)");
        } else {
            if (auto blocker = solution::section_blocker(known_sections, name)) {
                add("ESC-SEC-001", where,
                    "section '" + std::string(name) + "' comes after '" + std::string(*blocker) +
                        "', but the schema puts it before and no real export writes them in this order");
            }
            known_sections.emplace_back(name);
        }
        return;
    }
    if (in({"Entities", "Entity"})) {
        entity_name.clear();
        entity_where = where;
        entity_has_rooted_part = false;
        attribute_physical.clear();
        attribute_logical.clear();
    } else if (in({"Entities", "Entity", "EntityInfo", "entity", "attributes", "attribute"})) {
        attribute_where = where;
        attribute_custom = false;
        attribute_physical_name.clear();
        if (const std::string* physical = xml::find_attribute(attributes, "PhysicalName")) {
            attribute_physical_name = *physical;
            if (!attribute_physical.insert(ascii_lower(*physical)).second) {
                add("ESC-DUP-002", where,
                    "attribute PhysicalName '" + *physical + "' appears twice in entity '" + entity_name + "'");
            }
        }
    } else if (in({"Roles", "Role"}) || in({"Roles", "Role", "RolePrivileges", "RolePrivilege"})) {
        if (name == "Role") {
            const std::string* id = xml::find_attribute(attributes, "id");
            if (id != nullptr) {
                std::string key = normalise_id(*id);
                const std::string* role_name = xml::find_attribute(attributes, "name");
                std::string shown = role_name != nullptr ? *role_name + " " + *id : *id;
                if (!record(ComponentType::role, key)) {
                    add("ESC-DUP-008", where, "security role id " + *id + " appears twice");
                }
                check_covered(ComponentType::role, "security role", key, shown, where);
            }
        } else {
            const std::string* privilege = xml::find_attribute(attributes, "name");
            const std::string* level = xml::find_attribute(attributes, "level");
            if (privilege == nullptr || privilege->empty() || level == nullptr || !is_privilege_level(*level)) {
                add("ESC-PRIV-003", where,
                    "RolePrivilege " + (privilege != nullptr ? "'" + *privilege + "'" : std::string("without a name")) +
                        (level != nullptr ? " has level '" + *level + "'" : " has no level") +
                        "; a privilege needs a name and a level of Basic, Local, Deep or Global");
            }
            if (privilege != nullptr && !is_system_privilege(*privilege)) {
                if (auto target = solution::parse_privilege(*privilege)) {
                    std::string entity = ascii_lower(target->entity);
                    if (!privilege_targets.contains(entity)) {
                        privilege_targets.emplace(entity, PrivilegeUse{*privilege, file_of(where), where});
                    }
                }
            }
        }
    } else if (in({"Workflows", "Workflow"})) {
        if (const std::string* id = xml::find_attribute(attributes, "WorkflowId")) {
            std::string key = normalise_id(*id);
            record(ComponentType::workflow, key);
            const std::string* workflow_name = xml::find_attribute(attributes, "Name");
            check_covered(ComponentType::workflow, "process", key, workflow_name != nullptr ? *workflow_name : *id,
                          where);
        }
    } else if (in({"optionsets", "optionset"})) {
        if (const std::string* optionset = xml::find_attribute(attributes, "Name")) {
            std::string key = normalise_id(*optionset);
            if (!record(ComponentType::option_set, key)) {
                add("ESC-DUP-010", where, "global option set '" + *optionset + "' appears twice");
            }
            check_covered(ComponentType::option_set, "global option set", key, *optionset, where);
        }
    } else if (in({"EntityRelationships", "EntityRelationship"})) {
        if (const std::string* relationship = xml::find_attribute(attributes, "Name")) {
            record(ComponentType::entity_relationship, normalise_id(*relationship));
        }
    } else if (in({"SolutionPluginAssemblies", "PluginAssembly"})) {
        if (const std::string* full_name = xml::find_attribute(attributes, "FullName")) {
            record(ComponentType::plugin_assembly, normalise_id(*full_name));
            // Root components name an assembly by its simple name in some exports.
            record(ComponentType::plugin_assembly, normalise_id(full_name->substr(0, full_name->find(','))));
        }
        if (const std::string* id = xml::find_attribute(attributes, "PluginAssemblyId")) {
            record(ComponentType::plugin_assembly, normalise_id(*id));
        }
    } else if (in({"SdkMessageProcessingSteps", "SdkMessageProcessingStep"})) {
        if (const std::string* id = xml::find_attribute(attributes, "SdkMessageProcessingStepId")) {
            record(ComponentType::sdk_message_processing_step, normalise_id(*id));
        }
    } else if (in({"SiteMap", "SiteMap"})) {
        org_sitemap = true;
    }

    // SiteMap identities, for the org sitemap and each app's sitemap alike.
    const std::string& parent = path[depth - 2];
    if (name == "SiteMap" && (parent == "SiteMap" || parent == "AppModuleSiteMap") && depth <= 4) {
        sitemap_depth = depth + 1;
        areas.clear();
    } else if (sitemap_depth != 0 && depth >= sitemap_depth) {
        const std::string* id = xml::find_attribute(attributes, "Id");
        std::string key = id != nullptr ? ascii_lower(*id) : std::string();
        if (name == "Area" && depth == sitemap_depth) {
            groups.clear();
            area_id = id != nullptr ? *id : std::string();
            if (!key.empty() && !areas.insert(key).second) {
                add("ESC-DUP-005", where, "SiteMap Area Id '" + *id + "' appears twice in one sitemap");
            }
        } else if (name == "Group" && depth == sitemap_depth + 1) {
            subareas.clear();
            if (!key.empty() && !groups.insert(key).second) {
                add("ESC-DUP-006", where, "SiteMap Group Id '" + *id + "' appears twice in Area '" + area_id + "'");
            }
        } else if (name == "SubArea" && depth == sitemap_depth + 2) {
            if (!key.empty() && !subareas.insert(key).second) {
                add("ESC-DUP-007", where, "SiteMap SubArea Id '" + *id + "' appears twice in one Group");
            }
        }
    }

    if (subtree_check) {
        if (in({"SiteMap", "SiteMap"}) || in({"AppModuleSiteMaps", "AppModuleSiteMap", "SiteMap"})) {
            start_subtree("sitemap", where);
        } else if (in({"RibbonDiffXml"}) || in({"Entities", "Entity", "RibbonDiffXml"})) {
            start_subtree("ribbon", where);
        } else if (in({"Entities", "Entity", "SavedQueries", "savedqueries", "savedquery", "fetchxml", "fetch"})) {
            start_subtree("fetch", where);
        }
    }
}

void ContentChecks::State::start_subtree(std::string_view kind, const xml::Location& where)
{
    subtree = std::make_unique<xml::TreeBuilder>();
    subtree_kind = std::string(kind);
    subtree_file = file_of(where);
    subtree_where = where;
}

void ContentChecks::State::end(const xml::Location& where)
{
    size_t depth = path.size();
    const std::string& name = path.back();
    if (capturing) {
        capturing = false;
        if (in({"Entities", "Entity", "Name"})) {
            entity_name = text;
            std::string key = normalise_id(text);
            if (!record(ComponentType::entity, key)) {
                add("ESC-DUP-001", text_where, "entity '" + text + "' appears twice");
            }
        } else if (in({"Entities", "Entity", "EntityInfo", "entity", "attributes", "attribute", "LogicalName"})) {
            if (!attribute_logical.insert(ascii_lower(text)).second) {
                add("ESC-DUP-002", text_where,
                    "attribute LogicalName '" + text + "' appears twice in entity '" + entity_name + "'");
            }
        } else if (in({"Entities", "Entity", "EntityInfo", "entity", "attributes", "attribute", "IsCustomField"})) {
            attribute_custom = normalise_id(text) == "1";
        } else if (in({"Entities", "Entity", "FormXml", "forms", "systemform", "formid"}) ||
                   in({"Dashboards", "Dashboard", "FormId"})) {
            std::string key = normalise_id(text);
            if (!record(ComponentType::system_form, key)) {
                add("ESC-DUP-003", text_where, "form id " + text + " appears twice");
            }
            entity_has_rooted_part = entity_has_rooted_part || rooted(ComponentType::system_form, key);
        } else if (in({"Entities", "Entity", "SavedQueries", "savedqueries", "savedquery", "savedqueryid"})) {
            std::string key = normalise_id(text);
            if (!record(ComponentType::saved_query, key)) {
                add("ESC-DUP-004", text_where, "view id " + text + " appears twice");
            }
            entity_has_rooted_part = entity_has_rooted_part || rooted(ComponentType::saved_query, key);
        } else if (in({"WebResources", "WebResource", "Name"})) {
            std::string key = normalise_id(text);
            if (!record(ComponentType::web_resource, key)) {
                add("ESC-DUP-009", text_where, "web resource '" + text + "' appears twice");
            }
            check_covered(ComponentType::web_resource, "web resource", key, text, text_where);
            check_prefix("ESC-PFX-003", "web resource", text, text_where);
        } else if (in({"AppModuleSiteMaps", "AppModuleSiteMap", "SiteMapUniqueName"})) {
            record(ComponentType::site_map, normalise_id(text));
            check_covered(ComponentType::site_map, "app sitemap", normalise_id(text), text, text_where);
        } else if (in({"AppModules", "AppModule", "UniqueName"})) {
            record(ComponentType::app_module, normalise_id(text));
            check_covered(ComponentType::app_module, "model-driven app", normalise_id(text), text, text_where);
        } else if (depth == 4 && (name == "FileName" || name == "XamlFileName" || name == "JsonFileName") &&
                   (path[1] == "WebResources" || path[1] == "Workflows" || path[1] == "SolutionPluginAssemblies")) {
            std::string part = text;
            while (!part.empty() && part.front() == '/') {
                part.erase(0, 1);
            }
            if (context.parts && !part.empty() && !context.parts->contains(ascii_lower(part))) {
                add("ESC-PART-001", text_where,
                    name + " '" + text + "' names a part that is not in the solution (trees often omit content)");
            }
        }
    }

    if (in({"Entities", "Entity", "EntityInfo", "entity", "attributes", "attribute"})) {
        if (attribute_custom && !attribute_physical_name.empty()) {
            auto behavior = entity_behavior.find(normalise_id(entity_name));
            bool ours = behavior != entity_behavior.end();
            if (ours) {
                check_prefix("ESC-PFX-002", "custom attribute", attribute_physical_name, attribute_where);
            }
        }
    } else if (in({"Entities", "Entity"})) {
        std::string key = normalise_id(entity_name);
        if (!prefix_of(entity_name).empty()) {
            auto behavior = entity_behavior.find(key);
            if (behavior != entity_behavior.end() && behavior->second != 2) {
                check_prefix("ESC-PFX-001", "custom entity", entity_name, entity_where);
            }
            if (!entity_has_rooted_part) {
                check_covered(ComponentType::entity, "custom entity", key, entity_name, entity_where);
            }
        }
    } else if (sitemap_depth != 0 && depth + 1 == sitemap_depth) {
        sitemap_depth = 0;
    } else if (depth == 1) {
        finish();
    }
    (void)where;
}

void ContentChecks::State::finish()
{
    // Every root component we can map to content must be there.
    if (const solution::Manifest* manifest = context.manifest) {
        for (const auto& root : manifest->root_components) {
            std::string key = normalise_id(root.schema_name.empty() ? root.id : root.schema_name);
            bool present_here = false;
            switch (root.type) {
            case ComponentType::entity:
            case ComponentType::option_set:
            case ComponentType::role:
            case ComponentType::web_resource:
            case ComponentType::app_module:
            case ComponentType::plugin_assembly:
            case ComponentType::sdk_message_processing_step:
            case ComponentType::system_form:
            case ComponentType::saved_query:
            case ComponentType::workflow:
            case ComponentType::entity_relationship:
                if (key.empty()) {
                    continue; // a role named by parentId in org exports: nothing to look up
                }
                present_here = present[root.type].contains(key);
                break;
            case ComponentType::site_map:
                present_here = key.empty() ? org_sitemap : present[ComponentType::site_map].contains(key);
                break;
            default: continue; // a type we cannot map to content: skipped, never an error
            }
            if (present_here) {
                continue;
            }
            // Real exports list forms, views, processes and relationships that customizations.xml
            // does not hold (system forms, activated processes): a warning, not breakage.
            bool soft = root.type == ComponentType::system_form || root.type == ComponentType::saved_query ||
                        root.type == ComponentType::workflow || root.type == ComponentType::entity_relationship;
            xml::Location where{root.location.line, root.location.column, nullptr};
            findings.add(soft ? "ESC-ROOT-002" : "ESC-ROOT-001", manifest->file, where,
                         "RootComponent " + solution::component_type_name(root.type) + " '" +
                             (root.schema_name.empty() ? root.id : root.schema_name) + "' (type " +
                             solution::type_text(root.type) + ") is not in customizations.xml");
        }
    }
    // Privileges must refer to an entity defined here or to a system entity.
    const auto& entities = present[ComponentType::entity];
    for (const auto& [entity, use] : privilege_targets) {
        if (entities.contains(entity) || is_system_entity(entity)) {
            continue;
        }
        bool custom = !prefix_of(entity).empty();
        findings.add(custom ? "ESC-PRIV-001" : "ESC-PRIV-002", use.file, use.where,
                     "privilege '" + use.privilege + "' refers to entity '" + entity +
                         "', which is neither in this solution nor a known system entity");
    }
}

ContentChecks::ContentChecks(ContentContext context, Findings& findings, SubtreeCheck subtree_check)
    : m_state(std::make_unique<State>(std::move(context), findings, std::move(subtree_check)))
{}

ContentChecks::~ContentChecks() = default;

void ContentChecks::start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag)
{
    State& state = *m_state;
    xml::Location where = m_locations != nullptr ? m_locations->location() : xml::Location{};
    state.path.emplace_back(name);
    if (state.path.size() <= 3) {
        check_interrupted();
    }
    state.text.clear();
    state.capturing = is_text_field(name);
    state.text_where = where;
    state.start(name, attributes, where);
    if (state.subtree) {
        state.subtree->start_element(name, attributes, empty_tag);
    }
}

void ContentChecks::end_element(std::string_view)
{
    State& state = *m_state;
    if (state.subtree) {
        state.subtree->end_element();
        if (state.subtree->done()) {
            xml::Node node = state.subtree->take();
            state.subtree.reset();
            state.subtree_check(state.subtree_kind, node, state.subtree_file, state.subtree_where);
        }
    }
    xml::Location where = m_locations != nullptr ? m_locations->location() : xml::Location{};
    state.end(where);
    state.capturing = false;
    state.path.pop_back();
}

void ContentChecks::characters(std::string_view text, bool cdata)
{
    State& state = *m_state;
    if (state.capturing) {
        state.text.append(text);
    }
    if (state.subtree) {
        state.subtree->characters(text, cdata);
    }
}

bool ContentChecks::wants_characters() const
{
    // The same two consumers characters() feeds.
    return m_state->capturing || m_state->subtree;
}

void ContentChecks::comment(std::string_view text)
{
    if (m_state->subtree) {
        m_state->subtree->comment(text);
    }
}

void ContentChecks::processing_instruction(std::string_view target, std::string_view data)
{
    if (m_state->subtree) {
        m_state->subtree->processing_instruction(target, data);
    }
}

} // namespace escprov::validate
