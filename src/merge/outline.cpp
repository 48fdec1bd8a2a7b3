#include "merge/outline.hpp"

#include "util/text.hpp"

#include <set>

namespace escprov::merge {

namespace {

// The first title or label text of a node, for a readable line.
std::string title_of(const xml::Node& node)
{
    for (std::string_view list : {"Titles", "labels"}) {
        if (const xml::Node* titles = node.child(list)) {
            for (const auto& title : titles->children) {
                if (!title.is_element()) {
                    continue;
                }
                for (std::string_view attribute : {"Title", "description"}) {
                    if (const std::string* text = title.attribute(attribute)) {
                        return *text;
                    }
                }
            }
        }
    }
    return {};
}

std::string line_label(std::string_view kind, const xml::Node& node, std::string_view id_attribute)
{
    const std::string* id = node.attribute(id_attribute);
    const std::string* name = node.attribute("name");
    std::string label = std::string(kind) + " " + (id != nullptr ? *id : name != nullptr ? *name : std::string("?"));
    if (name != nullptr && id != nullptr && id_attribute == "id") {
        label = std::string(kind) + " " + *name;
    }
    std::string title = title_of(node);
    if (!title.empty()) {
        label += " (" + title + ")";
    }
    return label;
}

} // namespace

std::vector<OutlineLine> sitemap_outline(const xml::Node& sitemap)
{
    std::vector<OutlineLine> lines;
    for (const xml::Node* area : sitemap.children_named("Area")) {
        lines.push_back({0, line_label("Area", *area, "Id"), false});
        for (const xml::Node* group : area->children_named("Group")) {
            lines.push_back({1, line_label("Group", *group, "Id"), false});
            for (const xml::Node* subarea : group->children_named("SubArea")) {
                lines.push_back({2, line_label("SubArea", *subarea, "Id"), false});
            }
        }
    }
    return lines;
}

std::vector<OutlineLine> form_outline(const xml::Node& form)
{
    std::vector<OutlineLine> lines;
    const xml::Node* body = form.child("form");
    const xml::Node* tabs = body != nullptr ? body->child("tabs") : nullptr;
    if (tabs == nullptr) {
        return lines;
    }
    for (const xml::Node* tab : tabs->children_named("tab")) {
        lines.push_back({0, line_label("tab", *tab, "id"), false});
        const xml::Node* columns = tab->child("columns");
        if (columns == nullptr) {
            continue;
        }
        for (const xml::Node* column : columns->children_named("column")) {
            const xml::Node* sections = column->child("sections");
            if (sections == nullptr) {
                continue;
            }
            for (const xml::Node* section : sections->children_named("section")) {
                lines.push_back({1, line_label("section", *section, "id"), false});
            }
        }
    }
    return lines;
}

Outline make_outline(std::string title, std::vector<OutlineLine> before, std::vector<OutlineLine> after)
{
    auto paths = [](const std::vector<OutlineLine>& lines) {
        std::multiset<std::string> result;
        std::vector<std::string> stack;
        for (const auto& line : lines) {
            stack.resize(static_cast<size_t>(line.depth));
            stack.push_back(line.label);
            std::string path;
            for (const auto& part : stack) {
                path += part + "\n";
            }
            result.insert(path);
        }
        return result;
    };
    std::multiset<std::string> existing = paths(before);
    std::vector<std::string> stack;
    for (auto& line : after) {
        stack.resize(static_cast<size_t>(line.depth));
        stack.push_back(line.label);
        std::string path;
        for (const auto& part : stack) {
            path += part + "\n";
        }
        auto found = existing.find(path);
        if (found != existing.end()) {
            existing.erase(found);
        } else {
            line.added = true;
        }
    }
    return Outline{std::move(title), std::move(before), std::move(after)};
}

} // namespace escprov::merge
