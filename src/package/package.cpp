#include "package/package.hpp"

#include "connector/ownership.hpp"
#include "connector/templates.hpp"
#include "pack/assemble.hpp"
#include "pack/input.hpp"
#include "pack/pack.hpp"
#include "package/form_difference.hpp"
#include "solution/identity.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"
#include "validate/validator.hpp"
#include "xml/source.hpp"
#include "xml/writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace escprov::package {

namespace fs = std::filesystem;

namespace {

// The --bump words, in Bump's order.
constexpr std::string_view k_bump_names[] = {"major", "minor", "build", "revision"};

// The dotted parts of `version`, or {} when a part is not a number that fits CRM's version
// parts: System.Version holds each of major, minor, build and revision in a 32-bit signed int.
std::vector<int32_t> version_parts(std::string_view version)
{
    std::vector<int32_t> parts;
    size_t start = 0;
    while (start <= version.size()) {
        size_t end = version.find('.', start);
        std::string_view part = version.substr(start, end == std::string_view::npos ? end : end - start);
        int32_t value = 0;
        auto [ptr, error] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (part.empty() || error != std::errc() || ptr != part.data() + part.size() || value < 0) {
            return {};
        }
        parts.push_back(value);
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return parts;
}

xml::Node parse_file(const fs::path& file, const xml::Limits& limits)
{
    xml::FileSource source(file, file.string());
    return xml::parse_document(source, limits);
}

std::vector<std::string> split_path(const std::string& path)
{
    std::vector<std::string> segments;
    std::istringstream stream(path);
    for (std::string segment; std::getline(stream, segment, '/');) {
        segments.push_back(segment);
    }
    return segments;
}

std::string identity_of(const fs::path& file, std::string_view what, const std::string* value)
{
    if (value == nullptr || trimmed(*value).empty()) {
        throw_input("package: " + quoted(file) + " has no " + std::string(what));
    }
    return trimmed(*value);
}

// The package's <RootComponents> and <MissingDependencies> for `components`.
std::pair<xml::Node, xml::Node> manifest_lists(const std::vector<Component>& components,
                                               const solution::CrmVersion& target)
{
    std::vector<connector::RootComponent> roots;
    std::vector<connector::FormDependent> forms;
    for (const auto& component : components) {
        roots.push_back(component.root);
        if (component.root.type == solution::ComponentType::system_form) {
            forms.push_back({component.root.value, component.range_name, component.display_name});
        }
    }
    return {connector::root_components_node(roots, target), connector::missing_dependencies_node(roots, forms, target)};
}

void replace_child(xml::Node& parent, xml::Node replacement)
{
    for (auto& child : parent.children) {
        if (child.is_element() && child.name == replacement.name) {
            child = std::move(replacement);
            return;
        }
    }
    throw_input("package: the connector's solution.xml template has no <" + replacement.name + ">");
}

// The package's solution.xml from templates/solution.xml.
// What the connector's solution.xml template is filled with for a package of `version`.
connector::TemplateValues manifest_values(const PackageOptions& options, const std::string& version)
{
    connector::VersionStamp stamp =
        connector::version_stamp(options.connector.templates / "versions.tsv", options.target);
    return connector::TemplateValues{{"root.raw", stamp.root},
                                     {"solution.version", version},
                                     {"solution.managed", options.type == pack::PackageType::managed ? "1" : "0"},
                                     {"lcid", "1033"}};
}

// The unique name the connector's solution.xml template gives every package.
std::string package_unique_name(const PackageOptions& options, const std::string& version)
{
    fs::path file = options.connector.templates / "solution.xml";
    std::string text = connector::render_template(file, manifest_values(options, version));
    xml::MemorySource source(text, file.string());
    return trimmed(solution::read_manifest(source, options.limits.xml).unique_name);
}

std::string make_manifest(const PackageOptions& options, const std::string& version,
                          const std::vector<Component>& components, const xml::Limits& limits)
{
    fs::path file = options.connector.templates / "solution.xml";
    std::string text = connector::render_template(file, manifest_values(options, version));
    xml::MemorySource source(text, file.string());
    xml::Node root = xml::parse_document(source, limits);
    xml::Node* manifest = root.child("SolutionManifest");
    if (manifest == nullptr) {
        throw_input("package: " + quoted(file) + " has no SolutionManifest");
    }
    auto [roots, dependencies] = manifest_lists(components, options.target);
    replace_child(*manifest, std::move(roots));
    replace_child(*manifest, std::move(dependencies));
    // Only staged: pack writes solution.xml again, with the prologue the staged order file names.
    return xml::to_string(root, xml::Style{});
}

bool is_left_out(const std::string& file, const std::vector<std::string>& removed)
{
    return std::any_of(removed.begin(), removed.end(), [&](const std::string& path) {
        return path.back() == '/' ? std::string_view(file).starts_with(path) : file == path;
    });
}

// What CRM 2011 to Dataverse 9.2 exports carry (samples/orgs, ../shared/corpus): solution.xml and
// customizations.xml with neither a UTF-8 BOM nor an XML declaration, and a [Content_Types].xml
// (which pack writes with a BOM, on one line, as exports have it). In escprov-order.txt's words.
constexpr std::string_view k_export_prologues = "!solution.xml bom=0 declaration=0\n"
                                                "!customizations.xml bom=0 declaration=0\n";

// True for a form file of an entity that is not the connector's: a customer's system form.
bool is_customer_form(const std::string& file)
{
    std::vector<std::string> segments = split_path(file);
    return segments.size() == 5 && segments[0] == "Entities" && segments[2] == "FormXml" &&
           !connector::is_connector_name(segments[1]) && segments[4].size() > 4 && segments[4].ends_with(".xml") &&
           !pack::is_managed_variant(segments[4]);
}

// Copies `tree` into `staging` without the `removed` paths, with `manifest` as Other/Solution.xml.
// In a managed package a customer's form carrying the connector's tab becomes that tab's
// difference (form_difference.hpp).
void stage_tree(const fs::path& tree, const std::vector<std::string>& files, const std::vector<std::string>& removed,
                const std::string& manifest, const fs::path& staging, const PackageOptions& options)
{
    for (const auto& file : files) {
        check_interrupted();
        if (is_left_out(file, removed) || file == "Other/Solution.xml") {
            continue;
        }
        fs::path target = staging / file;
        fs::create_directories(target.parent_path());
        if (options.type == pack::PackageType::managed && is_customer_form(file)) {
            if (auto difference = connector_form_difference(parse_file(tree / file, options.limits.xml))) {
                xml::Style style;
                style.bom = true;
                style.declaration = true;
                style.keep_unindented_markup = true;
                write_file_atomic(target, xml::to_string(*difference, style), AtomicFile::Overwrite::no);
                continue;
            }
        }
        if (file == pack::k_order_file) {
            // The prologues are those of a CRM export whatever the tree came from, so that the
            // package reads like one; the spliced paths stay, less the components left out.
            std::istringstream lines(read_file(tree / file));
            std::string kept(k_export_prologues);
            for (std::string line; std::getline(lines, line);) {
                std::string path = line;
                if (!path.empty() && path.back() == '\r') {
                    path.pop_back();
                }
                if (!path.starts_with('!') && !is_left_out(path, removed)) {
                    kept += line + "\n";
                }
            }
            write_file_atomic(target, kept, AtomicFile::Overwrite::no);
            continue;
        }
        std::error_code error;
        fs::copy_file(tree / file, target, error);
        // A signal can cut the copy short (EINTR): that is the interruption, or a retry.
        while (error == std::errc::interrupted) {
            check_interrupted();
            fs::remove(target, error);
            fs::copy_file(tree / file, target, error);
        }
        if (error) {
            throw_output("package: cannot copy " + quoted(tree / file) + " to " + quoted(target) + ": " +
                         error.message());
        }
    }
    fs::create_directories(staging / "Other");
    write_file_atomic(staging / "Other" / "Solution.xml", manifest, AtomicFile::Overwrite::no);
}

std::vector<validate::Finding> errors_of(const validate::PathReport& report)
{
    std::vector<validate::Finding> errors;
    for (const auto& finding : report.findings) {
        if (finding.severity == validate::Severity::error) {
            errors.push_back(finding);
        }
    }
    return errors;
}

// `text` with every `temp` (the package's temporary, which validation names) said as `name`.
std::string named_as_output(std::string text, const std::string& temp, const std::string& name)
{
    for (size_t at = text.find(temp); at != std::string::npos; at = text.find(temp, at + name.size())) {
        text.replace(at, temp.size(), name);
    }
    return text;
}

} // namespace

std::optional<Bump> parse_bump(std::string_view text)
{
    auto found = std::find(std::begin(k_bump_names), std::end(k_bump_names), text);
    if (found == std::end(k_bump_names)) {
        return std::nullopt;
    }
    return static_cast<Bump>(found - std::begin(k_bump_names));
}

bool is_solution_version(std::string_view version)
{
    return version_parts(version).size() == 4;
}

std::string bumped_version(std::string_view version, Bump bump)
{
    std::vector<int32_t> parts = version_parts(version);
    if (parts.empty() || parts.size() > 4) {
        throw_input("package: the tree's solution version '" + std::string(version) +
                    "' is not X.Y.Z.W with parts up to 2147483647, so --bump cannot raise it");
    }
    parts.resize(4, 0);
    auto index = static_cast<size_t>(bump);
    if (parts[index] == std::numeric_limits<int32_t>::max()) {
        throw_usage("package: --bump " + std::string(k_bump_names[index]) + " cannot raise '" + std::string(version) +
                    "': CRM's version parts stop at 2147483647; pass --version");
    }
    ++parts[index];
    std::fill(parts.begin() + static_cast<std::ptrdiff_t>(index) + 1, parts.end(), 0);
    return std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]) + "." +
           std::to_string(parts[3]);
}

