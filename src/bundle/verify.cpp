#include "bundle/verify.hpp"

#include "bundle/bundle.hpp"
#include "bundle/signature.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"
#include "zip/reader.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>

namespace escprov::bundle {

namespace {

// SHA256SUMS as name -> hash; lines that do not parse are reported.
std::map<std::string, std::string> read_sums(const std::string& text, std::vector<Problem>& problems)
{
    std::map<std::string, std::string> sums;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        size_t gap = line.find("  ");
        if (gap != 64) {
            problems.push_back({std::string(k_checksums_entry), "malformed line '" + line + "'"});
            continue;
        }
        sums[line.substr(gap + 2)] = line.substr(0, gap);
    }
    return sums;
}

void check_signature(const std::string& manifest_text, const nlohmann::json& manifest,
                     const std::optional<std::filesystem::path>& key, Verification& result)
{
    const std::string entry(k_manifest_entry);
    auto signature = manifest.find("signature");
    if (signature == manifest.end()) {
        result.signature = SignatureState::unsigned_bundle;
        if (key) {
            result.problems.push_back({entry, "the bundle is not signed, but --key was given"});
        }
        return;
    }
    if (!signature->is_object() || !signature->contains("algorithm") || !signature->contains("value") ||
        !(*signature)["algorithm"].is_string() || !(*signature)["value"].is_string()) {
        result.problems.push_back({entry, "the signature is malformed"});
        return;
    }
    result.algorithm = (*signature)["algorithm"].get<std::string>();
    if (!key) {
        result.signature = SignatureState::not_checked;
        return;
    }
    KeyType type{};
    try {
        type = parse_key_type(result.algorithm);
    } catch (const Error&) {
        result.problems.push_back({entry, "unknown signature algorithm '" + result.algorithm + "'"});
        return;
    }
    if (!verify(canonical_manifest(manifest_text), (*signature)["value"].get<std::string>(), *key, type)) {
        result.problems.push_back({entry, "the " + result.algorithm + " signature does not match the key " +
                                              quoted(*key) + " (wrong key, or the manifest was altered)"});
        return;
    }
    result.signature = SignatureState::valid;
}

} // namespace

Verification verify_bundle(const std::filesystem::path& bundle, const std::optional<std::filesystem::path>& key)
{
    Verification result;
    zip::Reader reader(bundle);
    const std::string manifest_name(k_manifest_entry);
    const zip::Entry* manifest_entry = reader.find(manifest_name);
    if (manifest_entry == nullptr) {
        result.problems.push_back({manifest_name, "missing: this is not an escprov bundle"});
        return result;
    }
    std::string manifest_text;
    try {
        manifest_text = reader.read(*manifest_entry);
    } catch (const Error& error) {
        result.problems.push_back({manifest_name, error.what()});
        return result;
    }
    nlohmann::json manifest = nlohmann::json::parse(manifest_text, nullptr, false);
    if (manifest.is_discarded() || !manifest.is_object() || !manifest.contains("entries") ||
        !manifest["entries"].is_array()) {
        result.problems.push_back({manifest_name, "not a bundle manifest (altered or damaged)"});
        return result;
    }
    check_signature(manifest_text, manifest, key, result);
    result.customer = manifest.value("customer", "");
    if (manifest.contains("solution") && manifest["solution"].is_object()) {
        result.solution_entry = manifest["solution"].value("entry", "");
    }

    std::map<std::string, std::string> actual; // name -> SHA-256 of what the zip holds
    std::set<std::string> listed;
    for (const auto& item : manifest["entries"]) {
        if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) {
            result.problems.push_back({manifest_name, "an entry without a name (altered or damaged)"});
            continue;
        }
        std::string name = item["name"].get<std::string>();
        listed.insert(name);
        const zip::Entry* entry = reader.find(name);
        if (entry == nullptr) {
            result.problems.push_back({name, "listed in manifest.json but missing from the bundle"});
            continue;
        }
        std::string sha256;
        try {
            auto source = reader.open(*entry);
            sha256 = sha256_source(*source);
        } catch (const Error& error) {
            result.problems.push_back({name, std::string("cannot be read: ") + error.what()});
            continue;
        }
        actual[name] = sha256;
        ++result.entries_checked;
        if (item.value("sha256", "") != sha256 || item.value("size", uint64_t{0}) != entry->size) {
            result.problems.push_back({name, "SHA-256 or size differs from manifest.json (altered)"});
        }
    }
    for (const auto& entry : reader.entries()) {
        if (!entry.is_directory && entry.name != manifest_name && !listed.contains(entry.name)) {
            result.problems.push_back({entry.name, "not listed in manifest.json (added)"});
        }
    }
    if (result.solution_entry.empty() || !listed.contains(result.solution_entry)) {
        result.problems.push_back({manifest_name, "does not name the solution among its entries"});
    }
    const std::string sums_name(k_checksums_entry);
    if (const zip::Entry* sums_entry = reader.find(sums_name); sums_entry != nullptr && actual.contains(sums_name)) {
        for (const auto& [name, sha256] : read_sums(reader.read(*sums_entry), result.problems)) {
            auto found = actual.find(name);
            if (found == actual.end()) {
                result.problems.push_back({name, "listed in SHA256SUMS but not in manifest.json"});
            } else if (found->second != sha256) {
                result.problems.push_back({name, "SHA-256 differs from SHA256SUMS (altered)"});
            }
        }
    } else if (sums_entry == nullptr) {
        result.problems.push_back({sums_name, "missing from the bundle"});
    }
    return result;
}

} // namespace escprov::bundle
