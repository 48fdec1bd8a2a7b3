#pragma once
// The vocabulary check: holds a solution's customizations.xml or solution.xml against what one
// CRM version writes (its Profile) and reports every element, XML attribute and child order no
// real export of that version shows, and every child element that version always writes but the
// solution lacks. It streams: it keeps one frame per open element (its distinct children and
// XML attribute names), never the document.
//
// An entity attribute is judged in its type-qualified context (…/attribute[type=money]), entity
// metadata by its shape (…/entity[type=full] or [type=attributes]): every element's own children
// and XML attributes are buffered until its end tag, when its <Type> or shape is known. Nothing
// inside opaque content (is_opaque()) is looked at, and a context no profile knows well enough
// (Usage::unknown) gives no finding.

#include "profile/profile.hpp"
#include "solution/input.hpp"
#include "xml/node.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace escprov::profile {

enum class ViolationKind {
    element,   // a child element
    attribute, // an XML attribute
    order      // two child elements in an order no real export shows
};

enum class ViolationWhat {
    never_written,  // the version never writes it: its import rejects it
    always_missing, // every real export of the version writes it, and it is missing
    order_unseen    // the order contradicts the profile's rank and no real export shows it
};

struct Violation {
    std::string context; // the context holding the finding (the parent for a child element)
    ViolationKind kind = ViolationKind::element;
    ViolationWhat what = ViolationWhat::never_written;
    std::string name;        // the element or XML attribute; for order, the child that came late
    std::string before;      // order only: the child that came before `name` but ranks after it
    xml::Location where;     // the offending element, or the element missing something
    std::string answered_by; // the profile whose context answered (differs from the checked one on fallback)
};

// Receives each violation as it is found (an entity attribute's at its end tag).
using ViolationSink = std::function<void(const Violation&)>;

// The check itself, fed element by element. `root` names the document ("customizations.xml",
// "solution.xml"): it is the context of the root element. `profiles` and `profile` must outlive
// the checker.
class VocabularyChecker {
public:
    VocabularyChecker(const Profiles& profiles, const Profile& profile, std::string root, ViolationSink sink);
    ~VocabularyChecker();
    VocabularyChecker(const VocabularyChecker&) = delete;
    VocabularyChecker& operator=(const VocabularyChecker&) = delete;

    void start_element(std::string_view name, const xml::Attributes& attributes, const xml::Location& where);
    void end_element();
    void characters(std::string_view text);
    // True when the text of the current element is needed (an entity attribute's <Type>).
    bool wants_characters() const;

    // When false, the order of the root element's children (the sections of customizations.xml)
    // is left alone: validate reports section order itself (ESC-SEC-001). True by default.
    void set_check_root_order(bool check) { m_check_root_order = check; }

    // Called with every context the checker looked up and the profile that answered it (another
    // than the checked one where that one is thin), violations or not.
    using ContextObserver = std::function<void(const std::string& context, const std::string& answered_by)>;
    void set_context_observer(ContextObserver observer) { m_observer = std::move(observer); }

private:
    struct Frame;
    void finish(Frame& frame);
    const Profiles& m_profiles;
    const Profile& m_profile;
    std::string m_root;
    ViolationSink m_sink;
    std::vector<std::unique_ptr<Frame>> m_stack;
    size_t m_opaque_depth = 0; // elements open inside opaque content, which are not looked at
    bool m_check_root_order = true;
    ContextObserver m_observer;
};

// Streams customizations.xml events into a VocabularyChecker for root "customizations.xml".
class CustomizationsVocabulary : public solution::CustomizationsHandler {
public:
    CustomizationsVocabulary(const Profiles& profiles, const Profile& profile, ViolationSink sink);
    VocabularyChecker& checker() { return m_checker; }

    void set_locations(const xml::LocationProvider& locations) override { m_locations = &locations; }
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override;
    void end_element(std::string_view name) override;
    void characters(std::string_view text, bool cdata) override;
    bool wants_characters() const override { return m_checker.wants_characters(); }

private:
    VocabularyChecker m_checker;
    const xml::LocationProvider* m_locations = nullptr;
};

// Feeds a whole materialised document (solution.xml, small) to `checker`, whose root context names
// it. Locations come from the nodes, with `file` put into each.
void check_document(VocabularyChecker& checker, const xml::Node& document, const std::string* file);

// "element", "attribute", "order".
std::string_view kind_name(ViolationKind kind);

} // namespace escprov::profile
