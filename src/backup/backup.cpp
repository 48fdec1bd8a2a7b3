#include "backup/backup.hpp"

#include "util/build_info_access.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/sha256.hpp"
#include "xml/reader.hpp"
#include "xml/source.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <map>
#include <set>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace escprov::backup {

namespace {

// manifest.json is small; anything larger is not ours.
constexpr uint64_t k_max_manifest_bytes = 16ull << 20;

// A folder only the owner can enter (mode 0700), removed with everything in it when this goes.
// Backups are built inside one so that no other user ever sees their bytes, even for a moment.
class PrivateFolder {
public:
    explicit PrivateFolder(const fs::path& parent, std::string_view stem)
        : m_path(parent / temp_name("." + std::string(stem)))
    {
        if (::mkdir(m_path.c_str(), 0700) != 0) {
            std::error_code ec(errno, std::generic_category());
            throw_output("create " + quoted(m_path) + ": " + ec.message());
        }
    }
    ~PrivateFolder()
    {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    PrivateFolder(const PrivateFolder&) = delete;
    PrivateFolder& operator=(const PrivateFolder&) = delete;
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

// Takes every event and keeps none: for checking that XML parses.
class NullHandler : public solution::CustomizationsHandler {
public:
    void set_locations(const xml::LocationProvider& /*locations*/) override {}
    void start_element(std::string_view /*name*/, const xml::Attributes& /*attributes*/, bool /*empty_tag*/) override
    {
        check_interrupted();
    }
    void end_element(std::string_view /*name*/) override {}
    void characters(std::string_view /*text*/, bool /*cdata*/) override {}
    bool wants_characters() const override { return false; }
};

nlohmann::ordered_json to_json(const Manifest& manifest)
{
    auto files = nlohmann::ordered_json::array();
    for (const auto& file : manifest.files) {
        files.push_back({{"path", file.path}, {"size", file.size}, {"sha256", file.sha256}});
    }
    return {{"format", manifest.format},   {"orgUrl", manifest.org_url}, {"orgVersion", manifest.org_version},
            {"created", manifest.created}, {"tool", manifest.tool},      {"files", files}};
}

// Throws nlohmann::json::exception when a field is missing or of the wrong type.
Manifest from_json(const nlohmann::json& json)
{
    Manifest manifest;
    manifest.format = json.at("format").get<std::string>();
    manifest.org_url = json.at("orgUrl").get<std::string>();
    manifest.org_version = json.at("orgVersion").get<std::string>();
    manifest.created = json.at("created").get<std::string>();
    manifest.tool = json.at("tool").get<std::string>();
    for (const auto& file : json.at("files")) {
        manifest.files.push_back({file.at("path").get<std::string>(), file.at("size").get<uint64_t>(),
                                  file.at("sha256").get<std::string>()});
    }
    return manifest;
}

bool has_suffix(std::string_view text, std::string_view suffix)
{
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool is_export_path(std::string_view path)
{
    return path.starts_with("exports/");
}

// Copies a stream into a new file.
void copy_to_file(xml::ByteSource& source, const fs::path& target)
{
    std::ofstream out(target, std::ios::binary | std::ios::trunc);
    if (!out) {
        throw_output("write " + quoted(target) + ": cannot create file");
    }
    std::vector<char> buffer(1 << 16);
    while (size_t got = source.read(buffer.data(), buffer.size())) {
        check_interrupted();
        out.write(buffer.data(), static_cast<std::streamsize>(got));
    }
    out.flush();
    if (!out) {
        throw_output("write " + quoted(target) + ": write error (disk full?)");
    }
}

// Opens an exported solution and parses its XML documents. Throws Error / xml::ParseError.
void check_solution_zip(const fs::path& zip_path, const solution::InputLimits& limits)
{
    auto input = solution::open_input(zip_path, limits);
    if (input->kind() != solution::SolutionInput::Kind::zip) {
        throw_input("check " + quoted(zip_path) + ": not a solution zip");
    }
    input->read_manifest();
    NullHandler handler;
    if (input->has_customizations()) {
        input->read_customizations(handler);
    }
    if (auto content_types = input->content_types()) {
        xml::MemorySource source(*content_types, input->path().string() + "![Content_Types].xml");
        xml::Parser(limits.xml).parse(source, handler);
    }
}

// Parses a metadata snapshot file when its kind is known by its extension (.xml, .json).
void check_metadata_file(const fs::path& file, const std::string& name, const solution::InputLimits& limits)
{
    if (has_suffix(name, ".xml")) {
        xml::FileSource source(file, name);
        NullHandler handler;
        xml::Parser(limits.xml).parse(source, handler);
    } else if (has_suffix(name, ".json")) {
        std::ifstream in(file, std::ios::binary);
        if (!nlohmann::json::accept(in)) {
            throw_input("parse '" + name + "': not valid JSON");
        }
    }
}

// The host part of a URL, made safe for a file name; "local" when there is none.
std::string org_label(const std::string& org_url)
{
    std::string_view rest = org_url;
    if (auto scheme = rest.find("://"); scheme != std::string_view::npos) {
        rest.remove_prefix(scheme + 3);
    }
    rest = rest.substr(0, rest.find_first_of("/:?#"));
    std::string label;
    for (char c : rest) {
        auto u = static_cast<unsigned char>(c);
        label += std::isalnum(u) != 0 || c == '.' || c == '-' ? static_cast<char>(std::tolower(u)) : '-';
    }
    return label.empty() ? "local" : label;
}

std::string format_utc(int64_t seconds, const char* format)
{
    auto time = static_cast<std::time_t>(seconds);
    std::tm parts{};
    ::gmtime_r(&time, &parts);
    char text[32];
    size_t length = std::strftime(text, sizeof text, format, &parts);
    return {text, length};
}

} // namespace

std::string iso8601_utc(int64_t seconds)
{
    return format_utc(seconds, "%Y-%m-%dT%H:%M:%SZ");
}

std::string backup_file_name(const std::string& org_url, int64_t created_at)
{
    return "escprov-backup-" + org_label(org_url) + "-" + format_utc(created_at, "%Y%m%dT%H%M%SZ") + ".zip";
}

Manifest create_backup(const fs::path& path, const CreateOptions& options)
{
    const std::string verb = "back up into " + quoted(path);
    if (options.exports.empty()) {
        throw_usage(verb + ": no exported solution given (--from)");
    }
    std::error_code ec;
    if (fs::exists(fs::symlink_status(path, ec))) {
        throw_usage(verb + ": the file exists; a backup is never overwritten");
    }
    Manifest manifest;
    manifest.format = std::string(k_format);
    manifest.org_url = options.org_url;
    manifest.org_version = options.org_version;
    manifest.created = iso8601_utc(options.created_at);
    manifest.tool = "escprov " + std::string(version_string());

    std::vector<std::pair<std::string, fs::path>> files;
    std::set<std::string> names;
    auto add = [&](const std::string& folder, const fs::path& source) {
        std::string name = folder + source.filename().string();
        if (!is_safe_relative_path(name) || source.filename().empty()) {
            throw_usage(verb + ": " + quoted(source) + " has no usable file name");
        }
        if (!names.insert(name).second) {
            throw_usage(verb + ": two inputs would both be stored as '" + name + "'; rename one");
        }
        if (!fs::is_regular_file(source, ec)) {
            throw_input(verb + ": " + quoted(source) + " is not a readable file");
        }
        files.emplace_back(name, source);
    };
    for (const auto& source : options.exports) {
        add("exports/", source);
        check_solution_zip(source, options.limits);
    }
    for (const auto& source : options.metadata) {
        add("metadata/", source);
        check_metadata_file(source, source.string(), options.limits);
    }
    for (const auto& [name, source] : files) {
        check_interrupted();
        manifest.files.push_back({name, fs::file_size(source), sha256_file(source)});
    }

    fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (!fs::is_directory(folder, ec)) {
        throw_output(verb + ": folder " + quoted(folder) + " does not exist");
    }
    PrivateFolder stage(folder, path.filename().string());
    fs::path built = stage.path() / "backup.zip";
    {
        zip::Writer writer(built, AtomicFile::Overwrite::no);
        for (const auto& [name, source] : files) {
            writer.add_file(name, source);
        }
        writer.add_bytes(std::string(k_manifest_name), to_json(manifest).dump(2) + "\n");
        writer.commit();
    }
    if (::chmod(built.c_str(), 0600) != 0) {
        std::error_code error(errno, std::generic_category());
        throw_output(verb + ": cannot make it private: " + error.message());
    }
    // link() fails when the target exists, so a backup that appeared meanwhile is never replaced.
    if (::link(built.c_str(), path.c_str()) != 0) {
        int code = errno;
        std::error_code error(code, std::generic_category());
        if (code == EEXIST) {
            throw_usage(verb + ": the file exists; a backup is never overwritten");
        }
        throw_output(verb + ": " + error.message());
    }
    return manifest;
}

Verification verify_backup(const fs::path& path, const solution::InputLimits& limits)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        throw_input("verify " + quoted(path) + ": no such file");
    }
    Verification result;
    auto problem = [&result](const std::string& text) { result.problems.push_back(text); };

