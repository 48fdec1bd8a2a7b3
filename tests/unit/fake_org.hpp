#pragma once
// An org in memory behind remote::Org, for the provisioning engine's tests: it answers from its
// fields, records every call, exports the zips it is given, and an import (unless scripted
// otherwise) installs the solution the way CRM would: the solution at its version, its entities
// and roles present.

#include "remote/org.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace escprov::test {

class FakeOrg : public remote::Org {
public:
    FakeOrg();

    std::string version_text = "8.2.2.112";
    remote::Api api_kind = remote::Api::web_api;
    remote::Identity identity{"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222",
                              "33333333-3333-3333-3333-333333333333"};
    std::vector<std::string> privileges; // every required privilege by default
    std::vector<remote::SolutionInfo> solution_list;
    std::vector<remote::EntityInfo> entity_list;
    std::vector<std::string> roles;
    std::map<std::string, std::filesystem::path> exports; // unique name -> the zip ExportSolution returns
    // Replaces the default import (install what the zip holds) when set.
    std::function<remote::ImportOutcome(const remote::ImportRequest&)> on_import;

    // What was asked.
    std::vector<remote::ImportRequest> imports;
    std::vector<std::string> promoted;
    std::vector<std::pair<std::vector<std::string>, bool>> publishes;
    std::vector<std::string> deleted;
    std::vector<std::string> exported;

    remote::Api api() const override { return api_kind; }
    std::string endpoint() const override { return "https://fake.example/api/data/v8.2"; }
    std::string version() override { return version_text; }
    remote::Identity who_am_i() override { return identity; }
    std::vector<std::string> user_privileges(const std::string& user_id) override;
    std::vector<remote::SolutionInfo> solutions() override { return solution_list; }
    std::vector<std::string> role_names() override { return roles; }
    std::vector<remote::EntityInfo> entities(bool with_attributes) override;
    void export_solution(const std::string& unique_name, bool managed, const std::filesystem::path& to,
                         Progress* progress) override;
    remote::ImportOutcome import_solution(const remote::ImportRequest& request,
                                          const std::function<void(double)>& on_progress) override;
    void delete_and_promote(const std::string& unique_name) override { promoted.push_back(unique_name); }
    void publish(const std::vector<std::string>& entities, bool sitemap) override
    {
        publishes.emplace_back(entities, sitemap);
    }
    void delete_solution(const std::string& solution_id) override;

    // What the default import does: the solution, its entities and roles join the org.
    void install(const std::filesystem::path& zip);
};

// A failed import's outcome with a log naming one entity's failure.
remote::ImportOutcome failed_import(const remote::ImportRequest& request);

} // namespace escprov::test
