#include "zip/reader.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"

#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>
#include <unordered_set>
#include <vector>

namespace escprov::zip {

namespace {

std::string libzip_message(int code)
{
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return message;
}

// Reads the first bytes so that "not a zip" is told apart from "a damaged zip".
// `display` names the file in messages.
void check_signature(const std::filesystem::path& path, const std::string& display)
{
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw_input("open " + quoted(std::filesystem::path(display)) + ": cannot read the file" +
                    (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()));
    }
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() == 0) {
        throw_foreign("open " + quoted(std::filesystem::path(display)) + ": the file is empty, not a zip archive");
    }
    if (in.gcount() < 4 || magic[0] != 'P' || magic[1] != 'K' ||
        !((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6))) {
        throw_foreign("open " + quoted(std::filesystem::path(display)) +
                      ": not a zip archive (no zip signature at the start)");
    }
}

// libzip refuses a consistency-checked open when two entries share a name, without saying
// which; a second, unchecked open (which allows duplicates) finds it for the message.
std::string first_duplicate_name(const std::filesystem::path& path)
{
    int code = 0;
    ArchiveHandle archive(zip_open(path.c_str(), ZIP_RDONLY, &code));
    if (!archive) {
        return {};
    }
    std::unordered_set<std::string> names;
    std::string duplicate;
    zip_int64_t count = zip_get_num_entries(archive.get(), 0);
    for (zip_int64_t i = 0; i < count && duplicate.empty(); ++i) {
        const char* name = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
        if (name != nullptr && !names.insert(name).second) {
            duplicate = name;
        }
    }
    return duplicate;
}

// One entry being read. It owns the libzip handle, so it cannot be copied (two copies would close
// it twice); the Reader it came from must outlive it.
class EntrySource : public xml::ByteSource {
public:
    EntrySource(EntryHandle file, std::string name, uint64_t declared, const std::function<void(uint64_t)>& hook)
        : m_file(std::move(file)), m_name(std::move(name)), m_declared(declared), m_hook(&hook)
    {}
    size_t read(char* buffer, size_t size) override
    {
        zip_int64_t got = zip_fread(m_file.get(), buffer, size);
        if (got < 0) {
            throw_input("read '" + m_name + "': " + zip_error_strerror(zip_file_get_error(m_file.get())) +
                        " (the archive is damaged or truncated)");
        }
        m_read += static_cast<uint64_t>(got);
        if (m_read > m_declared) {
            throw_limit("read '" + m_name + "': the entry holds more than its declared " + std::to_string(m_declared) +
                        " bytes (a zip bomb or a corrupt archive)");
        }
        if (*m_hook && got > 0) {
            (*m_hook)(static_cast<uint64_t>(got));
        }
        return static_cast<size_t>(got);
    }
    const std::string& name() const override { return m_name; }

private:
    EntryHandle m_file;
    std::string m_name;
    uint64_t m_declared;
    uint64_t m_read = 0;
    const std::function<void(uint64_t)>* m_hook; // the Reader's, which outlives its sources
};

} // namespace

void require_zip_file(const std::filesystem::path& path, const std::string& prefix)
{
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (std::filesystem::is_directory(status)) {
        throw_foreign(prefix + ": a folder, not a zip archive");
    }
    if (!std::filesystem::is_regular_file(status)) {
        throw_input(prefix + ": " + (ec ? ec.message() : std::string("not a regular file, so not a zip archive")));
    }
}

