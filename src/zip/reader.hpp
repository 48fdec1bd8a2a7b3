#pragma once
// Reads solution zips defensively. Opening checks every entry before anything is extracted:
// unsafe names (../, absolute, backslash, drive letters), symlinks, duplicates, encryption,
// and size limits (total, per-entry ratio, entry count). Reading enforces the declared sizes,
// so an archive that lies about them is stopped as it is read. Every error names the archive
// and the entry.

#include "xml/source.hpp"
#include "zip/handles.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace escprov::zip {

// The largest entry Reader::read() holds in memory: 64 MiB. The parts escprov reads whole are
// small in every real export (the largest solution.xml in the corpus is under 100 KB).
inline constexpr uint64_t k_max_whole_entry = 64ull << 20;
// The step in which Reader::read() grows its buffer.
inline constexpr size_t k_read_chunk = 64 << 10;

struct Limits {
    uint64_t max_total_bytes = 4ull << 30; // sum of uncompressed sizes
    uint64_t max_entries = 100000;
    double max_ratio = 500.0;          // uncompressed / compressed, for entries over ratio_floor
    uint64_t ratio_floor = 1ull << 20; // small entries may compress as well as they like
};

struct Entry {
    std::string name;
    uint64_t index = 0;
    uint64_t size = 0;
    uint64_t compressed_size = 0;
    bool is_directory = false;
};

// Throws unless `path` is a regular file: Error(foreign) "<prefix>: a folder, not a zip archive" for
// a folder, else Error(input) "<prefix>: " and the system's reason ("No such file or directory").
void require_zip_file(const std::filesystem::path& path, const std::string& prefix);

// Owns the open archive (move-only: one owner discards it once).
class Reader {
public:
    // Opens and checks the archive. Throws Error(input) for a missing, truncated or damaged file,
    // Error(foreign) for a file that is not a zip, Error(unsafe) for an unsafe entry (escaping
    // name, link, encryption, duplicate name) and Error(limit) when a limit is exceeded.
    // `display` names the archive in messages (default: `path` as given), for a zip held in a
    // temporary file that the user knows by another name.
    Reader(const std::filesystem::path& path, Limits limits = {}, std::string display = {});
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    // Sources opened from a Reader keep working after it moves: they point at the archive, not at it.
    Reader(Reader&&) noexcept = default;
    Reader& operator=(Reader&&) noexcept = default;
    ~Reader() = default;

    const std::filesystem::path& path() const { return m_path; }
    // The archive's name in messages: `display` as given, else the path.
    const std::string& display() const { return m_display; }
    const std::vector<Entry>& entries() const { return m_entries; }
    // The entry with exactly this name, or nullptr.
    const Entry* find(std::string_view name) const;
    // The entry whose name equals `name` ignoring ASCII case, or nullptr (CRM writes
    // solution.xml in lower case, but hand-made zips vary).
    const Entry* find_ignoring_case(std::string_view name) const;
    // A streaming view of an entry's bytes; the Reader must outlive it.
    // Each source owns its libzip entry handle and is move-only.
    std::unique_ptr<xml::ByteSource> open(const Entry& entry);
    // The whole entry in memory (for small parts such as solution.xml). Throws Error(limit) when
    // it declares more than k_max_whole_entry bytes or holds more than it declares, Error(input)
    // when it ends early; memory follows the bytes that arrive, not the declared size.
    std::string read(const Entry& entry);
    // "archive.zip!entry" for messages, the archive as its path was given (folders and all).
    std::string display_name(const Entry& entry) const;
    // Calls `hook` with the number of bytes each read of an entry delivers (uncompressed), through
    // open() and read() alike, for a progress display; an empty hook stops the calls.
    void set_read_hook(std::function<void(uint64_t)> hook) { m_read_hook = std::move(hook); }
    // The sum of the entries' declared uncompressed sizes (what reading them all delivers).
    uint64_t total_size() const;

private:
    std::filesystem::path m_path;
    std::string m_display;
    Limits m_limits;
    ArchiveHandle m_archive;
    std::vector<Entry> m_entries;
    std::function<void(uint64_t)> m_read_hook;
};

} // namespace escprov::zip
