#include "profile/check.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace escprov::profile {

namespace {

// Entity metadata is judged by its shape: "[type=full]" when it holds the entity's own metadata,
// "[type=attributes]" when it holds nothing but <attributes> (a system entity carried for some of
// its attributes), as the learner counts it.
// Instances of each of two children a rank between them needs before their order is judged.
constexpr uint64_t k_order_evidence = 3;

constexpr std::string_view k_entity = "customizations.xml/Entities/Entity/EntityInfo/entity";
// An entity attribute is judged by its <Type>.
constexpr std::string_view k_entity_attribute =
    "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute";

// Namespace declarations are no vocabulary: real exports declare xsi and xsd where they please.
bool is_namespace_declaration(std::string_view name)
{
    return name == "xmlns" || name.starts_with("xmlns:");
}

std::string_view trimmed(std::string_view text)
{
    constexpr std::string_view space = " \t\r\n";
    size_t begin = text.find_first_not_of(space);
    if (begin == std::string_view::npos) {
        return {};
    }
    size_t end = text.find_last_not_of(space);
    return text.substr(begin, end - begin + 1);
}

} // namespace

// A child element as far as order and presence go: where it first and last occurred.
struct ChildSeen {
    size_t first = 0; // position among the parent's child elements
    size_t last = 0;
    xml::Location first_where;
    xml::Location last_where;
};

struct VocabularyChecker::Frame {
    std::string path; // the plain context
    xml::Location where;
    std::vector<std::string> attributes;                    // XML attribute names, namespace declarations left out
    std::map<std::string, ChildSeen, std::less<>> children; // distinct child elements
    size_t child_count = 0;
    bool opaque = false;           // its children are not profiled
    bool entity_attribute = false; // judged in the context qualified by its <Type>
    bool type_of_parent = false;   // this is an entity attribute's <Type>: its text qualifies the parent
    std::string type;              // an entity attribute's <Type> text
    bool difference = false;       // it holds a node with @solutionaction: a managed difference
};

VocabularyChecker::VocabularyChecker(const Profiles& profiles, const Profile& profile, std::string root,
                                     ViolationSink sink)
    : m_profiles(profiles), m_profile(profile), m_root(std::move(root)), m_sink(std::move(sink))
{}

VocabularyChecker::~VocabularyChecker() = default;

void VocabularyChecker::start_element(std::string_view name, const xml::Attributes& attributes,
                                      const xml::Location& where)
{
    if (m_opaque_depth != 0 || (!m_stack.empty() && m_stack.back()->opaque)) {
        ++m_opaque_depth; // inside opaque content: nothing is looked at until it closes
        return;
    }
    auto frame = std::make_unique<Frame>();
    if (m_stack.empty()) {
        frame->path = m_root;
    } else {
        Frame& parent = *m_stack.back();
        frame->path = context_path(parent.path, name);
        auto [seen, inserted] = parent.children.try_emplace(std::string(name));
        if (inserted) {
            seen->second.first = parent.child_count;
            seen->second.first_where = where;
        }
        seen->second.last = parent.child_count;
        seen->second.last_where = where;
        ++parent.child_count;
        frame->type_of_parent = parent.entity_attribute && name == "Type";
    }
    frame->where = where;
    for (const auto& attribute : attributes) {
        if (!is_namespace_declaration(attribute.name)) {
            frame->attributes.push_back(attribute.name);
        }
        frame->difference = frame->difference || attribute.name == "solutionaction";
    }
    frame->opaque = is_opaque(frame->path);
    frame->entity_attribute = frame->path == k_entity_attribute;
    m_stack.push_back(std::move(frame));
}

void VocabularyChecker::end_element()
{
    if (m_opaque_depth != 0) {
        --m_opaque_depth;
        return;
    }
    if (m_stack.empty()) {
        return;
    }
    std::unique_ptr<Frame> frame = std::move(m_stack.back());
    m_stack.pop_back();
    if (frame->type_of_parent && !m_stack.empty()) {
        m_stack.back()->type = std::string(trimmed(frame->type));
    }
    if (frame->difference && !m_stack.empty()) {
        m_stack.back()->difference = true;
    }
    finish(*frame);
}

void VocabularyChecker::characters(std::string_view text)
{
    if (m_opaque_depth == 0 && !m_stack.empty() && m_stack.back()->type_of_parent) {
        m_stack.back()->type.append(text);
    }
}

bool VocabularyChecker::wants_characters() const
{
    return m_opaque_depth == 0 && !m_stack.empty() && m_stack.back()->type_of_parent;
}

