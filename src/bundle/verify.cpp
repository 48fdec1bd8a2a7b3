#include "bundle/verify.hpp"

#include "util/json.hpp"

#include "bundle/bundle.hpp"
#include "bundle/signature.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/progress.hpp"
#include "util/sha256.hpp"
#include "zip/reader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

namespace escprov::bundle {

namespace {

// manifest.json, SHA256SUMS and instructions.txt are small; anything larger is not ours.
constexpr uint64_t k_max_small_entry = 16ull << 20;
// manifest.sig holds 32 (HMAC-SHA256) or 64 (Ed25519) bytes.
constexpr uint64_t k_max_signature = 256;

// "an array", "a string"...: a JSON value's type for messages.
std::string a_type(const nlohmann::json& value)
{
    std::string name = value.type_name();
    return (name == "array" || name == "object" ? "an " : "a ") + name;
}

bool is_sha256_hex(const std::string& text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(),
                                            [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The label of the first PEM block in `bytes` ("PUBLIC KEY", "PRIVATE KEY", ...), or "" when the
// bytes hold none.

// Passes an entry's bytes through to the hash while counting them and handing them to `keep`.
class TeeSource : public xml::ByteSource {
public:
    TeeSource(xml::ByteSource& source, std::function<void(const char*, size_t)> keep)
        : m_source(source), m_keep(std::move(keep))
    {}
    size_t read(char* buffer, size_t size) override
    {
        size_t got = m_source.read(buffer, size);
        m_count += got;
        if (m_keep && got > 0) {
            m_keep(buffer, got);
        }
        return got;
    }
    const std::string& name() const override { return m_source.name(); }
    uint64_t count() const { return m_count; }

private:
    xml::ByteSource& m_source;
    std::function<void(const char*, size_t)> m_keep;
    uint64_t m_count = 0;
};

// One entry as manifest.json lists it, after its fields were checked.
struct Listed {
    std::string name;
    uint64_t size = 0;
    std::string sha256;
};

class Verifier {
public:
    Verifier(const std::filesystem::path& bundle, const VerifyOptions& options) : m_bundle(bundle), m_options(options)
    {}

    Verification run()
    {
        zip::require_zip_file(m_bundle, "open " + quoted(m_bundle));
        std::unique_ptr<zip::Reader> reader;
        try {
            reader = std::make_unique<zip::Reader>(m_bundle, m_options.limits);
        } catch (const Error& error) {
            // The sender wrote a sound zip: one that does not open was damaged or altered.
            problem("", std::string("the zip archive is damaged or altered: ") + error.what());
            return std::move(m_result);
        }
        if (!read_manifest_text(*reader)) {
            return std::move(m_result);
        }
        std::optional<std::string> signature = read_signature(*reader);
        // With a key, the signature is checked over manifest.json's bytes as stored, before anything
        // parses them: what a key does not vouch for is never walked.
        if (m_options.key && !check_signature(signature)) {
            return std::move(m_result);
        }
        std::optional<nlohmann::json> manifest = parse_manifest();
        if (!manifest) {
            return std::move(m_result);
        }
        std::vector<Listed> listed = check_fields(*manifest);
        check_declared_signature(*manifest, signature.has_value());
        check_entries(*reader, listed);
        check_sums(*reader);
        if (!m_result.ok()) {
            m_result.solution_copy.reset();
            m_result.instructions.reset();
        }
        return std::move(m_result);
    }

private:
    void problem(const std::string& entry, const std::string& reason)
    {
        m_result.problems.push_back({entry, reason});
        if (!entry.empty()) {
            m_reported.insert(entry);
        }
    }
    void manifest_problem(const std::string& reason) { problem(std::string(k_manifest_entry), reason); }

    // Reads manifest.json's bytes; false (with a problem) when it is missing, too large or unreadable.
    bool read_manifest_text(zip::Reader& reader)
    {
        const zip::Entry* entry = reader.find(k_manifest_entry);
        if (entry == nullptr) {
            manifest_problem("missing: this is not an escprov bundle");
            return false;
        }
        if (entry->size > k_max_small_entry) {
            manifest_problem("is " + std::to_string(entry->size) + " bytes, too large for a bundle manifest (altered)");
            return false;
        }
        try {
            m_manifest_text = reader.read(*entry);
        } catch (const Error& error) {
            manifest_problem(std::string("cannot be read: ") + error.what());
            return false;
        }
        return true;
    }

    // manifest.sig's bytes, or nullopt when the bundle has none (or it cannot be read: a problem).
    std::optional<std::string> read_signature(zip::Reader& reader)
    {
        const zip::Entry* entry = reader.find(k_signature_entry);
        if (entry == nullptr) {
            return std::nullopt;
        }
        const std::string name(k_signature_entry);
        if (entry->size > k_max_signature) {
            problem(name, "is " + std::to_string(entry->size) + " bytes, too large for a signature (altered)");
            return std::nullopt;
        }
        try {
            return reader.read(*entry);
        } catch (const Error& error) {
            problem(name, std::string("cannot be read: ") + error.what());
            return std::nullopt;
        }
    }

    // manifest.json parsed, or nullopt (with a problem when `quiet` is false). Bounded before anything
    // walks it: a crafted manifest nested 100,000 levels deep would otherwise exhaust the stack.
    std::optional<nlohmann::json> parse_manifest(bool quiet = false)
    {
        if (std::string too_deep = json_depth_problem(m_manifest_text); !too_deep.empty()) {
            if (!quiet) {
                manifest_problem(too_deep + " (altered)");
            }
            return std::nullopt;
        }
        nlohmann::json manifest = nlohmann::json::parse(m_manifest_text, nullptr, false);
        if (manifest.is_discarded() || !manifest.is_object()) {
            if (!quiet) {
                manifest_problem("is not a JSON object (altered or damaged)");
            }
            return std::nullopt;
        }
        return manifest;
    }

    // A string member, or a problem naming it. `what` is how messages call it.
    std::optional<std::string> string_field(const nlohmann::json& object, const char* key, const std::string& what)
    {
        auto found = object.find(key);
        if (found == object.end()) {
            manifest_problem(what + " is missing (altered or damaged)");
            return std::nullopt;
        }
        if (!found->is_string()) {
            manifest_problem(what + " is " + a_type(*found) + ", not a string (altered or damaged)");
            return std::nullopt;
        }
        return found->get<std::string>();
    }

    // Checks every member the bundle format has; returns the entries whose fields are sound.
    std::vector<Listed> check_fields(const nlohmann::json& manifest)
    {
        if (auto format = string_field(manifest, "format", "\"format\""); format && *format != k_format) {
            manifest_problem("\"format\" is '" + *format + "', not '" + std::string(k_format) + "'");
        }
        if (auto customer = string_field(manifest, "customer", "\"customer\"")) {
            m_result.customer = *customer;
        }
        auto solution = manifest.find("solution");
        if (solution == manifest.end() || !solution->is_object()) {
            manifest_problem("\"solution\" is missing or not an object (altered or damaged)");
        } else if (auto entry = string_field(*solution, "entry", "\"solution\".\"entry\"")) {
            m_result.solution_entry = *entry;
        }

        std::vector<Listed> listed;
        auto entries = manifest.find("entries");
        if (entries == manifest.end() || !entries->is_array()) {
            manifest_problem("\"entries\" is missing or not an array (altered or damaged)");
            return listed;
        }
        std::set<std::string> names;
        for (size_t i = 0; i < entries->size(); ++i) {
            const nlohmann::json& item = (*entries)[i];
            std::string where = "\"entries\"[" + std::to_string(i) + "]";
            if (!item.is_object()) {
                manifest_problem(where + " is " + a_type(item) + ", not an object (altered or damaged)");
                continue;
            }
            auto name = string_field(item, "name", where + ".\"name\"");
            auto sha256 = string_field(item, "sha256", where + ".\"sha256\"");
            auto size = item.find("size");
            bool sound = name && sha256;
            if (size == item.end() || !size->is_number_unsigned()) {
                manifest_problem(where + ".\"size\" is " +
                                 (size == item.end() ? std::string("missing") : a_type(*size)) +
                                 ", not a byte count (altered or damaged)");
                sound = false;
            }
            if (sha256 && !is_sha256_hex(*sha256)) {
                manifest_problem(where + ".\"sha256\" is not 64 lower-case hex digits (altered or damaged)");
                sound = false;
            }
            if (name && !names.insert(*name).second) {
                manifest_problem("lists '" + *name + "' twice (altered)");
                sound = false;
            }
            if (name && (*name == k_manifest_entry || *name == k_signature_entry)) {
                manifest_problem("lists " + *name + " among its entries (altered)");
                sound = false;
            }
            if (name) {
                m_listed.insert(*name); // even when unsound: the entry is not "added"
            }
            if (sound) {
                listed.push_back({*name, size->get<uint64_t>(), *sha256});
            }
        }
        if (!m_result.solution_entry.empty() && !names.contains(m_result.solution_entry)) {
            manifest_problem("names the solution '" + m_result.solution_entry + "', which it does not list");
        }
        return listed;
    }

    // With a key: manifest.sig must be a signature of manifest.json's exact bytes under that key,
    // with the algorithm the key decides. On failure the manifest is parsed only to word the message.
    bool check_signature(const std::optional<std::string>& signature)
    {
        const VerifyKey& key = *m_options.key;
        std::string expected(algorithm_name(key.type));
        if (signature && verify(m_manifest_text, *signature, key.file, key.type)) {
            m_result.signature = SignatureState::valid;
            m_result.algorithm = expected;
            return true;
        }
        // Refused: the manifest is parsed (bounded) only to say why.
        std::optional<nlohmann::json> declared_manifest = parse_manifest(true);
        std::string declared;
        if (declared_manifest) {
            auto member = declared_manifest->find("signature");
            if (member != declared_manifest->end() && member->is_object() && member->contains("algorithm") &&
                (*member)["algorithm"].is_string()) {
                declared = (*member)["algorithm"].get<std::string>();
            }
        }
        if (!signature) {
            if (m_reported.contains(std::string(k_signature_entry))) {
                return false; // unreadable or oversized: said already
            }
            std::string format =
                declared_manifest && declared_manifest->contains("format") && (*declared_manifest)["format"].is_string()
                    ? (*declared_manifest)["format"].get<std::string>()
                    : "";
            if (format != k_format && !declared.empty()) {
                manifest_problem("is signed the way an older escprov signed (" + format +
                                 "), which this version does not check; ask the sender to make the bundle again");
            } else {
                manifest_problem("the bundle is not signed (it has no " + std::string(k_signature_entry) +
                                 "), but --key was given");
            }
            return false;
        }
        if (!declared.empty() && declared != expected) {
            // The verifier decides how a bundle is checked; a bundle that names another algorithm
            // is refused, not checked its way.
            manifest_problem("signed with " + declared + ", but the key " + quoted(key.file) + " is an " + expected +
                             " key; a bundle cannot choose how it is checked (altered, or the wrong key)");
            return false;
        }
        manifest_problem("the " + expected + " signature does not match the key " + quoted(key.file) +
                         " (wrong key, or this entry or entry '" + std::string(k_signature_entry) + "' was altered)");
        return false;
    }

    // What manifest.json says about its signature must agree with manifest.sig being there. Without a
    // key this is all that can be said: signed (not checked) or not signed.
    void check_declared_signature(const nlohmann::json& manifest, bool has_signature_entry)
    {
        auto member = manifest.find("signature");
        if (member == manifest.end()) {
            if (has_signature_entry) {
                problem(std::string(k_signature_entry),
                        "is present, but manifest.json does not say the bundle is signed (added)");
            }
            return;
        }
        if (!member->is_object()) {
            manifest_problem("\"signature\" is " + a_type(*member) + ", not an object (altered or damaged)");
            return;
        }
        auto algorithm = string_field(*member, "algorithm", "\"signature\".\"algorithm\"");
        auto entry = string_field(*member, "entry", "\"signature\".\"entry\"");
        if (!algorithm || !entry) {
            return;
        }
        if (*algorithm != algorithm_name(KeyType::hmac) && *algorithm != algorithm_name(KeyType::ed25519)) {
            manifest_problem("unknown signature algorithm '" + *algorithm + "'");
            return;
        }
        if (*entry != k_signature_entry) {
            manifest_problem("\"signature\".\"entry\" is '" + *entry + "', not '" + std::string(k_signature_entry) +
                             "' (altered)");
            return;
        }
        if (!has_signature_entry) {
            if (!m_reported.contains(*entry)) {
                manifest_problem("says the bundle is signed, but " + *entry + " is missing (removed)");
            }
            return;
        }
        if (!m_options.key) {
            m_result.signature = SignatureState::not_checked;
            m_result.algorithm = *algorithm;
        } else if (*algorithm != m_result.algorithm) {
            // The key verified the bytes, yet they name another algorithm: the verifier decides, and
            // a bundle that says otherwise is refused.
            manifest_problem("says it is signed with " + *algorithm + ", but the key " + quoted(m_options.key->file) +
                             " checked it as " + m_result.algorithm);
        }
    }

    // Reads every listed entry once, hashing it; keeps SHA256SUMS and instructions.txt in memory and
    // the solution in a private scratch file, exactly as hashed.
    void check_entries(zip::Reader& reader, const std::vector<Listed>& listed)
    {
        if (Progress* progress = m_options.progress; progress != nullptr) {
            uint64_t total = 0;
            for (const Listed& item : listed) {
                const zip::Entry* entry = reader.find(item.name);
                total += entry != nullptr ? entry->size : 0;
            }
            progress->begin("verifying", total, Progress::Unit::bytes);
            reader.set_read_hook([progress](uint64_t bytes) { progress->advance(bytes); });
        }
        for (const Listed& item : listed) {
            const zip::Entry* entry = reader.find(item.name);
            if (entry == nullptr) {
                problem(item.name, "listed in manifest.json but missing from the bundle");
                continue;
            }
            bool keep_text = item.name == k_checksums_entry || item.name == k_instructions_text_entry;
            if (keep_text && entry->size > k_max_small_entry) {
                problem(item.name, "is " + std::to_string(entry->size) + " bytes, too large for this entry (altered)");
                continue;
            }
            std::string text;
            std::ofstream copy;
            if (item.name == m_result.solution_entry) {
                copy = open_solution_copy();
            }
            std::string sha256;
            uint64_t size = 0;
            try {
                auto source = reader.open(*entry);
                TeeSource tee(*source, [&](const char* bytes, size_t count) {
                    if (keep_text) {
                        text.append(bytes, count);
                    }
                    if (copy.is_open()) {
                        copy.write(bytes, static_cast<std::streamsize>(count));
                    }
                });
                sha256 = sha256_source(tee);
                size = tee.count();
            } catch (const Error& error) {
                problem(item.name, std::string("cannot be read (damaged or altered): ") + error.what());
                continue;
            }
            if (copy.is_open()) {
                copy.close();
                if (!copy) {
                    throw_output("apply: cannot write a scratch copy of the solution to " +
                                 quoted(m_result.solution_copy->path()) + " (disk full?)");
                }
            }
            m_actual[item.name] = sha256;
            ++m_result.entries_checked;
            if (sha256 != item.sha256 || size != item.size) {
                problem(item.name, "SHA-256 or size differs from manifest.json (altered)");
                continue;
            }
            if (item.name == k_checksums_entry) {
                m_sums_text = std::move(text);
            } else if (item.name == k_instructions_text_entry) {
                m_result.instructions = std::move(text);
            }
        }
        for (const auto& entry : reader.entries()) {
            if (entry.name != k_manifest_entry && entry.name != k_signature_entry && !m_listed.contains(entry.name)) {
                problem(entry.name, "not listed in manifest.json (added)");
            }
        }
    }

    std::ofstream open_solution_copy()
    {
        std::filesystem::path parent =
            m_options.scratch_folder.empty() ? std::filesystem::temp_directory_path() : m_options.scratch_folder;
        m_result.solution_copy = std::make_unique<ScratchCopy>(parent, m_result.solution_entry);
        std::ofstream copy(m_result.solution_copy->path(), std::ios::binary | std::ios::trunc);
        if (!copy) {
            throw_output("apply: cannot create a scratch copy of the solution at " +
                         quoted(m_result.solution_copy->path()));
        }
        return copy;
    }

    // SHA256SUMS against what was read: the same names (but itself) with the same hashes.
    void check_sums(const zip::Reader& reader)
    {
        const std::string sums_name(k_checksums_entry);
        if (!m_sums_text) {
            if (!m_listed.contains(sums_name) && reader.find(sums_name) == nullptr) {
                problem(sums_name, "missing from the bundle");
            }
            return; // otherwise already reported: missing, unreadable, altered or not listed
        }
        std::map<std::string, std::string> sums;
        std::istringstream lines(*m_sums_text);
        std::string line;
        while (std::getline(lines, line)) {
            size_t gap = line.find("  ");
            if (gap != 64 || !is_sha256_hex(line.substr(0, 64)) || line.size() == 66) {
                problem(sums_name, "malformed line '" + line + "'");
                continue;
            }
            std::string name = line.substr(66);
            if (!sums.emplace(name, line.substr(0, 64)).second) {
                problem(sums_name, "lists '" + name + "' twice");
            }
        }
        for (const auto& [name, sha256] : sums) {
            if (m_reported.contains(name)) {
                continue; // missing or unreadable: said once already
            }
            auto found = m_actual.find(name);
            if (!m_listed.contains(name)) {
                problem(name, "listed in SHA256SUMS but not in manifest.json");
            } else if (found != m_actual.end() && found->second != sha256) {
                problem(name, "SHA-256 differs from SHA256SUMS (altered)");
            }
        }
        for (const auto& [name, sha256] : m_actual) {
            if (name != sums_name && !sums.contains(name) && !m_reported.contains(name)) {
                problem(name, "listed in manifest.json but not in SHA256SUMS");
            }
        }
    }

    const std::filesystem::path& m_bundle;
    const VerifyOptions& m_options;
    Verification m_result;
    std::string m_manifest_text;
    std::optional<std::string> m_sums_text;
    std::set<std::string> m_listed;              // every name manifest.json lists
    std::set<std::string> m_reported;            // names a problem was reported for
    std::map<std::string, std::string> m_actual; // name -> SHA-256 of the bytes read
};

} // namespace

ScratchCopy::ScratchCopy(const std::filesystem::path& parent, const std::string& entry_name)
    : m_folder(parent, "escprov-apply")
{
    // Entry names are checked safe relative paths; only the last part names the copy.
    std::string name = std::filesystem::path(entry_name).filename().string();
    m_path = m_folder.path() / (name.empty() || name == "." || name == ".." ? std::string("solution.zip") : name);
}

Verification verify_bundle(const std::filesystem::path& bundle, const VerifyOptions& options)
{
    return Verifier(bundle, options).run();
}

} // namespace escprov::bundle
