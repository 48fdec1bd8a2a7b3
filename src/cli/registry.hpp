#pragma once
// The table of subcommands. It drives dispatch, `escprov help`, the --help smoke tests and
// the docs check, so a command exists in all of them or in none.

#include "cli/command.hpp"

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace escprov::cli {

struct CommandEntry {
    std::string_view name;
    std::function<std::unique_ptr<Command>()> make;
};

const std::vector<CommandEntry>& command_table();

// The command called `name`, or nullptr.
std::unique_ptr<Command> make_command(std::string_view name);

// The registered name closest to `name` (edit distance <= 2), or "" when none is close.
std::string_view suggest_command(std::string_view name);

// The text of `escprov --help`.
std::string general_help();

} // namespace escprov::cli
