#pragma once
// Owners for libzip's C handles, each with libzip's ownership rule built in. A handle is released
// exactly once, by whoever holds it last; moving the owner moves the duty.

#include <memory>

struct zip;
struct zip_file;
struct zip_source;

namespace escprov::zip {

// Discards an archive: read-only archives have nothing to write back, and an archive being
// written that was never closed successfully is abandoned (zip_close frees only on success; a
// successful close is released from its owner first).
struct DiscardArchive {
    void operator()(::zip* archive) const noexcept;
};
using ArchiveHandle = std::unique_ptr<::zip, DiscardArchive>;

// Closes an entry opened for reading (zip_fopen_index).
struct CloseEntry {
    void operator()(::zip_file* file) const noexcept;
};
using EntryHandle = std::unique_ptr<::zip_file, CloseEntry>;

// Frees a source that no archive has taken: a source is ours until zip_file_add succeeds, and
// then the archive's (release it from its owner at that point).
struct FreeSource {
    void operator()(::zip_source* source) const noexcept;
};
using SourceHandle = std::unique_ptr<::zip_source, FreeSource>;

} // namespace escprov::zip
