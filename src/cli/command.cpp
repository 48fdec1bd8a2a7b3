#include "cli/command.hpp"

#include <boost/program_options/parsers.hpp>
#include <boost/program_options/variables_map.hpp>

#include <sstream>

namespace escprov::cli {

namespace po = boost::program_options;

std::string_view exit_code_table()
{
    return "Exit codes:\n"
           "  0    success (validate: no errors; warnings allowed unless --strict)\n"
           "  1    ran and found problems (validation findings), or failed while writing output\n"
           "  2    usage error, or an input that could not be read or checked at all\n"
           "       (missing file, not a zip, unsafe or hostile content, a safety limit hit)\n"
           "  130  interrupted (Ctrl-C); no partial output is left behind\n";
}

Command::Command() : m_options("Options", 100, 50)
{
    m_options.add_options()
        ("help,h", po::bool_switch(&m_help), "show this help and exit")
        ("verbose,v", po::bool_switch(&m_verbose), "print every option value in effect, then more detail")
        ("progress", po::bool_switch(&m_progress), "draw progress on stderr even when it is not a terminal")
        ("no-progress", po::bool_switch(&m_no_progress), "never draw progress");
}

bool Command::parse(const std::vector<std::string>& args)
{
    po::variables_map values;
    try {
        po::store(po::command_line_parser(args).options(m_options).positional(m_positional).run(), values);
        if (m_help) {
            return false;
        }
        po::notify(values);
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

std::string Command::help() const
{
    std::ostringstream out;
    out << "Usage: " << usage() << "\n\n" << description() << "\n\n" << m_options << "\n" << exit_code_table();
    return out.str();
}

} // namespace escprov::cli
