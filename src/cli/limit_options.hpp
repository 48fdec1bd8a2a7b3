#pragma once
// The --max-* options every command that reads solutions shares: the safety limits against
// zip bombs, deep nesting and giant tokens. Defaults suit real exports up to several GB.

#include "solution/input.hpp"

#include <boost/program_options/options_description.hpp>

#include <cstdint>
#include <string>

namespace escprov::cli {

// Parses "4G", "64M", "512K" or plain bytes. Throws Error(usage) naming `option`.
uint64_t parse_size(const std::string& text, const std::string& option);

class LimitOptions {
public:
    // Adds the options to `options`; values land in this object.
    void add_to(boost::program_options::options_description& options);
    // Converts the parsed strings into limits. Throws Error(usage).
    solution::InputLimits limits() const;

private:
    std::string m_max_total = "4G";
    std::string m_max_token = "16M";
    double m_max_ratio = 500.0;
    uint64_t m_max_entries = 100000;
    size_t m_max_depth = 1000;
};

} // namespace escprov::cli
