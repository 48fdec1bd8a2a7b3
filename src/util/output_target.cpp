#include "util/output_target.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace escprov {

namespace {

// "merge --report '/proc/x.html'": the command, the option and the path as the user gave them.
std::string subject(const OutputSpec& spec, const fs::path& path)
{
    return spec.command + (spec.option.empty() ? "" : " " + spec.option) + " " + quoted(path);
}

// What to say about a target that exists: the option that replaces it, or that nothing does.
std::string exists_fix(const OutputSpec& spec, std::string_view what)
{
    if (spec.overwrite_option.empty()) {
        return spec.command + " never replaces " + std::string(what) + "; choose another name or move it away";
    }
    return "pass " + spec.overwrite_option + " to replace it";
}

// `folder` as messages show it: "." for the working folder.
fs::path shown(const fs::path& folder)
{
    return folder.empty() ? fs::path(".") : folder;
}

// The folder itself when it exists, else its nearest existing ancestor; the missing ones (outermost
// first) go to `missing`. Throws Error(output) when an ancestor is not a folder.
fs::path existing_ancestor(const fs::path& folder, const std::string& who, std::vector<fs::path>* missing)
{
    std::vector<fs::path> absent;
    fs::path at = shown(folder);
    std::error_code ec;
    while (!fs::exists(at, ec)) {
        absent.insert(absent.begin(), at);
        fs::path up = at.parent_path();
        if (up.empty() || up == at) {
            up = at.is_absolute() ? at.root_path() : fs::path(".");
            if (up == at) {
                break;
            }
        }
        at = up;
    }
    if (!fs::is_directory(at, ec)) {
        throw_output(who + ": " + quoted(at) + " is a file, not a folder");
    }
    if (missing != nullptr) {
        *missing = std::move(absent);
    }
    return at;
}

// Throws Error(output) unless `folder` takes new files.
void require_writable(const fs::path& folder, const std::string& who)
{
    if (auto cause = cannot_create_in(folder)) {
        throw_output(who + ": cannot create files in " + quoted(folder) + ": " + *cause);
    }
}

// Makes each of `folders` (outermost first); appends those made to `made`.
void make(const std::vector<fs::path>& folders, const std::string& who, std::vector<fs::path>& made)
{
    for (const auto& folder : folders) {
        if (::mkdir(folder.c_str(), 0777) != 0) {
            if (errno == EEXIST) {
                continue;
            }
            std::string cause = std::strerror(errno);
            throw_output(
                std::string(who).append(": cannot create folder ").append(quoted(folder)).append(": ").append(cause));
        }
        made.push_back(folder);
    }
}

// Removes `made` (innermost first) where still empty.
void remove_made(const std::vector<fs::path>& made)
{
    for (auto it = made.rbegin(); it != made.rend(); ++it) {
        ::rmdir(it->c_str());
    }
}

} // namespace

bool names_folder(const fs::path& given)
{
    std::string text = given.string();
    if (text.ends_with('/') || given.filename() == "." || given.filename() == "..") {
        return true;
    }
    std::error_code ec;
    return fs::is_directory(given, ec);
}

std::optional<std::string> cannot_create_in(const fs::path& folder)
{
    fs::path probe = shown(folder) / temp_name(".escprov-probe");
    int fd = -1;
    do {
        fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return std::string(std::strerror(errno));
    }
    ::close(fd);
    ::unlink(probe.c_str());
    return std::nullopt;
}

OutputFile::OutputFile(const fs::path& given, OutputSpec spec) : m_spec(std::move(spec)), m_given(given)
{
    m_into_folder = names_folder(given);
    if (m_into_folder) {
        m_folder = without_trailing_separator(given);
        std::vector<fs::path> missing;
        fs::path existing = existing_ancestor(m_folder, subject(m_spec, m_given), &missing);
        require_writable(existing, subject(m_spec, m_given));
        if (!m_spec.default_name.empty()) {
            name(m_spec.default_name);
        }
        return;
    }
    m_path = given;
    m_folder = given.parent_path();
    std::error_code ec;
    if (!fs::exists(shown(m_folder), ec)) {
        throw_output(subject(m_spec, m_given) + ": the folder " + quoted(m_folder) +
                     " does not exist; create it first, or give a folder ending in '/' to have it made");
    }
    if (!fs::is_directory(shown(m_folder), ec)) {
        throw_output(subject(m_spec, m_given) + ": " + quoted(m_folder) + " is a file, not a folder");
    }
    check_file();
    require_writable(m_folder, subject(m_spec, m_given));
}

OutputFile::~OutputFile()
{
    remove_made(m_made);
}

void OutputFile::name(const std::string& file_name)
{
    m_path = m_folder / file_name;
    check_file();
}

void OutputFile::check_file() const
{
    std::error_code ec;
    auto status = fs::symlink_status(m_path, ec);
    if (!fs::exists(status)) {
        return;
    }
    std::string who = subject(m_spec, m_into_folder ? m_path : m_given);
    if (fs::is_directory(fs::status(m_path, ec))) {
        throw_output(who + ": that is a folder, not a file");
    }
    if (!m_spec.overwrite) {
        throw_output(who + ": the file exists; " + exists_fix(m_spec, "a file"));
    }
}

void OutputFile::make_folders()
{
    if (!m_into_folder) {
        return;
    }
    std::vector<fs::path> missing;
    existing_ancestor(m_folder, subject(m_spec, m_given), &missing);
    make(missing, subject(m_spec, m_given), m_made);
}

OutputFolder::OutputFolder(const fs::path& given, OutputSpec spec)
    : m_spec(std::move(spec)), m_path(without_trailing_separator(given))
{
    std::string who = subject(m_spec, given);
    std::error_code ec;
    auto status = fs::symlink_status(m_path, ec);
    if (fs::exists(status)) {
        if (fs::is_symlink(status) || !fs::is_directory(status)) {
            throw_output(who + ": it exists and is not a folder; give a new or empty folder");
        }
        m_not_empty = !fs::is_empty(m_path, ec);
        if (m_not_empty && !m_spec.overwrite) {
            throw_output(who + ": the folder is not empty; " +
                         (m_spec.overwrite_option.empty()
                              ? "give a new or empty folder"
                              : exists_fix(m_spec, "a folder") + ", or give a new or empty folder"));
        }
    }
    // The folder is built beside its target and renamed into place: its parent must take new entries.
    fs::path existing = existing_ancestor(m_path.parent_path(), who, nullptr);
    require_writable(existing, who);
}

OutputFolder::~OutputFolder()
{
    remove_made(m_made);
}

void OutputFolder::make_parents()
{
    std::vector<fs::path> missing;
    existing_ancestor(m_path.parent_path(), subject(m_spec, m_path), &missing);
    make(missing, subject(m_spec, m_path), m_made);
}

} // namespace escprov
