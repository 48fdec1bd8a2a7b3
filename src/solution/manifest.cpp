#include "solution/manifest.hpp"

#include <cctype>
#include <charconv>
#include <map>

namespace escprov::solution {

namespace {

std::optional<int> to_int(const std::string* text)
{
    if (text == nullptr) {
        return std::nullopt;
    }
    int value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size()) {
        return std::nullopt;
    }
    return value;
}

std::string attribute_or_empty(const xml::Node& node, std::string_view name)
{
    const std::string* value = node.attribute(name);
    return value != nullptr ? *value : std::string();
}

std::string localized_name(const xml::Node* parent)
{
    if (parent == nullptr) {
        return {};
    }
    const xml::Node* names = parent->child("LocalizedNames");
    if (names == nullptr) {
        return {};
    }
    std::string fallback;
    for (const xml::Node* name : names->children_named("LocalizedName")) {
        std::string description = attribute_or_empty(*name, "description");
        if (attribute_or_empty(*name, "languagecode") == "1033") {
            return description;
        }
        if (fallback.empty()) {
            fallback = description;
        }
    }
    return fallback;
}

DependencyEnd read_end(const xml::Node* node)
{
    DependencyEnd end;
    if (node == nullptr) {
        return end;
    }
    end.type = static_cast<ComponentType>(to_int(node->attribute("type")).value_or(0));
    end.schema_name = attribute_or_empty(*node, "schemaName");
    end.id = attribute_or_empty(*node, "id");
    end.display_name = attribute_or_empty(*node, "displayName");
    end.solution = attribute_or_empty(*node, "solution");
    end.parent_schema_name = attribute_or_empty(*node, "parentSchemaName");
    return end;
}

} // namespace

Manifest read_manifest(xml::ByteSource& source, const xml::Limits& limits)
{
    Manifest manifest;
    manifest.file = source.name();
    manifest.root = xml::parse_document(source, limits);
    const xml::Node& root = manifest.root;
    manifest.root_name = root.name;
    manifest.version = attribute_or_empty(root, "version");
    manifest.package_version = attribute_or_empty(root, "SolutionPackageVersion");
    manifest.minimum_version = attribute_or_empty(root, "minimumversion");
    manifest.language_code = attribute_or_empty(root, "languagecode");
    manifest.generated_by = attribute_or_empty(root, "generatedBy");
    const xml::Node* body = root.child("SolutionManifest");
    if (body == nullptr) {
        return manifest;
    }
    manifest.unique_name = body->child_text("UniqueName");
    manifest.display_name = localized_name(body);
    manifest.solution_version = body->child_text("Version");
    if (const xml::Node* managed = body->child("Managed")) {
        manifest.managed_text = managed->text_content();
        manifest.managed = to_int(&manifest.managed_text);
    }
    if (const xml::Node* publisher = body->child("Publisher")) {
        manifest.publisher.unique_name = publisher->child_text("UniqueName");
        manifest.publisher.display_name = localized_name(publisher);
        manifest.publisher.prefix = publisher->child_text("CustomizationPrefix");
        manifest.publisher.option_value_prefix = publisher->child_text("CustomizationOptionValuePrefix");
    }
    if (const xml::Node* roots = body->child("RootComponents")) {
        for (const xml::Node* node : roots->children_named("RootComponent")) {
            RootComponent component;
            component.type = static_cast<ComponentType>(to_int(node->attribute("type")).value_or(0));
            component.schema_name = attribute_or_empty(*node, "schemaName");
            component.id = attribute_or_empty(*node, "id");
            component.behavior = to_int(node->attribute("behavior"));
            component.location = node->location;
            manifest.root_components.push_back(std::move(component));
        }
    }
    if (const xml::Node* missing = body->child("MissingDependencies")) {
        for (const xml::Node* node : missing->children_named("MissingDependency")) {
            manifest.missing_dependencies.push_back(
                {read_end(node->child("Required")), read_end(node->child("Dependent"))});
        }
    }
    return manifest;
}

std::string_view CrmVersion::family() const
{
    switch (major) {
    case 5: return "CRM 2011";
    case 6: return "CRM 2013";
    case 7: return "CRM 2015";
    case 8: return minor >= 2 ? "Dynamics 365 (8.2, on-premises)" : "CRM 2016";
    case 9: return "Dynamics 365 / Dataverse";
    default: return major < 5 ? "older than CRM 2011" : "newer than Dataverse 9.x";
    }
}

std::optional<CrmVersion> parse_crm_version(std::string_view text)
{
    CrmVersion version;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    auto [after_major, ec1] = std::from_chars(begin, end, version.major);
    if (ec1 != std::errc()) {
        return std::nullopt;
    }
    if (after_major != end) {
        if (*after_major != '.') {
            return std::nullopt;
        }
        auto [after_minor, ec2] = std::from_chars(after_major + 1, end, version.minor);
        if (ec2 != std::errc()) {
            return std::nullopt;
        }
        (void)after_minor;
    }
    version.text = std::to_string(version.major) + "." + std::to_string(version.minor);
    return version;
}

std::optional<CrmVersion> target_version(const Manifest& manifest)
{
    for (const std::string* text : {&manifest.package_version, &manifest.minimum_version, &manifest.version}) {
        if (!text->empty()) {
            if (auto version = parse_crm_version(*text)) {
                return version;
            }
        }
    }
    return std::nullopt;
}

std::string_view managed_word(const Manifest& manifest)
{
    if (!manifest.managed) {
        return "unknown";
    }
    switch (*manifest.managed) {
    case 0: return "unmanaged";
    case 1: return "managed";
    case 2: return "both";
    default: return "unknown";
    }
}

std::string export_file_name(std::string_view unique_name, std::string_view solution_version, bool managed)
{
    auto safe = [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' ? static_cast<char>(c) : '_'; };
    std::string name;
    for (char c : unique_name.empty() ? std::string_view("solution") : unique_name) {
        name += safe(static_cast<unsigned char>(c));
    }
    if (!solution_version.empty()) {
        name += '_';
        for (char c : solution_version) {
            name += safe(static_cast<unsigned char>(c));
        }
    }
    return name + (managed ? "_managed.zip" : ".zip");
}

bool file_name_says_managed(std::string_view file_name)
{
    std::string name;
    for (char c : file_name) {
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return name.find("unmanaged") == std::string::npos && name.find("_managed") != std::string::npos;
}

std::string dependency_line(const MissingDependency& dependency)
{
    const auto& required = dependency.required;
    const auto& dependent = dependency.dependent;
    std::string line =
        component_type_name(required.type) + " " + (required.schema_name.empty() ? required.id : required.schema_name);
    if (!required.display_name.empty()) {
        line += " (\"" + required.display_name + "\")";
    }
    if (!required.solution.empty()) {
        line += " from " + required.solution;
    }
    line += ", needed by " + component_type_name(dependent.type) + " " +
            (dependent.schema_name.empty() ? dependent.id : dependent.schema_name);
    if (!dependent.parent_schema_name.empty()) {
        line += " of " + dependent.parent_schema_name;
    }
    return line;
}

} // namespace escprov::solution
