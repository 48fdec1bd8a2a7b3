#pragma once
// Signs and checks a bundle's manifest with OpenSSL's EVP: HMAC-SHA256 with a shared secret, or
// Ed25519 with a key pair (the sender keeps the PEM private key, the customer gets the PEM public
// key). A signature is raw bytes (32 for HMAC-SHA256, 64 for Ed25519) over raw bytes, so that
// `openssl pkeyutl -verify -rawin` checks it without escprov.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace escprov::bundle {

enum class KeyType { hmac, ed25519 };

// "hmac-sha256" or "ed25519": the algorithm's name in manifest.json.
std::string_view algorithm_name(KeyType type);
// The key type for an algorithm name or a --key-type value ("hmac", "hmac-sha256", "ed25519").
// Throws Error(usage) naming the value when it is neither.
KeyType parse_key_type(std::string_view text);

// The shortest HMAC secret escprov signs or checks with, in bytes: the size of the SHA-256 output,
// the least RFC 2104 recommends. (`head -c 32 /dev/urandom > KEY` makes one.)
inline constexpr size_t k_min_hmac_secret = 32;

// The label of the first PEM block in `bytes` ("PUBLIC KEY", "PRIVATE KEY", ...), or "" when
// there is none.
std::string pem_label(const std::string& bytes);

// What a key file signs with, decided as `apply` decides what it checks with, so that both sides
// always agree: a PEM private key is Ed25519, a file that is no PEM an HMAC secret of at least
// k_min_hmac_secret bytes. `declared` (--key-type) must agree. Throws Error(usage) naming the file
// for a PEM public key (it cannot sign, and as an HMAC secret anyone could forge with it), another
// PEM block, a short secret or a disagreeing --key-type; Error(input) when it cannot be read or
// is empty.
KeyType signing_key_type(const std::filesystem::path& key_file, std::optional<KeyType> declared);

// What a key file checks with (`apply`): a PEM public key is Ed25519, a file that is no PEM an
// HMAC secret of at least k_min_hmac_secret bytes. Throws Error(usage) naming the file for a PEM
// private key (it stays with the sender), another PEM block, a short secret or a disagreeing
// --key-type; Error(input) when it cannot be read or is empty.
KeyType checking_key_type(const std::filesystem::path& key_file, std::optional<KeyType> declared);

// The signature (raw bytes) of `bytes` with the key in `key_file` (HMAC: the file's bytes are the secret;
// Ed25519: a PEM private key). Throws Error(input) naming the file when it cannot be read, is
// empty, or holds no usable key.
std::string sign(std::string_view bytes, const std::filesystem::path& key_file, KeyType type);

// True when `signature` (raw bytes) is a valid signature of `bytes` under the key in `key_file` (HMAC:
// the secret; Ed25519: a PEM public key, or the private key). Throws Error(input) as sign() does.
bool verify(std::string_view bytes, std::string_view signature, const std::filesystem::path& key_file, KeyType type);

} // namespace escprov::bundle
