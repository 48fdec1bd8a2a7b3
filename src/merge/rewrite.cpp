#include "merge/rewrite.hpp"

#include "merge/entity.hpp"
#include "solution/schema.hpp"
#include "solution/walker.hpp"

namespace escprov::merge {

using solution::ItemAction;
using solution::ItemWalker;

namespace {

// Pass two of full mode: the base written through, with the plan's replacements, removals and
// additions, and the connector's sections the base lacks put at their schema place.
class Rewriter : public ItemWalker {
public:
    Rewriter(Plan& plan, const connector::Connector& connector, xml::Handler& out, size_t& preserved)
        : m_plan(plan), m_connector(connector), m_out(out), m_preserved(preserved)
    {}
    // The root attributes to write instead of the base's (the target's, when it is not the base's version).
    void set_root_attributes(xml::Attributes attributes) { m_root_attributes = std::move(attributes); }

protected:
    void on_root_start(std::string_view name, const xml::Attributes& attributes, bool) override
    {
        m_out.start_element(name, m_root_attributes ? *m_root_attributes : attributes, false);
    }
    void on_root_end(std::string_view name) override
    {
        emit_missing_sections(std::nullopt);
        m_out.end_element(name);
    }
    void on_section_start(std::string_view section, const xml::Attributes& attributes, bool empty_tag) override
    {
        emit_missing_sections(solution::section_rank(section));
        m_seen.insert(std::string(section));
        m_dropping_section = m_plan.drop_sections.count(std::string(section)) != 0;
        if (m_dropping_section) {
            m_out.start_element(section, attributes, true);
            return;
        }
        bool adds = has_additions(section);
        m_out.start_element(section, attributes, empty_tag && !adds);
    }
    void on_section_end(std::string_view section) override
    {
        if (!m_dropping_section) {
            emit_additions(std::string(section));
        }
        m_dropping_section = false;
        m_out.end_element(section);
    }
    ItemAction decide(std::string_view section, const std::string& identity) override
    {
        m_identity = identity;
        if (section == "SiteMap") {
            m_seen.insert("SiteMap");
            if (m_plan.sitemap) {
                emit_missing_sections(solution::section_rank("SiteMap"));
                xml::replay(*m_plan.sitemap, m_out);
                return ItemAction::drop;
            }
            return ItemAction::pass;
        }
        if (m_dropping_section) {
            return ItemAction::drop;
        }
        std::string key(section);
        auto replacements = m_plan.replace.find(key);
        if (replacements != m_plan.replace.end()) {
            auto found = replacements->second.find(identity);
            if (found != replacements->second.end()) {
                xml::replay(found->second, m_out);
                m_replaced[key].insert(identity);
                return ItemAction::drop;
            }
        }
        if (section == "Entities" && m_plan.strip_ids.count(identity) != 0) {
            return ItemAction::materialise;
        }
        ++m_preserved;
        return ItemAction::pass;
    }
    void on_item(std::string_view, xml::Node item) override
    {
        for (const auto& id : m_plan.strip_ids[m_identity]) {
            strip_form_or_view(item, id);
        }
        xml::replay(item, m_out);
    }
    void on_pass_start(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        if (!m_dropping_section || depth() != 2) {
            if (!m_dropping_section) {
                m_out.start_element(name, attributes, empty_tag);
            }
        }
    }
    void on_pass_end(std::string_view name) override
    {
        if (!m_dropping_section) {
            m_out.end_element(name);
        }
    }
    void on_pass_characters(std::string_view text, bool cdata) override
    {
        if (!m_dropping_section) {
            m_out.characters(text, cdata);
        }
    }
    void on_pass_comment(std::string_view text) override
    {
        if (!m_dropping_section) {
            m_out.comment(text);
        }
    }

private:
    bool has_additions(std::string_view section) const
    {
        auto found = m_plan.append.find(std::string(section));
        return found != m_plan.append.end() && !found->second.empty();
    }

    void emit_additions(const std::string& section)
    {
        auto found = m_plan.append.find(section);
        if (found == m_plan.append.end()) {
            return;
        }
        for (const auto& item : found->second) {
            m_out.characters("\n", false);
            xml::replay(item, m_out);
        }
        m_plan.append.erase(found);
    }

    // Sections of the connector that the base lacks, before the section of rank `before` (all
    // that are left when `before` is empty).
    void emit_missing_sections(std::optional<size_t> before)
    {
        for (const auto& [section, items] : m_connector.sections) {
            if (m_seen.count(section) != 0 || !has_additions(section)) {
                continue;
            }
            auto rank = solution::section_rank(section);
            if (before && rank && *rank >= *before) {
                continue;
            }
            m_seen.insert(section);
            m_out.characters("\n", false);
            m_out.start_element(section, {}, false);
            emit_additions(section);
            m_out.characters("\n", false);
            m_out.end_element(section);
        }
        if (!before && m_plan.sitemap && m_seen.count("SiteMap") == 0) {
            m_seen.insert("SiteMap");
            xml::replay(*m_plan.sitemap, m_out);
        }
    }

    Plan& m_plan;
    const connector::Connector& m_connector;
    xml::Handler& m_out;
    size_t& m_preserved;
    std::set<std::string> m_seen;
    std::map<std::string, std::set<std::string>> m_replaced;
    std::string m_identity;
    bool m_dropping_section = false;
    std::optional<xml::Attributes> m_root_attributes;
};

} // namespace

Rewrite rewrite_customizations(solution::SolutionInput& input, Plan& plan, const connector::Connector& connector,
                               xml::Handler& out, const std::optional<xml::Attributes>& root)
{
    Rewrite result;
    Rewriter rewriter(plan, connector, out, result.preserved);
    if (root) {
        rewriter.set_root_attributes(*root);
    }
    input.read_customizations(rewriter);
    return result;
}

} // namespace escprov::merge
