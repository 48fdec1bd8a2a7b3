#pragma once
// Turns parse events into calls on anything with the event methods of xml::Writer and
// xml::TreeBuilder, so a parse can feed a writer or a tree builder directly.

#include "xml/reader.hpp"

namespace escprov::xml {

// `Target` needs start_element(name, attributes, empty_tag), end_element(), characters(text,
// cdata), comment(text) and processing_instruction(target, data). The target must outlive this.
template <typename Target> class EventsTo : public Handler {
public:
    explicit EventsTo(Target& target) : m_target(target) {}
    void start_element(std::string_view name, const Attributes& attributes, bool empty_tag) override
    {
        m_target.start_element(name, attributes, empty_tag);
    }
    void end_element(std::string_view) override { m_target.end_element(); }
    void characters(std::string_view text, bool cdata) override { m_target.characters(text, cdata); }
    void comment(std::string_view text) override { m_target.comment(text); }
    void processing_instruction(std::string_view target, std::string_view data) override
    {
        m_target.processing_instruction(target, data);
    }

private:
    Target& m_target;
};

} // namespace escprov::xml
