#include "xml/node.hpp"

#include <algorithm>

#include "util/text.hpp"
#include "xml/forward.hpp"

namespace escprov::xml {

void Node::set_attribute(std::string_view attribute_name, std::string value)
{
    for (auto& attribute : attributes) {
        if (attribute.name == attribute_name) {
            attribute.value = std::move(value);
            return;
        }
    }
    attributes.push_back({std::string(attribute_name), std::move(value)});
}

const Node* Node::child(std::string_view child_name) const
{
    for (const auto& node : children) {
        if (node.kind == NodeKind::element && node.name == child_name) {
            return &node;
        }
    }
    return nullptr;
}

Node* Node::child(std::string_view child_name)
{
    return const_cast<Node*>(static_cast<const Node*>(this)->child(child_name));
}

std::vector<const Node*> Node::children_named(std::string_view child_name) const
{
    std::vector<const Node*> found;
    for (const auto& node : children) {
        if (node.kind == NodeKind::element && node.name == child_name) {
            found.push_back(&node);
        }
    }
    return found;
}

std::string Node::text_content() const
{
    std::string out;
    for (const auto& node : children) {
        if (node.kind == NodeKind::text || node.kind == NodeKind::cdata) {
            out += node.text;
        }
    }
    return out;
}

std::string Node::child_text(std::string_view child_name) const
{
    const Node* found = child(child_name);
    return found != nullptr ? found->text_content() : std::string();
}

bool Node::has_element_children() const
{
    for (const auto& node : children) {
        if (node.kind == NodeKind::element) {
            return true;
        }
    }
    return false;
}

Node make_element(std::string name, Attributes attributes)
{
    Node node;
    node.name = std::move(name);
    node.attributes = std::move(attributes);
    return node;
}

Node make_text(std::string text)
{
    Node node;
    node.kind = NodeKind::text;
    node.text = std::move(text);
    return node;
}

bool equal_ignoring_layout(const Node& a, const Node& b)
{
    if (a.kind != b.kind || a.name != b.name) {
        return false;
    }
    if (!a.is_element()) {
        return a.text == b.text;
    }
    if (a.attributes.size() != b.attributes.size()) {
        return false;
    }
    for (const auto& attribute : a.attributes) {
        const std::string* other = b.attribute(attribute.name);
        if (other == nullptr || *other != attribute.value) {
            return false;
        }
    }
    // Whitespace-only text is layout only between elements; in a leaf it is the value.
    auto significant = [](const Node& parent) {
        bool layout_possible = parent.has_element_children();
        std::vector<const Node*> kept;
        for (const auto& child : parent.children) {
            bool layout = layout_possible && child.kind == NodeKind::text && is_blank(child.text);
            if (!layout) {
                kept.push_back(&child);
            }
        }
        return kept;
    };
    auto left = significant(a);
    auto right = significant(b);
    if (left.size() != right.size()) {
        return false;
    }
    for (size_t i = 0; i < left.size(); ++i) {
        if (!equal_ignoring_layout(*left[i], *right[i])) {
            return false;
        }
    }
    return true;
}

void append_on_own_line(Node& parent, Node child)
{
    parent.children.push_back(make_text("\n"));
    parent.children.push_back(std::move(child));
    parent.children.push_back(make_text("\n"));
}

void insert_before(Node& parent, Node child, std::initializer_list<std::string_view> before)
{
    for (size_t i = 0; i < parent.children.size(); ++i) {
        const Node& existing = parent.children[i];
        if (existing.is_element() && std::find(before.begin(), before.end(), existing.name) != before.end()) {
            parent.children.insert(parent.children.begin() + static_cast<std::ptrdiff_t>(i), std::move(child));
            parent.children.insert(parent.children.begin() + static_cast<std::ptrdiff_t>(i + 1), make_text("\n"));
            return;
        }
    }
    append_on_own_line(parent, std::move(child));
}

void TreeBuilder::start_element(std::string_view name, const Attributes& attributes, bool empty_tag)
{
    Node* target = nullptr;
    if (m_stack.empty()) {
        m_root = Node{};
        m_done = false;
        target = &m_root;
    } else {
        m_stack.back()->children.emplace_back();
        target = &m_stack.back()->children.back();
    }
    target->name = name;
    target->attributes = attributes;
    target->empty_tag = empty_tag;
    if (m_locations != nullptr) {
        target->location = m_locations->location();
    }
    m_stack.push_back(target);
}

void TreeBuilder::end_element()
{
    m_stack.pop_back();
    if (m_stack.empty()) {
        m_done = true;
    }
}

void TreeBuilder::characters(std::string_view text, bool cdata)
{
    if (m_stack.empty()) {
        return;
    }
    auto& children = m_stack.back()->children;
    NodeKind kind = cdata ? NodeKind::cdata : NodeKind::text;
    if (!children.empty() && children.back().kind == kind) {
        children.back().text += text; // Xerces may split one text node into several events
        return;
    }
    Node node;
    node.kind = kind;
    node.text = text;
    children.push_back(std::move(node));
}

void TreeBuilder::comment(std::string_view text)
{
    if (m_stack.empty()) {
        return;
    }
    Node node;
    node.kind = NodeKind::comment;
    node.text = text;
    m_stack.back()->children.push_back(std::move(node));
}

void TreeBuilder::processing_instruction(std::string_view target, std::string_view data)
{
    if (m_stack.empty()) {
        return;
    }
    Node node;
    node.kind = NodeKind::processing_instruction;
    node.name = target;
    node.text = data;
    m_stack.back()->children.push_back(std::move(node));
}

Node TreeBuilder::take()
{
    m_done = false;
    return std::move(m_root);
}

Node parse_document(ByteSource& source, const Limits& limits)
{
    Parser parser(limits);
    TreeBuilder builder(&parser);
    EventsTo<TreeBuilder> handler(builder);
    parser.parse(source, handler);
    return builder.take();
}

void replay(const Node& node, Handler& handler)
{
    switch (node.kind) {
    case NodeKind::element:
        handler.start_element(node.name, node.attributes, node.empty_tag && node.children.empty());
        for (const auto& child : node.children) {
            replay(child, handler);
        }
        handler.end_element(node.name);
        break;
    case NodeKind::text: handler.characters(node.text, false); break;
    case NodeKind::cdata: handler.characters(node.text, true); break;
    case NodeKind::comment: handler.comment(node.text); break;
    case NodeKind::processing_instruction: handler.processing_instruction(node.name, node.text); break;
    }
}

} // namespace escprov::xml
