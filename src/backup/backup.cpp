#include "backup/backup.hpp"

#include "solution/input.hpp"
#include "util/build_info_access.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/json.hpp"
#include "util/progress.hpp"
#include "util/sha256.hpp"
#include "util/text.hpp"
#include "xml/reader.hpp"
#include "xml/source.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <streambuf>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace escprov::backup {

namespace {

// manifest.json is small; anything larger is not ours.
constexpr uint64_t k_max_manifest_bytes = 16ull << 20;
constexpr std::string_view k_name_prefix = "escprov-backup-";
// "YYYYMMDDTHHMMSSZ"
constexpr size_t k_name_time_length = 16;

std::string errno_text()
{
    return std::error_code(errno, std::generic_category()).message();
}

// A new file of mode 0600 (never an existing one: O_EXCL), written in full or not at all usable:
// close() reports a failed write. The caller's folder cleans it up on failure. `display` names it
// in messages (default: the path quoted): where it will be once in place, never the staging folder
// it is written in, or what a scratch file the user never asked for is.
class PrivateFile {
public:
    explicit PrivateFile(fs::path path, std::string display = {})
        : m_path(std::move(path)), m_display(display.empty() ? quoted(m_path) : std::move(display))
    {
        do {
            m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        } while (m_fd < 0 && errno == EINTR);
        if (m_fd < 0) {
            throw_output("write " + m_display + ": " + errno_text());
        }
    }
    ~PrivateFile()
    {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    PrivateFile(const PrivateFile&) = delete;
    PrivateFile& operator=(const PrivateFile&) = delete;
    void write(const char* data, size_t size)
    {
        while (size > 0) {
            ssize_t done = ::write(m_fd, data, size);
            if (done < 0 && errno == EINTR) {
                continue;
            }
            if (done <= 0) {
                throw_output("write " + m_display + ": " + errno_text());
            }
            data += done;
            size -= static_cast<size_t>(done);
        }
    }
    void close()
    {
        int fd = std::exchange(m_fd, -1);
        if (::close(fd) != 0) {
            throw_output("write " + m_display + ": " + errno_text());
        }
    }

private:
    fs::path m_path;
    std::string m_display;
    int m_fd = -1;
};

// Passes a stream through while copying every byte into a file: hashing a zip entry with
// sha256_source() through this writes the copy in the same pass.
class TeeSource : public xml::ByteSource {
public:
    TeeSource(xml::ByteSource& inner, PrivateFile& copy) : m_inner(inner), m_copy(copy) {}
    size_t read(char* buffer, size_t size) override
    {
        check_interrupted();
        size_t got = m_inner.read(buffer, size);
        m_copy.write(buffer, got);
        return got;
    }
    const std::string& name() const override { return m_inner.name(); }

private:
    xml::ByteSource& m_inner;
    PrivateFile& m_copy;
};

// A ByteSource read as a std::istream, so that nlohmann::json streams a JSON entry without holding it.
class SourceBuffer : public std::streambuf {
public:
    explicit SourceBuffer(xml::ByteSource& source) : m_source(source), m_buffer(1 << 16) {}

protected:
    int_type underflow() override
    {
        size_t got = m_source.read(m_buffer.data(), m_buffer.size());
        if (got == 0) {
            return traits_type::eof();
        }
        setg(m_buffer.data(), m_buffer.data(), m_buffer.data() + got);
        return traits_type::to_int_type(m_buffer[0]);
    }

private:
    xml::ByteSource& m_source;
    std::vector<char> m_buffer;
};

// Takes every event and keeps none: for checking that XML parses.
class NullHandler : public xml::Handler {
public:
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

// The member `key` of `object` as a string; throws Error(foreign) naming it when it is missing or
// not a string. `where` says whose member it is in the message.
std::string string_member(const nlohmann::json& object, const char* key, const std::string& where)
{
    auto found = object.find(key);
    if (found == object.end()) {
        throw_foreign(where + " has no \"" + key + "\"");
    }
    if (!found->is_string()) {
        throw_foreign(where + "'s \"" + key + "\" is not a string");
    }
    return found->get<std::string>();
}

// The manifest in `json`. Throws Error(foreign) naming the first member that is missing or of the
// wrong type (never a JSON library message: those name library internals, not the file).
Manifest from_json(const nlohmann::json& json)
{
    if (!json.is_object()) {
        throw_foreign("it is not a JSON object");
    }
    Manifest manifest;
    manifest.format = string_member(json, "format", "it");
    if (manifest.format != k_format) {
        // Checked first: another tool's manifest.json (a bundle's) differs in every other member too.
        throw_foreign("its \"format\" is '" + manifest.format + "', not '" + std::string(k_format) + "'");
    }
    manifest.org_url = string_member(json, "orgUrl", "it");
    manifest.org_version = string_member(json, "orgVersion", "it");
    manifest.created = string_member(json, "created", "it");
    manifest.tool = string_member(json, "tool", "it");
    auto files = json.find("files");
    if (files == json.end() || !files->is_array()) {
        throw_foreign("it has no \"files\" list");
    }
    for (size_t i = 0; i < files->size(); ++i) {
        const nlohmann::json& file = (*files)[i];
        std::string where = "\"files\"[" + std::to_string(i) + "]";
        if (!file.is_object()) {
            throw_foreign(where + " is not an object");
        }
        auto size = file.find("size");
        if (size == file.end() || !size->is_number_unsigned()) {
            throw_foreign(where + " has no \"size\" in bytes");
        }
        manifest.files.push_back(
            {string_member(file, "path", where), size->get<uint64_t>(), string_member(file, "sha256", where)});
    }
    return manifest;
}

// The manifest in `bytes`, bounded in depth before parsing (a manifest nested deep enough would
// exhaust the stack). Throws Error(foreign) saying what makes it no backup manifest.
Manifest parse_manifest(const std::string& bytes)
{
    if (std::string too_deep = json_depth_problem(bytes); !too_deep.empty()) {
        throw_foreign(too_deep);
    }
    nlohmann::json json = nlohmann::json::parse(bytes, nullptr, false);
    if (json.is_discarded()) {
        throw_foreign("it is not valid JSON");
    }
    return from_json(json);
}

// True when `bytes` is a JSON object whose "format" is a backup's, however damaged the rest is.
bool claims_backup_format(const std::string& bytes)
{
    if (!json_depth_problem(bytes).empty()) {
        return false;
    }
    nlohmann::json json = nlohmann::json::parse(bytes, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return false;
    }
    auto format = json.find("format");
    return format != json.end() && format->is_string() && format->get<std::string>() == k_format;
}

bool is_export_path(std::string_view path)
{
    return path.starts_with("exports/");
}

// Entries of an export that are XML documents: the three manifests, data and web resource .xml
// files, and workflow definitions (.xaml is XML).
bool is_xml_part(std::string_view name)
{
    std::string lower = ascii_lower(name);
    return lower.ends_with(".xml") || lower.ends_with(".xaml");
}

enum class MetadataKind { xml, json, other };

MetadataKind metadata_kind(std::string_view name)
{
    std::string lower = ascii_lower(name);
    if (lower.ends_with(".xml")) {
        return MetadataKind::xml;
    }
    return lower.ends_with(".json") ? MetadataKind::json : MetadataKind::other;
}

// Parses `source` to its end as XML (kind xml) or JSON (kind json). Throws xml::ParseError or
// Error(input) "not valid JSON".
void check_document(xml::ByteSource& source, MetadataKind kind, const xml::Limits& limits)
{
    if (kind == MetadataKind::xml) {
        NullHandler handler;
        xml::Parser(limits).parse(source, handler);
    } else if (kind == MetadataKind::json) {
        SourceBuffer buffer(source);
        std::istream in(&buffer);
        if (!nlohmann::json::accept(in)) {
            throw_input("not valid JSON");
        }
    }
}

// What went wrong with one document, for a problem line: "where: cause".
std::string parse_failure(const std::string& where, const std::exception& failure)
{
    if (const auto* parse = dynamic_cast<const xml::ParseError*>(&failure)) {
        return where + " does not parse (line " + std::to_string(parse->where().line) + ", column " +
               std::to_string(parse->where().column) + "): " + parse->cause();
    }
    return where + " does not parse: " + failure.what();
}

// Opens an exported solution zip and parses every XML entry in it. Returns one line per entry that
// does not parse ("Workflows/x.xaml does not parse (line 3, column 7): ..."). Throws Error (of the
// reader's kind) when the file is not a solution zip, its solution.xml does not parse, or an entry
// cannot be read; `display` names the zip in those messages (verify checks a scratch copy).
std::vector<std::string> check_solution_zip(const fs::path& zip_path, const std::string& display,
                                            const solution::InputLimits& limits)
{
    std::vector<std::string> problems;
    auto input = solution::open_zip_input(zip_path, limits, display);
    input->read_manifest();
    zip::Reader& archive = *input->archive();
    for (const auto& entry : archive.entries()) {
        check_interrupted();
        if (entry.is_directory || !is_xml_part(entry.name)) {
            continue;
        }
        try {
            auto source = archive.open(entry);
            check_document(*source, MetadataKind::xml, limits.xml);
        } catch (const xml::ParseError& e) {
            problems.push_back(parse_failure(entry.name, e));
        }
    }
    return problems;
}

// The host part of a URL, made safe for a file name; "local" when there is none.
std::string org_label(const std::string& org_url)
{
    std::string_view rest = org_url;
    if (auto scheme = rest.find("://"); scheme != std::string_view::npos) {
        rest.remove_prefix(scheme + 3);
    }
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        rest.remove_prefix(at + 1);
    }
    rest = rest.substr(0, rest.find(':'));
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

// "YYYYMMDDTHHMMSSZ" from a backup's file name, or "" when it is not named as one.
std::string time_in_name(const std::string& name)
{
    if (!name.starts_with(k_name_prefix) || name.size() < k_name_prefix.size() + k_name_time_length) {
        return {};
    }
    std::string time = name.substr(k_name_prefix.size(), k_name_time_length);
    for (size_t i = 0; i < time.size(); ++i) {
        bool ok = i == 8    ? time[i] == 'T'
                  : i == 15 ? time[i] == 'Z'
                            : std::isdigit(static_cast<unsigned char>(time[i]));
        if (!ok) {
            return {};
        }
    }
    return time;
}

// The same compact form from manifest.json's "2026-11-22T11:29:21Z".
std::string compact_time(std::string created)
{
    std::erase_if(created, [](char c) { return c == '-' || c == ':'; });
    return created;
}

} // namespace

bool has_user_info(std::string_view url)
{
    if (auto scheme = url.find("://"); scheme != std::string_view::npos) {
        url.remove_prefix(scheme + 3);
    }
    return url.substr(0, url.find_first_of("/?#")).find('@') != std::string_view::npos;
}

std::string iso8601_utc(int64_t seconds)
{
    return format_utc(seconds, "%Y-%m-%dT%H:%M:%SZ");
}

std::string backup_file_name(const std::string& org_url, int64_t created_at)
{
    return std::string(k_name_prefix) + format_utc(created_at, "%Y%m%dT%H%M%SZ") + "-" + org_label(org_url) + ".zip";
}

Manifest create_backup(const fs::path& path, const CreateOptions& options)
{
    const std::string verb = "back up into " + quoted(path);
    if (has_user_info(options.org_url)) {
        // The URL is not repeated: its user information may hold a password.
        throw_usage(verb + ": the org URL carries a user name or password (before '@'); give the address alone");
    }
    if (options.exports.empty()) {
        throw_usage(verb + ": no exported solution given (--from)");
    }
    std::vector<std::pair<std::string, fs::path>> files;
    std::set<std::string> names;
    std::error_code ec;
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
    }
    for (const auto& source : options.metadata) {
        add("metadata/", source);
    }

