#pragma once
// One class per subcommand, all behind this interface, registered in cli/registry.cpp.
// parse() only reads the argument vector (unit-testable); run() does the work.

#include "util/error.hpp"

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::cli {

// Where a command writes: data to `out`, diagnostics and progress to `err`.
struct Context {
    std::ostream& out;
    std::ostream& err;
    bool err_is_terminal = false;
};

class Command {
public:
    virtual ~Command() = default;
    virtual std::string_view name() const = 0;
    virtual std::string_view synopsis() const = 0;    // one line for `escprov help`
    virtual std::string_view usage() const = 0;       // "escprov info [OPTIONS] SOLUTION"
    virtual std::string_view description() const = 0; // a paragraph for --help

    // Parses the arguments after the command name. Throws Error(usage) with a message that
    // names the bad option. Returns false when --help was asked for (nothing to run).
    bool parse(const std::vector<std::string>& args);
    virtual ExitCode run(Context& context) = 0;
    // The full --help text: usage, description, options and the exit-code table.
    std::string help() const;
    // True after parse() when -v was given.
    bool verbose() const { return m_verbose; }
    // Writes "option = value" for every option in effect (given or defaulted), sorted by name.
    void describe_options(std::ostream& out) const;

protected:
    Command();
    // Subclasses add their options and positionals in their constructors.
    boost::program_options::options_description& options() { return m_options; }
    boost::program_options::positional_options_description& positional() { return m_positional; }
    // Options that only positional arguments fill: parsed like options(), never shown by --help
    // (the usage line names them). A missing one is the subclass's to report in check_options().
    boost::program_options::options_description& positional_options() { return m_positional_options; }
    // Called after parsing, to check combinations; throws Error(usage).
    virtual void check_options() {}

    bool m_verbose = false;
    bool m_progress = false;
    bool m_no_progress = false;
    // True when progress should be drawn: forced on, or stderr is a terminal and not forced off.
    bool show_progress(const Context& context) const;

private:
    boost::program_options::options_description m_options;
    boost::program_options::positional_options_description m_positional;
    boost::program_options::options_description m_positional_options;
    bool m_help = false; // bound to --help; parse() reads the parsed value directly
    std::vector<std::pair<std::string, std::string>> m_effective; // for describe_options()
};

// The exit-code table, as printed by every --help and docs/exit-codes.md.
std::string_view exit_code_table();

} // namespace escprov::cli
