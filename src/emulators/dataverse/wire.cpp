#include "emulators/dataverse/wire.hpp"

#include "util/sha256.hpp"
#include "util/text.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <random>

namespace escprov::emulator {

namespace {

constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::string format_guid(const std::array<uint8_t, 16>& bytes)
{
    static constexpr std::string_view k_hex = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out += '-';
        }
        out += k_hex[bytes[i] >> 4];
        out += k_hex[bytes[i] & 0xf];
    }
    return out;
}

} // namespace

std::string base64_encode(std::string_view bytes)
{
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        uint32_t n =
            (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
        out += k_alphabet[(n >> 18) & 63];
        out += k_alphabet[(n >> 12) & 63];
        out += k_alphabet[(n >> 6) & 63];
        out += k_alphabet[n & 63];
    }
    if (i + 1 == bytes.size()) {
        uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
        out += k_alphabet[(n >> 18) & 63];
        out += k_alphabet[(n >> 12) & 63];
        out += "==";
    } else if (i + 2 == bytes.size()) {
        uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
        out += k_alphabet[(n >> 18) & 63];
        out += k_alphabet[(n >> 12) & 63];
        out += k_alphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text)
{
    std::string out;
    out.reserve(text.size() / 4 * 3);
    uint32_t buffer = 0;
    int bits = 0;
    size_t padding = 0;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        }
        if (c == '=') {
            ++padding;
            continue;
        }
        int value = base64_value(c);
        if (value < 0 || padding > 0) {
            return std::nullopt;
        }
        buffer = (buffer << 6) | uint32_t(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((buffer >> bits) & 0xff);
        }
    }
    if (padding > 2) {
        return std::nullopt;
    }
    return out;
}

std::string percent_decode(std::string_view text, bool plus_is_space)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            int high = hex_value(text[i + 1]);
            int low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out += char(high * 16 + low);
                i += 2;
                continue;
            }
        }
        out += plus_is_space && c == '+' ? ' ' : c;
    }
    return out;
}

std::map<std::string, std::string> parse_form(std::string_view text)
{
    std::map<std::string, std::string> fields;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('&', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        std::string_view pair = text.substr(start, end - start);
        if (!pair.empty()) {
            size_t equals = pair.find('=');
            std::string name = percent_decode(pair.substr(0, equals), true);
            std::string value =
                equals == std::string_view::npos ? std::string() : percent_decode(pair.substr(equals + 1), true);
            fields.emplace(std::move(name), std::move(value));
        }
        start = end + 1;
    }
    return fields;
}

std::string new_guid()
{
    static thread_local std::mt19937_64 generator{std::random_device{}()};
    std::array<uint8_t, 16> bytes{};
    for (auto& byte : bytes) {
        byte = uint8_t(generator() & 0xff);
    }
    bytes[6] = uint8_t((bytes[6] & 0x0f) | 0x40);
    bytes[8] = uint8_t((bytes[8] & 0x3f) | 0x80);
    return format_guid(bytes);
}

std::string stable_guid(std::string_view name)
{
    std::string hash = sha256_hex(name);
    std::array<uint8_t, 16> bytes{};
    for (size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = uint8_t(hex_value(hash[2 * i]) * 16 + hex_value(hash[2 * i + 1]));
    }
    bytes[6] = uint8_t((bytes[6] & 0x0f) | 0x50);
    bytes[8] = uint8_t((bytes[8] & 0x3f) | 0x80);
    return format_guid(bytes);
}

std::string guid_text(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (hex_value(c) >= 0 || c == '-') {
            out += char(std::tolower(static_cast<unsigned char>(c)));
        } else if (c != '(' && c != ')' && c != '{' && c != '}' && c != ' ') {
            return {};
        }
    }
    return out.size() == 36 ? out : std::string();
}

std::string utc_now()
{
    std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm parts{};
    gmtime_r(&now, &parts);
    std::array<char, 32> text{};
    std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text.data();
}

HttpResponse json_response(const HttpRequest& request, nlohmann::json body, const std::string& context, int status)
{
    HttpResponse response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "application/json; odata.metadata=minimal");
    response.headers.emplace_back("OData-Version", "4.0");
    if (!context.empty() && body.is_object()) {
        nlohmann::json ordered = nlohmann::json::object();
        ordered["@odata.context"] = request.base_url + "/$metadata#" + context;
        for (auto& [key, value] : body.items()) {
            ordered[key] = std::move(value);
        }
        body = std::move(ordered);
    }
    response.body = body.dump();
    return response;
}

HttpResponse no_content()
{
    HttpResponse response;
    response.status = 204;
    response.headers.emplace_back("OData-Version", "4.0");
    return response;
}

int version_number(std::string_view major_minor)
{
    size_t dot = major_minor.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= major_minor.size()) {
        return 0;
    }
    int major = 0;
    for (char c : major_minor.substr(0, dot)) {
        if (c < '0' || c > '9') {
            return 0;
        }
        major = major * 10 + (c - '0');
    }
    char c = major_minor[dot + 1];
    if (c < '0' || c > '9') {
        return 0;
    }
    return major * 10 + (c - '0');
}

} // namespace escprov::emulator
