#include "merge/shell.hpp"

#include "connector/connector.hpp"
#include "merge/entity.hpp"
#include "merge/form.hpp"
#include "merge/option_set.hpp"
#include "merge/outline.hpp"
#include "solution/identity.hpp"
#include "util/text.hpp"

#include <functional>

namespace escprov::merge {

using solution::attribute_name;
using solution::attribute_type;
using solution::entity_attributes;
using solution::normalise_id;

namespace {

// Adds the connector's ribbon parts (elements with an Id) to a customer's RibbonDiffXml, keeping
// every customer element; containers without an Id are matched by name.
size_t merge_ribbon(xml::Node& customer, const xml::Node& ours)
{
    size_t added = 0;
    for (const auto& child : ours.children) {
        if (!child.is_element()) {
            continue;
        }
        const std::string* id = child.attribute("Id");
        xml::Node* match = nullptr;
        for (auto& existing : customer.children) {
            if (!existing.is_element() || existing.name != child.name) {
                continue;
            }
            const std::string* existing_id = existing.attribute("Id");
            if ((id == nullptr && existing_id == nullptr) ||
                (id != nullptr && existing_id != nullptr && *id == *existing_id)) {
                match = &existing;
                break;
            }
        }
        if (match == nullptr) {
            if (customer.empty_tag) {
                customer.empty_tag = false;
            }
            xml::append_on_own_line(customer, child);
            ++added;
        } else if (id == nullptr) {
            match->empty_tag = match->empty_tag && !child.has_element_children();
            added += merge_ribbon(*match, child);
        }
    }
    return added;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator = ", ")
{
    std::string out;
    for (const auto& part : parts) {
        out += (out.empty() ? "" : std::string(separator)) + part;
    }
    return out;
}

void merge_shell_ribbon(xml::Node& target, const xml::Node& ours, const std::string& name, ReportEntries& report)
{
    const xml::Node* our_ribbon = ours.child("RibbonDiffXml");
    if (our_ribbon == nullptr || !our_ribbon->has_element_children()) {
        return;
    }
    xml::Node* their_ribbon = target.child("RibbonDiffXml");
    if (their_ribbon == nullptr) {
        xml::insert_before(target, *our_ribbon, {"CustomControlDefaultConfigs"});
        report.changed.push_back(Change{"Ribbon", name, "the connector's ribbon parts added", "", ""});
        return;
    }
    size_t added = merge_ribbon(*their_ribbon, *our_ribbon);
    if (added > 0) {
        report.changed.push_back(Change{"Ribbon", name,
                                        counted(added, "ribbon part") + " of the connector added; the customer's are "
                                                                        "kept",
                                        "", ""});
    }
}

// Customer options of a shell entity in the connector's value range.
std::vector<std::string> customer_option_clashes(const xml::Node& entity, const std::string& name)
{
    std::vector<std::string> clashes;
    const xml::Node* attributes = entity_attributes(entity);
    if (attributes == nullptr) {
        return clashes;
    }
    for (const xml::Node* attribute : attributes->children_named("attribute")) {
        if (connector::is_connector_name(attribute_name(*attribute))) {
            continue;
        }
        std::function<void(const xml::Node&)> visit = [&](const xml::Node& node) {
            for (const auto& child : node.children) {
                if (!child.is_element()) {
                    continue;
                }
                if (child.name == "option") {
                    if (auto value = option_value(child.attributes); value && in_connector_option_range(*value)) {
                        clashes.push_back("option value " + std::to_string(*value) + " of attribute " + name + "." +
                                          attribute_name(*attribute));
                    }
                }
                visit(child);
            }
        };
        visit(*attribute);
    }
    return clashes;
}

} // namespace

std::string form_label(const xml::Node& form)
{
    std::string name = solution::localized_name(form);
    std::string id = normalise_id(form.child_text("formid"));
    return name.empty() ? "{" + id + "}" : "'" + name + "' {" + id + "}";
}

ShellMerge merge_shell(const xml::Node& ours_in, const xml::Node* theirs, const std::string& name, const xml::Node* tab,
                       MergeMode mode, OnConflict on_conflict, bool upgrade)
{
    const bool full = mode == MergeMode::full;
    ShellMerge result;
    result.connector_entity = ours_in;
    xml::Node& ours = result.connector_entity;
    ReportEntries& report = result.report;
    xml::Node* our_attributes = entity_attributes(ours);
    std::vector<std::string> added;
    if (theirs != nullptr && our_attributes != nullptr) {
        result.option_clashes = customer_option_clashes(*theirs, name);
        const xml::Node* their_attributes = entity_attributes(*theirs);
        std::vector<xml::Node> kept;
        for (auto& attribute : our_attributes->children) {
            if (!attribute.is_element() || attribute.name != "attribute") {
                kept.push_back(std::move(attribute));
                continue;
            }
            const xml::Node* existing = their_attributes != nullptr
                                            ? find_attribute_node(*their_attributes, attribute_name(attribute))
                                            : nullptr;
            if (existing != nullptr && attribute_type(*existing) != attribute_type(attribute)) {
                Conflict entry =
                    conflict(ConflictKind::attribute_type, attribute_subject(name, attribute_name(attribute)),
                             "the customer's is " + attribute_type(*existing) + ", the connector's is " +
                                 attribute_type(attribute),
                             "the connector's definition is written (CRM refuses to change an attribute's type "
                             "on import: the customer must delete theirs first)",
                             "the customer's attribute is kept and the connector's is left out", on_conflict);
                bool theirs_wins = entry.resolution == Resolution::theirs;
                report.conflicts.push_back(std::move(entry));
                if (theirs_wins) {
                    if (!kept.empty() && kept.back().kind == xml::NodeKind::text) {
                        kept.pop_back();
                    }
                    continue;
                }
            }
            if (existing == nullptr) {
                added.push_back(attribute_name(attribute));
            }
            kept.push_back(std::move(attribute));
        }
        our_attributes->children = std::move(kept);
    } else if (our_attributes != nullptr) {
        for (const xml::Node* attribute : our_attributes->children_named("attribute")) {
            added.push_back(attribute_name(*attribute));
        }
    }
    if (theirs == nullptr) {
        report.warnings.push_back("the base has no " + name +
                                  " entity, so its forms cannot take the Email Marketing tab; the connector's " + name +
                                  " attributes are added without it");
        if (!added.empty()) {
            report.added.push_back(
                Change{"Attributes", name, counted(added.size(), "attribute") + ": " + join(added), "", ""});
        }
        if (tab != nullptr) {
            report.form_tabs.push_back(FormTab{name, {}, "the base has no " + name + " entity"});
        }
        return result;
    }

    xml::Node target = full ? *theirs : ours;
    if (full) {
        // The customer's entity keeps everything; ours are added to its attributes.
        xml::Node* their_attributes = entity_attributes(target);
        const xml::Node* our_info = ours.child("EntityInfo");
        if (their_attributes == nullptr && our_info != nullptr) {
            // A base entity exported without its metadata (only Name and placeholders): the
            // connector's attributes come with an EntityInfo of their own.
            xml::Node* their_info = target.child("EntityInfo");
            xml::Node* their_entity = their_info != nullptr ? their_info->child("entity") : nullptr;
            if (their_entity != nullptr && our_attributes != nullptr) {
                their_entity->empty_tag = false;
                xml::append_on_own_line(*their_entity, *our_attributes);
            } else if (their_info != nullptr) {
                *their_info = *our_info;
            } else {
                xml::insert_before(target, *our_info,
                                   {"FormXml", "SavedQueries", "RibbonDiffXml", "CustomControlDefaultConfigs"});
            }
        } else if (their_attributes != nullptr && our_attributes != nullptr) {
            for (const xml::Node* attribute : our_attributes->children_named("attribute")) {
                std::string attribute_id = attribute_name(*attribute);
                if (xml::Node* existing = find_attribute_node(*their_attributes, attribute_id)) {
                    *existing = *attribute;
                } else {
                    their_attributes->empty_tag = false;
                    xml::append_on_own_line(*their_attributes, *attribute);
                }
            }
        }
        merge_shell_ribbon(target, ours, name, report);
    }
    if (!added.empty()) {
        report.changed.push_back(Change{"Entity", name, counted(added.size(), "connector attribute") + " added", "",
                                        "+ " + join(added, "\n+ ")});
    }

    // Our tab on every main form of theirs.
    xml::Node forms_group = xml::make_element("forms", {{"type", "main"}});
    xml::Node their_copy = *theirs;
    size_t forms = 0;
    FormTab placement{name, {}, ""};
    for (auto& [type, form] : forms_of(full ? target : their_copy)) {
        if (type != "main" || tab == nullptr) {
            continue;
        }
        ++forms;
        FormMerge merged = merge_form_tab(*form, *tab, upgrade);
        for (const auto& warning : merged.warnings) {
            report.warnings.push_back(std::string(name).append(" ").append(warning));
        }
        for (const auto& message : merged.conflicts) {
            report.conflicts.push_back(automatic(ConflictKind::duplicate_id, name + " " + form_label(*form), message,
                                                 "the customer's tab is kept; the connector's is not added to this "
                                                 "form"));
        }
        if (merged.changed()) {
            // The outline shows the form before and after.
            report.changed.push_back(Change{"Form", name + " " + form_label(*form), merged.added.front(), "", ""});
            report.outlines.push_back(
                make_outline(name + " form " + form_label(*form), form_outline(*form), form_outline(merged.form)));
        }
        bool carries_tab = merged.changed() || (merged.warnings.empty() && merged.conflicts.empty());
        if (carries_tab) {
            placement.forms.push_back(form_label(*form));
        }
        if (!full && carries_tab) {
            result.changed_forms.push_back(normalise_id(merged.form.child_text("formid")));
            forms_group.empty_tag = false;
            xml::append_on_own_line(forms_group, std::move(merged.form));
        } else if (full) {
            *form = std::move(merged.form);
        }
    }
    if (forms == 0 && tab != nullptr) {
        report.warnings.push_back("the base's " + name +
                                  " entity has no main form; the Email Marketing tab is not placed");
        placement.missing = "the base has no main form for it";
    } else if (placement.forms.empty() && tab != nullptr) {
        placement.missing = "none of its " + counted(forms, "main form") + " can take it (see the warnings)";
    }
    if (tab != nullptr) {
        report.form_tabs.push_back(std::move(placement));
    }
    if (full) {
        result.customer_entity = std::move(target);
    } else if (forms_group.has_element_children()) {
        xml::Node form_xml = xml::make_element("FormXml");
        xml::append_on_own_line(form_xml, std::move(forms_group));
        xml::insert_before(ours, std::move(form_xml), {"SavedQueries", "RibbonDiffXml", "CustomControlDefaultConfigs"});
    }
    return result;
}

} // namespace escprov::merge
