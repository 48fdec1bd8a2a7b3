#include "connector/templates.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

#include <sstream>

namespace escprov::connector {

namespace {

std::string escaped(std::string_view text)
{
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

std::vector<std::string> split_tabs(const std::string& line)
{
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
        size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) {
            return fields;
        }
        start = tab + 1;
    }
}

std::vector<VersionStamp> read_stamps(const std::filesystem::path& file)
{
    std::vector<VersionStamp> stamps;
    for (auto& row : read_table(file, 3, "target, root, customizations")) {
        if (!solution::parse_crm_version(row.fields[0])) {
            throw_input(quoted(file) + " line " + std::to_string(row.line) + ": '" + row.fields[0] +
                        "' is not a CRM version");
        }
        stamps.push_back({std::move(row.fields[0]), std::move(row.fields[1]), std::move(row.fields[2])});
    }
    return stamps;
}

} // namespace

std::vector<TableRow> read_table(const std::filesystem::path& file, size_t columns, std::string_view names)
{
    std::istringstream lines(read_file(file));
    std::vector<TableRow> rows;
    std::string line;
    size_t number = 0;
    while (std::getline(lines, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (is_blank(line) || line.front() == '#') {
            continue;
        }
        std::vector<std::string> fields = split_tabs(line);
        if (fields.size() != columns) {
            throw_input(quoted(file) + " line " + std::to_string(number) + ": expected " + std::to_string(columns) +
                        " tab-separated columns: " + std::string(names));
        }
        rows.push_back({number, std::move(fields)});
    }
    return rows;
}

std::string render_template(const std::filesystem::path& file, const TemplateValues& values)
{
    std::string text = read_file(file);
    std::string out;
    size_t at = 0;
    while (true) {
        size_t open = text.find("{{", at);
        if (open == std::string::npos) {
            out.append(text, at);
            return out;
        }
        size_t close = text.find("}}", open + 2);
        if (close == std::string::npos) {
            throw_input("template " + quoted(file) + ": a placeholder opened with {{ is not closed");
        }
        out.append(text, at, open - at);
        std::string name = trimmed(std::string_view(text).substr(open + 2, close - open - 2));
        auto value = values.find(name);
        if (value == values.end()) {
            throw_input("template " + quoted(file) + ": no value for placeholder {{" + name + "}}");
        }
        out += name.ends_with(".raw") ? value->second : escaped(value->second);
        at = close + 2;
    }
}

VersionStamp version_stamp(const std::filesystem::path& versions_tsv, const solution::CrmVersion& target)
{
    std::vector<VersionStamp> stamps = read_stamps(versions_tsv);
    std::string known;
    for (const auto& stamp : stamps) {
        if (solution::parse_crm_version(stamp.target)->text == target.text) {
            return stamp;
        }
        known += (known.empty() ? "" : ", ") + stamp.target;
    }
    throw_usage("target version " + target.text + " is not one the connector is built for (" + known + ")");
}

std::vector<std::string> supported_targets(const std::filesystem::path& versions_tsv)
{
    std::vector<std::string> targets;
    for (const auto& stamp : read_stamps(versions_tsv)) {
        targets.push_back(stamp.target);
    }
    return targets;
}

} // namespace escprov::connector
