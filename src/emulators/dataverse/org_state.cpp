#include "emulators/dataverse/org_state.hpp"

#include "emulators/dataverse/solution_zip.hpp"
#include "emulators/dataverse/wire.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

namespace escprov::emulator {

namespace {

const std::map<std::string, std::string>& build_versions()
{
    static const std::map<std::string, std::string> builds = {
        {"5.0", "5.0.9690.4376"}, {"6.0", "6.0.0001.0061"}, {"6.1", "6.1.0001.0132"}, {"7.0", "7.0.0001.0129"},
        {"7.1", "7.1.0001.3108"}, {"8.0", "8.0.0001.0264"}, {"8.1", "8.1.0000.0359"}, {"8.2", "8.2.2.112"},
        {"9.0", "9.0.2.3034"},    {"9.1", "9.1.0.643"},     {"9.2", "9.2.24012.196"},
    };
    return builds;
}

std::string primary_name_of(const std::string& logical_name)
{
    static const std::map<std::string, std::string> names = {
        {"contact", "fullname"}, {"lead", "fullname"},           {"systemuser", "fullname"},
        {"list", "listname"},    {"solution", "friendlyname"},   {"annotation", "subject"},
        {"email", "subject"},    {"activitypointer", "subject"}, {"campaignactivity", "subject"},
        {"template", "title"},   {"incident", "title"},          {"listmember", ""},
    };
    if (auto it = names.find(logical_name); it != names.end()) {
        return it->second;
    }
    size_t underscore = logical_name.find('_');
    if (underscore != std::string::npos) {
        return logical_name.substr(0, underscore) + "_name";
    }
    return "name";
}

EntityInfo system_entity(const std::string& logical_name)
{
    EntityInfo info;
    info.logical_name = logical_name;
    info.schema_name = logical_name;
    if (!info.schema_name.empty()) {
        info.schema_name[0] = char(std::toupper(static_cast<unsigned char>(info.schema_name[0])));
    }
    info.entity_set = entity_set_name(logical_name);
    info.attributes = {logical_name + "id", "createdon", "modifiedon", "statecode", "statuscode"};
    std::string name = primary_name_of(logical_name);
    if (!name.empty()) {
        info.attributes.push_back(name);
    }
    return info;
}

std::filesystem::path make_temp_dir()
{
    std::string pattern = (std::filesystem::temp_directory_path() / "escprov-fake-dataverse-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw Error(ErrorKind::output, "escprov-fake-dataverse: create a temporary folder in " +
                                           std::filesystem::temp_directory_path().string() + ": failed");
    }
    return pattern;
}

// The org's [Content_Types].xml with every <Override> of `incoming` whose PartName it lacks added
// before </Types> (parts without an extension need one each).
std::string merged_content_types(const std::string& mine, const std::string& incoming)
{
    std::string out = mine;
    size_t at = 0;
    while ((at = incoming.find("<Override ", at)) != std::string::npos) {
        size_t end = incoming.find("/>", at);
        if (end == std::string::npos) {
            break;
        }
        std::string element = incoming.substr(at, end + 2 - at);
        size_t name_start = element.find("PartName=\"");
        size_t name_end = name_start == std::string::npos ? name_start : element.find('"', name_start + 10);
        at = end + 2;
        if (name_end == std::string::npos) {
            continue;
        }
        std::string part_name = element.substr(name_start, name_end + 1 - name_start);
        size_t close = out.rfind("</Types>");
        if (out.find(part_name) == std::string::npos && close != std::string::npos) {
            out.insert(close, element);
        }
    }
    return out;
}

bool same_root_component(const xml::Node& a, const xml::Node& b)
{
    auto value = [](const xml::Node& node, std::string_view name) {
        const std::string* text = node.attribute(name);
        return text != nullptr ? ascii_lower(*text) : std::string();
    };
    return value(a, "type") == value(b, "type") && value(a, "schemaName") == value(b, "schemaName") &&
           value(a, "id") == value(b, "id");
}

} // namespace

const std::vector<std::string>& system_entity_names()
{
    static const std::vector<std::string> names = {"account",
                                                   "contact",
                                                   "lead",
                                                   "list",
                                                   "listmember",
                                                   "campaign",
                                                   "campaignactivity",
                                                   "systemuser",
                                                   "team",
                                                   "businessunit",
                                                   "solution",
                                                   "importjob",
                                                   "asyncoperation",
                                                   "annotation",
                                                   "email",
                                                   "activitypointer",
                                                   "queue",
                                                   "role",
                                                   "template",
                                                   "product",
                                                   "opportunity",
                                                   "incident",
                                                   "quote",
                                                   "salesorder",
                                                   "invoice",
                                                   "competitor"};
    return names;
}

