#pragma once
// Writes zips deterministically: entries in the order added, a fixed timestamp, fixed
// permissions and deflate level 6, so the same input gives the same bytes. The archive is
// built under a temporary name and appears at its path only when commit() succeeds.

#include "util/fs.hpp"
#include "zip/handles.hpp"

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>

namespace escprov {
class Progress;
}

namespace escprov::zip {

// 2010-01-01 00:00:00 local DOS time; any fixed value works, this one predates every CRM 2011 export.
inline constexpr std::time_t k_fixed_mtime = 1262304000;

// Owns the archive being written and its temporary file; without commit() both are discarded.
// Not copyable (one owner discards the archive once).
class Writer {
public:
    // Throws Error(output) when the temporary cannot be created or libzip cannot start the archive.
    Writer(const std::filesystem::path& path, AtomicFile::Overwrite overwrite,
           AtomicFile::Access access = AtomicFile::Access::usual);
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Adds bytes as entry `name`. Throws Error(output).
    void add_bytes(const std::string& name, std::string bytes);
    // Adds the file at `source`; it must exist until commit(). Throws Error(output).
    void add_file(const std::string& name, const std::filesystem::path& source);
    // Makes commit() show its compressing and writing on `progress` as step `step`, in bytes of the
    // entries added (null: nothing shown). `progress` must outlive commit().
    void show_progress(Progress* progress, std::string step);
    // Writes the archive and renames it into place. Throws Error(output).
    void commit();

private:
    void finish_entry(int64_t index, const std::string& name);
    // Adds `source` as entry `name`; the archive takes it when zip_file_add succeeds, else it is freed.
    void add_source(const std::string& name, SourceHandle source);
    std::filesystem::path m_path;
    AtomicFile m_file;
    ArchiveHandle m_archive;
    uint64_t m_input_bytes = 0; // what the entries added hold, uncompressed
    Progress* m_progress = nullptr;
    std::string m_progress_step;
};

} // namespace escprov::zip
