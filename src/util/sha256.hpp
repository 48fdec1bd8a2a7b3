#pragma once
// SHA-256 of bytes, files and streams (OpenSSL's EVP), as lower-case hex: what backups, bundles and
// SHA256SUMS files record.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace escprov {

// A SHA-256 fed piece by piece. Throws Error(output) when OpenSSL cannot start a digest.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::string_view bytes);
    // The digest of everything fed so far, as lower-case hex; feed nothing after it.
    std::string hex();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

std::string sha256_hex(std::string_view bytes);
// Streams the file. Throws Error(input) naming it when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);
// Reads `source` to its end: anything with `size_t read(char*, size_t)` that returns 0 at the end
// (an xml::ByteSource). Throws what the source throws.
template <typename Source> std::string sha256_source(Source& source)
{
    Sha256 digest;
    std::vector<char> buffer(1 << 16);
    while (size_t got = source.read(buffer.data(), buffer.size())) {
        digest.update(std::string_view(buffer.data(), got));
    }
    return digest.hex();
}

} // namespace escprov
