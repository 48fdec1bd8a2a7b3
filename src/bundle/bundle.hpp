#pragma once
// The Option 2 hand-off bundle: one zip that a customer's IT can check and apply without giving us
// access to their CRM. It holds the solution, the instructions for their CRM version, a Package
// Deployer ImportConfig.xml, the preflight report, the backup's identity, SHA256SUMS, then
// manifest.json: every other entry with its size and SHA-256, and, last, when a key is given,
// manifest.sig: the signature of manifest.json's exact bytes.
//
// The signature covers the bytes as stored, so the customer checks it before anything parses the
// manifest (and can check it with openssl alone); manifest.json names the algorithm inside the
// signed bytes. Without a key the checksums only catch corruption in transit; with one they also
// prove who made the bundle.

#include "bundle/signature.hpp"
#include "solution/input.hpp"
#include "solution/manifest.hpp"
#include "util/fs.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov {
class Progress;
}

namespace escprov::bundle {

inline constexpr std::string_view k_manifest_entry = "manifest.json";
inline constexpr std::string_view k_checksums_entry = "SHA256SUMS";
inline constexpr std::string_view k_instructions_text_entry = "instructions.txt";
inline constexpr std::string_view k_signature_entry = "manifest.sig";
inline constexpr std::string_view k_format = "escprov-bundle/2";

struct Signing {
    std::filesystem::path key_file;
    KeyType type = KeyType::hmac;
};

struct Request {
    std::filesystem::path solution; // a solution zip, managed and the connector's (unless force)
    std::string customer;
    std::optional<std::filesystem::path> backup;
    bool include_backup = false;
    std::optional<std::filesystem::path> report; // a merge report (text, JSON or HTML)
    std::optional<Signing> signing;
    std::filesystem::path instructions; // templates/instructions
    std::filesystem::path output;
    AtomicFile::Overwrite overwrite = AtomicFile::Overwrite::no;
    bool force = false; // bundle a solution that is unmanaged or not the connector's
    solution::InputLimits limits;
    Progress* progress = nullptr; // shown the backup verified and the bundle written; may be null
};

// One entry of a bundle as manifest.json lists it.
struct EntrySum {
    std::string name;
    uint64_t size = 0;
    std::string sha256;
};

struct Summary {
    std::vector<EntrySum> entries; // every entry but manifest.json, in bundle order
    solution::Manifest manifest;
    solution::CrmVersion crm;
};

// Writes the bundle atomically and readable by its owner only (mode 0600: it carries the customer's
// customisations, and with --include-backup their backup); nothing is at `request.output` unless it
// is complete. Throws Error(input) naming the solution, backup, report, template or key that cannot
// be read, a solution whose CRM version cannot be told, or a backup that does not verify;
// Error(usage) for a solution that is unmanaged or not the connector's without `force`;
// Error(output) when the zip cannot be written.
Summary write_bundle(const Request& request);

// The covering email for a bundle: a subject naming the connector version, customer and CRM
// version, and a short text body saying what is attached and how to check it before importing.
struct Cover {
    std::string subject;
    std::string body; // CRLF line ends
};
Cover cover_message(const Summary& summary, const Request& request, const std::string& bundle_sha256);

// Package Deployer's ImportConfig.xml importing `solution_file`.
std::string import_config(std::string_view solution_file);

} // namespace escprov::bundle
