#include "validate/manifest_checks.hpp"
#include "solution/component_type.hpp"
#include "util/text.hpp"

#include <algorithm>
#include <cctype>

namespace escprov::validate {

namespace {

bool is_version(std::string_view text)
{
    size_t parts = 0;
    size_t begin = 0;
    while (true) {
        size_t dot = text.find('.', begin);
        std::string_view part =
            text.substr(begin, dot == std::string_view::npos ? std::string_view::npos : dot - begin);
        if (part.empty() ||
            !std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
            return false;
        }
        ++parts;
        if (dot == std::string_view::npos) {
            break;
        }
        begin = dot + 1;
    }
    return parts >= 2 && parts <= 4;
}

xml::Location at(const xml::Node* node)
{
    return node != nullptr ? xml::Location{node->location.line, node->location.column, nullptr} : xml::Location{};
}

} // namespace

void check_manifest(const solution::Manifest& manifest, Findings& findings)
{
    const xml::Node& root = manifest.root;
    const std::string& file = manifest.file;
    const xml::Node* body = root.child("SolutionManifest");
    if (manifest.root_name != "ImportExportXml" || body == nullptr) {
        findings.add("ESC-MAN-001", file, at(&root),
                     manifest.root_name != "ImportExportXml"
                         ? "the root element is '" + manifest.root_name + "', not ImportExportXml"
                         : std::string("ImportExportXml has no SolutionManifest"));
        return;
    }
    if (trimmed(manifest.version).empty()) {
        findings.add("ESC-MAN-004", file, at(&root),
                     "ImportExportXml has no version attribute (the exporting CRM build)");
    }
    if (trimmed(manifest.package_version).empty() && trimmed(manifest.minimum_version).empty()) {
        findings.add("ESC-MAN-004", file, at(&root),
                     "ImportExportXml has neither SolutionPackageVersion nor minimumversion, so the target CRM version "
                     "is unknown");
    }
    auto require = [&](const xml::Node* parent, std::string_view field, const std::string& value) {
        if (trimmed(value).empty()) {
            const xml::Node* node = parent->child(field);
            findings.add("ESC-MAN-002", file, at(node != nullptr ? node : parent),
                         parent->name + "/" + std::string(field) + (node != nullptr ? " is empty" : " is missing"));
            return false;
        }
        return true;
    };
    require(body, "UniqueName", manifest.unique_name);
    if (require(body, "Version", manifest.solution_version) && !is_version(trimmed(manifest.solution_version))) {
        findings.add("ESC-MAN-005", file, at(body->child("Version")),
                     "Version '" + manifest.solution_version + "' is not two to four dot-separated numbers");
    }
    if (require(body, "Managed", manifest.managed_text) &&
        (!manifest.managed || *manifest.managed < 0 || *manifest.managed > 2)) {
        findings.add("ESC-MAN-003", file, at(body->child("Managed")),
                     "Managed is '" + manifest.managed_text + "'; it must be 0 (unmanaged), 1 (managed) or 2 (both)");
    }
    if (const xml::Node* publisher = body->child("Publisher")) {
        require(publisher, "UniqueName", manifest.publisher.unique_name);
        require(publisher, "CustomizationPrefix", manifest.publisher.prefix);
        require(publisher, "CustomizationOptionValuePrefix", manifest.publisher.option_value_prefix);
    } else {
        findings.add("ESC-MAN-002", file, at(body), "SolutionManifest/Publisher is missing");
    }
    if (const xml::Node* roots = body->child("RootComponents")) {
        for (const xml::Node* node : roots->children_named("RootComponent")) {
            const std::string* type = node->attribute("type");
            bool named = node->attribute("schemaName") != nullptr || node->attribute("id") != nullptr ||
                         node->attribute("parentId") != nullptr;
            // The org sitemap is the one component a RootComponent names by type alone.
            named = named ||
                    (type != nullptr && solution::parse_component_type(*type) == solution::ComponentType::site_map);
            if (type == nullptr || trimmed(*type).empty() || !named) {
                findings.add("ESC-MAN-007", file, at(node),
                             type == nullptr ? std::string("RootComponent has no type attribute")
                                             : "RootComponent of type " + *type + " has neither schemaName nor id");
            }
        }
    }
}

void check_managed_name(const solution::Manifest& manifest, std::string_view file_name, Findings& findings)
{
    if (!manifest.managed || (*manifest.managed != 0 && *manifest.managed != 1)) {
        return;
    }
    bool says_managed = solution::file_name_says_managed(file_name);
    const xml::Node* body = manifest.root.child("SolutionManifest");
    xml::Location where = at(body != nullptr ? body->child("Managed") : nullptr);
    if (*manifest.managed == 0 && says_managed) {
        findings.add("ESC-MAN-006", manifest.file, where,
                     "the file name '" + std::string(file_name) + "' says managed, but <Managed> is 0 (unmanaged)");
    } else if (*manifest.managed == 1 && !says_managed) {
        findings.add("ESC-MAN-006", manifest.file, where,
                     "<Managed> is 1 (managed), but the file name '" + std::string(file_name) +
                         "' lacks the '_managed' that managed exports carry");
    }
}

} // namespace escprov::validate
