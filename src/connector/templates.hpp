#pragma once
// The connector's templates (templates/): XML fragments with `{{name}}` placeholders that are
// filled per target version. Values are XML-escaped when inserted, except for names ending in
// ".raw", which are markup (attribute lists) and go in as they are.

#include "solution/manifest.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::connector {

using TemplateValues = std::map<std::string, std::string, std::less<>>;

// The text of `file` with every placeholder replaced. Throws Error(input) naming the file and the
// placeholder when a placeholder has no value or is not closed.
std::string render_template(const std::filesystem::path& file, const TemplateValues& values);

// One row of a tab-separated table in templates/ (versions.tsv, instructions/wording.tsv).
struct TableRow {
    size_t line = 0; // 1-based, for messages
    std::vector<std::string> fields;
};

// The rows of a table file: lines split at tabs, CRLF accepted, blank lines and lines starting with
// '#' skipped. Throws Error(input) naming the file and line when a row has not exactly `columns`
// fields (`names` lists them for the message: "target, root, customizations"), or the file is missing.
std::vector<TableRow> read_table(const std::filesystem::path& file, size_t columns, std::string_view names);

// One row of templates/versions.tsv: what an export from that CRM version writes on the roots.
struct VersionStamp {
    std::string target;         // "9.2"
    std::string root;           // attributes of solution.xml's ImportExportXml
    std::string customizations; // attributes of customizations.xml's ImportExportXml
};

// The row for `target` (by major.minor). Throws Error(usage) listing the supported versions when
// the file has no such row, Error(input) when the file is missing or malformed.
VersionStamp version_stamp(const std::filesystem::path& versions_tsv, const solution::CrmVersion& target);

// Every target versions.tsv lists, in file order ("5.0", ..., "9.2").
std::vector<std::string> supported_targets(const std::filesystem::path& versions_tsv);

} // namespace escprov::connector