    // Refuses an existing backup before the long checks; its commit() refuses one that appears meanwhile.
    zip::Writer writer(path, AtomicFile::Overwrite::no, AtomicFile::Access::owner_only);

    Manifest manifest;
    manifest.format = std::string(k_format);
    manifest.org_url = options.org_url;
    manifest.org_version = options.org_version;
    manifest.created = iso8601_utc(options.created_at);
    manifest.tool = "escprov " + std::string(version_string());
    if (options.progress != nullptr) {
        options.progress->begin("checking the inputs", files.size(), Progress::Unit::items, "files");
    }
    for (const auto& [name, source] : files) {
        check_interrupted();
        if (is_export_path(name)) {
            std::vector<std::string> problems;
            try {
                problems = check_solution_zip(source, source.string(), options.limits);
            } catch (const Error& e) {
                throw Error(e.kind(), verb + ": " + e.what());
            }
            if (!problems.empty()) {
                throw_input(verb + ": " + quoted(source) + ": " + problems.front());
            }
        } else if (MetadataKind kind = metadata_kind(name); kind != MetadataKind::other) {
            try {
                xml::FileSource stream(source, source.string());
                check_document(stream, kind, options.limits.xml);
            } catch (const Error& e) {
                throw Error(e.kind(), verb + ": " + parse_failure(quoted(source), e));
            }
        }
        manifest.files.push_back({name, fs::file_size(source), sha256_file(source)});
        if (options.progress != nullptr) {
            options.progress->advance();
        }
    }
    for (const auto& [name, source] : files) {
        writer.add_file(name, source);
    }
    writer.add_bytes(std::string(k_manifest_name), to_json(manifest).dump(2) + "\n");
    writer.show_progress(options.progress, "writing");
    writer.commit();
    return manifest;
}

Verification verify_backup(const fs::path& path, const solution::InputLimits& limits, Progress* progress)
{
    std::error_code ec;
    zip::require_zip_file(path, "verify " + quoted(path));
    Verification result;
    auto problem = [&result](const std::string& text) { result.problems.push_back(text); };

    std::unique_ptr<zip::Reader> reader;
    try {
        reader = std::make_unique<zip::Reader>(path, limits.zip);
    } catch (const Error& e) {
        problem(path.filename().string() + ": the backup does not open as a zip: " + e.what());
        return result;
    }

    const std::string manifest_name(k_manifest_name);
    const zip::Entry* manifest_entry = reader->find(k_manifest_name);
    if (manifest_entry == nullptr) {
        problem(manifest_name + ": missing");
    } else if (manifest_entry->size > k_max_manifest_bytes) {
        problem(manifest_name + ": larger than " + std::to_string(k_max_manifest_bytes) + " bytes");
    } else {
        std::string bytes;
        try {
            bytes = reader->read(*manifest_entry);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::memory) {
                throw;
            }
            problem(manifest_name + ": cannot be read: " + e.what());
        }
        if (result.problems.empty()) {
            result.manifest_sha256 = sha256_hex(bytes);
            try {
                result.manifest = parse_manifest(bytes);
            } catch (const Error& e) {
                problem(manifest_name + ": not a backup manifest: " + e.what());
            }
        }
    }
    if (!result.manifest) {
        return result;
    }

