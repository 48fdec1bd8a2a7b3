#include "describe/targets.hpp"

namespace escprov::describe {

std::optional<VersionRange> TargetTable::find(const std::string& kind, const std::string& name) const
{
    auto range = m_ranges.range(kind, name);
    if (!range) {
        return std::nullopt;
    }
    return VersionRange{range->first, range->second};
}

TargetTable read_targets(const std::filesystem::path& tree)
{
    return TargetTable(connector::TargetRanges::read(tree));
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
