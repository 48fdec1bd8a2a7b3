#pragma once
// Other/escprov-targets.txt of the connector's tree: which CRM versions take which component, as
// the connector reads it (connector::TargetRanges), in describe's terms.

#include "connector/connector.hpp"
#include "describe/model.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace escprov::describe {

class TargetTable {
public:
    // The range listed for `kind` ("entity", "appmodule", "appmodulesitemap", "orgsitemap") and
    // `name` (compared ignoring ASCII case; "-" for orgsitemap), or nullopt when not listed.
    std::optional<VersionRange> find(const std::string& kind, const std::string& name) const;

    explicit TargetTable(connector::TargetRanges ranges) : m_ranges(std::move(ranges)) {}

private:
    connector::TargetRanges m_ranges;
};

// Reads `tree`'s Other/escprov-targets.txt; an absent file is an empty table. Throws Error(input)
// naming the file and line of a malformed row.
TargetTable read_targets(const std::filesystem::path& tree);

// "5.0 - 8.2", "9.0 and later", "up to 8.2", "every version" for a range or its absence.
std::string range_text(const std::optional<VersionRange>& range);

} // namespace escprov::describe
