#include "merge/option_set.hpp"

#include <charconv>
#include <functional>
#include <map>

namespace escprov::merge {

namespace {

// Every option of an option set by value: its first label and the element.
std::map<long, std::pair<std::string, const xml::Node*>> options_of(const xml::Node& optionset)
{
    std::map<long, std::pair<std::string, const xml::Node*>> options;
    std::function<void(const xml::Node&)> visit = [&](const xml::Node& node) {
        for (const auto& child : node.children) {
            if (!child.is_element()) {
                continue;
            }
            if (child.name == "option") {
                if (auto value = option_value(child.attributes)) {
                    std::string label;
                    if (const xml::Node* labels = child.child("labels")) {
                        if (const xml::Node* first = labels->child("label")) {
                            const std::string* description = first->attribute("description");
                            label = description != nullptr ? *description : std::string();
                        }
                    }
                    options[*value] = {label, &child};
                }
                continue;
            }
            visit(child);
        }
    };
    visit(optionset);
    return options;
}

xml::Node* find_options_container(xml::Node& node)
{
    for (auto& child : node.children) {
        if (!child.is_element()) {
            continue;
        }
        if (child.name == "options") {
            return &child;
        }
        if (xml::Node* inner = find_options_container(child)) {
            return inner;
        }
    }
    return nullptr;
}

} // namespace

bool in_connector_option_range(long value)
{
    return value >= k_option_range_first && value <= k_option_range_last;
}

std::optional<long> option_value(const xml::Attributes& attributes)
{
    const std::string* text = xml::find_attribute(attributes, "value");
    if (text == nullptr) {
        return std::nullopt;
    }
    long value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        return std::nullopt;
    }
    return value;
}

OptionSetMerge merge_option_set(const xml::Node& ours, const xml::Node& theirs, const std::string& name,
                                OnConflict on_conflict)
{
    OptionSetMerge result;
    result.option_set = ours;
    auto mine = options_of(ours);
    auto installed = options_of(theirs);
    for (const auto& [value, label] : installed) {
        auto found = mine.find(value);
        if (found != mine.end() && found->second.first != label.first) {
            Conflict entry = conflict(
                ConflictKind::option_value_prefix, "option set " + name + " value " + std::to_string(value),
                "the installed option is '" + label.first + "', the connector's is '" + found->second.first + "'",
                "the connector's option set is written", "the installed option set is kept as it is", on_conflict);
            bool theirs_wins = entry.resolution == Resolution::theirs;
            result.report.conflicts.push_back(std::move(entry));
            if (theirs_wins) {
                result.keep_theirs = true;
                return result;
            }
        }
    }
    // Options only the installed set has may be in use: keep them.
    xml::Node* our_options = find_options_container(result.option_set);
    if (our_options != nullptr) {
        for (const auto& [value, label] : installed) {
            if (mine.count(value) == 0) {
                xml::append_on_own_line(*our_options, *label.second);
            }
        }
    }
    return result;
}

} // namespace escprov::merge
