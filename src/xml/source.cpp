#include "xml/source.hpp"

#include "util/error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace escprov::xml {

FileSource::FileSource(const std::filesystem::path& path, std::string display_name)
    : m_name(display_name.empty() ? path.string() : std::move(display_name))
{
    m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        throw_input("read '" + m_name + "': " + std::strerror(errno));
    }
}

FileSource::~FileSource()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

size_t FileSource::read(char* buffer, size_t size)
{
    for (;;) {
        ssize_t got = ::read(m_fd, buffer, size);
        if (got >= 0) {
            return static_cast<size_t>(got);
        }
        if (errno != EINTR) {
            throw_input("read '" + m_name + "': " + std::strerror(errno));
        }
    }
}

size_t MemorySource::read(char* buffer, size_t size)
{
    size_t n = std::min(size, m_bytes.size() - m_offset);
    std::memcpy(buffer, m_bytes.data() + m_offset, n);
    m_offset += n;
    return n;
}

} // namespace escprov::xml
