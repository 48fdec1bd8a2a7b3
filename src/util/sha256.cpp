#include "util/sha256.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <memory>
#include <vector>

namespace escprov {

struct Sha256::State {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context{EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

Sha256::Sha256() : m_state(std::make_unique<State>())
{
    if (!m_state->context || EVP_DigestInit_ex(m_state->context.get(), EVP_sha256(), nullptr) != 1) {
        throw Error(ErrorKind::output, "SHA-256: OpenSSL could not start a digest");
    }
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view bytes)
{
    EVP_DigestUpdate(m_state->context.get(), bytes.data(), bytes.size());
}

std::string Sha256::hex()
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_state->context.get(), digest, &length);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(digits[digest[i] >> 4]);
        out.push_back(digits[digest[i] & 0x0f]);
    }
    return out;
}

std::string sha256_hex(std::string_view bytes)
{
    Sha256 digest;
    digest.update(bytes);
    return digest.hex();
}

std::string sha256_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw_input("cannot read " + quoted(path) + " to hash it");
    }
    Sha256 digest;
    std::vector<char> buffer(1 << 16);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        digest.update(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
    }
    if (in.bad()) {
        throw_input("reading " + quoted(path) + " failed while hashing it");
    }
    return digest.hex();
}

} // namespace escprov
