#include "solution/walker.hpp"

#include "solution/identity.hpp"
#include "solution/schema.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"

namespace escprov::solution {

void ItemWalker::start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag)
{
    ++m_depth;
    if (m_depth == 1) {
        on_root_start(name, attributes, empty_tag);
        return;
    }
    if (m_depth == 2) {
        m_section = name;
        m_whole_section = name == "SiteMap";
        m_item_section = !m_whole_section && !solution::section_item(name).empty();
        if (m_whole_section) {
            begin_item(name, attributes, empty_tag);
        } else {
            on_section_start(name, attributes, empty_tag);
        }
        return;
    }
    if (m_item_depth == 0) {
        if (m_depth == 3 && m_item_section && name == solution::section_item(m_section)) {
            begin_item(name, attributes, empty_tag);
        } else {
            on_pass_start(name, attributes, empty_tag);
        }
        return;
    }
    observe(name, attributes);
    if (!m_action && m_depth == m_item_depth + 1 && name == m_identity_child) {
        m_in_identity_child = true;
    }
    if (m_action) {
        deliver_start(name, attributes, empty_tag); // no copy once the item's fate is known
    } else {
        m_held.push_back(Event{Event::Kind::start, std::string(name), attributes, empty_tag});
    }
}

void ItemWalker::deliver_start(std::string_view name, const xml::Attributes& attributes, bool empty_tag)
{
    if (*m_action == ItemAction::materialise) {
        m_builder.start_element(name, attributes, empty_tag);
    } else if (*m_action == ItemAction::pass) {
        on_pass_start(name, attributes, empty_tag);
    }
}

void ItemWalker::deliver_text(std::string_view text, bool cdata)
{
    if (*m_action == ItemAction::materialise) {
        m_builder.characters(text, cdata);
    } else if (*m_action == ItemAction::pass) {
        on_pass_characters(text, cdata);
    }
}

void ItemWalker::end_element(std::string_view name)
{
    if (m_depth == 1) {
        on_root_end(name);
    } else if (m_item_depth != 0) {
        send(Event{Event::Kind::end, std::string(name), {}, false});
        if (m_in_identity_child && m_depth == m_item_depth + 1) {
            m_in_identity_child = false;
            settle(normalise_id(m_identity_text));
        }
        if (m_depth == m_item_depth) {
            if (!m_action) {
                settle("");
            }
            finish_item();
        }
    } else if (m_depth == 2) {
        on_section_end(name);
    } else {
        on_pass_end(name);
    }
    --m_depth;
}

void ItemWalker::characters(std::string_view text, bool cdata)
{
    if (m_item_depth == 0) {
        if (m_depth >= 1) {
            on_pass_characters(text, cdata); // between sections too: the layout of the skeleton
        }
        return;
    }
    if (m_in_identity_child) {
        m_identity_text += text;
    }
    if (observing_text()) {
        observe_text(text);
    }
    if (m_action) {
        deliver_text(text, cdata);
    } else {
        m_held.push_back(Event{Event::Kind::text, std::string(text), {}, cdata});
    }
}

bool ItemWalker::wants_characters() const
{
    if (m_item_depth == 0) {
        return m_depth >= 1 && needs_passed_text();
    }
    if (m_in_identity_child || observing_text() || !m_action) {
        return true;
    }
    return *m_action == ItemAction::materialise || (*m_action == ItemAction::pass && needs_passed_text());
}

void ItemWalker::comment(std::string_view text)
{
    if (m_item_depth == 0) {
        if (m_depth >= 2) {
            on_pass_comment(text);
        }
        return;
    }
    send(Event{Event::Kind::comment, std::string(text), {}, false});
}

void ItemWalker::processing_instruction(std::string_view, std::string_view) {}

void ItemWalker::begin_item(std::string_view name, const xml::Attributes& attributes, bool empty_tag)
{
    check_interrupted();
    m_item_depth = m_depth;
    m_action.reset();
    m_held.clear();
    m_identity_text.clear();
    m_in_identity_child = false;
    m_builder = xml::TreeBuilder(m_locations);
    m_identity_child = m_whole_section ? std::string() : std::string(identity_child(m_section));
    m_held.push_back(Event{Event::Kind::start, std::string(name), attributes, empty_tag});
    if (m_identity_child.empty()) {
        xml::Node start = xml::make_element(std::string(name), attributes);
        settle(m_whole_section ? std::string(name) : item_identity(m_section, start));
    }
}

void ItemWalker::settle(const std::string& identity)
{
    m_action = decide(m_section, identity);
    std::vector<Event> held = std::move(m_held);
    m_held.clear();
    for (const auto& event : held) {
        send(event);
    }
}

void ItemWalker::send(const Event& event)
{
    if (!m_action) {
        m_held.push_back(event);
        return;
    }
    switch (*m_action) {
    case ItemAction::drop: return;
    case ItemAction::materialise:
        switch (event.kind) {
        case Event::Kind::start: deliver_start(event.name, event.attributes, event.flag); break;
        case Event::Kind::end: m_builder.end_element(); break;
        case Event::Kind::text: deliver_text(event.name, event.flag); break;
        case Event::Kind::comment: m_builder.comment(event.name); break;
        }
        return;
    case ItemAction::pass:
        switch (event.kind) {
        case Event::Kind::start: deliver_start(event.name, event.attributes, event.flag); break;
        case Event::Kind::end: on_pass_end(event.name); break;
        case Event::Kind::text: deliver_text(event.name, event.flag); break;
        case Event::Kind::comment: on_pass_comment(event.name); break;
        }
        return;
    }
}

void ItemWalker::finish_item()
{
    if (*m_action == ItemAction::materialise) {
        on_item(m_section, m_builder.take());
    }
    m_item_depth = 0;
    m_action.reset();
}

} // namespace escprov::solution