    std::unique_ptr<zip::Reader> reader;
    try {
        reader = std::make_unique<zip::Reader>(path, limits.zip);
    } catch (const Error& e) {
        problem(path.filename().string() + ": the backup does not open as a zip: " + e.what());
        return result;
    }

    const zip::Entry* manifest_entry = reader->find(k_manifest_name);
    if (manifest_entry == nullptr) {
        problem(std::string(k_manifest_name) + ": missing");
    } else if (manifest_entry->size > k_max_manifest_bytes) {
        problem(std::string(k_manifest_name) + ": larger than " + std::to_string(k_max_manifest_bytes) + " bytes");
    } else {
        try {
            Manifest manifest = from_json(nlohmann::json::parse(reader->read(*manifest_entry)));
            if (manifest.format != k_format) {
                problem(std::string(k_manifest_name) + ": format is '" + manifest.format + "', not '" +
                        std::string(k_format) + "'");
            } else {
                result.manifest = std::move(manifest);
            }
        } catch (const nlohmann::json::exception& e) {
            problem(std::string(k_manifest_name) + ": not a backup manifest: " + e.what());
        } catch (const Error& e) {
            problem(std::string(k_manifest_name) + ": cannot be read: " + e.what());
        }
    }

    std::set<std::string> listed;
    if (result.manifest) {
        std::unique_ptr<PrivateFolder> scratch;
        for (const auto& record : result.manifest->files) {
            check_interrupted();
            const std::string& name = record.path;
            if (!listed.insert(name).second) {
                problem(name + ": listed twice in manifest.json");
                continue;
            }
            if (!is_safe_relative_path(name) || !(is_export_path(name) || name.starts_with("metadata/"))) {
                problem(name + ": not a name a backup holds (exports/... or metadata/...)");
                continue;
            }
            const zip::Entry* entry = reader->find(name);
            if (entry == nullptr) {
                problem(name + ": missing (listed in manifest.json)");
                continue;
            }
            if (entry->size != record.size) {
                problem(name + ": size is " + std::to_string(entry->size) + " bytes, manifest.json says " +
                        std::to_string(record.size));
                continue;
            }
            try {
                if (!scratch) {
                    scratch = std::make_unique<PrivateFolder>(fs::temp_directory_path(), "escprov-verify");
                }
                fs::path copy = scratch->path() / fs::path(name).filename();
                auto source = reader->open(*entry);
                copy_to_file(*source, copy);
                std::string actual = sha256_file(copy);
                if (actual != record.sha256) {
                    problem(std::string(name)
                                .append(": SHA-256 is ")
                                .append(actual)
                                .append(", manifest.json says ")
                                .append(record.sha256));
                } else if (is_export_path(name)) {
                    check_solution_zip(copy, limits);
                } else {
                    check_metadata_file(copy, name, limits);
                }
                fs::remove(copy, ec);
            } catch (const Interrupted&) {
                throw;
            } catch (const std::exception& e) {
                problem(name + ": " + e.what());
            }
        }
    }
    for (const auto& entry : reader->entries()) {
        if (entry.name != k_manifest_name && listed.count(entry.name) == 0 && result.manifest) {
            problem(entry.name + ": not listed in manifest.json");
        }
    }
    return result;
}

std::vector<Listing> list_backups(const fs::path& folder, const solution::InputLimits& limits)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw_input("list backups in " + quoted(folder) + ": not a folder");
    }
    std::vector<fs::path> candidates;
    for (const auto& item : fs::directory_iterator(folder, ec)) {
        const fs::path& file = item.path();
        std::string name = file.filename().string();
        if (!item.is_regular_file(ec) || !has_suffix(name, ".zip")) {
            continue;
        }
        bool named_as_backup = name.starts_with("escprov-backup-");
        bool holds_manifest = false;
        try {
            holds_manifest = zip::Reader(file, limits.zip).find(k_manifest_name) != nullptr;
        } catch (const Error&) {
            // Not a readable zip: listed (as damaged) only when named as a backup.
        }
        if (named_as_backup || holds_manifest) {
            candidates.push_back(file);
        }
    }
    if (ec) {
        throw_input("list backups in " + quoted(folder) + ": " + ec.message());
    }
    std::vector<Listing> listings;
    for (const auto& file : candidates) {
        Listing listing{file, verify_backup(file, limits), 0};
        if (listing.verification.manifest) {
            for (const auto& record : listing.verification.manifest->files) {
                listing.total_size += record.size;
            }
        }
        listings.push_back(std::move(listing));
    }
    auto created = [](const Listing& listing) {
        return listing.verification.manifest ? listing.verification.manifest->created : std::string();
    };
    std::sort(listings.begin(), listings.end(), [&created](const Listing& a, const Listing& b) {
        return std::pair(created(a), a.path.filename()) < std::pair(created(b), b.path.filename());
    });
    return listings;
}

