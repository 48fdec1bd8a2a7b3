#pragma once
// The connector's global option sets merged with installed ones (an upgrade), and the connector's
// option value range (publisher option value prefix 77263), which customer options must stay out of.

#include "merge/options.hpp"
#include "xml/node.hpp"

#include <optional>
#include <string>

namespace escprov::merge {

// The values the connector's publisher prefix 77263 gives its options.
inline constexpr long k_option_range_first = 772630000;
inline constexpr long k_option_range_last = 772639999;

// True for a value in [k_option_range_first, k_option_range_last].
bool in_connector_option_range(long value);

// The value attribute of an <option>, when it is a whole number.
std::optional<long> option_value(const xml::Attributes& attributes);

struct OptionSetMerge {
    xml::Node option_set;     // ours, plus the options only the installed set has (they may be in use)
    bool keep_theirs = false; // a conflict resolved "theirs": the installed set stays, ours is left out
    ReportEntries report;     // a conflict for each value both have with other labels
};

// `ours` is the connector's <optionset> named `name`, `theirs` the installed one. Each value both
// have with other labels is a conflict `on_conflict` resolves; the first resolved "theirs" keeps
// the installed option set as it is.
OptionSetMerge merge_option_set(const xml::Node& ours, const xml::Node& theirs, const std::string& name,
                                OnConflict on_conflict);

} // namespace escprov::merge
