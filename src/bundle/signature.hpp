#pragma once
// Signs and checks a bundle's manifest with OpenSSL's EVP: HMAC-SHA256 with a shared secret, or
// Ed25519 with a key pair (the sender keeps the PEM private key, the customer gets the PEM public
// key). Signatures travel as lower-case hex.

#include <filesystem>
#include <string>
#include <string_view>

namespace escprov::bundle {

enum class KeyType { hmac, ed25519 };

// "hmac-sha256" or "ed25519": the algorithm's name in manifest.json.
std::string_view algorithm_name(KeyType type);
// The key type for an algorithm name or a --key-type value ("hmac", "hmac-sha256", "ed25519").
// Throws Error(usage) naming the value when it is neither.
KeyType parse_key_type(std::string_view text);

// The signature of `bytes` with the key in `key_file` (HMAC: the file's bytes are the secret;
// Ed25519: a PEM private key). Throws Error(input) naming the file when it cannot be read, is
// empty, or holds no usable key.
std::string sign(std::string_view bytes, const std::filesystem::path& key_file, KeyType type);

// True when `signature_hex` is a valid signature of `bytes` under the key in `key_file` (HMAC:
// the secret; Ed25519: a PEM public key, or the private key). Throws Error(input) as sign() does.
bool verify(std::string_view bytes, std::string_view signature_hex, const std::filesystem::path& key_file,
            KeyType type);

} // namespace escprov::bundle
