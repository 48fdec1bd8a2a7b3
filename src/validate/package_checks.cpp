#include "validate/package_checks.hpp"

#include "util/text.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace escprov::validate {

namespace {

std::string without_leading_slash(std::string_view name)
{
    while (!name.empty() && name.front() == '/') {
        name.remove_prefix(1);
    }
    return std::string(name);
}

} // namespace

void check_content_types(const std::string& content_types, const std::string& file,
                         const std::vector<std::string>& parts, Findings& findings)
{
    xml::MemorySource source(content_types, file);
    xml::Node types = xml::parse_document(source);
    std::set<std::string> defaults;
    std::set<std::string> overrides;
    for (const auto& child : types.children) {
        if (!child.is_element()) {
            continue;
        }
        if (child.name == "Default") {
            if (const std::string* extension = child.attribute("Extension")) {
                defaults.insert(ascii_lower(*extension));
            }
        } else if (child.name == "Override") {
            if (const std::string* part = child.attribute("PartName")) {
                overrides.insert(ascii_lower(without_leading_slash(*part)));
            }
        }
    }
    for (const auto& part : parts) {
        std::string key = ascii_lower(without_leading_slash(part));
        if (overrides.contains(key)) {
            continue;
        }
        std::string_view leaf = key;
        leaf = leaf.substr(leaf.rfind('/') == std::string_view::npos ? 0 : leaf.rfind('/') + 1);
        size_t dot = leaf.rfind('.');
        if (dot == std::string_view::npos || dot + 1 == leaf.size()) {
            std::string message = "part '" + part + "' has no extension and no <Override PartName=\"/";
            message += part;
            message += "\"> in [Content_Types].xml";
            findings.add("ESC-CT-003", file, message);
        } else if (!defaults.contains(std::string(leaf.substr(dot + 1)))) {
            findings.add("ESC-CT-002", file,
                         "part '" + part + "' has the extension '" + std::string(leaf.substr(dot + 1)) +
                             "', which has no <Default Extension=...> in [Content_Types].xml");
        }
    }
}

} // namespace escprov::validate
