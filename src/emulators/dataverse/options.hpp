#pragma once
// The emulator's command line: which org it plays (version, seed export), who may sign in, and
// which faults it injects.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace escprov::emulator {

struct FaultOptions {
    unsigned every_429 = 0;    // --fault-429-every N: every N-th request answers 429
    unsigned retry_after = 1;  // --retry-after S: the Retry-After of those answers
    unsigned every_503 = 0;    // --fault-503-every N
    unsigned every_drop = 0;   // --fault-drop-every N: the connection closes before a full answer
    unsigned latency_ms = 0;   // --latency-ms N: every request waits this long first
    unsigned expire_every = 0; // --expire-tokens-every N: every N-th authenticated request expires all tokens so far
};

struct Options {
    unsigned port = 0;
    std::string org_version; // "8.2"
    std::filesystem::path seed;
    std::string client_id;
    std::string secret; // --secret, else ESCPROV_FAKE_SECRET
    std::string user;
    std::string password; // --password, else ESCPROV_FAKE_PASSWORD
    bool trust_proxy_user = false;
    unsigned token_lifetime = 3600;
    unsigned import_step_ms = 150;
    std::vector<std::string> deny_privileges;
    std::vector<std::string> remove_entities; // logical names, lower case
    std::vector<std::string> reject_entities; // --reject-entity: imports carrying them fail; lower case
    FaultOptions faults;
};

// The org versions the emulator plays.
const std::vector<std::string>& known_org_versions();

// Parses the command line. Returns nullopt after printing --help to stdout. Throws
// Error(usage) naming the option for a bad or missing one. Reads ESCPROV_FAKE_SECRET and
// ESCPROV_FAKE_PASSWORD when the options are absent; touches no file.
std::optional<Options> parse_options(int argc, const char* const* argv);

} // namespace escprov::emulator
