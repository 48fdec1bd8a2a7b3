#include "solution/schema.hpp"

#include <algorithm>
#include <utility>

namespace escprov::solution {

namespace {
struct SectionInfo {
    std::string_view name;
    std::string_view item;
    std::string_view label;
};

const std::vector<SectionInfo>& sections()
{
    static const std::vector<SectionInfo> table = {
        {"Entities", "Entity", "entities"},
        {"Roles", "Role", "security roles"},
        {"Workflows", "Workflow", "processes"},
        {"FieldSecurityProfiles", "FieldSecurityProfile", "field security profiles"},
        {"Templates", "Template", "templates"},
        {"EntityImageConfigs", "EntityImageConfig", "entity image configs"},
        {"AttributeImageConfigs", "AttributeImageConfig", "attribute image configs"},
        {"RibbonDiffXml", "", "application ribbon"},
        {"IsvConfig", "", "ISV config"},
        {"RelationshipRoles", "RelationshipRole", "relationship roles"},
        {"ConnectionRoles", "ConnectionRole", "connection roles"},
        {"SiteMap", "SiteMap", "org sitemap"},
        {"EntityMaps", "EntityMap", "entity maps"},
        {"EntityRelationships", "EntityRelationship", "relationships"},
        {"OrganizationSettings", "", "organization settings"},
        {"optionsets", "optionset", "global option sets"},
        {"Reports", "Report", "reports"},
        {"RoutingRules", "RoutingRule", "routing rules"},
        {"ChannelPropertyGroups", "ChannelPropertyGroup", "channel property groups"},
        {"ConvertRules", "ConvertRule", "convert rules"},
        {"MobileOfflineProfiles", "MobileOfflineProfile", "mobile offline profiles"},
        {"Slas", "Sla", "SLAs"},
        {"ChannelAccessProfiles", "ChannelAccessProfile", "channel access profiles"},
        {"ChannelAccessProfileRules", "ChannelAccessProfileRule", "channel access profile rules"},
        {"Dashboards", "Dashboard", "dashboards"},
        {"InteractionCentricDashboards", "InteractionCentricDashboard", "interaction-centric dashboards"},
        {"Dialogs", "Dialog", "dialogs"},
        {"WebResources", "WebResource", "web resources"},
        {"CustomControls", "CustomControl", "custom controls"},
        {"SolutionPluginAssemblies", "PluginAssembly", "plug-in assemblies"},
        {"SdkMessageProcessingSteps", "SdkMessageProcessingStep", "plug-in steps"},
        {"ServiceEndpoints", "ServiceEndpoint", "service endpoints"},
        {"AppModuleSiteMaps", "AppModuleSiteMap", "app sitemaps"},
        {"AppModules", "AppModule", "model-driven apps"},
        {"EntityDataProviders", "EntityDataProvider", "entity data providers"},
        {"EntityDataSources", "EntityDataSource", "entity data sources"},
        {"AIModels", "AIModel", "AI models"},
        {"CanvasApps", "CanvasApp", "canvas apps"},
        {"Connectors", "Connector", "connectors"},
        {"connectionreferences", "connectionreference", "connection references"},
        {"Languages", "Language", "languages"},
        {"GlobalSearchConfigurations", "GlobalSearchConfiguration", "global search configurations"},
        {"StoredProcedures", "StoredProcedure", "stored procedures"},
    };
    return table;
}

const SectionInfo* find(std::string_view name)
{
    for (const auto& info : sections()) {
        if (info.name == name) {
            return &info;
        }
    }
    return nullptr;
}
} // namespace

const std::vector<std::string_view>& section_order()
{
    static const std::vector<std::string_view> order = [] {
        std::vector<std::string_view> names;
        for (const auto& info : sections()) {
            names.push_back(info.name);
        }
        return names;
    }();
    return order;
}

std::optional<size_t> section_rank(std::string_view section)
{
    const auto& order = section_order();
    auto found = std::find(order.begin(), order.end(), section);
    if (found == order.end()) {
        return std::nullopt;
    }
    return static_cast<size_t>(found - order.begin());
}

bool sections_seen_both_ways(std::string_view a, std::string_view b)
{
    // 2024 exports write the image configs right after ConnectionRoles, so after every section
    // the schema puts between them and ConnectionRoles too.
    static constexpr std::string_view images[] = {"EntityImageConfigs", "AttributeImageConfigs"};
    static constexpr std::string_view between[] = {"RibbonDiffXml", "IsvConfig", "RelationshipRoles",
                                                   "ConnectionRoles"};
    auto is_image = [](std::string_view name) {
        return std::find(std::begin(images), std::end(images), name) != std::end(images);
    };
    auto is_between = [](std::string_view name) {
        return std::find(std::begin(between), std::end(between), name) != std::end(between);
    };
    return (is_image(a) && is_between(b)) || (is_image(b) && is_between(a));
}

std::optional<std::string_view> section_blocker(const std::vector<std::string>& before, std::string_view next)
{
    auto rank = section_rank(next);
    if (!rank) {
        return std::nullopt;
    }
    for (const std::string& earlier : before) {
        auto earlier_rank = section_rank(earlier);
        if (earlier_rank && *earlier_rank > *rank && !sections_seen_both_ways(earlier, next)) {
            return section_order()[*earlier_rank];
        }
    }
    return std::nullopt;
}

std::string_view section_item(std::string_view section)
{
    const SectionInfo* info = find(section);
    return info != nullptr ? info->item : std::string_view();
}

std::string_view section_label(std::string_view section)
{
    const SectionInfo* info = find(section);
    return info != nullptr ? info->label : section;
}

} // namespace escprov::solution