OrgState::OrgState(const Options& options)
    : m_options(options), m_version_number(emulator::version_number(options.org_version)), m_temp_dir(make_temp_dir()),
      m_user_id(stable_guid("systemuser:" + options.seed.string())),
      m_business_unit_id(stable_guid("businessunit:" + options.seed.string())),
      m_organization_id(stable_guid("organization:" + options.seed.string()))
{
    SolutionZip seed = read_solution_zip(options.seed, options.seed.string());
    m_customizations = std::move(seed.customizations);
    for (const auto& removed : options.remove_entities) {
        m_customizations.drop_entity(removed);
    }
    m_default_manifest = std::move(seed.manifest.root);
    m_content_types = std::move(seed.content_types);
    m_parts = std::move(seed.parts);
    rebuild_entities();
    for (const auto& entity : m_entities) {
        define_table(entity);
    }
    sync_roles();
    for (const auto& [id, name, visible, managed] :
         {std::tuple{std::string(k_default_solution_id), std::string("Default"), true, false},
          std::tuple{std::string(k_active_solution_id), std::string("Active"), false, false},
          std::tuple{stable_guid("solution:Basic"), std::string("Basic"), false, false},
          std::tuple{std::string(k_system_solution_id), std::string("System"), false, true}}) {
        m_tables.insert("solution", {{"solutionid", id},
                                     {"uniquename", name},
                                     {"friendlyname", name == "Default" ? "Default Solution" : name + " Solution"},
                                     {"version", build_version()},
                                     {"ismanaged", managed},
                                     {"isvisible", visible},
                                     {"installedon", utc_now()}});
    }
    if (ascii_lower(seed.manifest.unique_name) != "default" && !seed.manifest.unique_name.empty()) {
        InstalledSolution own;
        own.id = stable_guid("solution:" + seed.manifest.unique_name);
        own.unique_name = seed.manifest.unique_name;
        own.friendly_name = seed.manifest.display_name.empty() ? own.unique_name : seed.manifest.display_name;
        own.version = seed.manifest.solution_version;
        own.managed = seed.manifest.managed.value_or(0) == 1;
        own.zip = read_file(options.seed);
        own.customizations = m_customizations;
        add_solution_row(own);
        m_solutions[ascii_lower(own.unique_name)] = std::move(own);
    }
}

OrgState::~OrgState()
{
    std::error_code ignored;
    std::filesystem::remove_all(m_temp_dir, ignored);
}

std::string OrgState::build_version() const
{
    auto it = build_versions().find(m_options.org_version);
    return it != build_versions().end() ? it->second : m_options.org_version + ".0.0";
}

void OrgState::rebuild_entities()
{
    m_entities.clear();
    auto removed = [&](const std::string& name) {
        return std::find(m_options.remove_entities.begin(), m_options.remove_entities.end(), name) !=
               m_options.remove_entities.end();
    };
    for (const auto& name : system_entity_names()) {
        if (!removed(name)) {
            m_entities.push_back(system_entity(name));
        }
    }
    for (const auto& entity : m_customizations.entities()) {
        auto it = std::find_if(m_entities.begin(), m_entities.end(),
                               [&](const EntityInfo& e) { return e.logical_name == entity.logical_name; });
        if (it == m_entities.end()) {
            m_entities.push_back(entity);
            continue;
        }
        it->schema_name = entity.schema_name;
        it->entity_set = entity.entity_set;
        for (const auto& attribute : entity.attributes) {
            if (std::find(it->attributes.begin(), it->attributes.end(), attribute) == it->attributes.end()) {
                it->attributes.push_back(attribute);
            }
        }
    }
}

std::vector<EntityInfo> OrgState::entities() const
{
    return m_entities;
}

bool OrgState::has_entity(const std::string& logical_name) const
{
    return std::any_of(m_entities.begin(), m_entities.end(),
                       [&](const EntityInfo& e) { return e.logical_name == logical_name; });
}

void OrgState::define_table(const EntityInfo& entity)
{
    TableDef table;
    table.logical_name = entity.logical_name;
    table.entity_set = entity.entity_set;
    table.primary_id = entity.logical_name + "id";
    table.primary_name = primary_name_of(entity.logical_name);
    for (const auto& attribute : entity.attributes) {
        table.columns.push_back({attribute, attribute == table.primary_id ? "guid" : "string", ""});
    }
    auto add = [&](const std::string& name, const std::string& type) {
        auto it = std::find_if(table.columns.begin(), table.columns.end(),
                               [&](const ColumnDef& c) { return c.logical_name == name; });
        if (it != table.columns.end()) {
            it->type = type;
        } else {
            table.columns.push_back({name, type, ""});
        }
    };
    if (entity.logical_name == "solution") {
        for (const char* name : {"uniquename", "friendlyname", "version"}) {
            add(name, "string");
        }
        add("ismanaged", "bool");
        add("isvisible", "bool");
        add("installedon", "datetime");
    } else if (entity.logical_name == "importjob") {
        add("progress", "double");
        add("startedon", "datetime");
        add("completedon", "datetime");
        add("solutionname", "string");
        add("name", "string");
        add("data", "memo");
    } else if (entity.logical_name == "asyncoperation") {
        add("statecode", "int");
        add("statuscode", "int");
        add("operationtype", "int");
        add("message", "memo");
        add("friendlymessage", "memo");
        add("name", "string");
        add("completedon", "datetime");
    }
    m_tables.define(table);
}

