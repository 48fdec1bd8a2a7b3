#include "cli/limit_options.hpp"

#include "util/error.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <charconv>

namespace escprov::cli {

namespace po = boost::program_options;

uint64_t parse_size(const std::string& text, const std::string& option)
{
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data()) {
        throw_usage("--" + option + ": '" + text + "' is not a size (examples: 4G, 64M, 512K, 1000)");
    }
    std::string_view suffix(end, static_cast<size_t>(text.data() + text.size() - end));
    uint64_t scale = 1;
    if (suffix == "K" || suffix == "k") {
        scale = 1ull << 10;
    } else if (suffix == "M" || suffix == "m") {
        scale = 1ull << 20;
    } else if (suffix == "G" || suffix == "g") {
        scale = 1ull << 30;
    } else if (!suffix.empty()) {
        throw_usage("--" + option + ": unknown size suffix '" + std::string(suffix) + "' (use K, M or G)");
    }
    if (value > UINT64_MAX / scale) {
        throw_usage("--" + option + ": '" + text + "' is too large");
    }
    return value * scale;
}

void LimitOptions::add_to(po::options_description& options)
{
    po::options_description group("Safety limits", 100, 50);
    // One option per line reads as a table, which clang-format would fold.
    // clang-format off
    group.add_options()
        ("max-total-size", po::value(&m_max_total)->default_value(m_max_total),
             "refuse zips whose entries add up to more than this")
        ("max-ratio", po::value(&m_max_ratio)->default_value(m_max_ratio),
             "refuse zip entries over 1M that expand more than this many times")
        ("max-entries", po::value(&m_max_entries)->default_value(m_max_entries), "refuse zips with more entries")
        ("max-token", po::value(&m_max_token)->default_value(m_max_token),
             "refuse XML with a single text or attribute value longer than this")
        ("max-depth", po::value(&m_max_depth)->default_value(m_max_depth),
             "refuse XML whose elements nest deeper than this");
    // clang-format on
    options.add(group);
}

solution::InputLimits LimitOptions::limits() const
{
    solution::InputLimits limits;
    limits.zip.max_total_bytes = parse_size(m_max_total, "max-total-size");
    limits.zip.max_ratio = m_max_ratio;
    limits.zip.max_entries = m_max_entries;
    limits.xml.max_token_bytes = parse_size(m_max_token, "max-token");
    limits.xml.max_depth = m_max_depth;
    if (m_max_ratio < 1.0) {
        throw_usage("--max-ratio must be at least 1");
    }
    return limits;
}

} // namespace escprov::cli