    std::set<std::string> listed;
    std::unique_ptr<PrivateDir> scratch; // made when the first export needs copying
    if (progress != nullptr) {
        // Hashing reads every listed file once; the few bytes of metadata parsed again count too,
        // and the bar stops at 100%.
        uint64_t total = 0;
        for (const auto& record : result.manifest->files) {
            total += record.size;
        }
        progress->begin("verifying", total, Progress::Unit::bytes);
        reader->set_read_hook([progress](uint64_t bytes) { progress->advance(bytes); });
    }
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
            std::string actual;
            fs::path copy;
            if (is_export_path(name)) {
                // open_input needs a file: copy while hashing, in one pass.
                if (!scratch) {
                    scratch = std::make_unique<PrivateDir>(fs::temp_directory_path(), "escprov-verify");
                }
                copy = scratch->path() / fs::path(name).filename();
                PrivateFile file(copy, "a scratch copy in " + quoted(fs::temp_directory_path()));
                auto source = reader->open(*entry);
                TeeSource tee(*source, file);
                actual = sha256_source(tee);
                file.close();
            } else {
                auto source = reader->open(*entry);
                actual = sha256_source(*source);
            }
            if (actual != record.sha256) {
                problem(std::string(name)
                            .append(": SHA-256 is ")
                            .append(actual)
                            .append(", manifest.json says ")
                            .append(record.sha256));
            } else if (!copy.empty()) {
                for (const auto& part : check_solution_zip(copy, name, limits)) {
                    problem(std::string(name).append(": ").append(part));
                }
            } else if (MetadataKind kind = metadata_kind(name); kind != MetadataKind::other) {
                auto source = reader->open(*entry);
                try {
                    check_document(*source, kind, limits.xml);
                } catch (const Error& e) {
                    problem(parse_failure(name, e));
                }
            }
            if (!copy.empty()) {
                fs::remove(copy, ec);
            }
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::memory) {
                throw;
            }
            problem(std::string(name).append(": ").append(e.what()));
        }
    }
    for (const auto& entry : reader->entries()) {
        if (entry.name != k_manifest_name && listed.count(entry.name) == 0) {
            problem(entry.name + ": not listed in manifest.json");
        }
    }
    return result;
}