std::vector<Component> tree_components(const fs::path& tree, const std::vector<std::string>& files,
                                       const xml::Limits& limits)
{
    std::vector<Component> shells;
    std::vector<Component> ours;
    std::vector<Component> roles;
    std::vector<Component> option_sets;
    std::vector<Component> web_resources;
    std::vector<Component> app_sitemaps;
    std::vector<Component> apps;
    std::vector<Component> forms;
    std::vector<Component> org_sitemap;
    for (const auto& file : files) {
        std::vector<std::string> segments = split_path(file);
        if (segments.size() == 3 && segments[0] == "Entities" && segments[2] == "Entity.xml") {
            std::string name = ascii_lower(segments[1]);
            Component entity{connector::entity_root_component(name), "entity", name, {}, "entity " + name, ""};
            if (!entity.root.shell) {
                entity.paths = {"Entities/" + segments[1] + "/", "Other/Relationships/" + segments[1] + ".xml"};
            }
            (entity.root.shell ? shells : ours).push_back(std::move(entity));
        } else if (is_customer_form(file)) {
            std::string id = segments[4].substr(0, segments[4].size() - 4);
            std::string entity = ascii_lower(segments[1]);
            forms.push_back({connector::form_root_component(id),
                             "",
                             entity,
                             {},
                             std::string("form ").append(id).append(" of ").append(entity),
                             solution::localized_name(parse_file(tree / file, limits))});
        } else if (segments.size() == 2 && segments[0] == "Roles" && !pack::is_managed_variant(file)) {
            xml::Node role = parse_file(tree / file, limits);
            std::string id = identity_of(tree / file, "Role id", role.attribute("id"));
            roles.push_back({{solution::ComponentType::role, "id", id, false}, "", "", {}, "role " + id, ""});
        } else if (segments.size() == 2 && segments[0] == "OptionSets") {
            xml::Node option_set = parse_file(tree / file, limits);
            std::string name = identity_of(tree / file, "Name", option_set.attribute("Name"));
            option_sets.push_back({{solution::ComponentType::option_set, "schemaName", name, false},
                                   "",
                                   "",
                                   {},
                                   "option set " + name,
                                   ""});
        } else if (segments.size() >= 2 && segments[0] == "WebResources" && file.ends_with(".data.xml")) {
            xml::Node resource = parse_file(tree / file, limits);
            std::string name_text = resource.child_text("Name");
            std::string name = identity_of(tree / file, "Name", &name_text);
            web_resources.push_back({{solution::ComponentType::web_resource, "schemaName", name, false},
                                     "",
                                     "",
                                     {},
                                     "web resource " + name,
                                     ""});
        } else if (segments.size() == 3 && segments[0] == "AppModuleSiteMaps" &&
                   segments[2] == "AppModuleSiteMap.xml") {
            app_sitemaps.push_back({{solution::ComponentType::site_map, "schemaName", segments[1], false},
                                    "appmodulesitemap",
                                    segments[1],
                                    {"AppModuleSiteMaps/" + segments[1] + "/"},
                                    "app sitemap " + segments[1],
                                    ""});
        } else if (segments.size() == 3 && segments[0] == "AppModules" && segments[2] == "AppModule.xml") {
            apps.push_back({{solution::ComponentType::app_module, "schemaName", segments[1], false},
                            "appmodule",
                            segments[1],
                            {"AppModules/" + segments[1] + "/"},
                            "app " + segments[1],
                            ""});
        } else if (file == "Other/SiteMap.xml") {
            org_sitemap.push_back(
                {connector::org_sitemap_root_component(), "orgsitemap", "-", {file}, "org sitemap", ""});
        }
    }
    std::vector<Component> all;
    for (auto* group :
         {&shells, &ours, &roles, &option_sets, &web_resources, &app_sitemaps, &apps, &forms, &org_sitemap}) {
        std::move(group->begin(), group->end(), std::back_inserter(all));
    }
    return all;
}

