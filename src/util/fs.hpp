#pragma once
// Filesystem helpers that keep the "nothing lost, nothing half-written" promise:
// outputs are built under a temporary name beside their target and renamed into place
// only on success; on failure or interruption the destructor removes the temporary.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace escprov {

namespace fs = std::filesystem;

// A folder only its owner can enter (mode 0700), made by mkdtemp(3) under `parent` as
// "<stem>.XXXXXX" (a fresh unique name), and removed with everything in it when this goes, unless
// release() was called. Customer data is staged in one so that no other user sees it even for a
// moment. Throws Error(output) naming `parent` when it cannot be made.
class PrivateDir {
public:
    PrivateDir(const fs::path& parent, std::string_view stem);
    ~PrivateDir();
    PrivateDir(const PrivateDir&) = delete;
    PrivateDir& operator=(const PrivateDir&) = delete;

    const fs::path& path() const { return m_path; }
    // The folder is someone else's now (it was renamed into place): nothing is removed.
    void release() { m_path.clear(); }

private:
    fs::path m_path;
};

// A file written under a temporary name in the target's folder and renamed onto the target
// by commit(). Without commit() the temporary is removed. Throws Error(output) when the
// temporary cannot be created, or on commit() when the target exists and overwrite is not allowed.
// With Access::owner_only the temporary lives in a folder only the owner can enter (0700) and the
// file is given mode 0600 before it appears: no other user sees its bytes, even while it is written.
class AtomicFile {
public:
    enum class Overwrite { no, yes };
    enum class Access { usual, owner_only };
    AtomicFile(const fs::path& target, Overwrite overwrite, Access access = Access::usual);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const fs::path& temp_path() const { return m_temp; }
    const fs::path& target() const { return m_target; }
    void commit();

private:
    fs::path m_target;
    fs::path m_temp;
    std::unique_ptr<PrivateDir> m_private_folder; // with Access::owner_only: the folder holding m_temp
    Overwrite m_overwrite;
    bool m_committed = false;
};

// A directory created under a temporary name beside `target` and renamed onto it by commit().
// Without commit() the whole temporary tree is removed.
class AtomicDir {
public:
    explicit AtomicDir(const fs::path& target);
    ~AtomicDir();
    AtomicDir(const AtomicDir&) = delete;
    AtomicDir& operator=(const AtomicDir&) = delete;

    const fs::path& temp_path() const { return m_temp; }
    // Replaces `target`; when `target` exists it is moved aside first and removed after the rename.
    void commit();

private:
    fs::path m_target;
    fs::path m_temp;
    bool m_committed = false;
};

// Reads a whole (small) file. Throws Error(input) naming the file on failure.
std::string read_file(const fs::path& path);

// Writes bytes to `path` atomically (temp + rename). Throws Error(output).
void write_file_atomic(const fs::path& path, std::string_view bytes, AtomicFile::Overwrite overwrite);

// A relative path with '/' separators that cannot leave its base: no empty, '.', or '..'
// segments, no leading '/', no backslash, no drive letter, no NUL. Used for zip entry names
// and for tree paths before anything touches the disk.
bool is_safe_relative_path(std::string_view path);

// A unique name for temporaries: "<stem>.escprov-tmp-<pid>-<counter>".
std::string temp_name(std::string_view stem);

// `path` without trailing separators ("restore/" -> "restore"), so that its folder and name are
// what the user meant; "/" stays "/".
fs::path without_trailing_separator(const fs::path& path);

// A printable form of a path for messages: the path as given, quoted.
std::string quoted(const fs::path& path);

} // namespace escprov