BackupFolder list_backups(const fs::path& folder, const solution::InputLimits& limits)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw_input("list backups in " + quoted(folder) + ": not a folder");
    }
    BackupFolder found;
    std::vector<fs::path> candidates;
    for (const auto& item : fs::directory_iterator(folder, ec)) {
        const fs::path& file = item.path();
        std::string name = file.filename().string();
        if (!item.is_regular_file(ec) || !name.ends_with(".zip")) {
            continue;
        }
        // Named as a backup: listed whatever is wrong with it (verify says what).
        if (name.starts_with(k_name_prefix)) {
            candidates.push_back(file);
            continue;
        }
        // Otherwise a backup only when its manifest.json says so: a bundle or an export beside the
        // backups is skipped, and said to be, rather than reported as a broken backup.
        try {
            zip::Reader reader(file, limits.zip);
            const zip::Entry* manifest = reader.find(k_manifest_name);
            if (manifest == nullptr) {
                found.skipped.push_back({file, "it holds no manifest.json"});
            } else if (manifest->size > k_max_manifest_bytes) {
                found.skipped.push_back({file, "its manifest.json is too large to be a backup's"});
            } else if (std::string bytes = reader.read(*manifest); claims_backup_format(bytes)) {
                candidates.push_back(file); // verify says what else is wrong with it
            } else {
                try {
                    parse_manifest(bytes);
                } catch (const Error& e) {
                    found.skipped.push_back({file, std::string("its manifest.json is not a backup's: ") + e.what()});
                }
            }
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::memory) {
                throw;
            }
            found.skipped.push_back({file, e.what()});
        }
    }
    if (ec) {
        throw_input("list backups in " + quoted(folder) + ": " + ec.message());
    }
    std::vector<Listing>& listings = found.backups;
    for (const auto& file : candidates) {
        Listing listing{file, verify_backup(file, limits), 0};
        if (listing.verification.manifest) {
            for (const auto& record : listing.verification.manifest->files) {
                listing.total_size += record.size;
            }
        }
        listings.push_back(std::move(listing));
    }
    // The name's time first: it is what the user sees and sorts by; manifest.json's for other names.
    auto sort_key = [](const Listing& listing) {
        std::string time = time_in_name(listing.path.filename().string());
        if (time.empty() && listing.verification.manifest) {
            time = compact_time(listing.verification.manifest->created);
        }
        return std::tuple(time.empty(), time, listing.path.filename().string());
    };
    std::sort(listings.begin(), listings.end(),
              [&sort_key](const Listing& a, const Listing& b) { return sort_key(a) < sort_key(b); });
    return found;
}

