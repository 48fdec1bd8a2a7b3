#include "connector/shape.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <optional>

namespace escprov::connector {

namespace {

using profile::Usage;

constexpr std::string_view k_entity_path = "customizations.xml/Entities/Entity/EntityInfo/entity";
constexpr std::string_view k_entity_attribute_path =
    "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute";

bool is_layout(const xml::Node& node)
{
    return node.kind == xml::NodeKind::text && node.text.find_first_not_of(" \t\r\n") == std::string::npos;
}

// True when `element` holds more than elements and the whitespace between them (text, CDATA,
// comments): its children are content, not a list to shape.
bool has_content(const xml::Node& element)
{
    return std::any_of(element.children.begin(), element.children.end(),
                       [](const xml::Node& child) { return !child.is_element() && !is_layout(child); });
}

// A leaf the connector writes itself: its text, and whether an empty one is a start/end pair.
struct OwnLeaf {
    std::string text;
    bool pair = false;
};

// The value a missing leaf gets when it is one the connector owns, or one real exports always
// write but the profile cannot hold (empty text, or text too long for a profile value).
std::optional<OwnLeaf> own_value(std::string_view name, Owner owner, const OwnValues& values, const xml::Node& parent)
{
    if (name == "IntroducedVersion") {
        // A customer component the connector carries keeps what real org exports write for the
        // org's own components: the Default solution's version.
        return OwnLeaf{owner == Owner::connector ? values.introduced_version : std::string("1.0")};
    }
    if ((name == "IsCustomizable" || name == "CanBeDeleted") && owner == Owner::connector) {
        return OwnLeaf{"1"}; // customers may customise and delete what the connector adds
    }
    if (name == "AutoNumberFormat" || name == "ExternalTypeName" || name == "EntityColor" || name == "EntityHelpUrl" ||
        name == "MobileOfflineFilters") {
        return OwnLeaf{"", true}; // what 8.x/9.x exports write when unset: empty, as <X></X>
    }
    if (name == "CanChangeDateTimeBehavior") {
        // Real exports: 1 on every custom date-time attribute, 0 on most system ones.
        return OwnLeaf{trimmed(parent.child_text("IsCustomField")) == "1" ? "1" : "0"};
    }
    if (name == "DependencyXml") {
        // What 8.2+ exports write for a web resource that declares no dependency.
        return OwnLeaf{"<Dependencies><Dependency componentType=\"WebResource\"/></Dependencies>"};
    }
    return std::nullopt;
}

// True when real exports agree on the value of leaf `context` well enough to write it: every
// instance has it, or most do and it is a setting (a flag or a small number), not a name that
// would belong to another component.
bool agreed(const profile::Context& context)
{
    const auto& [count, text] = *context.value;
    if (count == context.instances) {
        return true;
    }
    bool setting = text == "true" || text == "false" || text == "True" || text == "False" ||
                   (!text.empty() && text.size() <= 4 && text.find_first_not_of("-0123456789") == std::string::npos);
    return setting && count * 2 > context.instances;
}

// An element with structure that the renderer builds in the empty form real exports write, or
// nullopt.
std::optional<xml::Node> empty_structure(std::string_view name)
{
    if (name == "RibbonDiffXml") {
        return empty_ribbon_diff();
    }
    if (name == "Descriptions") {
        // An empty description, as exports write one nobody filled in.
        xml::Node descriptions = xml::make_element("Descriptions");
        add_child(descriptions, leaf_with("Description", {{"description", ""}, {"languagecode", "1033"}}));
        return descriptions;
    }
    return std::nullopt;
}

// The rank of child `name` in `context`, or nullopt when real exports never placed it.
std::optional<size_t> rank_of(const profile::Context& context, std::string_view name)
{
    auto found = context.rank.find(name);
    return found == context.rank.end() ? std::nullopt : std::optional<size_t>(found->second);
}

// Puts `child` before the first element child real exports place after it, else last.
void insert_ranked(xml::Node& parent, xml::Node child, const profile::Context* context)
{
    auto rank = context != nullptr ? rank_of(*context, child.name) : std::nullopt;
    if (rank) {
        for (size_t i = 0; i < parent.children.size(); ++i) {
            const xml::Node& sibling = parent.children[i];
            auto sibling_rank = sibling.is_element() ? rank_of(*context, sibling.name) : std::nullopt;
            if (sibling_rank && *sibling_rank > *rank) {
                parent.children.insert(parent.children.begin() + static_cast<std::ptrdiff_t>(i),
                                       {std::move(child), xml::make_text("\n")});
                parent.empty_tag = false;
                return;
            }
        }
    }
    add_child(parent, std::move(child));
}

} // namespace

std::string introduced_version(std::string_view solution_version)
{
    std::string version(trimmed(solution_version));
    size_t parts = 1 + static_cast<size_t>(std::count(version.begin(), version.end(), '.'));
    for (; parts < 4; ++parts) {
        version += ".0";
    }
    return version;
}

xml::Node empty_ribbon_diff()
{
    xml::Node ribbon = xml::make_element("RibbonDiffXml");
    add_child(ribbon, leaf("CustomActions", ""));
    xml::Node templates = xml::make_element("Templates");
    add_child(templates, leaf_with("RibbonTemplates", {{"Id", "Mscrm.Templates"}}));
    add_child(ribbon, std::move(templates));
    add_child(ribbon, leaf("CommandDefinitions", ""));
    xml::Node rules = xml::make_element("RuleDefinitions");
    for (const char* name : {"TabDisplayRules", "DisplayRules", "EnableRules"}) {
        add_child(rules, leaf(name, ""));
    }
    add_child(ribbon, std::move(rules));
    add_child(ribbon, leaf("LocLabels", ""));
    return ribbon;
}

xml::Node leaf(std::string name, std::string text)
{
    xml::Node element = xml::make_element(std::move(name));
    if (text.empty()) {
        element.empty_tag = true;
    } else {
        element.children.push_back(xml::make_text(std::move(text)));
    }
    return element;
}

xml::Node leaf_with(std::string name, xml::Attributes attributes)
{
    xml::Node element = xml::make_element(std::move(name), std::move(attributes));
    element.empty_tag = true;
    return element;
}

void add_child(xml::Node& parent, xml::Node child)
{
    parent.empty_tag = false;
    xml::append_on_own_line(parent, std::move(child));
}

std::string child_context(const std::string& parent_path, const xml::Node& child)
{
    std::string path = profile::context_path(profile::plain_path(parent_path), child.name);
    if (path == k_entity_attribute_path) {
        return profile::qualified_path(path, trimmed(child.child_text("Type")));
    }
    if (path == k_entity_path) {
        bool attributes_only = std::all_of(child.children.begin(), child.children.end(), [](const xml::Node& node) {
            return !node.is_element() || node.name == "attributes";
        });
        return profile::qualified_path(path, attributes_only ? "attributes" : "full");
    }
    return path;
}

Shaper::Shaper(const profile::Profiles& profiles, const profile::Profile& profile, OwnValues values)
    : m_profiles(profiles), m_profile(profile), m_values(std::move(values))
{}

Usage Shaper::element_usage(std::string_view path, std::string_view name) const
{
    return m_profiles.usage(m_profile, path, "element", name);
}

Usage Shaper::attribute_usage(std::string_view path, std::string_view name) const
{
    return m_profiles.usage(m_profile, path, "attribute", name);
}

void Shaper::shape(xml::Node& element, const std::string& path, Owner owner, const std::string& label)
{
    std::erase_if(element.attributes, [&](const xml::Attribute& attribute) {
        bool never = !attribute.name.starts_with("xmlns") && attribute_usage(path, attribute.name) == Usage::never;
        if (never && owner != Owner::connector) {
            m_removed.push_back(label + ": @" + attribute.name + " of " + path);
        }
        return never;
    });
    add_own_attributes(element, path);
    if (profile::is_opaque(path)) {
        return; // its content has a vocabulary of its own
    }
    shape_children(element, path, owner, label);
}

void Shaper::add_own_attributes(xml::Node& element, const std::string& path)
{
    const profile::Context* context = m_profiles.context(m_profile, path);
    if (context == nullptr) {
        return;
    }
    for (const auto& [name, present] : context->attributes) {
        if (element.attribute(name) != nullptr || attribute_usage(path, name) != Usage::always) {
            continue;
        }
        // The XML attributes real exports always write whose value is known whatever the element:
        // an option's ExternalValue (9.2) is empty unless a virtual entity's provider maps it.
        if (name == "ExternalValue") {
            element.attributes.push_back(xml::Attribute{name, ""});
        }
    }
}

const profile::Context* Shaper::nearest_context(const std::string& path, std::string_view placing) const
{
    const auto& all = m_profiles.all();
    auto at = static_cast<size_t>(
        std::find_if(all.begin(), all.end(), [&](const profile::Profile& other) { return &other == &m_profile; }) -
        all.begin());
    for (size_t distance = 1; distance < all.size(); ++distance) {
        for (size_t candidate : {at + distance, at - distance}) { // newer first; wraps past the end
            if (candidate >= all.size()) {
                continue;
            }
            auto found = all[candidate].contexts.find(path);
            if (found != all[candidate].contexts.end() && !found->second.rank.empty() &&
                (placing.empty() || found->second.rank.contains(placing))) {
                return &found->second;
            }
        }
    }
    return nullptr;
}

std::optional<profile::Context> Shaper::ordering_context(const std::string& path, const profile::Context& context,
                                                         const xml::Node& element) const
{
    bool unplaced = std::any_of(element.children.begin(), element.children.end(), [&](const xml::Node& child) {
        return child.is_element() && !context.rank.contains(child.name);
    });
    if (!unplaced) {
        return std::nullopt; // the context orders every child as it is
    }
    // Ranks spaced out so that a child this version's exports never placed (a name an override
    // admits) can go between two it did place: just before the first of them that the nearest
    // version placing it puts after it, as that version writes it.
    constexpr size_t k_space = 1000;
    profile::Context ordering = context;
    size_t last = 0;
    for (auto& [name, rank] : ordering.rank) {
        rank = rank * k_space + k_space / 2;
        last = std::max(last, rank);
    }
    for (const auto& child : element.children) {
        if (!child.is_element() || ordering.rank.contains(child.name)) {
            continue;
        }
        const profile::Context* neighbour = nearest_context(path, child.name);
        if (neighbour == nullptr) {
            continue;
        }
        size_t own_rank = neighbour->rank.at(child.name);
        std::optional<size_t> before;
        for (const auto& [name, rank] : neighbour->rank) {
            auto ours = context.rank.find(name);
            if (rank > own_rank && ours != context.rank.end() &&
                (!before || ours->second * k_space + k_space / 2 < *before)) {
                before = ours->second * k_space + k_space / 2;
            }
        }
        // Neighbour ranks stay far below k_space / 2: those placed before the same child keep
        // the neighbour's order among themselves.
        ordering.rank.emplace(child.name, before ? *before - k_space / 2 + own_rank : last + 1 + own_rank);
    }
    return ordering;
}

void Shaper::shape_children(xml::Node& element, const std::string& path, Owner owner, const std::string& label)
{
    if (!has_content(element)) {
        drop_children_if(element, [&](const xml::Node& child) {
            bool never = element_usage(path, child.name) == Usage::never;
            if (never && owner != Owner::connector) {
                m_removed.push_back(label + ": <" + child.name + "> in " + path);
            }
            return never;
        });
        // Where this version's exports never show the context (8.x has no relationship role here),
        // the nearest version that does orders it.
        const profile::Context* found = m_profiles.context(m_profile, path);
        if (found == nullptr) {
            found = nearest_context(path);
        }
        std::optional<profile::Context> ordering;
        if (found != nullptr) {
            ordering = ordering_context(path, *found, element);
        }
        const profile::Context* context = ordering ? &*ordering : found;
        for (const auto& name : m_profiles.always_elements(m_profile, path)) {
            if (element.child(name) != nullptr) {
                continue;
            }
            xml::Node built;
            if (build_missing(element, path, name, owner, label, built)) {
                insert_ranked(element, std::move(built), context);
            }
        }
        // Children go in the target's order: for a customer component from another version, the
        // order its own CRM wrote may be one the target's never does.
        if (context != nullptr) {
            order_children(element, *context);
        }
    }
    for (auto& child : element.children) {
        if (child.is_element()) {
            shape(child, child_context(path, child), owner, label);
        }
    }
}

bool Shaper::build_missing(const xml::Node& parent, const std::string& path, const std::string& name, Owner owner,
                           const std::string& label, xml::Node& built)
{
    if (auto structure = empty_structure(name)) {
        built = std::move(*structure);
        return true;
    }
    std::string child_path = profile::context_path(profile::plain_path(path), name);
    const profile::Context* context = m_profiles.context(m_profile, child_path);
    bool structured = context != nullptr && std::any_of(context->elements.begin(), context->elements.end(),
                                                        [](const auto& element) { return element.second != 0; });
    if (structured) {
        note(label + ": " + m_profile.name + " exports always write <" + name + "> in " + path +
             "; it has structure the renderer cannot build");
        return false;
    }
    if (auto own = own_value(name, owner, m_values, parent)) {
        built = leaf(name, own->text);
        built.empty_tag = own->text.empty() && !own->pair;
        return true;
    }
    if (context != nullptr && context->value && agreed(*context)) {
        built = leaf(name, context->value->second);
        return true;
    }
    note(label + ": " + m_profile.name + " exports always write <" + name + "> in " + path +
         "; they do not all agree on its value");
    return false;
}

void Shaper::order_children(xml::Node& element, const profile::Context& context)
{
    // Each element child is sorted by its rank; one real exports never placed stays right after
    // the ranked sibling before it.
    struct Keyed {
        size_t rank;
        int after;
        size_t index;
    };
    std::vector<xml::Node> elements;
    bool spaced = false;
    for (auto& child : element.children) {
        if (child.is_element()) {
            elements.push_back(std::move(child));
        } else {
            spaced = true;
        }
    }
    std::vector<Keyed> keys;
    size_t last = 0;
    for (size_t i = 0; i < elements.size(); ++i) {
        auto rank = rank_of(context, elements[i].name);
        if (rank) {
            last = *rank;
        }
        keys.push_back(Keyed{rank.value_or(last), rank ? 0 : 1, i});
    }
    std::vector<Keyed> sorted = keys;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Keyed& a, const Keyed& b) {
        return a.rank != b.rank ? a.rank < b.rank : a.after < b.after;
    });
    bool moved = false;
    for (size_t i = 0; i < sorted.size(); ++i) {
        moved = moved || sorted[i].index != i;
    }
    std::vector<xml::Node> ordered;
    ordered.reserve(sorted.size());
    for (const auto& key : sorted) {
        ordered.push_back(std::move(elements[key.index]));
    }
    if (!moved && !element.children.empty()) {
        // Same order: put the elements back where they were, layout and all.
        size_t next = 0;
        for (auto& child : element.children) {
            if (child.kind == xml::NodeKind::element) {
                child = std::move(ordered[next++]);
            }
        }
        return;
    }
    element.children.clear();
    for (auto& child : ordered) {
        if (spaced) {
            element.children.push_back(xml::make_text("\n"));
        }
        element.children.push_back(std::move(child));
    }
    if (spaced && !ordered.empty()) {
        element.children.push_back(xml::make_text("\n"));
    }
}

} // namespace escprov::connector
