#include "package/form_difference.hpp"

#include "connector/connector.hpp"

#include <string>
#include <vector>

namespace escprov::package {

namespace {

bool is_connector_tab(const xml::Node& node)
{
    const std::string* name = node.is_element() && node.name == "tab" ? node.attribute("name") : nullptr;
    return name != nullptr && connector::is_connector_name(*name);
}

// The element children of `node` named `name`, in order.
std::vector<xml::Node*> children_named(xml::Node& node, std::string_view name)
{
    std::vector<xml::Node*> found;
    for (auto& child : node.children) {
        if (child.is_element() && child.name == name) {
            found.push_back(&child);
        }
    }
    return found;
}

// Numbers an added tab's columns, sections and cells as real managed exports do.
void number_added_tab(xml::Node& tab)
{
    xml::Node* columns = tab.child("columns");
    if (columns == nullptr) {
        return;
    }
    size_t column_index = 0;
    for (xml::Node* column : children_named(*columns, "column")) {
        column->set_attribute("id", std::to_string(column_index++));
        xml::Node* sections = column->child("sections");
        if (sections == nullptr) {
            continue;
        }
        size_t section_index = 0;
        for (xml::Node* section : children_named(*sections, "section")) {
            section->set_attribute("ordinalvalue", std::to_string(section_index++));
            xml::Node* rows = section->child("rows");
            if (rows == nullptr) {
                continue;
            }
            size_t running = 0;
            for (xml::Node* row : children_named(*rows, "row")) {
                size_t place = 0;
                for (xml::Node* cell : children_named(*row, "cell")) {
                    cell->set_attribute("ordinalvalue", std::to_string((place + 1) * 10000 + running));
                    ++place;
                    ++running;
                }
            }
        }
    }
}

} // namespace

std::optional<xml::Node> connector_form_difference(const xml::Node& systemform)
{
    const xml::Node* form = systemform.child("form");
    const xml::Node* tabs = form != nullptr ? form->child("tabs") : nullptr;
    if (tabs == nullptr) {
        return std::nullopt;
    }
    xml::Node added_tabs = xml::make_element("tabs");
    size_t position = 0;
    for (const auto& child : tabs->children) {
        if (!child.is_element() || child.name != "tab") {
            continue;
        }
        if (is_connector_tab(child)) {
            xml::Node tab = child;
            number_added_tab(tab);
            tab.set_attribute("ordinalvalue", std::to_string(position));
            tab.set_attribute("solutionaction", "Added");
            xml::append_on_own_line(added_tabs, std::move(tab));
        }
        ++position;
    }
    if (!added_tabs.has_element_children()) {
        return std::nullopt;
    }
    xml::Node difference_form = xml::make_element("form", form->attributes);
    xml::append_on_own_line(difference_form, std::move(added_tabs));

    // The form's identity and settings before <form>, its names after, as those exports keep them.
    xml::Node difference = xml::make_element("systemform", systemform.attributes);
    for (const char* name : {"formid", "IntroducedVersion", "FormPresentation", "FormActivationState"}) {
        if (const xml::Node* kept = systemform.child(name)) {
            xml::append_on_own_line(difference, *kept);
        }
    }
    xml::append_on_own_line(difference, std::move(difference_form));
    for (const char* name : {"LocalizedNames", "Descriptions"}) {
        if (const xml::Node* kept = systemform.child(name)) {
            xml::append_on_own_line(difference, *kept);
        }
    }
    return difference;
}

} // namespace escprov::package
