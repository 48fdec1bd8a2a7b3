#include "bundle/signature.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <memory>
#include <vector>

namespace escprov::bundle {

namespace {

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct ContextFree {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using DigestContext = std::unique_ptr<EVP_MD_CTX, ContextFree>;

std::string read_key_bytes(const std::filesystem::path& key_file)
{
    std::string bytes = read_file(key_file);
    if (bytes.empty()) {
        throw_input("read key " + quoted(key_file) + ": the file is empty");
    }
    return bytes;
}

std::string hmac(std::string_view bytes, const std::string& secret)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
             reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest, &size) == nullptr) {
        throw Error(ErrorKind::internal, "sign manifest: OpenSSL's HMAC-SHA256 failed");
    }
    return {reinterpret_cast<const char*>(digest), size};
}

enum class Half { private_key, public_key };

// Reads an Ed25519 key from PEM. For checking, a public key is expected, but a private key also
// serves (its public half is used).
Key read_ed25519_key(const std::filesystem::path& key_file, Half half)
{
    std::string pem = read_key_bytes(key_file);
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) {
        throw Error(ErrorKind::internal, "read key: OpenSSL could not allocate a buffer");
    }
    Key key;
    if (half == Half::public_key) {
        key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
        if (!key) {
            bio.reset(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
        }
    }
    if (!key) {
        key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    }
    if (!key) {
        throw_input("read key " + quoted(key_file) + ": not a PEM " +
                    (half == Half::public_key ? "public" : "private") + " key");
    }
    if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) {
        throw_input("read key " + quoted(key_file) + ": the key is not an Ed25519 key");
    }
    return key;
}

} // namespace

std::string pem_label(const std::string& bytes)
{
    constexpr std::string_view begin = "-----BEGIN ";
    size_t start = bytes.find(begin);
    if (start == std::string::npos) {
        return {};
    }
    start += begin.size();
    size_t end = bytes.find("-----", start);
    if (end == std::string::npos || end - start > 64) {
        return {};
    }
    return bytes.substr(start, end - start);
}

namespace {

// An HMAC secret long enough to be one; `option` names the flag in the message.
void require_secret_size(const std::filesystem::path& key_file, size_t size)
{
    if (size < k_min_hmac_secret) {
        throw_usage("--key " + quoted(key_file) + " holds " + counted(size, "byte") +
                    ": an HMAC secret needs at least " + std::to_string(k_min_hmac_secret) +
                    " (make one with `head -c 32 /dev/urandom > KEY`), or give an Ed25519 PEM key");
    }
}

} // namespace

KeyType signing_key_type(const std::filesystem::path& key_file, std::optional<KeyType> declared)
{
    std::string bytes = read_key_bytes(key_file);
    std::string label = pem_label(bytes);
    if (label == "PUBLIC KEY") {
        throw_usage("--key " + quoted(key_file) +
                    " is a PEM public key, which cannot sign and is no secret: sign with the Ed25519 private key "
                    "(the customer checks with the public one), or with a shared HMAC secret");
    }
    bool is_private = label.find("PRIVATE KEY") != std::string::npos;
    if (!label.empty() && !is_private) {
        throw_usage("--key " + quoted(key_file) + " holds a PEM " + label +
                    ", neither an Ed25519 private key nor a shared HMAC secret");
    }
    KeyType type = is_private ? KeyType::ed25519 : KeyType::hmac;
    if (declared && *declared != type) {
        throw_usage("--key " + quoted(key_file) + " is " +
                    (is_private ? "a PEM private key, which signs ed25519" : "no PEM key, so an hmac secret") +
                    ", not --key-type " + std::string(algorithm_name(*declared)));
    }
    if (type == KeyType::hmac) {
        require_secret_size(key_file, bytes.size());
    }
    return type;
}

KeyType checking_key_type(const std::filesystem::path& key_file, std::optional<KeyType> declared)
{
    std::string bytes = read_key_bytes(key_file);
    std::string label = pem_label(bytes);
    if (label.find("PRIVATE KEY") != std::string::npos) {
        throw_usage("--key " + quoted(key_file) +
                    " is a PEM private key: give the sender's public key instead (the private key stays with the "
                    "sender; `openssl pkey -in KEY -pubout` prints the public key)");
    }
    bool is_public = label == "PUBLIC KEY";
    if (!label.empty() && !is_public) {
        throw_usage("--key " + quoted(key_file) + " holds a PEM " + label +
                    ", neither a PEM public key (ed25519) nor a shared secret (hmac)");
    }
    KeyType type = declared.value_or(is_public ? KeyType::ed25519 : KeyType::hmac);
    if (type == KeyType::hmac && is_public) {
        throw_usage("--key " + quoted(key_file) +
                    " is a PEM public key, which is no secret: it checks ed25519 signatures, not hmac ones");
    }
    if (type == KeyType::ed25519 && !is_public) {
        throw_usage("--key " + quoted(key_file) + " is not a PEM public key, which --key-type ed25519 needs");
    }
    if (type == KeyType::hmac) {
        require_secret_size(key_file, bytes.size());
    }
    return type;
}

std::string_view algorithm_name(KeyType type)
{
    return type == KeyType::hmac ? "hmac-sha256" : "ed25519";
}

KeyType parse_key_type(std::string_view text)
{
    if (text == "hmac" || text == "hmac-sha256") {
        return KeyType::hmac;
    }
    if (text == "ed25519") {
        return KeyType::ed25519;
    }
    throw_usage("key type must be hmac or ed25519, not '" + std::string(text) + "'");
}

std::string sign(std::string_view bytes, const std::filesystem::path& key_file, KeyType type)
{
    if (type == KeyType::hmac) {
        std::string secret = read_key_bytes(key_file);
        require_secret_size(key_file, secret.size());
        return hmac(bytes, secret);
    }
    Key key = read_ed25519_key(key_file, Half::private_key);
    DigestContext context(EVP_MD_CTX_new());
    size_t size = 0;
    if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(context.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size()) != 1) {
        throw_input("sign with key " + quoted(key_file) + ": OpenSSL refused the Ed25519 key");
    }
    std::vector<unsigned char> signature(size);
    if (EVP_DigestSign(context.get(), signature.data(), &size, reinterpret_cast<const unsigned char*>(bytes.data()),
                       bytes.size()) != 1) {
        throw_input("sign with key " + quoted(key_file) + ": OpenSSL could not sign");
    }
    return {reinterpret_cast<const char*>(signature.data()), size};
}

bool verify(std::string_view bytes, std::string_view signature, const std::filesystem::path& key_file, KeyType type)
{
    if (type == KeyType::hmac) {
        std::string expected = hmac(bytes, read_key_bytes(key_file));
        return expected.size() == signature.size() &&
               CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
    }
    Key key = read_ed25519_key(key_file, Half::public_key);
    if (signature.empty()) {
        return false;
    }
    DigestContext context(EVP_MD_CTX_new());
    if (!context || EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
        throw_input("check signature with key " + quoted(key_file) + ": OpenSSL refused the Ed25519 key");
    }
    return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()) == 1;
}

} // namespace escprov::bundle
