#pragma once
// SHA-256 of bytes, files and streams (OpenSSL's EVP), as lower-case hex: what backups, bundles and
// SHA256SUMS files record.

#include "xml/source.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace escprov {

std::string sha256_hex(std::string_view bytes);
// Streams the file. Throws Error(input) naming it when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);
// Reads `source` to its end.
std::string sha256_source(xml::ByteSource& source);

} // namespace escprov