Extraction extract_backup(const fs::path& path, const fs::path& folder_given, const solution::InputLimits& limits,
                          Progress* progress)
{
    const fs::path folder = without_trailing_separator(folder_given);
    const std::string verb = "extract " + quoted(path) + " into " + quoted(folder);
    std::error_code ec;
    auto refuse_existing = [&]() { throw_output(verb + ": the folder exists and is not empty; nothing was replaced"); };
    bool existed = fs::exists(fs::symlink_status(folder, ec));
    if (existed && (fs::is_symlink(fs::symlink_status(folder, ec)) || !fs::is_directory(folder, ec) ||
                    !fs::is_empty(folder, ec))) {
        refuse_existing();
    }
    fs::path parent = folder.parent_path().empty() ? fs::path(".") : folder.parent_path();
    if (!fs::is_directory(parent, ec)) {
        throw_output(verb + ": folder " + quoted(parent) + " does not exist");
    }
    Extraction result;
    result.verification = verify_backup(path, limits, progress);
    if (!result.verification.ok()) {
        return result;
    }
    zip::Reader reader(path, limits.zip);
    if (progress != nullptr) {
        progress->begin("writing", reader.total_size(), Progress::Unit::bytes);
        reader.set_read_hook([progress](uint64_t bytes) { progress->advance(bytes); });
    }
    PrivateDir stage(parent, "." + folder.filename().string() + ".escprov-tmp");
    std::set<fs::path> made;
    auto write = [&](const std::string& name, const std::string& expected_sha256) {
        check_interrupted();
        // verify checked these already; a second look costs nothing before anything touches the disk.
        const zip::Entry* entry = reader.find(name);
        if (!is_safe_relative_path(name) || entry == nullptr) {
            throw_input(std::string(verb).append(": unsafe or missing entry '").append(name).append("'"));
        }
        fs::path file = stage.path() / name;
        for (fs::path sub = fs::path(name).parent_path(), at = stage.path(); const auto& part : sub) {
            at /= part;
            if (made.insert(at).second && ::mkdir(at.c_str(), 0700) != 0 && errno != EEXIST) {
                throw_output(verb + ": cannot create " + quoted(folder / at.lexically_relative(stage.path())) + ": " +
                             errno_text());
            }
        }
        PrivateFile out(file, quoted(folder / name));
        auto source = reader.open(*entry);
        TeeSource tee(*source, out);
        std::string actual = sha256_source(tee);
        out.close();
        // The file could have been replaced since it verified: what lands on disk must be what verified.
        if (actual != expected_sha256) {
            throw_input(verb + ": '" + name + "' changed after it verified; nothing was written");
        }
        ++result.files;
    };
    write(std::string(k_manifest_name), result.verification.manifest_sha256);
    for (const auto& record : result.verification.manifest->files) {
        write(record.path, record.sha256);
    }
    // rename(2) replaces an empty folder but never one with files in it (ENOTEMPTY/EEXIST), so files
    // that appeared in `folder` meanwhile are never lost.
    if (::rename(stage.path().c_str(), folder.c_str()) != 0) {
        if (errno == ENOTEMPTY || errno == EEXIST || errno == ENOTDIR) {
            refuse_existing();
        }
        throw_output(verb + ": " + errno_text());
    }
    stage.release();
    return result;
}

} // namespace escprov::backup
