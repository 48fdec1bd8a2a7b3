#pragma once
// Where XML bytes come from: a file, a buffer, or a zip entry (zip/reader.hpp). Sources are
// pull streams so that a 300 MB customizations.xml is never held in memory.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace escprov::xml {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Reads up to `size` bytes; returns 0 at the end. Throws Error(input) on read failure.
    virtual size_t read(char* buffer, size_t size) = 0;
    // The name used in messages and findings: "Contoso.zip!customizations.xml", "Other/Solution.xml".
    virtual const std::string& name() const = 0;
};

// Reads a file from disk. Throws Error(input) when it cannot be opened.
class FileSource : public ByteSource {
public:
    FileSource(const std::filesystem::path& path, std::string display_name = {});
    ~FileSource() override;
    FileSource(const FileSource&) = delete; // owns a file descriptor, closed once
    FileSource& operator=(const FileSource&) = delete;
    size_t read(char* buffer, size_t size) override;
    const std::string& name() const override { return m_name; }

private:
    int m_fd = -1;
    std::string m_name;
};

// Reads from bytes the caller keeps alive.
class MemorySource : public ByteSource {
public:
    MemorySource(std::string_view bytes, std::string name) : m_bytes(bytes), m_name(std::move(name)) {}
    size_t read(char* buffer, size_t size) override;
    const std::string& name() const override { return m_name; }

private:
    std::string_view m_bytes;
    size_t m_offset = 0;
    std::string m_name;
};

} // namespace escprov::xml
