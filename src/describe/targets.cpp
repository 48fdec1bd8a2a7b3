#include "describe/targets.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <sstream>

namespace escprov::describe {

std::optional<VersionRange> TargetTable::find(const std::string& kind, const std::string& name) const
{
    auto found = m_ranges.find({kind, ascii_lower(name)});
    if (found == m_ranges.end()) {
        return std::nullopt;
    }
    return found->second;
}

void TargetTable::add(const std::string& kind, const std::string& name, VersionRange range)
{
    m_ranges[{kind, ascii_lower(name)}] = std::move(range);
}

TargetTable read_targets(const std::filesystem::path& file)
{
    TargetTable table;
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
        return table;
    }
    std::istringstream lines(read_file(file));
    std::string line;
    size_t number = 0;
    while (std::getline(lines, line)) {
        ++number;
        line = trimmed(line.substr(0, line.find('#')));
        if (line.empty()) {
            continue;
        }
        std::istringstream fields(line);
        std::string kind, name, from, until, extra;
        if (!(fields >> kind >> name >> from >> until) || (fields >> extra)) {
            throw_input("describe: read '" + file.string() + "' line " + std::to_string(number) +
                        ": expected four fields 'kind name from until', got '" + line + "'");
        }
        table.add(kind, name, {from == "-" ? "" : from, until == "-" ? "" : until});
    }
    return table;
}

std::string range_text(const std::optional<VersionRange>& range)
{
    if (!range || (range->from.empty() && range->until.empty())) {
        return "every version";
    }
    if (range->until.empty()) {
        return range->from + " and later";
    }
    if (range->from.empty()) {
        return "up to " + range->until;
    }
    return range->from + " - " + range->until;
}

} // namespace escprov::describe
