#pragma once
// Factories of the subcommands, one per src/commands/<name>.cpp.

#include "cli/command.hpp"

#include <memory>

namespace escprov::commands {

std::unique_ptr<cli::Command> make_apply();
std::unique_ptr<cli::Command> make_backup();
std::unique_ptr<cli::Command> make_bundle();
std::unique_ptr<cli::Command> make_check();
std::unique_ptr<cli::Command> make_describe();
std::unique_ptr<cli::Command> make_export();
std::unique_ptr<cli::Command> make_import();
std::unique_ptr<cli::Command> make_info();
std::unique_ptr<cli::Command> make_merge();
std::unique_ptr<cli::Command> make_pack();
std::unique_ptr<cli::Command> make_package();
std::unique_ptr<cli::Command> make_profile();
std::unique_ptr<cli::Command> make_provision();
std::unique_ptr<cli::Command> make_restore();
std::unique_ptr<cli::Command> make_unpack();
std::unique_ptr<cli::Command> make_validate();

} // namespace escprov::commands