Reader::Reader(const std::filesystem::path& path, Limits limits, std::string display)
    : m_path(path), m_display(display.empty() ? path.string() : std::move(display)), m_limits(limits)
{
    require_zip_file(path, "open " + quoted(std::filesystem::path(m_display)));
    check_signature(path, m_display);
    int code = 0;
    m_archive.reset(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
    if (!m_archive && code == ZIP_ER_EXISTS) {
        std::string duplicate = first_duplicate_name(path);
        throw_unsafe("open " + quoted(std::filesystem::path(m_display)) + ": " +
                     (duplicate.empty() ? std::string("two entries") : "entry '" + duplicate + "'") +
                     " appears twice (duplicate entry names make the content ambiguous)");
    }
    if (!m_archive) {
        throw_input("open " + quoted(std::filesystem::path(m_display)) +
                    ": not a readable zip archive: " + libzip_message(code) + " (truncated or damaged?)");
    }
    zip_int64_t count = zip_get_num_entries(m_archive.get(), 0);
    if (count < 0 || static_cast<uint64_t>(count) > m_limits.max_entries) {
        throw_limit("open " + quoted(std::filesystem::path(m_display)) + ": the archive has " + std::to_string(count) +
                    " entries, more than the limit of " + std::to_string(m_limits.max_entries) + " (--max-entries)");
    }
    std::unordered_set<std::string> names;
    uint64_t total = 0;
    // A throw below leaves m_archive to its owner: a constructor that throws destroys its members.
    for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
        zip_stat_t stat;
        zip_stat_init(&stat);
        if (zip_stat_index(m_archive.get(), i, ZIP_FL_ENC_GUESS, &stat) != 0) {
            throw_input("open " + quoted(std::filesystem::path(m_display)) + ": cannot read entry #" +
                        std::to_string(i));
        }
        std::string name = stat.name != nullptr ? stat.name : "";
        std::string where = "open " + quoted(std::filesystem::path(m_display)) + ": entry '" + name + "'";
        if (!is_safe_relative_path(name)) {
            throw_unsafe(where + " escapes the target folder (absolute path, '..', backslash or drive letter)");
        }
        if (!names.insert(name).second) {
            throw_unsafe(where + " appears twice (duplicate entry names make the content ambiguous)");
        }
        if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) != 0 && stat.encryption_method != ZIP_EM_NONE) {
            throw_unsafe(where + " is encrypted; solution files are never encrypted");
        }
        zip_uint8_t opsys = 0;
        zip_uint32_t attributes = 0;
        if (zip_file_get_external_attributes(m_archive.get(), i, 0, &opsys, &attributes) == 0 &&
            opsys == ZIP_OPSYS_UNIX && S_ISLNK(attributes >> 16)) {
            throw_unsafe(where + " is a symbolic link; links are refused because they can point outside the "
                                 "target folder");
        }
        Entry entry;
        entry.name = name;
        entry.index = i;
        entry.size = stat.size;
        entry.compressed_size = stat.comp_size;
        entry.is_directory = !name.empty() && name.back() == '/';
        total += entry.size;
        if (total > m_limits.max_total_bytes) {
            throw_limit("open " + quoted(std::filesystem::path(m_display)) +
                        ": the entries add up to more than the limit of " + std::to_string(m_limits.max_total_bytes) +
                        " bytes (--max-total-size); a zip bomb?");
        }
        if (entry.size > m_limits.ratio_floor &&
            static_cast<double>(entry.size) >
                m_limits.max_ratio * static_cast<double>(std::max<uint64_t>(entry.compressed_size, 1))) {
            throw_limit(where + " expands " +
                        std::to_string(entry.size / std::max<uint64_t>(entry.compressed_size, 1)) +
                        " times, more than the limit of " + std::to_string(static_cast<uint64_t>(m_limits.max_ratio)) +
                        " (--max-ratio); a zip bomb?");
        }
        m_entries.push_back(std::move(entry));
    }
}

const Entry* Reader::find(std::string_view name) const
{
    for (const auto& entry : m_entries) {
        if (entry.name == name) {
            return &entry;
        }
    }
    return nullptr;
}

const Entry* Reader::find_ignoring_case(std::string_view name) const
{
    for (const auto& entry : m_entries) {
        if (entry.name.size() == name.size() &&
            std::equal(name.begin(), name.end(), entry.name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
            return &entry;
        }
    }
    return nullptr;
}

std::string Reader::display_name(const Entry& entry) const
{
    return m_display + "!" + entry.name; // the path as given, so two zips of one name stay apart
}

std::unique_ptr<xml::ByteSource> Reader::open(const Entry& entry)
{
    EntryHandle file(zip_fopen_index(m_archive.get(), entry.index, 0));
    if (!file) {
        throw_input("read '" + display_name(entry) + "': " + zip_strerror(m_archive.get()));
    }
    return std::make_unique<EntrySource>(std::move(file), display_name(entry), entry.size, m_read_hook);
}

uint64_t Reader::total_size() const
{
    uint64_t total = 0;
    for (const auto& entry : m_entries) {
        total += entry.size;
    }
    return total;
}

std::string Reader::read(const Entry& entry)
{
    if (entry.size > k_max_whole_entry) {
        throw_limit("read '" + display_name(entry) + "': the entry declares " + std::to_string(entry.size) +
                    " bytes, more than the " + std::to_string(k_max_whole_entry) +
                    " escprov reads whole (solution.xml, [Content_Types].xml and manifests are far smaller)");
    }
    // The buffer grows with what arrives, never with what the header claims: a header declaring a
    // gigabyte over a few megabytes of data must not cost a gigabyte.
    auto source = open(entry);
    std::string bytes;
    bytes.reserve(static_cast<size_t>(std::min<uint64_t>(entry.size, k_read_chunk)));
    std::vector<char> chunk(k_read_chunk);
    for (;;) {
        size_t got = source->read(chunk.data(), chunk.size());
        if (got == 0) {
            break;
        }
        if (bytes.size() + got > entry.size) {
            throw_limit("read '" + display_name(entry) + "': the entry holds more than its declared size");
        }
        bytes.append(chunk.data(), got);
    }
    if (bytes.size() < entry.size) {
        throw_input("read '" + display_name(entry) + "': the entry ends early (truncated archive)");
    }
    return bytes;
}

} // namespace escprov::zip
