#include "cli/command.hpp"

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/variables_map.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <ostream>
#include <sstream>

namespace escprov::cli {

namespace po = boost::program_options;

namespace {
// Renders the value types our options use; anything else is shown as "(set)".
std::string describe_value(const boost::any& value)
{
    if (const auto* text = boost::any_cast<std::string>(&value)) {
        return *text;
    }
    if (const auto* list = boost::any_cast<std::vector<std::string>>(&value)) {
        std::string joined;
        for (const auto& item : *list) {
            joined += (joined.empty() ? "" : " ") + item;
        }
        return joined;
    }
    if (const auto* flag = boost::any_cast<bool>(&value)) {
        return *flag ? "true" : "false";
    }
    if (const auto* number = boost::any_cast<double>(&value)) {
        return std::to_string(*number);
    }
    if (const auto* number = boost::any_cast<uint64_t>(&value)) {
        return std::to_string(*number);
    }
    if (const auto* number = boost::any_cast<size_t>(&value)) {
        return std::to_string(*number);
    }
    if (const auto* number = boost::any_cast<int>(&value)) {
        return std::to_string(*number);
    }
    return "(set)";
}

// The first positional argument in `args` past the `taken` ones a command accepts, or "" when it
// cannot be told. Parsing without a positional description keeps positionals as unnamed options.
std::string extra_positional(const std::vector<std::string>& args, const po::options_description& all, unsigned taken)
{
    try {
        po::parsed_options parsed = po::command_line_parser(args).options(all).run();
        unsigned position = 0;
        for (const auto& option : parsed.options) {
            if (option.position_key < 0) {
                continue;
            }
            if (position++ == taken && !option.original_tokens.empty()) {
                return option.original_tokens.front();
            }
        }
    } catch (const po::error&) {
    }
    return {};
}
} // namespace

std::string_view exit_code_table()
{
    return "Exit codes:\n"
           "  0    success (validate: no errors; warnings allowed unless --strict)\n"
           "  1    ran and found problems (validation findings, a failed check or import), or failed\n"
           "       while working: writing output, or an org refused a request or could not be reached\n"
           "  2    usage error, or an input that could not be read or checked at all\n"
           "       (missing file, not a zip, unsafe or hostile content, a safety limit hit)\n"
           "  130  interrupted (Ctrl-C); no partial output is left behind\n";
}

Command::Command() : m_options("Options", 100, 50)
{
    // One option per line reads as a table, which clang-format would fold.
    // clang-format off
    m_options.add_options()
        ("help,h", po::bool_switch(&m_help), "show this help and exit")
        ("verbose,v", po::bool_switch(&m_verbose), "print every option value in effect, then more detail")
        ("progress", po::bool_switch(&m_progress), "draw progress on stderr even when it is not a terminal")
        ("no-progress", po::bool_switch(&m_no_progress), "never draw progress");
    // clang-format on
}

bool Command::parse(const std::vector<std::string>& args)
{
    po::variables_map values;
    po::options_description all;
    all.add(m_options).add(m_positional_options);
    try {
        po::store(po::command_line_parser(args).options(all).positional(m_positional).run(), values);
        // bool_switch values land in their variables only at notify(), which would first
        // complain about missing required arguments; --help must win over that.
        if (values.count("help") != 0 && values["help"].as<bool>()) {
            return false;
        }
        po::notify(values);
        m_effective.clear();
        for (const auto& [key, value] : values) {
            m_effective.emplace_back(key, describe_value(value.value()));
        }
    } catch (const po::required_option& e) {
        // A positional argument is named as the usage line names it, not as the hidden option.
        std::string option = e.get_option_name();
        std::string bare = option.starts_with("--") ? option.substr(2) : option;
        if (m_positional_options.find_nothrow(bare, false) != nullptr) {
            std::transform(bare.begin(), bare.end(), bare.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            throw_usage(std::string(name()) + ": missing " + bare + " (see --help)");
        }
        throw_usage(std::string(name()) + ": " + e.what());
    } catch (const po::too_many_positional_options_error&) {
        // Boost does not say which argument was one too many; find it by parsing without positionals.
        std::string extra = extra_positional(args, all, m_positional.max_total_count());
        throw_usage(std::string(name()) + ": unexpected argument" + (extra.empty() ? "" : " '" + extra + "'") +
                    " (usage: " + std::string(usage()) + ")");
    } catch (const po::error& e) {
        throw_usage(std::string(name()) + ": " + e.what());
    }
    if (m_progress && m_no_progress) {
        throw_usage(std::string(name()) + ": --progress and --no-progress exclude each other");
    }
    check_options();
    return true;
}

bool Command::show_progress(const Context& context) const
{
    if (m_no_progress) {
        return false;
    }
    return m_progress || context.err_is_terminal;
}

void Command::describe_options(std::ostream& out) const
{
    out << "escprov " << name() << ": options in effect:\n";
    for (const auto& [key, value] : m_effective) {
        out << "  --" << key << " = " << value << "\n";
    }
}

std::string Command::help() const
{
    std::ostringstream out;
    out << "Usage: " << usage() << "\n\n" << description() << "\n\n" << m_options << "\n" << exit_code_table();
    return out.str();
}

} // namespace escprov::cli
