#pragma once
// Checks a bundle as the customer's IT receives it: every entry against manifest.json and
// SHA256SUMS, nothing added or missing, and the manifest's signature when a key is given.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace escprov::bundle {

// One reason to refuse the bundle, naming the entry it concerns.
struct Problem {
    std::string entry;
    std::string reason;
};

enum class SignatureState {
    unsigned_bundle, // manifest.json carries no signature
    not_checked,     // signed, but no key was given
    valid            // signed and checked with the key
};

struct Verification {
    std::vector<Problem> problems; // empty when the bundle is intact
    SignatureState signature = SignatureState::unsigned_bundle;
    std::string algorithm; // "hmac-sha256" or "ed25519" when signed
    std::string customer;
    std::string solution_entry; // the solution zip's entry name
    size_t entries_checked = 0;
    bool ok() const { return problems.empty(); }
};

// Verifies `bundle`. With `key`, the manifest must be signed and the signature must match (an
// unsigned bundle is refused). Throws Error(input) when `bundle` is not a readable, safe zip or a
// key cannot be read; every other finding is a Problem.
Verification verify_bundle(const std::filesystem::path& bundle, const std::optional<std::filesystem::path>& key);

} // namespace escprov::bundle
