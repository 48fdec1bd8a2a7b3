#include "merge/sitemap.hpp"

namespace escprov::merge {

namespace {

constexpr std::string_view k_connector_prefix = "esc_";

std::string id_of(const xml::Node& node)
{
    const std::string* id = node.attribute("Id");
    return id != nullptr ? *id : std::string();
}

bool is_connector_id(std::string_view id)
{
    return id.substr(0, k_connector_prefix.size()) == k_connector_prefix;
}

// The child element `name` with Id `id`, or nullptr.
xml::Node* find_child(xml::Node& parent, std::string_view name, std::string_view id)
{
    for (auto& child : parent.children) {
        if (child.is_element() && child.name == name && id_of(child) == id) {
            return &child;
        }
    }
    return nullptr;
}

class Merger {
public:
    explicit Merger(SitemapMerge& result) : m_result(result) {}

    void merge_area(xml::Node& sitemap, const xml::Node& ours)
    {
        std::string area_id = id_of(ours);
        xml::Node* target = find_child(sitemap, "Area", area_id);
        if (target == nullptr && is_connector_id(area_id)) {
            xml::append_on_own_line(sitemap, ours);
            m_result.added.push_back("Area '" + area_id + "' added");
            return;
        }
        if (target == nullptr) {
            target = fallback_area(sitemap, area_id);
        }
        for (const auto& group : ours.children) {
            if (group.is_element() && group.name == "Group") {
                merge_group(*target, group);
            }
        }
    }

private:
    xml::Node* fallback_area(xml::Node& sitemap, const std::string& missing)
    {
        xml::Node* area = find_child(sitemap, "Area", k_fallback_area_id);
        m_result.warnings.push_back("the sitemap has no Area '" + missing +
                                    "'; the connector's Groups for it go to Area '" + std::string(k_fallback_area_id) +
                                    "' at the end of the sitemap");
        if (area != nullptr) {
            return area;
        }
        xml::Node created =
            xml::make_element("Area", {{"Id", std::string(k_fallback_area_id)}, {"ShowGroups", "true"}});
        xml::Node titles = xml::make_element("Titles");
        xml::Node title = xml::make_element("Title", {{"LCID", "1033"}, {"Title", "Email Marketing"}});
        title.empty_tag = true;
        xml::append_on_own_line(titles, std::move(title));
        xml::append_on_own_line(created, std::move(titles));
        xml::append_on_own_line(sitemap, std::move(created));
        m_result.added.push_back("Area '" + std::string(k_fallback_area_id) + "' added");
        return find_child(sitemap, "Area", k_fallback_area_id);
    }

    void merge_group(xml::Node& area, const xml::Node& ours)
    {
        std::string group_id = id_of(ours);
        std::string where = "Group '" + group_id + "' in Area '" + id_of(area) + "'";
        xml::Node* target = find_child(area, "Group", group_id);
        if (target == nullptr) {
            xml::append_on_own_line(area, ours);
            m_result.added.push_back(where + " added");
            return;
        }
        if (!is_connector_id(group_id)) {
            m_result.conflicts.push_back(where + ": the customer already has a Group with this Id; it is kept and "
                                                 "the connector's SubAreas are not added to it");
            return;
        }
        for (const auto& sub_area : ours.children) {
            if (!sub_area.is_element() || sub_area.name != "SubArea") {
                continue;
            }
            std::string sub_id = id_of(sub_area);
            xml::Node* existing = find_child(*target, "SubArea", sub_id);
            std::string message = "SubArea '" + sub_id + "'";
            if (existing == nullptr) {
                xml::append_on_own_line(*target, sub_area);
                message += " added to ";
                message += where;
                m_result.added.push_back(std::move(message));
            } else if (!xml::equal_ignoring_layout(*existing, sub_area)) {
                message += " of ";
                message += where;
                message += " differs from the connector's; the one in the sitemap is kept";
                m_result.conflicts.push_back(std::move(message));
            }
        }
    }

    SitemapMerge& m_result;
};

} // namespace

SitemapMerge merge_sitemap(const xml::Node& customer, const xml::Node& connector)
{
    SitemapMerge result;
    result.sitemap = customer;
    Merger merger(result);
    for (const auto& area : connector.children) {
        if (area.is_element() && area.name == "Area") {
            merger.merge_area(result.sitemap, area);
        }
    }
    return result;
}

} // namespace escprov::merge