Extraction extract_backup(const fs::path& path, const fs::path& folder, const solution::InputLimits& limits)
{
    const std::string verb = "extract " + quoted(path) + " into " + quoted(folder);
    std::error_code ec;
    if (fs::exists(fs::symlink_status(folder, ec)) && (!fs::is_directory(folder, ec) || !fs::is_empty(folder, ec))) {
        throw_usage(verb + ": the folder exists and is not empty");
    }
    Extraction result;
    result.verification = verify_backup(path, limits);
    if (!result.verification.ok()) {
        return result;
    }
    zip::Reader reader(path, limits.zip);
    AtomicDir target(folder);
    if (::chmod(target.temp_path().c_str(), 0700) != 0) {
        std::error_code error(errno, std::generic_category());
        throw_output(verb + ": cannot make the folder private: " + error.message());
    }
    std::vector<std::string> names{std::string(k_manifest_name)};
    for (const auto& record : result.verification.manifest->files) {
        names.push_back(record.path);
    }
    for (const auto& name : names) {
        check_interrupted();
        // verify checked these already; a second look costs nothing before anything touches the disk.
        const zip::Entry* entry = reader.find(name);
        if (!is_safe_relative_path(name) || entry == nullptr) {
            throw_input(std::string(verb).append(": unsafe or missing entry '").append(name).append("'"));
        }
        fs::path file = target.temp_path() / name;
        fs::create_directories(file.parent_path(), ec);
        if (ec) {
            throw_output(verb + ": cannot create " + quoted(file.parent_path()) + ": " + ec.message());
        }
        auto source = reader.open(*entry);
        copy_to_file(*source, file);
        ::chmod(file.c_str(), 0600);
        ++result.files;
    }
    target.commit();
    return result;
}

} // namespace escprov::backup
