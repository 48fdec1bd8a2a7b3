#include "solution/census.hpp"

#include "solution/schema.hpp"

namespace escprov::solution {

namespace {

class CensusHandler : public CustomizationsHandler {
public:
    explicit CensusHandler(Census& census) : m_census(census) {}
    void set_locations(const xml::LocationProvider&) override {}

    void start_element(std::string_view name, const xml::Attributes&, bool) override
    {
        m_path.emplace_back(name);
        size_t depth = m_path.size();
        if (depth == 2) {
            // A single-value section (OrganizationSettings, RibbonDiffXml...) counts once.
            m_census.sections.emplace_back(std::string(name), section_item(name).empty() ? 1 : 0);
        } else if (depth == 3) {
            if (section_item(m_path[1]) == name) {
                m_census.sections.back().second++;
            }
        } else if (depth >= 4 && m_path[1] == "Entities" && m_path[2] == "Entity") {
            count_entity_part(name, depth);
        }
        m_text.clear();
    }

    void end_element(std::string_view) override
    {
        if (m_path.size() == 4 && m_path[1] == "Entities" && m_path[3] == "Name") {
            m_census.entity_names.push_back(m_text);
        }
        m_path.pop_back();
    }

    void characters(std::string_view text, bool) override
    {
        if (wants_characters()) {
            m_text.append(text);
        }
    }
    // Only entity names are read.
    bool wants_characters() const override { return m_path.size() == 4 && m_path[3] == "Name"; }

private:
    void count_entity_part(std::string_view name, size_t depth)
    {
        // Entities/Entity/EntityInfo/entity/attributes/attribute
        if (depth == 7 && name == "attribute" && m_path[5] == "attributes") {
            ++m_census.attributes;
        } else if (depth == 6 && name == "systemform" && m_path[3] == "FormXml") {
            ++m_census.forms;
        } else if (depth == 6 && name == "savedquery" && m_path[3] == "SavedQueries") {
            ++m_census.views;
        } else if (depth == 5 && name == "visualization" && m_path[3] == "Visualizations") {
            ++m_census.charts;
        }
    }

    Census& m_census;
    std::vector<std::string> m_path;
    std::string m_text;
};

} // namespace

Census take_census(SolutionInput& input)
{
    Census census;
    if (!input.has_customizations()) {
        return census;
    }
    CensusHandler handler(census);
    input.read_customizations(handler);
    return census;
}

} // namespace escprov::solution
