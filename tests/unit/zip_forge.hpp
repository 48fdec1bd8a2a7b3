#pragma once
// A small hand-written zip builder for hostile-input tests. libzip refuses to write the archives
// these tests need (entries named "../evil", duplicate names, symlinks, entries that claim to be
// encrypted, sizes that lie), so this writes the format by hand: a local header and data per
// entry, the central directory, and the end record. Content is given as repeated chunks so a
// gigabyte of deflated data costs one chunk's worth of compression and about a megabyte of disk.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace escprov::test {

// `bytes` repeated `repeat` times.
struct Chunk {
    std::string bytes;
    uint64_t repeat = 1;
};

enum class Method : uint16_t { stored = 0, deflated = 8 };

struct ForgedEntry {
    std::string name; // written as is: no checks, no normalisation
    std::vector<Chunk> content;
    Method method = Method::stored;
    bool encrypted_flag = false;           // general-purpose bit 0 (traditional PKWARE encryption)
    std::optional<uint32_t> unix_mode;     // when set: made by UNIX, external attributes mode << 16
    std::optional<uint64_t> declared_size; // when set: the uncompressed size both headers claim

    // The real uncompressed size.
    uint64_t size() const;
};

class ZipForge {
public:
    // Appends an entry holding `bytes`, stored or deflated; returns *this for chaining.
    ZipForge& add(std::string name, std::string bytes, Method method = Method::stored);
    // Appends `entry` exactly as described, duplicates included.
    ZipForge& add(ForgedEntry entry);

    // The archive. Throws std::runtime_error when a size needs zip64 (over 4 GiB), which this
    // builder does not write.
    std::string bytes() const;
    // Writes bytes() to `path`.
    void write(const std::filesystem::path& path) const;

private:
    std::vector<ForgedEntry> m_entries;
};

// A solution.xml that escprov reads as a complete manifest (unmanaged, publisher prefix "tst").
std::string minimal_solution_xml();
// A customizations.xml with one custom entity, tst_thing.
std::string minimal_customizations_xml();
// [Content_Types].xml as CRM writes it for a solution without extension-less parts.
std::string minimal_content_types_xml();

// A valid solution zip whose customizations.xml is `customizations`: the carrier for hostile XML.
ZipForge solution_zip(const std::string& customizations = minimal_customizations_xml(),
                      Method method = Method::deflated);

} // namespace escprov::test
