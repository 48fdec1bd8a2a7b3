#pragma once
// The org the emulator plays: its version, its customisations (seeded from an export, changed by
// imports), the solutions installed, the entities its metadata lists, and the tables the Web API
// serves. One OrgState is shared by the HTTP threads and the import workers: `mutex` guards
// everything but `tables`, which locks itself.

#include "emulators/dataverse/customizations.hpp"
#include "emulators/dataverse/options.hpp"
#include "emulators/dataverse/records.hpp"
#include "xml/node.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace escprov::emulator {

// A solution installed in the org other than Default, Active, Basic and System.
struct InstalledSolution {
    std::string id;
    std::string unique_name;
    std::string friendly_name;
    std::string version;
    bool managed = false;
    std::string zip;               // the file as imported: a named export gives it back
    Customizations customizations; // what it brought, for an uninstall
};

// The well-known ids of the solutions every org has.
inline constexpr const char* k_default_solution_id = "fd140aaf-4df4-11dd-bd17-0019b9312238";
inline constexpr const char* k_active_solution_id = "fd140aae-4df4-11dd-bd17-0019b9312238";
inline constexpr const char* k_system_solution_id = "fd140aad-4df4-11dd-bd17-0019b9312238";

class OrgState {
public:
    // Seeds the org from options.seed (a whole-org export). Throws Error naming the seed when it
    // cannot be read.
    explicit OrgState(const Options& options);
    ~OrgState();
    OrgState(const OrgState&) = delete;
    OrgState& operator=(const OrgState&) = delete;

    const Options& options() const { return m_options; }
    // "8.2"
    const std::string& version() const { return m_options.org_version; }
    // 82
    int version_number() const { return m_version_number; }
    // The build RetrieveVersion answers: "8.2.2.112".
    std::string build_version() const;
    // The private folder for temporary files (received and exported zips), removed at exit.
    const std::filesystem::path& temp_dir() const { return m_temp_dir; }

    Tables& tables() { return m_tables; }

    // The ids WhoAmI answers.
    const std::string& user_id() const { return m_user_id; }
    const std::string& business_unit_id() const { return m_business_unit_id; }
    const std::string& organization_id() const { return m_organization_id; }

    // --- under mutex ---
    mutable std::mutex mutex;
    // Every entity of the org: the fixed system entities, the seed's, the imported ones.
    std::vector<EntityInfo> entities() const;
    bool has_entity(const std::string& logical_name) const;
    // The org's customisations (the Default solution).
    const Customizations& customizations() const { return m_customizations; }
    // Default's solution.xml, its [Content_Types].xml and the other parts of the org's export.
    const xml::Node& default_manifest() const { return m_default_manifest; }
    const std::string& content_types() const { return m_content_types; }
    const std::map<std::string, std::string>& parts() const { return m_parts; }
    const InstalledSolution* installed(const std::string& unique_name) const;
    // Installs a solution whose import succeeded: its components join the org, its new entities
    // get tables, its row in `solution` is added or updated. `manifest_root` is its solution.xml,
    // `parts` and `content_types` the rest of its zip.
    void install(InstalledSolution solution, const xml::Node& manifest_root,
                 const std::map<std::string, std::string>& parts, const std::string& content_types);
    // Uninstalls: the solution's components leave the org (the entities it only extended stay),
    // its tables go, its row goes. False when there is no such solution.
    bool uninstall_by_id(const std::string& solution_id);
    // Renames holding solution "X_Upgrade" to X (DeleteAndPromote); returns X's id, or nullopt.
    std::optional<std::string> promote(const std::string& unique_name);

private:
    void define_table(const EntityInfo& entity);
    // Makes the role table's rows those of the roles the org's customisations hold.
    void sync_roles();
    void add_solution_row(const InstalledSolution& solution);
    void rebuild_entities();

    Options m_options;
    int m_version_number = 0;
    std::filesystem::path m_temp_dir;
    Tables m_tables;
    std::string m_user_id;
    std::string m_business_unit_id;
    std::string m_organization_id;
    Customizations m_customizations;
    xml::Node m_default_manifest;
    std::string m_content_types;
    std::map<std::string, std::string> m_parts;
    std::map<std::string, InstalledSolution> m_solutions; // by lower-case unique name
    std::vector<EntityInfo> m_entities;
};

// The system entities every org of a supported version has, besides those in its export.
const std::vector<std::string>& system_entity_names();

} // namespace escprov::emulator
