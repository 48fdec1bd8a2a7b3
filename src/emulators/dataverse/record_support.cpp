#include "emulators/dataverse/record_support.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <mutex>
#include <random>

namespace escprov::emulator {

namespace {

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

char lower(char c)
{
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string trim(std::string_view text)
{
    auto begin = text.find_first_not_of(" \t");
    if (begin == std::string_view::npos) {
        return {};
    }
    auto end = text.find_last_not_of(" \t");
    return std::string(text.substr(begin, end - begin + 1));
}

// A number held by a JSON value, or by a string that spells one whole.
std::optional<double> as_number(const nlohmann::json& value)
{
    if (value.is_number()) {
        return value.get<double>();
    }
    if (!value.is_string()) {
        return std::nullopt;
    }
    const auto& text = value.get_ref<const std::string&>();
    double number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return number;
}

std::optional<bool> as_bool(const nlohmann::json& value)
{
    if (value.is_boolean()) {
        return value.get<bool>();
    }
    if (value.is_number_integer()) {
        return value.get<long long>() != 0;
    }
    if (value.is_string()) {
        std::string text = value.get<std::string>();
        std::transform(text.begin(), text.end(), text.begin(), lower);
        if (text == "true" || text == "1") {
            return true;
        }
        if (text == "false" || text == "0") {
            return false;
        }
    }
    return std::nullopt;
}

} // namespace

void throw_bad_request(const std::string& message)
{
    throw RequestError(400, k_code_bad_request, message);
}

std::string url_decode(std::string_view text, bool plus_is_space)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            int high = hex_value(text[i + 1]);
            int low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

std::string url_encode(std::string_view text)
{
    static constexpr std::array<char, 16> k_hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                   '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string out;
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(k_hex.at(byte >> 4U));
            out.push_back(k_hex.at(byte & 0x0FU));
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parse_query_string(std::string_view raw)
{
    std::vector<std::pair<std::string, std::string>> pairs;
    size_t start = 0;
    while (start <= raw.size()) {
        size_t end = raw.find('&', start);
        if (end == std::string_view::npos) {
            end = raw.size();
        }
        std::string_view item = raw.substr(start, end - start);
        if (!item.empty()) {
            size_t equals = item.find('=');
            std::string_view name = item.substr(0, equals);
            std::string_view value = equals == std::string_view::npos ? std::string_view() : item.substr(equals + 1);
            pairs.emplace_back(url_decode(name, true), url_decode(value, true));
        }
        start = end + 1;
    }
    return pairs;
}

bool is_guid(std::string_view text)
{
    if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
        text = text.substr(1, 36);
    }
    if (text.size() != 36) {
        return false;
    }
    for (size_t i = 0; i < text.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : hex_value(text[i]) < 0) {
            return false;
        }
    }
    return true;
}

std::string normalise_guid(std::string_view text)
{
    if (!text.empty() && text.front() == '{') {
        text = text.substr(1, text.size() - 2);
    }
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

std::string random_guid()
{
    static std::mutex mutex;
    static std::mt19937_64 engine{std::random_device{}()};
    std::array<uint64_t, 2> halves{};
    {
        std::lock_guard lock(mutex);
        halves = {engine(), engine()};
    }
    halves[0] = (halves[0] & ~uint64_t{0xF000}) | uint64_t{0x4000};             // version 4
    halves[1] = (halves[1] & ~(uint64_t{0xC} << 60U)) | (uint64_t{0x8} << 60U); // RFC 4122 variant
    static constexpr std::array<char, 16> k_hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                   '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string out;
    for (int half = 0; half < 2; ++half) {
        for (int nibble = 15; nibble >= 0; --nibble) {
            out.push_back(k_hex.at((halves.at(half) >> (4U * static_cast<unsigned>(nibble))) & 0xFU));
        }
    }
    out.insert(20, "-");
    out.insert(16, "-");
    out.insert(12, "-");
    out.insert(8, "-");
    return out;
}

bool Preferences::wants_annotation(std::string_view name) const
{
    return std::any_of(annotations.begin(), annotations.end(), [&](const std::string& asked) {
        if (asked == "*" || asked == name) {
            return true;
        }
        // "Microsoft.Dynamics.CRM.*" asks for every annotation in that namespace.
        return asked.size() > 1 && asked.back() == '*' &&
               name.substr(0, asked.size() - 1) == asked.substr(0, asked.size() - 1);
    });
}

Preferences parse_prefer(const HttpRequest& request)
{
    Preferences preferences;
    auto [first, last] = request.headers.equal_range("prefer");
    for (auto it = first; it != last; ++it) {
        // Preferences are separated by commas, but the annotation list inside quotes has commas too.
        std::vector<std::string> items;
        std::string current;
        bool quoted = false;
        for (char c : it->second) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                items.push_back(trim(current));
                current.clear();
            } else {
                current.push_back(c);
            }
        }
        items.push_back(trim(current));
        for (const auto& item : items) {
            auto equals = item.find('=');
            std::string name = trim(item.substr(0, equals));
            std::string value = equals == std::string::npos ? std::string() : trim(item.substr(equals + 1));
            value.erase(std::remove(value.begin(), value.end(), '"'), value.end());
            if (name == "odata.maxpagesize") {
                size_t size = 0;
                auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), size);
                if (error == std::errc() && end == value.data() + value.size()) {
                    preferences.max_page_size = size;
                }
            } else if (name == "return" && value == "representation") {
                preferences.return_representation = true;
            } else if (name == "odata.continue-on-error") {
                preferences.continue_on_error = true;
            } else if (name == "odata.include-annotations") {
                size_t start = 0;
                while (start <= value.size()) {
                    size_t comma = value.find(',', start);
                    std::string annotation =
                        trim(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
                    if (!annotation.empty()) {
                        preferences.annotations.push_back(annotation);
                    }
                    if (comma == std::string::npos) {
                        break;
                    }
                    start = comma + 1;
                }
            }
        }
    }
    return preferences;
}

std::optional<int> compare_values(const nlohmann::json& a, const nlohmann::json& b)
{
    if (a.is_null() || b.is_null()) {
        return std::nullopt;
    }
    if (a.is_boolean() || b.is_boolean()) {
        auto left = as_bool(a);
        auto right = as_bool(b);
        if (!left || !right) {
            return std::nullopt;
        }
        return static_cast<int>(*left) - static_cast<int>(*right);
    }
    if (a.is_number() || b.is_number()) {
        auto left = as_number(a);
        auto right = as_number(b);
        if (!left || !right) {
            return std::nullopt;
        }
        return *left < *right ? -1 : (*right < *left ? 1 : 0);
    }
    if (a.is_string() && b.is_string()) {
        const auto& left = a.get_ref<const std::string&>();
        const auto& right = b.get_ref<const std::string&>();
        size_t common = std::min(left.size(), right.size());
        for (size_t i = 0; i < common; ++i) {
            char l = lower(left[i]);
            char r = lower(right[i]);
            if (l != r) {
                return static_cast<unsigned char>(l) < static_cast<unsigned char>(r) ? -1 : 1;
            }
        }
        return left.size() == right.size() ? 0 : (left.size() < right.size() ? -1 : 1);
    }
    return std::nullopt;
}

HttpResponse json_response(int status, const nlohmann::ordered_json& body)
{
    HttpResponse response;
    response.status = status;
    response.headers = {{"Content-Type", "application/json; odata.metadata=minimal"}, {"OData-Version", "4.0"}};
    response.body = body.dump();
    return response;
}

} // namespace escprov::emulator
