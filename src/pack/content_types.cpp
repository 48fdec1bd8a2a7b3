#include "pack/content_types.hpp"

#include "util/text.hpp"
#include "xml/node.hpp"
#include "xml/writer.hpp"

#include <algorithm>
#include <set>

namespace escprov::pack {

namespace {

constexpr std::string_view k_namespace = "http://schemas.openxmlformats.org/package/2006/content-types";
constexpr std::string_view k_octet_stream = "application/octet-stream";

// The extension of the last path segment, or "" when it has none.
std::string extension_of(std::string_view part)
{
    std::string_view leaf = part.substr(part.rfind('/') + 1);
    size_t dot = leaf.rfind('.');
    return dot == std::string_view::npos ? std::string() : std::string(leaf.substr(dot + 1));
}

struct Entry {
    bool is_default = true;
    std::string key; // extension, or part name with leading '/'
    std::string content_type;
};

} // namespace

std::string make_content_types(const std::vector<std::string>& parts, const std::optional<std::string>& recorded)
{
    std::vector<Entry> entries;
    std::set<std::string> extensions; // lower case
    std::set<std::string> overrides;
    std::set<std::string> present;
    for (const auto& part : parts) {
        present.insert("/" + part);
    }
    if (recorded) {
        xml::MemorySource source(*recorded, "[Content_Types].xml");
        xml::Node types = xml::parse_document(source);
        for (const auto& child : types.children) {
            const std::string* type = child.is_element() ? child.attribute("ContentType") : nullptr;
            std::string content_type = type != nullptr ? *type : std::string(k_octet_stream);
            if (child.name == "Default" && child.attribute("Extension") != nullptr) {
                entries.push_back({true, *child.attribute("Extension"), content_type});
                extensions.insert(ascii_lower(*child.attribute("Extension")));
            } else if (child.name == "Override" && child.attribute("PartName") != nullptr &&
                       present.count(*child.attribute("PartName")) != 0) {
                entries.push_back({false, *child.attribute("PartName"), content_type});
                overrides.insert(*child.attribute("PartName"));
            }
        }
    } else {
        entries.push_back({true, "xml", std::string(k_octet_stream)});
        extensions.insert("xml");
    }
    for (const auto& part : parts) {
        std::string extension = extension_of(part);
        if (extension.empty()) {
            if (overrides.insert("/" + part).second) {
                entries.push_back({false, "/" + part, std::string(k_octet_stream)});
            }
        } else if (extensions.insert(ascii_lower(extension)).second) {
            entries.push_back({true, extension, std::string(k_octet_stream)});
        }
    }
    std::string out = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><Types xmlns=\"";
    out += k_namespace;
    out += "\">";
    for (const auto& entry : entries) {
        out += entry.is_default ? "<Default Extension=\"" : "<Override PartName=\"";
        xml::escape_attribute(out, entry.key);
        out += "\" ContentType=\"";
        xml::escape_attribute(out, entry.content_type);
        out += "\" />";
    }
    out += "</Types>";
    return out;
}

} // namespace escprov::pack