void OrgState::add_solution_row(const InstalledSolution& solution)
{
    nlohmann::json row = {
        {"solutionid", solution.id},   {"uniquename", solution.unique_name}, {"friendlyname", solution.friendly_name},
        {"version", solution.version}, {"ismanaged", solution.managed},      {"isvisible", true},
        {"installedon", utc_now()}};
    if (!m_tables.update("solution", solution.id, row)) {
        m_tables.insert("solution", row);
    }
}

const InstalledSolution* OrgState::installed(const std::string& unique_name) const
{
    auto it = m_solutions.find(ascii_lower(unique_name));
    return it == m_solutions.end() ? nullptr : &it->second;
}

void OrgState::install(InstalledSolution solution, const xml::Node& manifest_root,
                       const std::map<std::string, std::string>& parts, const std::string& content_types)
{
    if (const InstalledSolution* existing = installed(solution.unique_name); existing != nullptr) {
        solution.id = existing->id;
    }
    m_customizations.absorb(solution.customizations);
    for (const auto& [name, bytes] : parts) {
        m_parts[name] = bytes;
    }
    m_content_types = merged_content_types(m_content_types, content_types);
    // Default's manifest lists every root component of the org.
    const xml::Node* incoming_manifest = manifest_root.child("SolutionManifest");
    const xml::Node* incoming = incoming_manifest != nullptr ? incoming_manifest->child("RootComponents") : nullptr;
    xml::Node* manifest = m_default_manifest.child("SolutionManifest");
    xml::Node* roots = manifest != nullptr ? manifest->child("RootComponents") : nullptr;
    if (incoming != nullptr && roots != nullptr) {
        for (const xml::Node* component : incoming->children_named("RootComponent")) {
            auto present = roots->children_named("RootComponent");
            bool known = std::any_of(present.begin(), present.end(),
                                     [&](const xml::Node* p) { return same_root_component(*p, *component); });
            if (!known) {
                if (roots->empty_tag) {
                    roots->empty_tag = false;
                }
                xml::append_on_own_line(*roots, *component);
            }
        }
    }
    rebuild_entities();
    for (const auto& entity : m_entities) {
        define_table(entity);
    }
    sync_roles();
    add_solution_row(solution);
    m_solutions[ascii_lower(solution.unique_name)] = std::move(solution);
}

bool OrgState::uninstall_by_id(const std::string& solution_id)
{
    auto it = std::find_if(m_solutions.begin(), m_solutions.end(),
                           [&](const auto& entry) { return entry.second.id == solution_id; });
    if (it == m_solutions.end()) {
        return false;
    }
    std::vector<std::string> before;
    for (const auto& entity : m_entities) {
        before.push_back(entity.logical_name);
    }
    const std::vector<std::string>& keep = system_entity_names();
    m_customizations.remove(it->second.customizations, keep);
    m_tables.erase("solution", it->second.id);
    m_solutions.erase(it);
    rebuild_entities();
    for (const auto& name : before) {
        if (!has_entity(name)) {
            m_tables.drop(name);
        }
    }
    sync_roles();
    return true;
}

void OrgState::sync_roles()
{
    // The roles table holds CRM's own System Administrator and every role the customisations carry,
    // so that GET /roles (and RetrieveMultiple on role) sees what an import brought or an uninstall took.
    for (const auto& row : m_tables.rows("role")) {
        m_tables.erase("role", row.value("roleid", std::string()));
    }
    std::vector<std::string> names = {"System Administrator"};
    for (const auto& section : m_customizations.sections()) {
        if (section.name == "Roles") {
            for (const auto& item : section.items) {
                names.push_back(item.name);
            }
        }
    }
    for (const auto& name : names) {
        m_tables.insert("role", {{"roleid", stable_guid("role:" + name)}, {"name", name}});
    }
}

std::optional<std::string> OrgState::promote(const std::string& unique_name)
{
    auto holding = m_solutions.find(ascii_lower(unique_name + "_Upgrade"));
    if (holding == m_solutions.end()) {
        return std::nullopt;
    }
    InstalledSolution promoted = std::move(holding->second);
    m_tables.erase("solution", promoted.id);
    m_solutions.erase(holding);
    promoted.unique_name = unique_name;
    if (const InstalledSolution* base = installed(unique_name); base != nullptr) {
        promoted.id = base->id;
    }
    add_solution_row(promoted);
    std::string id = promoted.id;
    m_solutions[ascii_lower(unique_name)] = std::move(promoted);
    return id;
}

} // namespace escprov::emulator
