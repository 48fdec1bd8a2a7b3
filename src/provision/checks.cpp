#include "provision/checks.hpp"

#include "connector/connector.hpp"
#include "solution/manifest.hpp"
#include "util/interrupt.hpp"

#include <algorithm>
#include <set>

namespace escprov::provision {

bool CheckReport::ok() const
{
    return !lines.empty() && std::all_of(lines.begin(), lines.end(), [](const CheckLine& line) { return line.ok; });
}

const std::vector<std::string>& required_privileges()
{
    // Reading solutions and import jobs, exporting (the backup), importing and publishing.
    static const std::vector<std::string> names = {
        "prvReadSolution",         "prvExportCustomization", "prvImportCustomization",
        "prvPublishCustomization", "prvReadImportJob",       "prvReadAsyncOperation",
    };
    return names;
}

namespace {

std::string cause(const std::exception& error)
{
    return error.what();
}

} // namespace

CheckReport run_checks(remote::Org& org)
{
    CheckReport report;
    auto add = [&](std::string name, bool ok, std::string detail) {
        report.lines.push_back({std::move(name), ok, std::move(detail)});
    };
    try {
        report.version = org.version();
        auto version = solution::parse_crm_version(report.version);
        bool known =
            version && version->major >= 5 && (version->major < 9 || (version->major == 9 && version->minor <= 2));
        add("version", known,
            report.version + (version ? ", " + std::string(version->family()) : "") +
                (known ? "" : ": escprov builds for CRM 5.0 (2011) to 9.2 only") + ", " +
                std::string(remote::api_name(org.api())) + " at " + org.endpoint());
    } catch (const Interrupted&) {
        throw;
    } catch (const std::exception& error) {
        add("version", false, cause(error));
    }
    check_interrupted();
    bool identified = false;
    try {
        report.identity = org.who_am_i();
        identified = !report.identity.user_id.empty();
        add("user", identified,
            "user " + report.identity.user_id + ", business unit " + report.identity.business_unit_id);
    } catch (const Interrupted&) {
        throw;
    } catch (const std::exception& error) {
        add("user", false, cause(error));
    }
    check_interrupted();
    if (identified) {
        try {
            auto held = org.user_privileges(report.identity.user_id);
            std::set<std::string> names(held.begin(), held.end());
            for (const std::string& privilege : required_privileges()) {
                bool ok = names.contains(privilege);
                add("privilege " + privilege, ok, ok ? "held" : "not held: give the user a role that has it");
            }
        } catch (const Interrupted&) {
            throw;
        } catch (const std::exception& error) {
            add("privileges", false, cause(error));
        }
    } else {
        add("privileges", false, "not checked: the user is not known");
    }
    check_interrupted();
    try {
        std::set<std::string> present;
        for (const remote::EntityInfo& entity : org.entities(false)) {
            present.insert(entity.logical_name);
        }
        for (const std::string& name : connector::extended_entities()) {
            bool ok = present.contains(name);
            add("entity " + name, ok,
                ok ? "present" : "missing: the connector extends it (is the marketing module on?)");
        }
    } catch (const Interrupted&) {
        throw;
    } catch (const std::exception& error) {
        add("entities", false, cause(error));
    }
    return report;
}

std::string render_checks(const CheckReport& report)
{
    size_t width = 0;
    for (const CheckLine& line : report.lines) {
        width = std::max(width, line.name.size());
    }
    std::string text;
    for (const CheckLine& line : report.lines) {
        text += line.ok ? "ok    " : "FAIL  ";
        text += line.name + std::string(width - line.name.size() + 2, ' ') + line.detail + "\n";
    }
    return text;
}

} // namespace escprov::provision