void VocabularyChecker::finish(Frame& frame)
{
    std::string path = frame.path;
    if (frame.entity_attribute && !frame.type.empty()) {
        path = qualified_path(frame.path, frame.type);
    } else if (frame.path == k_entity) {
        bool attributes_only = std::all_of(frame.children.begin(), frame.children.end(),
                                           [](const auto& child) { return child.first == "attributes"; });
        path = qualified_path(frame.path, attributes_only ? "attributes" : "full");
    }
    std::string from;
    const Context* context = m_profiles.context(m_profile, path, &from);
    if (context == nullptr) {
        return; // no profile knows this context well enough: no finding
    }
    if (m_observer) {
        m_observer(path, from);
    }
    auto report = [&](ViolationKind kind, ViolationWhat what, std::string_view name, const xml::Location& where,
                      std::string_view before = {}) {
        m_sink(Violation{path, kind, what, std::string(name), std::string(before), where, from});
    };

    for (const std::string& attribute : frame.attributes) {
        if (m_profiles.usage(m_profile, path, "attribute", attribute) == Usage::never) {
            report(ViolationKind::attribute, ViolationWhat::never_written, attribute, frame.where);
        }
    }
    // Attributes every instance has: the profile's, and those an override declares always written.
    std::set<std::string, std::less<>> candidates;
    for (const auto& [name, present] : context->attributes) {
        // xsi:nil marks a value real exports left empty; an element with a value has none.
        if (!is_namespace_declaration(name) && name != "xsi:nil") {
            candidates.insert(name);
        }
    }
    for (const auto& correction : m_profile.overrides) {
        if (correction.kind == "attribute" && correction.what == "always" && correction.path == path) {
            candidates.insert(correction.name);
        }
    }
    // A managed difference (a form or sitemap a solution changes but does not own) holds only
    // what changed; what every full instance has is not missing from it.
    if (frame.difference) {
        candidates.clear();
    }
    for (const std::string& name : candidates) {
        bool present = std::find(frame.attributes.begin(), frame.attributes.end(), name) != frame.attributes.end();
        if (!present && m_profiles.usage(m_profile, path, "attribute", name) == Usage::always) {
            report(ViolationKind::attribute, ViolationWhat::always_missing, name, frame.where);
        }
    }

    if (frame.opaque) {
        return; // its children are content with its own vocabulary
    }
    for (const auto& [name, seen] : frame.children) {
        if (m_profiles.usage(m_profile, path, "element", name) == Usage::never) {
            report(ViolationKind::element, ViolationWhat::never_written, name, seen.first_where);
        }
    }
    for (const std::string& name : m_profiles.always_elements(m_profile, path)) {
        if (!frame.difference && !frame.children.contains(name)) {
            report(ViolationKind::element, ViolationWhat::always_missing, name, frame.where);
        }
    }

    bool is_root = m_stack.empty();
    if (is_root && !m_check_root_order) {
        return;
    }
    // A child `late` is out of order when some child ranked after it occurred before one of its
    // occurrences, and no real export shows the two either way round (in any version: CRM's
    // schemas do not tighten an order once left free). A rank between children
    // seen in fewer than k_order_evidence instances is too thin to call an order wrong: CRM's own
    // schemas leave many orders free, and two exports agreeing says little.
    auto well_seen = [&](const std::string& name) {
        auto found = context->elements.find(name);
        return found != context->elements.end() && found->second >= k_order_evidence;
    };
    for (const auto& [late, late_seen] : frame.children) {
        auto late_rank = context->rank.find(late);
        if (late_rank == context->rank.end() || !well_seen(late)) {
            continue;
        }
        for (const auto& [early, early_seen] : frame.children) {
            auto early_rank = context->rank.find(early);
            if (early_rank == context->rank.end() || early_rank->second <= late_rank->second ||
                early_seen.first >= late_seen.last || !well_seen(early)) {
                continue;
            }
            auto pair = late < early ? std::make_pair(late, early) : std::make_pair(early, late);
            if (context->swapped.contains(pair) || m_profiles.seen_both_ways(path, pair)) {
                continue;
            }
            report(ViolationKind::order, ViolationWhat::order_unseen, late, late_seen.last_where, early);
            break; // one finding per late child
        }
    }
}

CustomizationsVocabulary::CustomizationsVocabulary(const Profiles& profiles, const Profile& profile, ViolationSink sink)
    : m_checker(profiles, profile, "customizations.xml", std::move(sink))
{}

void CustomizationsVocabulary::start_element(std::string_view name, const xml::Attributes& attributes, bool)
{
    m_checker.start_element(name, attributes, m_locations != nullptr ? m_locations->location() : xml::Location{});
}

void CustomizationsVocabulary::end_element(std::string_view)
{
    m_checker.end_element();
}

void CustomizationsVocabulary::characters(std::string_view text, bool)
{
    m_checker.characters(text);
}

namespace {

void walk(VocabularyChecker& checker, const xml::Node& node, const std::string* file)
{
    xml::Location where = node.location;
    where.file = file;
    checker.start_element(node.name, node.attributes, where);
    for (const xml::Node& child : node.children) {
        if (child.is_element()) {
            walk(checker, child, file);
        } else if ((child.kind == xml::NodeKind::text || child.kind == xml::NodeKind::cdata) &&
                   checker.wants_characters()) {
            checker.characters(child.text);
        }
    }
    checker.end_element();
}

} // namespace

void check_document(VocabularyChecker& checker, const xml::Node& document, const std::string* file)
{
    walk(checker, document, file);
}

std::string_view kind_name(ViolationKind kind)
{
    switch (kind) {
    case ViolationKind::element: return "element";
    case ViolationKind::attribute: return "attribute";
    case ViolationKind::order: return "order";
    }
    return "element";
}

} // namespace escprov::profile
