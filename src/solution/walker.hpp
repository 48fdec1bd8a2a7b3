#pragma once
// Walks the event stream of customizations.xml component by component: the top-level sections
// (depth 2) and their items (depth 3). Each item's identity (DESIGN.md §5) is found as early as
// the stream allows — an attribute of the item, or the text of its first identifying child — with
// the events up to that point held back, and then the subclass decides what happens to the item:
// pass it on, build it into a Node, or drop it. Whole-value sections (the org SiteMap) are items
// of themselves.

#include "solution/input.hpp"
#include "xml/node.hpp"

#include <optional>
#include <string>
#include <vector>

namespace escprov::solution {

enum class ItemAction {
    pass,        // forward every event of the item to on_pass_*()
    materialise, // build the item into a Node and hand it to on_item()
    drop,        // forget it
};

class ItemWalker : public CustomizationsHandler {
public:
    void set_locations(const xml::LocationProvider& locations) override { m_locations = &locations; }
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override;
    void end_element(std::string_view name) override;
    void characters(std::string_view text, bool cdata) override;
    bool wants_characters() const override;
    void comment(std::string_view text) override;
    void processing_instruction(std::string_view target, std::string_view data) override;

protected:
    // The root element and the sections: events outside items.
    virtual void on_root_start(std::string_view name, const xml::Attributes& attributes, bool empty_tag) = 0;
    virtual void on_root_end(std::string_view name) = 0;
    virtual void on_section_start(std::string_view section, const xml::Attributes& attributes, bool empty_tag) = 0;
    virtual void on_section_end(std::string_view section) = 0;
    // What to do with the item of `section` whose identity is `identity` ("" when it has none).
    virtual ItemAction decide(std::string_view section, const std::string& identity) = 0;
    // A materialised item, complete.
    virtual void on_item(std::string_view section, xml::Node item) = 0;
    // Events inside a section that are passed on (items decided `pass`, text between items, the
    // content of sections without items).
    virtual void on_pass_start(std::string_view name, const xml::Attributes& attributes, bool empty_tag) = 0;
    virtual void on_pass_end(std::string_view name) = 0;
    virtual void on_pass_characters(std::string_view text, bool cdata) = 0;
    virtual void on_pass_comment(std::string_view) {}
    // Every start tag inside an item, whatever its action (for light checks on the whole base).
    virtual void observe(std::string_view, const xml::Attributes&) {}
    // True while the subclass wants the text of the element being observed (see observe_text).
    virtual bool observing_text() const { return false; }
    virtual void observe_text(std::string_view) {}
    // Whether a passed-on event's text is needed at all (a scan that drops everything says no).
    virtual bool needs_passed_text() const { return true; }

    std::string_view current_section() const { return m_section; }
    size_t depth() const { return m_depth; }

private:
    struct Event {
        enum class Kind { start, end, text, comment } kind;
        std::string name; // element name, or text
        xml::Attributes attributes;
        bool flag = false; // empty_tag, or cdata
    };

    void begin_item(std::string_view name, const xml::Attributes& attributes, bool empty_tag);
    void settle(const std::string& identity);
    void send(const Event& event);
    void deliver_start(std::string_view name, const xml::Attributes& attributes, bool empty_tag);
    void deliver_text(std::string_view text, bool cdata);
    void finish_item();

    const xml::LocationProvider* m_locations = nullptr;
    size_t m_depth = 0;
    std::string m_section;
    bool m_whole_section = false;       // the section is one item (SiteMap)
    bool m_item_section = false;        // the section's children are items
    std::string m_identity_child;       // the child naming the item ("Name"), or "" when known at start
    std::optional<ItemAction> m_action; // unset while the identity is not known yet
    std::vector<Event> m_held;          // events held back until the identity is known
    bool m_in_identity_child = false;
    std::string m_identity_text;
    size_t m_item_depth = 0; // depth of the item element (3, or 2 for a whole section)
    xml::TreeBuilder m_builder;
};

} // namespace escprov::solution
