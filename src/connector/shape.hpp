#pragma once
// The generic, profile-driven half of rendering: one element and everything inside it shaped the
// way the target's real exports write that context (src/profile). Children and XML attributes the
// version never writes are dropped, the children it always writes are added when missing, and
// children are put in the version's order. Nothing is guessed: a child the version always writes
// is added only with a value the connector owns (a small table) or one real exports agree on, or,
// for an element with structure, only when it has a known empty form; otherwise a note says what
// is missing. Shaping twice gives what shaping once gave.

#include "profile/profile.hpp"
#include "xml/node.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::connector {

// Whose component is being shaped, which decides what shaping may do to it.
enum class Owner {
    connector, // the connector's own: everything (IntroducedVersion is the connector's version)
    customer   // a customer component from a base of another version family: what the target never
               // writes goes, what it always writes is added where it can be built, and children
               // take the target's order; its own leaves get the values of customer components
};

// The values that are the connector's own rather than the most common of real exports.
struct OwnValues {
    std::string introduced_version; // the connector's solution version, as real exports write it
};

// The version (four dotted numbers, as real exports write IntroducedVersion) of a solution
// version: "9.2.0.1" stays, "2.1" -> "2.1.0.0".
std::string introduced_version(std::string_view solution_version);

// A CRM export's empty <RibbonDiffXml> (what real exports write for an entity or an application
// ribbon without custom actions).
xml::Node empty_ribbon_diff();

// Drops the element children of `parent` that `drop` selects, with the whitespace before each.
// Returns how many went.
template <typename Predicate> size_t drop_children_if(xml::Node& parent, Predicate drop)
{
    size_t dropped = 0;
    std::vector<xml::Node> kept;
    for (auto& child : parent.children) {
        if (child.is_element() && drop(child)) {
            if (!kept.empty() && kept.back().kind == xml::NodeKind::text &&
                kept.back().text.find_first_not_of(" \t\r\n") == std::string::npos) {
                kept.pop_back();
            }
            ++dropped;
            continue;
        }
        kept.push_back(std::move(child));
    }
    parent.children = std::move(kept);
    if (dropped != 0 && !parent.has_element_children() &&
        parent.text_content().find_first_not_of(" \t\r\n") == std::string::npos) {
        parent.children.clear();
        parent.empty_tag = true;
    }
    return dropped;
}

// Puts `child` into `parent` on its own line, after the element children already there.
void add_child(xml::Node& parent, xml::Node child);

// A leaf element <name>text</name> (<name /> for empty text).
xml::Node leaf(std::string name, std::string text);

// An empty element with attributes: <name a="…" />.
xml::Node leaf_with(std::string name, xml::Attributes attributes);

// Shapes elements for one profile.
class Shaper {
public:
    // `profile` must belong to `profiles`; both outlive the Shaper.
    Shaper(const profile::Profiles& profiles, const profile::Profile& profile, OwnValues values);

    // Shapes `element`, which stands at context `path` (for an entity attribute, its
    // "[type=…]"-qualified path), and everything inside it. `owner` picks the values missing
    // leaves get. What could not be added is recorded in notes(), prefixed with `label`.
    void shape(xml::Node& element, const std::string& path, Owner owner, const std::string& label);

    // How the profile uses child element (or XML attribute) `name` at `path`.
    profile::Usage element_usage(std::string_view path, std::string_view name) const;
    profile::Usage attribute_usage(std::string_view path, std::string_view name) const;

    const profile::Profile& profile() const { return m_profile; }
    const profile::Profiles& profiles() const { return m_profiles; }
    // What could not be shaped, readable, in the order met.
    const std::vector<std::string>& notes() const { return m_notes; }
    void note(std::string text) { m_notes.push_back(std::move(text)); }
    // What was removed from customer components, readable, in the order met.
    const std::vector<std::string>& removed() const { return m_removed; }

private:
    void add_own_attributes(xml::Node& element, const std::string& path);
    // The context at `path` of the nearest version whose exports show it (newer first) and, when
    // `placing` is given, place that child there; nullptr when none does.
    const profile::Context* nearest_context(const std::string& path, std::string_view placing = {}) const;
    // `context` (the profile's, at `path`) with ranks for the children of `element` it never
    // placed, taken from the nearest version that did; nullopt when it places them all.
    std::optional<profile::Context> ordering_context(const std::string& path, const profile::Context& context,
                                                     const xml::Node& element) const;
    void shape_children(xml::Node& element, const std::string& path, Owner owner, const std::string& label);
    // The element a missing child `name` of `parent` (at context `path`) gets, or false with a note.
    bool build_missing(const xml::Node& parent, const std::string& path, const std::string& name, Owner owner,
                       const std::string& label, xml::Node& built);
    // Sorts the element children of `element` by the ranks of `context`.
    void order_children(xml::Node& element, const profile::Context& context);

    const profile::Profiles& m_profiles;
    const profile::Profile& m_profile;
    OwnValues m_values;
    std::vector<std::string> m_notes;
    std::vector<std::string> m_removed;
};

// The context of a child element as profiles count it: its plain path; for an entity attribute,
// the path qualified by its <Type>; for an entity's metadata (EntityInfo/entity), the path
// qualified by its shape ("[type=attributes]" when it holds only <attributes>, else "[type=full]").
std::string child_context(const std::string& parent_path, const xml::Node& child);

} // namespace escprov::connector
