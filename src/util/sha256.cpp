#include "util/sha256.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

namespace escprov {

namespace {

class Digest {
public:
    Digest() : m_context(EVP_MD_CTX_new(), EVP_MD_CTX_free)
    {
        if (!m_context || EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1) {
            throw Error(ErrorKind::output, "SHA-256: OpenSSL could not start a digest");
        }
    }
    void update(const char* data, size_t size) { EVP_DigestUpdate(m_context.get(), data, size); }
    std::string hex()
    {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(m_context.get(), digest, &length);
        static const char* digits = "0123456789abcdef";
        std::string out;
        for (unsigned int i = 0; i < length; ++i) {
            out.push_back(digits[digest[i] >> 4]);
            out.push_back(digits[digest[i] & 0x0f]);
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> m_context;
};

} // namespace

std::string sha256_hex(std::string_view bytes)
{
    Digest digest;
    digest.update(bytes.data(), bytes.size());
    return digest.hex();
}

std::string sha256_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw_input("cannot read " + quoted(path) + " to hash it");
    }
    Digest digest;
    std::vector<char> buffer(1 << 16);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        digest.update(buffer.data(), static_cast<size_t>(in.gcount()));
    }
    if (in.bad()) {
        throw_input("reading " + quoted(path) + " failed while hashing it");
    }
    return digest.hex();
}

std::string sha256_source(xml::ByteSource& source)
{
    Digest digest;
    std::vector<char> buffer(1 << 16);
    while (size_t got = source.read(buffer.data(), buffer.size())) {
        digest.update(buffer.data(), got);
    }
    return digest.hex();
}

} // namespace escprov
