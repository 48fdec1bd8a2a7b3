#pragma once
// `escprov check`: what must hold before the connector can be provisioned into an org, one line per
// check: the org answers and its version is one escprov builds for, who escprov signs in as, the
// privileges that user needs to export, import and publish customisations, and the system entities
// the connector extends.

#include "remote/org.hpp"

#include <string>
#include <vector>

namespace escprov::provision {

struct CheckLine {
    std::string name; // "version", "user", "privilege prvImportCustomization", "entity list"
    bool ok = false;
    std::string detail; // "9.2.24012.196 (Dynamics 365 / Dataverse)", "missing: ..."
};

struct CheckReport {
    std::vector<CheckLine> lines;
    std::string version;       // as RetrieveVersion gave it
    remote::Identity identity; // empty when WhoAmI failed
    bool ok() const;
};

// The privileges the user escprov signs in as needs for provisioning (docs/connecting.md).
const std::vector<std::string>& required_privileges();

// Runs every check against `org`; a check that fails does not stop the others (a failed WhoAmI
// fails the privilege checks with it). Throws only Interrupted.
CheckReport run_checks(remote::Org& org);

// The report as lines: "ok    version      9.2.24012.196 (Dynamics 365 / Dataverse)" /
// "FAIL  privilege    prvImportCustomization: not held".
std::string render_checks(const CheckReport& report);

} // namespace escprov::provision
