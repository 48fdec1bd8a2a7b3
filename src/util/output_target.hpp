#pragma once
// One rule for every output a command writes (docs/exit-codes.md, "Output targets"):
// - a file target ending in '/' or naming an existing folder means "into this folder" (made when
//   missing) under the command's default file name;
// - every target is checked before any work: its folder exists or can be made and takes new files,
//   and an existing target is refused unless the command's --overwrite was given (exit 1);
// - folders made for an output are removed again when the command fails.
// Messages name the command the user ran, the option that named the target, and the fix.

#include "util/fs.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace escprov {

// How a command names one of its outputs, and what it lets the user do about an existing one.
struct OutputSpec {
    std::string command;      // as the user ran it: "backup create", "merge"
    std::string option;       // how the user named the target: "-o", "--out", "--report", "DIR"
    std::string default_name; // a file target given as a folder gets this name; "" when it is not known yet
    // What lets the user replace an existing target ("--overwrite"); "" when the command never replaces.
    std::string overwrite_option = "--overwrite";
    bool overwrite = false; // the user gave overwrite_option
};

// True when `given` means "into this folder": it ends in a separator, is "." or "..", or names an
// existing folder.
bool names_folder(const std::filesystem::path& given);

// The errno text of creating a file in `folder`, tried with a file that is removed at once; nullopt
// when it works.
std::optional<std::string> cannot_create_in(const std::filesystem::path& folder);

// A file a command writes, resolved and checked before any work. Throws Error(output) when the
// target cannot be written (a folder where a file is meant, a missing folder not given as one, a folder
// that takes no files, an existing file without overwrite), naming spec.command, spec.option and the fix.
class OutputFile {
public:
    OutputFile(const std::filesystem::path& given, OutputSpec spec);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    // The file to write; empty while a folder target waits for name().
    const std::filesystem::path& path() const { return m_path; }
    // True when the target was given as a folder (the file name is the command's).
    bool into_folder() const { return m_into_folder; }
    // For a folder target whose default name is only known after reading the input (package): names
    // the file and checks it as the constructor checks. Throws Error(output).
    void name(const std::string& file_name);
    // Makes the folder the file goes into, with its missing parents. Those made are removed again by
    // the destructor (when still empty) unless keep() was called. Throws Error(output).
    void make_folders();
    // The output is in place: the folders made for it stay.
    void keep() { m_made.clear(); }
    AtomicFile::Overwrite overwrite() const
    {
        return m_spec.overwrite ? AtomicFile::Overwrite::yes : AtomicFile::Overwrite::no;
    }

private:
    void check_file() const;
    OutputSpec m_spec;
    std::filesystem::path m_given;
    std::filesystem::path m_folder; // where the file goes
    std::filesystem::path m_path;
    bool m_into_folder = false;
    std::vector<std::filesystem::path> m_made; // outermost first
};

// A folder a command writes (an unpacked tree, an extracted backup), checked before any work: it is
// absent or an empty folder (or the command may replace it), and its parent exists or can be made
// and takes new folders. Throws Error(output) naming spec.command, spec.option and the fix.
class OutputFolder {
public:
    OutputFolder(const std::filesystem::path& given, OutputSpec spec);
    ~OutputFolder();
    OutputFolder(const OutputFolder&) = delete;
    OutputFolder& operator=(const OutputFolder&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    // True when the folder exists and holds something.
    bool not_empty() const { return m_not_empty; }
    // Makes the missing parents of the folder (the folder itself is renamed into place by its
    // writer). Those made are removed again by the destructor unless keep() was called.
    void make_parents();
    void keep() { m_made.clear(); }

private:
    OutputSpec m_spec;
    std::filesystem::path m_path;
    bool m_not_empty = false;
    std::vector<std::filesystem::path> m_made;
};

} // namespace escprov
