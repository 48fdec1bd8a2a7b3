#pragma once
// Checks a bundle as the customer's IT receives it: every entry against manifest.json and
// SHA256SUMS, nothing added or missing, and the manifest's signature when a key is given.
//
// The verifier, never the bundle, decides how the signature is checked: the key's type comes from
// the command line or the key file, and a manifest naming another algorithm is refused. (Taking the
// algorithm from manifest.json let anyone holding the Ed25519 public key forge an "hmac-sha256"
// signature keyed by that public key's bytes.)
//
// The bundle is opened once and every entry read once: what is shown afterwards (the solution, the
// instructions) is the bytes that were hashed, so a file swapped after the check changes nothing.

#include "bundle/signature.hpp"
#include "util/fs.hpp"
#include "zip/reader.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::bundle {

// One reason to refuse the bundle. `entry` names the bundle entry it concerns; it is empty when
// the zip archive itself is damaged (then `reason` names the bundle file).
struct Problem {
    std::string entry;
    std::string reason;
};

enum class SignatureState {
    unsigned_bundle, // the bundle has no manifest.sig
    not_checked,     // signed, but no key was given
    valid            // signed and checked with the key
};

// The key the customer's IT checks with, and the algorithm they expect.
struct VerifyKey {
    std::filesystem::path file;
    KeyType type = KeyType::hmac;
};

struct VerifyOptions {
    std::optional<VerifyKey> key; // with a key the bundle must be signed with it
    zip::Limits limits;           // for opening the bundle
    // The folder in which a private (0700) scratch folder receives the verified solution; empty:
    // the system's temporary folder.
    std::filesystem::path scratch_folder;
    Progress* progress = nullptr; // shown the bytes of the listed entries read and hashed; may be null
};

// A private scratch copy of one entry: a folder only the owner can enter (0700), made with
// mkdtemp under `parent`, holding the file under the entry's own file name (so that messages about
// it read naturally). Both are removed on destruction. Throws Error(output) when the folder cannot
// be made.
class ScratchCopy {
public:
    ScratchCopy(const std::filesystem::path& parent, const std::string& entry_name);
    ScratchCopy(const ScratchCopy&) = delete;
    ScratchCopy& operator=(const ScratchCopy&) = delete;
    const std::filesystem::path& path() const { return m_path; }

private:
    PrivateDir m_folder;
    std::filesystem::path m_path;
};

struct Verification {
    std::vector<Problem> problems; // empty when the bundle is intact
    SignatureState signature = SignatureState::unsigned_bundle;
    std::string algorithm; // "hmac-sha256" or "ed25519" when signed
    std::string customer;
    std::string solution_entry; // the solution zip's entry name
    // The entries manifest.json lists that were read and hashed; the bundle holds these and
    // manifest.json itself (entries_checked + 1 entries, as `escprov bundle` counts them).
    size_t entries_checked = 0;
    // instructions.txt as it was hashed; nullopt when the bundle has none.
    std::optional<std::string> instructions;
    // The solution's bytes as they were hashed, in a private scratch file removed with the
    // Verification; null when the bundle is refused.
    std::unique_ptr<ScratchCopy> solution_copy;
    bool ok() const { return problems.empty(); }
    const std::filesystem::path& solution_file() const { return solution_copy->path(); }
};

// Verifies `bundle`. Throws Error(input) only when `bundle` is not a file that can be opened for
// reading, or when the key file cannot be read; a damaged or hostile zip, an entry that cannot be
// read and every other finding is a Problem (the bundle is refused).
Verification verify_bundle(const std::filesystem::path& bundle, const VerifyOptions& options);

} // namespace escprov::bundle