namespace {

// merge renders the connector (and the customer components it carries) in the shape of one CRM
// version, and stamps Other/Solution.xml with that version's root attributes. Packaged for another
// version, the tree would hand that CRM a vocabulary it does not read, so it is refused.
void refuse_other_target(const fs::path& tree, const solution::Manifest& manifest, const solution::CrmVersion& target)
{
    std::optional<solution::CrmVersion> made_for = solution::target_version(manifest);
    if (!made_for || (made_for->major == target.major && made_for->minor == target.minor)) {
        return;
    }
    throw_usage("package " + quoted(tree) + ": the tree is shaped for CRM " + made_for->text +
                " (Other/Solution.xml), not for --target " + target.text + "; merge again with --target " +
                target.text + " and package that tree");
}

} // namespace

PackageResult package(const fs::path& tree, OutputFile& output_target, const PackageOptions& options)
{
    if (!fs::is_regular_file(tree / "Other" / "Solution.xml")) {
        throw_input("package " + quoted(tree) +
                    ": the folder has no Other/Solution.xml, so it is not an unpacked "
                    "solution");
    }
    // The target was checked before any work (util/output_target.hpp); a folder target is named
    // below, once the version is known, and still before anything is written.

    PackageResult result;
    validate::Options check;
    check.limits = options.limits;
    check.progress = options.progress;
    check.progress_step = "checking the tree";
    validate::PathReport tree_report = validate::validate_path(tree, check);
    if (tree_report.failure) {
        throw_input("package " + quoted(tree) + ": " + *tree_report.failure);
    }
    auto input = pack::open_tree_input(tree, options.limits);
    solution::Manifest current = input->read_manifest();
    refuse_other_target(tree, current, options.target);
    result.tree_errors = errors_of(tree_report);
    if (!result.tree_errors.empty() && !options.force) {
        return result;
    }
    check_interrupted();
    // Before any output: what is not the connector's is never packaged as the connector, --force
    // or not (connector/ownership.hpp).
    result.foreign = connector::Ownership::read(options.connector, options.limits).foreign_components(*input);
    if (!result.foreign.empty()) {
        return result;
    }
    check_interrupted();
    // From here on, what is packaged is held against what real exports of the target write too:
    // the tree as staged (without what the target cannot take), then the zip.
    check.compat.enabled = true;
    check.compat.target = options.target;
    if (options.version) {
        result.version = *options.version;
    } else if (options.bump) {
        result.version = bumped_version(current.solution_version, *options.bump);
    } else {
        result.version = trimmed(current.solution_version);
    }
    if (!is_solution_version(result.version)) {
        throw_input("package " + quoted(tree) + ": the solution version '" + result.version +
                    "' is not X.Y.Z.W with parts up to 2147483647; pass --version");
    }

    if (output_target.path().empty()) {
        output_target.name(solution::export_file_name(package_unique_name(options, result.version), result.version,
                                                      options.type == pack::PackageType::managed));
    }
    const fs::path& zip_path = output_target.path();
    output_target.make_folders();
    // Nothing is created until the zip is written; without overwrite, commit() links it into place
    // without clobbering a file that appeared meanwhile.
    AtomicFile output(zip_path, output_target.overwrite());

    std::vector<std::string> files = pack::list_tree_files(tree);
    connector::TargetRanges ranges = connector::TargetRanges::read(options.connector.tree);
    std::vector<std::string> removed;
    for (auto& component : tree_components(tree, files, options.limits.xml)) {
        if (!component.range_kind.empty() &&
            !ranges.takes(component.range_kind, component.range_name, options.target)) {
            result.left_out.push_back(component.label + " (for CRM " +
                                      ranges.describe(component.range_kind, component.range_name) + ")");
            removed.insert(removed.end(), component.paths.begin(), component.paths.end());
            continue;
        }
        result.components.push_back(std::move(component));
    }
    std::string manifest = make_manifest(options, result.version, result.components, options.limits.xml);

    // The tree as packaged, in a scratch folder beside the output. It is never committed:
    // AtomicDir's cleanup removes it however the run ends.
    AtomicDir staging(output.temp_path());
    stage_tree(tree, files, removed, manifest, staging.temp_path(), options);
    check.progress_step = "checking the staged tree";
    validate::PathReport staged_report = validate::validate_path(staging.temp_path(), check);
    if (staged_report.failure) {
        throw_input("package " + quoted(tree) + ": " +
                    named_as_output(*staged_report.failure, staging.temp_path().string(), tree.string()));
    }
    for (auto& finding : errors_of(staged_report)) {
        finding.file = named_as_output(finding.file, staging.temp_path().string(), tree.string());
        finding.message = named_as_output(finding.message, staging.temp_path().string(), tree.string());
        result.tree_errors.push_back(std::move(finding));
    }
    if (!result.tree_errors.empty() && !options.force) {
        return result;
    }
    check_interrupted();
    pack::PackOptions pack_options;
    pack_options.limits = options.limits;
    pack_options.package_type = options.type;
    pack_options.progress = options.progress;
    pack::PackResult pack_result = pack::pack(staging.temp_path(), output.temp_path(), pack_options);
    for (const auto& missing : pack_result.missing_parts) {
        result.warnings.push_back("'" + missing + "' is named by a component but is not in the tree");
    }
    check_interrupted();

    check.progress_step = "checking the package";
    validate::PathReport package_report = validate::validate_path(output.temp_path(), check);
    if (package_report.failure) {
        throw_output("package " + quoted(tree) + ": the package does not read back, so nothing was written: " +
                     named_as_output(*package_report.failure, output.temp_path().string(), zip_path.string()));
    }
    result.package_errors = errors_of(package_report);
    for (auto& finding : result.package_errors) {
        // Finding files are "<the temporary's path>!<entry>"; it lies beside FILE.zip.
        std::string temp = output.temp_path().filename().string();
        finding.file = named_as_output(finding.file, temp, zip_path.filename().string());
        finding.message = named_as_output(finding.message, temp, zip_path.filename().string());
    }
    if (!result.package_errors.empty() && !options.force) {
        return result;
    }
    check_interrupted();
    output.commit();
    output_target.keep();
    result.written = true;
    return result;
}

} // namespace escprov::package
