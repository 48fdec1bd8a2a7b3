#pragma once
// A small in-memory XML tree for one component at a time (an entity, a form, a role): big
// files are streamed, and only the part being looked at or rewritten is materialised.

#include "xml/reader.hpp"

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::xml {

enum class NodeKind { element, text, cdata, comment, processing_instruction };

struct Node {
    NodeKind kind = NodeKind::element;
    std::string name; // element name, or processing-instruction target
    std::string text; // text, CDATA, comment or processing-instruction data
    Attributes attributes;
    std::vector<Node> children;
    bool empty_tag = false; // written as <x /> in the source
    Location location;      // where the element started

    bool is_element() const { return kind == NodeKind::element; }
    const std::string* attribute(std::string_view attribute_name) const
    {
        return find_attribute(attributes, attribute_name);
    }
    void set_attribute(std::string_view attribute_name, std::string value);
    // The first child element with this name, or nullptr.
    const Node* child(std::string_view child_name) const;
    Node* child(std::string_view child_name);
    // All child elements with this name.
    std::vector<const Node*> children_named(std::string_view child_name) const;
    // The concatenated text and CDATA directly inside this element.
    std::string text_content() const;
    // The text of child element `child_name`, or "" when absent.
    std::string child_text(std::string_view child_name) const;
    // True when the element has at least one element child.
    bool has_element_children() const;
};

Node make_element(std::string name, Attributes attributes = {});
Node make_text(std::string text);
// True when `a` and `b` hold the same content whatever their layout: the same elements in the
// same order with the same attributes (in any order) and the same text, whitespace-only text
// between elements left out.
bool equal_ignoring_layout(const Node& a, const Node& b);

// Appends `child` to `parent` between line breaks, so that a Writer keeping unindented markup
// (Style::keep_unindented_markup) still puts it on its own line.
void append_on_own_line(Node& parent, Node child);

// Inserts `child` into `parent` before its first child element named one of `before`, followed by
// a line break; at the end (append_on_own_line) when there is none.
void insert_before(Node& parent, Node child, std::initializer_list<std::string_view> before);

// Sends `node` and everything inside it to `handler` as parse events, in document order.
void replay(const Node& node, Handler& handler);

// Builds Nodes from parse events. Feed it the events of one subtree (start..matching end);
// done() turns true when that subtree is complete and take() hands it over.
class TreeBuilder {
public:
    explicit TreeBuilder(const LocationProvider* locations = nullptr) : m_locations(locations) {}
    void start_element(std::string_view name, const Attributes& attributes, bool empty_tag);
    void end_element();
    void characters(std::string_view text, bool cdata);
    void comment(std::string_view text);
    void processing_instruction(std::string_view target, std::string_view data);
    bool done() const { return m_done; }
    bool active() const { return !m_stack.empty(); }
    Node take();

private:
    const LocationProvider* m_locations;
    Node m_root;
    std::vector<Node*> m_stack;
    bool m_done = false;
};

// Parses a whole (small) document into a tree. Throws ParseError.
Node parse_document(ByteSource& source, const Limits& limits = {});

} // namespace escprov::xml
