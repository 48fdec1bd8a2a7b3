#include "util/fs.hpp"

#include "util/error.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace escprov {

std::string temp_name(std::string_view stem)
{
    static std::atomic<unsigned> counter{0};
    return std::string(stem) + ".escprov-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

fs::path without_trailing_separator(const fs::path& path)
{
    std::string text = path.string();
    while (text.size() > 1 && text.back() == '/') {
        text.pop_back();
    }
    return text;
}

std::string quoted(const fs::path& path)
{
    return "'" + path.string() + "'";
}

PrivateDir::PrivateDir(const fs::path& parent, std::string_view stem)
{
    std::string pattern = (parent / (std::string(stem) + ".XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::error_code error(errno, std::generic_category());
        throw_output("create a private folder in " + quoted(parent) + ": " + error.message());
    }
    m_path = pattern;
}

PrivateDir::~PrivateDir()
{
    if (!m_path.empty()) {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
}

AtomicFile::AtomicFile(const fs::path& target, Overwrite overwrite, Access access)
    : m_target(without_trailing_separator(target)), m_overwrite(overwrite)
{
    if (m_overwrite == Overwrite::no && fs::exists(m_target)) {
        throw_output("write " + quoted(m_target) + ": the file exists; nothing was replaced");
    }
    fs::path folder = m_target.parent_path();
    if (folder.empty()) {
        folder = ".";
    }
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw_output("write " + quoted(m_target) + ": folder " + quoted(folder) + " does not exist");
    }
    std::string stem = "." + m_target.filename().string();
    if (access == Access::owner_only) {
        m_private_folder = std::make_unique<PrivateDir>(folder, stem + ".escprov-tmp");
        m_temp = m_private_folder->path() / "file";
    } else {
        m_temp = folder / temp_name(stem);
    }
}

AtomicFile::~AtomicFile()
{
    if (!m_committed) {
        std::error_code ec;
        fs::remove(m_temp, ec);
    }
}

void AtomicFile::commit()
{
    if (m_private_folder && ::chmod(m_temp.c_str(), 0600) != 0) {
        std::error_code ec(errno, std::generic_category());
        throw_output("write " + quoted(m_target) + ": cannot make it private: " + ec.message());
    }
    if (m_overwrite == Overwrite::no) {
        // link() fails when the target exists, so a file that appeared meanwhile is never clobbered.
        if (::link(m_temp.c_str(), m_target.c_str()) != 0) {
            std::error_code ec(errno, std::generic_category());
            if (ec == std::errc::file_exists) {
                throw_output("write " + quoted(m_target) + ": the file appeared meanwhile; nothing was replaced");
            }
            throw_output("write " + quoted(m_target) + ": " + ec.message());
        }
        std::error_code ec;
        fs::remove(m_temp, ec);
    } else {
        std::error_code ec;
        fs::rename(m_temp, m_target, ec);
        if (ec) {
            throw_output("write " + quoted(m_target) + ": " + ec.message());
        }
    }
    m_committed = true;
    m_private_folder.reset();
}

AtomicDir::AtomicDir(const fs::path& target) : m_target(without_trailing_separator(target))
{
    fs::path folder = m_target.parent_path();
    if (folder.empty()) {
        folder = ".";
    }
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) {
        throw_output("write " + quoted(m_target) + ": folder " + quoted(folder) + " does not exist");
    }
    m_temp = folder / temp_name("." + m_target.filename().string());
    fs::create_directory(m_temp, ec);
    if (ec) {
        // The temporary's name means nothing to the user: the folder it was to go in does.
        throw_output("write " + quoted(m_target) + ": cannot create a folder in " + quoted(folder) + ": " +
                     ec.message());
    }
}

AtomicDir::~AtomicDir()
{
    if (!m_committed) {
        std::error_code ec;
        fs::remove_all(m_temp, ec);
    }
}

void AtomicDir::commit()
{
    std::error_code ec;
    fs::path aside;
    if (fs::exists(fs::symlink_status(m_target))) {
        aside = m_target.parent_path() / temp_name("." + m_target.filename().string() + ".old");
        fs::rename(m_target, aside, ec);
        if (ec) {
            throw_output("write " + quoted(m_target) + ": cannot move the old folder aside: " + ec.message());
        }
    }
    fs::rename(m_temp, m_target, ec);
    if (ec) {
        if (!aside.empty()) {
            std::error_code ignore;
            fs::rename(aside, m_target, ignore);
        }
        throw_output("write " + quoted(m_target) + ": " + ec.message());
    }
    m_committed = true;
    if (!aside.empty()) {
        fs::remove_all(aside, ec);
    }
}

std::string read_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw_input("read " + quoted(path) + ": cannot open file");
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        throw_input("read " + quoted(path) + ": read error");
    }
    return bytes;
}

void write_file_atomic(const fs::path& path, std::string_view bytes, AtomicFile::Overwrite overwrite)
{
    AtomicFile file(path, overwrite);
    // The cause is the system's own (permission, disk full, ...), said against the user's path: the
    // temporary is ours and means nothing to them.
    auto fail = [&path](int error) {
        throw_output("write " + quoted(path) + ": " + std::error_code(error, std::generic_category()).message());
    };
    int fd = -1;
    do {
        fd = ::open(file.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        fail(errno);
    }
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR) {
            continue;
        }
        if (wrote <= 0) {
            int error = wrote < 0 ? errno : ENOSPC;
            ::close(fd);
            fail(error);
        }
        done += static_cast<size_t>(wrote);
    }
    if (::close(fd) != 0 && errno != EINTR) {
        fail(errno);
    }
    file.commit();
}

bool is_safe_relative_path(std::string_view path)
{
    if (path.empty() || path.front() == '/' || path.find('\\') != std::string_view::npos ||
        path.find('\0') != std::string_view::npos) {
        return false;
    }
    if (path.size() >= 2 && path[1] == ':') {
        return false; // "C:..." drive letters
    }
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        std::string_view segment = path.substr(start, end - start);
        // A trailing '/' (directory entry) leaves an empty last segment, which is allowed.
        if ((segment.empty() && end != path.size()) || segment == "." || segment == "..") {
            return false;
        }
        start = end + 1;
    }
    return true;
}

} // namespace escprov
