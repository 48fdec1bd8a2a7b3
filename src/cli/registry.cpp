#include "cli/registry.hpp"

#include "commands/commands.hpp"
#include "util/build_info_access.hpp"

#include <algorithm>
#include <sstream>

namespace escprov::cli {

const std::vector<CommandEntry>& command_table()
{
    // Keep in alphabetical order: `escprov help` lists them as they stand here. One command per
    // line reads as a table, which clang-format would fold.
    // clang-format off
    static const std::vector<CommandEntry> table = {
        {"apply", commands::make_apply},
        {"backup", commands::make_backup},
        {"bundle", commands::make_bundle},
        {"check", commands::make_check},
        {"describe", commands::make_describe},
        {"export", commands::make_export},
        {"import", commands::make_import},
        {"info", commands::make_info},
        {"merge", commands::make_merge},
        {"pack", commands::make_pack},
        {"package", commands::make_package},
        {"profile", commands::make_profile},
        {"provision", commands::make_provision},
        {"restore", commands::make_restore},
        {"unpack", commands::make_unpack},
        {"validate", commands::make_validate},
    };
    // clang-format on
    return table;
}

std::unique_ptr<Command> make_command(std::string_view name)
{
    for (const auto& entry : command_table()) {
        if (entry.name == name) {
            return entry.make();
        }
    }
    return nullptr;
}

namespace {
size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}
} // namespace

std::string_view suggest_command(std::string_view name)
{
    std::string_view best;
    size_t best_distance = 3;
    for (const auto& entry : command_table()) {
        size_t distance = edit_distance(name, entry.name);
        if (distance < best_distance) {
            best_distance = distance;
            best = entry.name;
        }
    }
    return best;
}

std::string general_help()
{
    std::ostringstream out;
    out << "escprov " << version_string()
        << " - provision Dynamics CRM / Dataverse organisations for the Email Service Connector\n\n"
        << "Usage: escprov COMMAND [OPTIONS] [ARGS]\n"
        << "       escprov help COMMAND | escprov COMMAND --help\n"
        << "       escprov --version\n\n"
        << "Commands:\n";
    for (const auto& entry : command_table()) {
        auto command = entry.make();
        out << "  " << entry.name << std::string(12 - std::min<size_t>(entry.name.size(), 11), ' ')
            << command->synopsis() << "\n";
    }
    out << "\n" << exit_code_table();
    return out.str();
}

} // namespace escprov::cli
