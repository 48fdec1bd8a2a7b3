#include "fake_org.hpp"

#include "provision/checks.hpp"
#include "provision/org_import.hpp"
#include "solution/census.hpp"
#include "solution/input.hpp"
#include "solution/manifest.hpp"
#include "util/text.hpp"

#include <algorithm>

namespace escprov::test {

namespace fs = std::filesystem;

FakeOrg::FakeOrg()
{
    privileges = provision::required_privileges();
    solution_list = {
        {"aaaaaaaa-0000-0000-0000-000000000001", "Default", "Default Solution", "1.0", false, true},
        {"aaaaaaaa-0000-0000-0000-000000000002", "Active", "Active Solution", "1.0", false, false},
        {"aaaaaaaa-0000-0000-0000-000000000003", "System", "System Solution", "1.0", true, false},
    };
    for (const char* name : {"account", "campaign", "contact", "lead", "list", "systemuser"}) {
        entity_list.push_back({name, name, std::string(name) + "s", false, {name + std::string("id"), "createdon"}});
    }
}

std::vector<std::string> FakeOrg::user_privileges(const std::string& user_id)
{
    if (user_id != identity.user_id) {
        throw remote::RemoteError("RetrieveUserPrivileges: no such user", 404);
    }
    auto sorted = privileges;
    std::sort(sorted.begin(), sorted.end());
    return sorted;
}

std::vector<remote::EntityInfo> FakeOrg::entities(bool with_attributes)
{
    auto list = entity_list;
    if (!with_attributes) {
        for (auto& entity : list) {
            entity.attributes.clear();
        }
    }
    return list;
}

void FakeOrg::export_solution(const std::string& unique_name, bool, const fs::path& to, Progress*)
{
    auto it = exports.find(unique_name);
    if (it == exports.end()) {
        throw remote::RemoteError("ExportSolution " + unique_name + ": not found", 404);
    }
    exported.push_back(unique_name);
    fs::copy_file(it->second, to);
}

void FakeOrg::install(const fs::path& zip)
{
    provision::PackageFacts facts = provision::read_package(zip, {});
    const solution::Manifest& manifest = facts.manifest;
    bool managed = manifest.managed.value_or(0) == 1;
    std::erase_if(solution_list, [&](const remote::SolutionInfo& s) { return s.unique_name == manifest.unique_name; });
    solution_list.push_back({"bbbbbbbb-0000-0000-0000-00000000000" + std::to_string(solution_list.size()),
                             manifest.unique_name, manifest.display_name, manifest.solution_version, managed, true});
    for (const std::string& role : facts.roles) {
        if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
            roles.push_back(role);
        }
    }
    for (const std::string& name : facts.entities) {
        std::string lower = ascii_lower(name);
        if (std::none_of(entity_list.begin(), entity_list.end(),
                         [&](const remote::EntityInfo& e) { return e.logical_name == lower; })) {
            entity_list.push_back({lower, name, lower + "s", true, {}});
        }
    }
}

remote::ImportOutcome FakeOrg::import_solution(const remote::ImportRequest& request,
                                               const std::function<void(double)>& on_progress)
{
    imports.push_back(request);
    if (on_import) {
        return on_import(request);
    }
    if (on_progress) {
        on_progress(50);
        on_progress(100);
    }
    install(request.zip);
    remote::ImportOutcome outcome;
    outcome.succeeded = true;
    outcome.job_id = request.job_id;
    outcome.job_data = "<importexportxml><entities><entity name=\"esc_emailcampaign\"><result result=\"success\" "
                       "errorcode=\"0\" errortext=\"\"/></entity></entities></importexportxml>";
    return outcome;
}

void FakeOrg::delete_solution(const std::string& solution_id)
{
    deleted.push_back(solution_id);
    std::erase_if(solution_list, [&](const remote::SolutionInfo& s) { return s.id == solution_id; });
}

remote::ImportOutcome failed_import(const remote::ImportRequest& request)
{
    remote::ImportOutcome outcome;
    outcome.succeeded = false;
    outcome.job_id = request.job_id;
    outcome.message = "The import failed.";
    outcome.job_data =
        "<importexportxml><solutionManifests><solutionManifest><UniqueName>EmailServiceConnector</UniqueName>"
        "<result result=\"failure\" errorcode=\"0x80048031\" errortext=\"The import of the solution failed.\"/>"
        "</solutionManifest></solutionManifests><entities><entity name=\"esc_emailcampaign\" "
        "LocalizedName=\"Email Campaign\"><result result=\"failure\" errorcode=\"0x8004F016\" "
        "errortext=\"Attribute esc_sendtime has an unknown type\"/></entity><entity name=\"contact\">"
        "<result result=\"warning\" errorcode=\"0x8004F039\" errortext=\"Form was upgraded\"/></entity></entities>"
        "<MissingDependencies><MissingDependency><Required type=\"1\" schemaName=\"campaign\"/>"
        "<Dependent type=\"60\" displayName=\"Campaign main form\"/></MissingDependency></MissingDependencies>"
        "</importexportxml>";
    outcome.formatted = "<?xml version=\"1.0\"?><Workbook>…</Workbook>";
    return outcome;
}

} // namespace escprov::test
