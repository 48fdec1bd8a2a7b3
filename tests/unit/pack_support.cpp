#include "pack_support.hpp"

#include "xml/node.hpp"

#include <algorithm>

namespace escprov::test {

namespace {

bool blank(const std::string& text)
{
    return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

// Children that C14N-after-whitespace-stripping keeps, with adjacent text merged.
std::vector<xml::Node> significant(const xml::Node& node)
{
    std::vector<xml::Node> kept;
    for (const auto& child : node.children) {
        bool is_text = child.kind == xml::NodeKind::text || child.kind == xml::NodeKind::cdata;
        if (is_text && !kept.empty() && kept.back().kind == xml::NodeKind::text) {
            kept.back().text += child.text;
            continue;
        }
        xml::Node copy = child;
        if (is_text) {
            copy.kind = xml::NodeKind::text;
        }
        kept.push_back(std::move(copy));
    }
    kept.erase(std::remove_if(kept.begin(), kept.end(),
                              [](const xml::Node& n) { return n.kind == xml::NodeKind::text && blank(n.text); }),
               kept.end());
    return kept;
}

std::string compare(const xml::Node& a, const xml::Node& b, const std::string& path)
{
    if (a.kind != b.kind || a.name != b.name) {
        return path + ": <" + a.name + "> versus <" + b.name + ">";
    }
    if (a.kind != xml::NodeKind::element) {
        return a.text == b.text ? ""
                                : path + ": text '" + a.text.substr(0, 80) + "' versus '" + b.text.substr(0, 80) + "'";
    }
    auto sorted = [](xml::Attributes attributes) {
        std::sort(attributes.begin(), attributes.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
        return attributes;
    };
    auto left_attributes = sorted(a.attributes);
    auto right_attributes = sorted(b.attributes);
    if (left_attributes.size() != right_attributes.size()) {
        return path + "/" + a.name + ": attribute count differs";
    }
    for (size_t i = 0; i < left_attributes.size(); ++i) {
        if (left_attributes[i].name != right_attributes[i].name ||
            left_attributes[i].value != right_attributes[i].value) {
            return path + "/" + a.name + ": attribute " + left_attributes[i].name + " differs";
        }
    }
    auto left = significant(a);
    auto right = significant(b);
    for (size_t i = 0; i < std::min(left.size(), right.size()); ++i) {
        std::string difference = compare(left[i], right[i], path + "/" + a.name + "[" + std::to_string(i) + "]");
        if (!difference.empty()) {
            return difference;
        }
    }
    if (left.size() != right.size()) {
        return path + "/" + a.name + ": " + std::to_string(left.size()) + " versus " + std::to_string(right.size()) +
               " children";
    }
    return "";
}

} // namespace

std::string canonical_difference(const std::string& left, const std::string& right)
{
    xml::MemorySource left_source(left, "left");
    xml::MemorySource right_source(right, "right");
    xml::Limits limits;
    limits.max_token_bytes = 1ull << 30;
    return compare(xml::parse_document(left_source, limits), xml::parse_document(right_source, limits), "");
}

std::vector<std::string> top_level_sections(const std::string& document)
{
    xml::MemorySource source(document, "document");
    xml::Node root = xml::parse_document(source);
    std::vector<std::string> names;
    for (const auto& child : root.children) {
        if (child.is_element()) {
            names.push_back(child.name);
        }
    }
    return names;
}

} // namespace escprov::test
