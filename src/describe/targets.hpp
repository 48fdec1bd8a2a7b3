#pragma once
// Other/escprov-targets.txt of the connector's tree: which CRM versions take which component.
// Lines are `kind name from until` ("-" for an open end); `#` starts a comment.

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
    void add(const std::string& kind, const std::string& name, VersionRange range);
    bool empty() const { return m_ranges.empty(); }

private:
    std::map<std::pair<std::string, std::string>, VersionRange> m_ranges;
};

// Reads `file`; an absent file is an empty table. Throws Error(input) naming the file and line
// when a line does not have four fields.
TargetTable read_targets(const std::filesystem::path& file);

// "5.0 - 8.2", "9.0 and later", "up to 8.2", "every version" for a range or its absence.
std::string range_text(const std::optional<VersionRange>& range);

} // namespace escprov::describe
