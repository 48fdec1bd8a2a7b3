#pragma once
// Everything one running emulator holds: its options, the org, sign-in, faults and imports.
// The HTTP layer (server.cpp) hands requests to the Web API and SOAP front ends with it.

#include "emulators/dataverse/auth.hpp"
#include "emulators/dataverse/faults.hpp"
#include "emulators/dataverse/importer.hpp"
#include "emulators/dataverse/options.hpp"
#include "emulators/dataverse/org_state.hpp"

#include <string>

namespace escprov::emulator {

struct Emulator {
    explicit Emulator(const Options& given)
        : options(given), org(options), auth(options), faults(options.faults), importer(org)
    {}
    Options options;
    OrgState org;
    Auth auth;
    Faults faults;
    Importer importer;    // last: its workers use the org and go first
    std::string base_url; // "http://127.0.0.1:PORT", set once the port is known
};

} // namespace escprov::emulator
