// escprov package: merge outputs packaged for every target validate clean, the manifest carries
// what was asked for, and nothing is written when the tree or the run fails.

#include "connector/templates.hpp"
#include "package/package.hpp"
#include "support.hpp"
#include "zip/reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace escprov::test {
namespace {

// The merge output (connector mode) for `target` of the org sample of its CRM family, made once.
const fs::path& merged(const std::string& target)
{
    static TempDir folder;
    static std::map<std::string, fs::path> trees;
    auto found = trees.find(target);
    if (found != trees.end()) {
        return found->second;
    }
    std::string base = target.front() <= '6'   ? "crm2011-fabrikam"
                       : target.front() <= '8' ? "crm2016-adatum"
                                               : "d365-contoso-9.2";
    fs::path out = folder / ("merged-" + target);
    RunResult merge = run_escprov({"merge", "--base", (source_dir() / "samples" / "orgs" / (base + ".zip")).string(),
                                   "--target", target, "--on-conflict", "ours", "--out", out.string()});
    EXPECT_EQ(merge.exit_code, 0) << merge.err;
    return trees.emplace(target, out).first->second;
}

// The solution.xml of a package, unpacked.
xml::Node package_manifest(const fs::path& zip, const TempDir& work)
{
    fs::path out = work / (zip.stem().string() + "-unpacked");
    RunResult unpack = run_escprov({"unpack", zip.string(), out.string()});
    EXPECT_EQ(unpack.exit_code, 0) << unpack.err;
    return parse_file(out / "Other" / "Solution.xml");
}

std::vector<const xml::Node*> root_components(const xml::Node& document)
{
    return document.child("SolutionManifest")->child("RootComponents")->children_named("RootComponent");
}

const xml::Node* find_root(const xml::Node& document, const std::string& type, const std::string& key,
                           const std::string& value)
{
    for (const xml::Node* component : root_components(document)) {
        if (*component->attribute("type") == type && component->attribute(key) != nullptr &&
            *component->attribute(key) == value) {
            return component;
        }
    }
    return nullptr;
}

bool no_temporaries(const fs::path& folder)
{
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().filename().string().find("escprov-tmp") != std::string::npos) {
            return false;
        }
    }
    return true;
}

// The org sample of the CRM family `target` belongs to (2011, 2013-2016, Dynamics 365).
fs::path family_sample(const std::string& target)
{
    std::string name = target == "5.0"         ? "crm2011-fabrikam"
                       : target.front() == '9' ? "d365-contoso-9.2"
                                               : "crm2016-adatum";
    return source_dir() / "samples" / "orgs" / (name + ".zip");
}

// What tells a CRM export from other zips of the same files: the first three entries, and how
// solution.xml, customizations.xml and [Content_Types].xml begin and break their lines.
struct ExportLook {
    std::vector<std::string> first_entries;
    std::map<std::string, bool> bom;              // starts with a UTF-8 byte-order mark
    std::map<std::string, bool> declaration;      // has an <?xml ...?> declaration
    std::map<std::string, std::string> line_ends; // "crlf" (only), "lf" (only), "mixed", "none"

    bool operator==(const ExportLook&) const = default;
};

std::string line_ends(const std::string& bytes)
{
    size_t crlf = 0;
    size_t lf = 0;
    for (size_t at = bytes.find('\n'); at != std::string::npos; at = bytes.find('\n', at + 1)) {
        (at > 0 && bytes[at - 1] == '\r' ? crlf : lf) += 1;
    }
    return crlf == 0 && lf == 0 ? "none" : lf == 0 ? "crlf" : crlf == 0 ? "lf" : "mixed";
}

ExportLook export_look(const fs::path& zip)
{
    zip::Reader reader(zip);
    ExportLook look;
    for (size_t i = 0; i < 3 && i < reader.entries().size(); ++i) {
        look.first_entries.push_back(reader.entries()[i].name);
    }
    for (std::string name : {"customizations.xml", "solution.xml", "[Content_Types].xml"}) {
        const zip::Entry* entry = reader.find(name);
        if (entry == nullptr) {
            continue;
        }
        std::string bytes = reader.read(*entry);
        look.bom[name] = bytes.starts_with("\xEF\xBB\xBF");
        look.declaration[name] = bytes.find("<?xml") < 8;
        look.line_ends[name] = line_ends(bytes);
    }
    return look;
}

std::string describe(const ExportLook& look)
{
    std::string text;
    for (const auto& name : look.first_entries) {
        text += name + " ";
    }
    for (const auto& [name, bom] : look.bom) {
        text += "| " + name + (bom ? " bom" : " no-bom") + (look.declaration.at(name) ? " decl " : " no-decl ") +
                look.line_ends.at(name) + " ";
    }
    return text;
}

// The major CRM version that wrote `zip` (solution.xml's root version), or -1.
int exported_by(const fs::path& zip)
{
    try {
        zip::Reader reader(zip);
        const zip::Entry* manifest = reader.find("solution.xml");
        if (manifest == nullptr) {
            return -1;
        }
        std::string head = reader.read(*manifest).substr(0, 400);
        std::smatch match;
        if (std::regex_search(head, match, std::regex("<ImportExportXml version=\"([0-9]+)\\."))) {
            return std::stoi(match[1].str());
        }
    } catch (const std::exception&) {
    }
    return -1;
}

// The web-resource parts in the order customizations.xml names them (real exports write the
// parts in that order after solution.xml).
std::vector<std::string> parts_named(const fs::path& zip)
{
    zip::Reader reader(zip);
    std::string customizations = reader.read(*reader.find("customizations.xml"));
    std::vector<std::string> parts;
    std::regex file_name("<FileName>/?([^<]+)</FileName>");
    for (auto it = std::sregex_iterator(customizations.begin(), customizations.end(), file_name);
         it != std::sregex_iterator(); ++it) {
        parts.push_back((*it)[1].str());
    }
    return parts;
}

TEST(Package, EveryTargetValidatesCleanWithItsRootAttributes)
{
    TempDir work;
    for (const std::string& target : connector::supported_targets(source_dir() / "templates" / "versions.tsv")) {
        SCOPED_TRACE(target);
        fs::path zip = work / ("esc-" + target + "_managed.zip");
        RunResult package =
            run_escprov({"package", merged(target).string(), "--managed", "--target", target, "-o", zip.string()});
        ASSERT_EQ(package.exit_code, 0) << package.err;
        RunResult validate = run_escprov({"validate", zip.string()});
        EXPECT_EQ(validate.exit_code, 0) << validate.out << validate.err;
        EXPECT_NE(validate.out.find(" 0 errors"), std::string::npos) << validate.out;

        xml::Node manifest = package_manifest(zip, work);
        if (target == "5.0") {
            EXPECT_EQ(*manifest.attribute("minimumversion"), "5.0");
            EXPECT_EQ(manifest.attribute("SolutionPackageVersion"), nullptr);
        } else {
            EXPECT_EQ(*manifest.attribute("SolutionPackageVersion"), target);
        }
        EXPECT_EQ(manifest.child("SolutionManifest")->child_text("Managed"), "1");
        EXPECT_EQ(manifest.child("SolutionManifest")->child("Publisher")->child_text("CustomizationPrefix"), "esc");
    }
}

TEST(Package, RootComponentsComeFromTheTree)
{
    TempDir work;
    fs::path zip = work / "esc.zip";
    const fs::path& tree = merged("9.2");
    RunResult package = run_escprov({"package", tree.string(), "--unmanaged", "--target", "9.2", "-o", zip.string()});
    ASSERT_EQ(package.exit_code, 0) << package.err;
    xml::Node manifest = package_manifest(zip, work);
    EXPECT_EQ(manifest.child("SolutionManifest")->child_text("Managed"), "0");

    for (std::string shell : {"list", "contact", "lead", "account", "campaign"}) {
        const xml::Node* entity = find_root(manifest, "1", "schemaName", shell);
        ASSERT_NE(entity, nullptr) << shell;
        EXPECT_EQ(*entity->attribute("behavior"), "2") << shell;
    }
    size_t ours = 0;
    for (const auto& entry : fs::directory_iterator(tree / "Entities")) {
        std::string name = entry.path().filename().string();
        if (name.rfind("esc_", 0) == 0) {
            const xml::Node* entity = find_root(manifest, "1", "schemaName", name);
            ASSERT_NE(entity, nullptr) << name;
            EXPECT_EQ(*entity->attribute("behavior"), "0") << name;
            ++ours;
        }
    }
    EXPECT_GT(ours, 0U);
    for (const auto& entry : fs::directory_iterator(tree / "Roles")) {
        std::string id = *parse_file(entry.path()).attribute("id");
        EXPECT_NE(find_root(manifest, "20", "id", id), nullptr) << entry.path();
    }
    for (const auto& entry : fs::directory_iterator(tree / "Entities" / "List" / "FormXml" / "main")) {
        EXPECT_NE(find_root(manifest, "60", "id", entry.path().stem().string()), nullptr) << entry.path();
    }
    EXPECT_NE(find_root(manifest, "80", "schemaName", "esc_EmailMarketing"), nullptr);
    EXPECT_NE(find_root(manifest, "62", "schemaName", "esc_EmailMarketing"), nullptr);
    EXPECT_NE(find_root(manifest, "61", "schemaName", "esc_/scripts/sendwizard.js"), nullptr);
    EXPECT_NE(find_root(manifest, "9", "schemaName", "esc_syncstatus"), nullptr);

    // On 9.x the marketing entities are a dependency the org must already have.
    const xml::Node* missing = manifest.child("SolutionManifest")->child("MissingDependencies");
    ASSERT_NE(missing, nullptr);
    std::set<std::string> required;
    std::set<std::string> form_dependents;
    for (const xml::Node* dependency : missing->children_named("MissingDependency")) {
        const xml::Node* needed = dependency->child("Required");
        required.insert(*needed->attribute("schemaName"));
        // Named as real 9.x exports name it: the solution's unique name and version.
        EXPECT_EQ(*needed->attribute("solution"), "msdynce_Marketing (9.0.4.37)");
        // 9.0 and 9.1 number the components with @key; 9.2 exports, like this package, do not.
        EXPECT_EQ(needed->attribute("key"), nullptr);
        const xml::Node* dependent = dependency->child("Dependent");
        ASSERT_NE(dependent, nullptr);
        if (*dependent->attribute("type") == "60") {
            EXPECT_EQ(dependent->attribute("parentSchemaName"), nullptr) << "real exports name the entity by display";
            EXPECT_FALSE(dependent->attribute("displayName")->empty());
            form_dependents.insert(*dependent->attribute("id"));
        }
    }
    EXPECT_EQ(required, (std::set<std::string>{"campaign", "list"}));
    for (const auto& entry : fs::directory_iterator(tree / "Entities" / "List" / "FormXml" / "main")) {
        EXPECT_EQ(form_dependents.count(entry.path().stem().string()), 1U) << entry.path();
    }
}

TEST(Package, BeforeEightRootComponentsHaveNoBehavior)
{
    TempDir work;
    fs::path zip = work / "esc_managed.zip";
    RunResult package =
        run_escprov({"package", merged("7.1").string(), "--managed", "--target", "7.1", "-o", zip.string()});
    ASSERT_EQ(package.exit_code, 0) << package.err;
    xml::Node manifest = package_manifest(zip, work);
    ASSERT_FALSE(root_components(manifest).empty());
    for (const xml::Node* component : root_components(manifest)) {
        EXPECT_EQ(component->attribute("behavior"), nullptr) << *component->attribute("type");
    }
    EXPECT_NE(find_root(manifest, "1", "schemaName", "contact"), nullptr);
}

TEST(Package, TheOrgSitemapAndNoMarketingDependencyBefore9)
{
    TempDir work;
    fs::path zip = work / "esc_managed.zip";
    RunResult package =
        run_escprov({"package", merged("8.2").string(), "--managed", "--target", "8.2", "-o", zip.string()});
    ASSERT_EQ(package.exit_code, 0) << package.err;
    xml::Node manifest = package_manifest(zip, work);
    bool org_sitemap = false;
    for (const xml::Node* component : root_components(manifest)) {
        org_sitemap = org_sitemap || (*component->attribute("type") == "62" && !component->attribute("schemaName"));
    }
    EXPECT_TRUE(org_sitemap);
    EXPECT_NE(find_root(manifest, "1", "schemaName", "esc_messagequeue"), nullptr);
    EXPECT_FALSE(manifest.child("SolutionManifest")->child("MissingDependencies")->has_element_children());
}

TEST(Package, ComponentsTheTargetCannotTakeAreLeftOutWithAWarning)
{
    // An 8.2 tree someone copied 9.x-only components into by hand.
    TempDir work;
    fs::path tree = work / "tree";
    fs::copy(merged("8.2"), tree, fs::copy_options::recursive);
    fs::copy(merged("9.2") / "AppModules", tree / "AppModules", fs::copy_options::recursive);
    fs::copy(merged("9.2") / "Entities" / "esc_emailsend", tree / "Entities" / "esc_emailsend",
             fs::copy_options::recursive);
    fs::path zip = work / "esc_managed.zip";
    RunResult package = run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string()});
    ASSERT_EQ(package.exit_code, 0) << package.err;
    EXPECT_NE(package.err.find("cannot take app esc_EmailMarketing"), std::string::npos) << package.err;
    EXPECT_NE(package.err.find("cannot take entity esc_emailsend"), std::string::npos) << package.err;
    EXPECT_EQ(run_escprov({"validate", zip.string()}).exit_code, 0);
    xml::Node manifest = package_manifest(zip, work);
    EXPECT_EQ(find_root(manifest, "80", "schemaName", "esc_EmailMarketing"), nullptr);
    EXPECT_EQ(find_root(manifest, "1", "schemaName", "esc_emailsend"), nullptr);
    std::set<std::string> files = files_below(work / "esc_managed-unpacked");
    EXPECT_EQ(files.count("AppModules/esc_EmailMarketing/AppModule.xml"), 0U);
    EXPECT_EQ(files.count("Entities/esc_emailsend/Entity.xml"), 0U);
}

TEST(Package, ATreeShapedForAnotherVersionIsRefused)
{
    TempDir work;
    fs::path zip = work / "esc_managed.zip";
    RunResult package =
        run_escprov({"package", merged("8.2").string(), "--managed", "--target", "7.1", "-o", zip.string()});
    EXPECT_EQ(package.exit_code, 2);
    EXPECT_NE(package.err.find("shaped for CRM 8.2"), std::string::npos) << package.err;
    EXPECT_NE(package.err.find("merge again with --target 7.1"), std::string::npos) << package.err;
    EXPECT_FALSE(fs::exists(zip));
    EXPECT_TRUE(folder_names(work.path()).empty());
}

// A --mode full merge tree is the customer's whole solution: packaged as the connector, uninstalling
// the connector would delete their entities, roles and the rest. It is refused, --force or not,
// managed or not, each of their components named, nothing written.
TEST(Package, AFullModeTreeIsRefusedNamingTheCustomersComponents)
{
    for (const std::string sample : {"crm2011-fabrikam:5.0", "crm2016-adatum:8.2", "d365-contoso-9.2:9.2"}) {
        std::string name = sample.substr(0, sample.find(':'));
        std::string target = sample.substr(sample.find(':') + 1);
        TempDir work;
        fs::path tree = work / "full";
        RunResult merge =
            run_escprov({"merge", "--base", (source_dir() / "samples" / "orgs" / (name + ".zip")).string(), "--target",
                         target, "--mode", "full", "--out", tree.string()});
        ASSERT_EQ(merge.exit_code, 0) << merge.err;
        std::vector<std::string> customer_entities;
        for (const auto& entry : fs::directory_iterator(tree / "Entities")) {
            std::string entity = entry.path().filename().string();
            std::string lower = entity;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
            static const std::set<std::string> shells = {"account", "campaign", "contact", "lead", "list"};
            if (!lower.starts_with("esc_") && shells.count(lower) == 0) {
                customer_entities.push_back(lower);
            }
        }
        ASSERT_FALSE(customer_entities.empty()) << name << ": the sample holds entities of the customer's own";
        for (const std::vector<std::string>& extra :
             std::vector<std::vector<std::string>>{{"--managed"}, {"--managed", "--force"}, {"--unmanaged"}}) {
            fs::path zip = work / (extra.front() == "--managed" ? "esc_managed.zip" : "esc.zip");
            std::vector<std::string> args = {"package", tree.string(), "--target", target, "-o", zip.string()};
            args.insert(args.end(), extra.begin(), extra.end());
            RunResult package = run_escprov(args);
            EXPECT_EQ(package.exit_code, 1) << name << " " << package.err;
            EXPECT_NE(package.err.find("that are not the connector's; nothing written"), std::string::npos)
                << package.err;
            for (const auto& entity : customer_entities) {
                EXPECT_NE(package.err.find("\n  entity " + entity + "\n"), std::string::npos) << entity << "\n"
                                                                                              << package.err;
            }
            EXPECT_NE(package.err.find("\n  role '"), std::string::npos) << package.err;
            EXPECT_NE(package.err.find("contact: attributes the connector does not have: "), std::string::npos);
            EXPECT_FALSE(fs::exists(zip));
            EXPECT_TRUE(no_temporaries(work.path()));
            EXPECT_EQ(package.out, "");
        }
    }
}

TEST(Package, VersionAndBump)
{
    TempDir work;
    const fs::path& tree = merged("8.2");
    std::string current = parse_file(tree / "Other" / "Solution.xml").child("SolutionManifest")->child_text("Version");
    struct Case {
        std::vector<std::string> args;
        std::string expected;
    };
    std::vector<Case> cases = {
        {{}, current},
        {{"--version", "3.4.5.6"}, "3.4.5.6"},
        {{"--bump", "major"}, package::bumped_version(current, package::Bump::major)},
        {{"--bump", "revision"}, package::bumped_version(current, package::Bump::revision)},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        fs::path zip = work / ("v" + std::to_string(i) + "_managed.zip");
        std::vector<std::string> args = {"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string()};
        args.insert(args.end(), cases[i].args.begin(), cases[i].args.end());
        RunResult package = run_escprov(args);
        ASSERT_EQ(package.exit_code, 0) << package.err;
        EXPECT_EQ(package_manifest(zip, work).child("SolutionManifest")->child_text("Version"), cases[i].expected);
    }
    EXPECT_EQ(package::bumped_version("1.2.3.4", package::Bump::major), "2.0.0.0");
    EXPECT_EQ(package::bumped_version("1.2.3.4", package::Bump::minor), "1.3.0.0");
    EXPECT_EQ(package::bumped_version("1.2.3.4", package::Bump::build), "1.2.4.0");
    EXPECT_EQ(package::bumped_version("1.2.3.4", package::Bump::revision), "1.2.3.5");
    EXPECT_EQ(package::bumped_version("1.2", package::Bump::build), "1.2.1.0");
    EXPECT_THROW(package::bumped_version("1.x", package::Bump::build), Error);
}

// For every target, the zip reads like an export of that CRM family: the org sample of the family
// and, when the corpus is present, at least one real export by the same major version look
// exactly the same (entry order, BOMs, declarations, line ends).
TEST(Package, LooksLikeACrmExportForEveryTarget)
{
    TempDir work;
    std::map<int, std::vector<std::pair<fs::path, ExportLook>>> corpus;
    for (const fs::path& zip : corpus_zips()) {
        int major = exported_by(zip);
        if (major > 0) {
            corpus[major].emplace_back(zip, export_look(zip));
        }
    }
    for (const std::string& target : connector::supported_targets(source_dir() / "templates" / "versions.tsv")) {
        SCOPED_TRACE(target);
        fs::path zip = work / ("esc-" + target + "_managed.zip");
        RunResult package = run_escprov(
            {"package", merged(target).string(), "--managed", "--target", target, "--output", zip.string()});
        ASSERT_EQ(package.exit_code, 0) << package.err;

        ExportLook look = export_look(zip);
        EXPECT_EQ(look.first_entries,
                  (std::vector<std::string>{"customizations.xml", "[Content_Types].xml", "solution.xml"}));
        EXPECT_EQ(look.line_ends["customizations.xml"], "crlf");
        EXPECT_EQ(look.line_ends["solution.xml"], "crlf");
        EXPECT_EQ(look.line_ends["[Content_Types].xml"], "none");
        EXPECT_EQ(look.bom,
                  (std::map<std::string, bool>{
                      {"customizations.xml", false}, {"solution.xml", false}, {"[Content_Types].xml", true}}));
        EXPECT_FALSE(look.declaration["customizations.xml"]);
        EXPECT_FALSE(look.declaration["solution.xml"]);
        EXPECT_EQ(look, export_look(family_sample(target)))
            << "package: " << describe(look) << "\nsample:  " << describe(export_look(family_sample(target)));

        zip::Reader reader(zip);
        std::vector<std::string> parts;
        for (size_t i = 3; i < reader.entries().size(); ++i) {
            parts.push_back(reader.entries()[i].name);
        }
        EXPECT_EQ(parts, parts_named(zip));

        if (!corpus_dir().empty()) {
            int major = target.front() - '0';
            const auto& exports = corpus[major];
            ASSERT_FALSE(exports.empty()) << "the corpus has no export by CRM " << major;
            bool alike =
                std::any_of(exports.begin(), exports.end(), [&](const auto& real) { return real.second == look; });
            std::string seen;
            for (const auto& [path, real] : exports) {
                seen += "\n  " + path.filename().string() + ": " + describe(real);
            }
            EXPECT_TRUE(alike) << "no real CRM " << major << " export looks like " << describe(look) << seen;
        }
    }
}

TEST(Package, UsageErrors)
{
    TempDir work;
    std::string tree = merged("8.2").string();
    std::string zip = (work / "x_managed.zip").string();
    EXPECT_EQ(run_escprov({"package", tree, "--target", "8.2", "-o", zip}).exit_code, 2);
    EXPECT_EQ(run_escprov({"package", tree, "--managed", "--unmanaged", "--target", "8.2", "-o", zip}).exit_code, 2);
    EXPECT_EQ(run_escprov({"package", tree, "--managed", "--target", "banana", "-o", zip}).exit_code, 2);
    EXPECT_EQ(run_escprov({"package", tree, "--managed", "--target", "8.2", "--version", "1.2", "-o", zip}).exit_code,
              2);
    EXPECT_EQ(run_escprov({"package", tree, "--managed", "--target", "8.2", "--bump", "major", "--version", "1.2.3.4",
                           "-o", zip})
                  .exit_code,
              2);
    EXPECT_EQ(run_escprov({"package", tree, "--managed", "--target", "8.2", "--bump", "huge", "-o", zip}).exit_code, 2);
    RunResult huge =
        run_escprov({"package", tree, "--managed", "--target", "8.2", "--version", "1.2.3.99999999999", "-o", zip});
    EXPECT_EQ(huge.exit_code, 2);
    EXPECT_NE(huge.err.find("at most 2147483647"), std::string::npos) << huge.err;
    EXPECT_FALSE(fs::exists(zip));
    EXPECT_TRUE(no_temporaries(work.path()));
}

// "Output exists" and "its folder does not" are output failures (exit 1), found before any work:
// nothing is replaced and nothing is created; --overwrite replaces (package had none).
TEST(Package, AnExistingOutputOrAMissingFolderIsRefusedUpFront)
{
    TempDir work;
    std::string tree = merged("8.2").string();
    fs::path zip = work / "x_managed.zip";
    write_bytes(zip, "keep me");
    RunResult exists = run_escprov({"package", tree, "--managed", "--target", "8.2", "--output", zip.string()});
    EXPECT_EQ(exists.exit_code, 1);
    EXPECT_EQ(exists.err,
              "escprov: error: package -o '" + zip.string() + "': the file exists; pass --overwrite to replace it\n");
    EXPECT_EQ(read_bytes(zip), "keep me");

    fs::path nested = work / "nodir" / "sub" / "x_managed.zip";
    RunResult missing = run_escprov({"package", tree, "--managed", "--target", "8.2", "-o", nested.string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
    EXPECT_EQ(folder_names(work.path()), std::vector<std::string>{"x_managed.zip"});

    RunResult replaced =
        run_escprov({"package", tree, "--managed", "--target", "8.2", "--overwrite", "-o", zip.string()});
    EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_NE(read_bytes(zip), "keep me");
    EXPECT_EQ(run_escprov({"validate", zip.string()}).exit_code, 0);
}

// -o FOLDER/ (made when missing) gets the name CRM gives the export, and what escprov packages passes
// validate --strict: a name without _managed on a managed package used to fail it (ESC-MAN-006).
TEST(Package, IntoAFolderItIsNamedAsCrmNamesExportsAndPassesStrict)
{
    TempDir work;
    for (const std::string type : {"managed", "unmanaged"}) {
        SCOPED_TRACE(type);
        fs::path folder = work / ("out-" + type) / "deeper";
        RunResult package = run_escprov(
            {"package", merged("8.2").string(), "--" + type, "--target", "8.2", "-o", folder.string() + "/"});
        ASSERT_EQ(package.exit_code, 0) << package.err;
        std::vector<std::string> names = folder_names(folder);
        ASSERT_EQ(names.size(), 1u);
        std::string suffix = type == "managed" ? "_managed" : "";
        EXPECT_TRUE(std::regex_match(names.front(),
                                     std::regex("EmailServiceConnector_\\d+_\\d+_\\d+_\\d+" + suffix + "\\.zip")))
            << names.front();
        EXPECT_NE(package.out.find("package: wrote '" + (folder / names.front()).string() + "'"), std::string::npos)
            << package.out;
        RunResult strict = run_escprov({"validate", "--strict", (folder / names.front()).string()});
        EXPECT_EQ(strict.exit_code, 0) << strict.out << strict.err;
    }
}

// A -o name that validate --strict would flag (ESC-MAN-006) is refused before any work.
TEST(Package, AFileNameThatContradictsTheTypeIsRefused)
{
    TempDir work;
    RunResult managed = run_escprov(
        {"package", merged("8.2").string(), "--managed", "--target", "8.2", "-o", (work / "esc.zip").string()});
    EXPECT_EQ(managed.exit_code, 2);
    EXPECT_NE(managed.err.find("ESC-MAN-006"), std::string::npos) << managed.err;
    EXPECT_NE(managed.err.find("_managed"), std::string::npos) << managed.err;
    RunResult unmanaged = run_escprov({"package", merged("8.2").string(), "--unmanaged", "--target", "8.2", "-o",
                                       (work / "esc_managed.zip").string()});
    EXPECT_EQ(unmanaged.exit_code, 2);
    EXPECT_NE(unmanaged.err.find("ESC-MAN-006"), std::string::npos) << unmanaged.err;
    EXPECT_EQ(folder_names(work.path()), std::vector<std::string>{});
}

// A package that fails after the work removes the folder -o FOLDER/ made for it.
TEST(Package, AFailingPackageRemovesTheFolderMadeForIt)
{
    TempDir work;
    RunResult failed = run_escprov({"package", merged("8.2").string(), "--managed", "--target", "8.2", "-o",
                                    (work / "new" / "folder").string() + "/", "--max-total-size", "200K"});
    EXPECT_EQ(failed.exit_code, 1) << failed.err;
    EXPECT_EQ(failed.err.find("escprov-tmp"), std::string::npos) << failed.err;
    EXPECT_EQ(folder_names(work.path()), std::vector<std::string>{});
}

TEST(Package, AVersionPartPast2147483647IsRefused)
{
    TempDir work;
    fs::path tree = work / "tree";
    fs::copy(merged("8.2"), tree, fs::copy_options::recursive);
    fs::path manifest = tree / "Other" / "Solution.xml";
    write_bytes(manifest, std::regex_replace(read_bytes(manifest), std::regex("<Version>[^<]*</Version>"),
                                             "<Version>1.2.3.2147483647</Version>"));
    fs::path zip = work / "v_managed.zip";
    RunResult bumped = run_escprov(
        {"package", tree.string(), "--managed", "--target", "8.2", "--bump", "revision", "-o", zip.string()});
    EXPECT_EQ(bumped.exit_code, 2);
    EXPECT_NE(bumped.err.find("--bump revision cannot raise '1.2.3.2147483647'"), std::string::npos) << bumped.err;
    EXPECT_FALSE(fs::exists(zip));
    EXPECT_TRUE(no_temporaries(work.path()));

    // The largest part is a version CRM takes; raising another part is fine.
    RunResult build =
        run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "--bump", "build", "-o", zip.string()});
    ASSERT_EQ(build.exit_code, 0) << build.err;
    EXPECT_EQ(package_manifest(zip, work).child("SolutionManifest")->child_text("Version"), "1.2.4.0");
    EXPECT_EQ(package::bumped_version("2147483647.0.0.0", package::Bump::minor), "2147483647.1.0.0");
    EXPECT_THROW(package::bumped_version("2147483647.0.0.0", package::Bump::major), Error);
    EXPECT_FALSE(package::is_solution_version("1.2.3.2147483648"));
    EXPECT_TRUE(package::is_solution_version("1.2.3.2147483647"));
}

TEST(Package, ATreeWithAnErrorIsRefusedUnlessForced)
{
    TempDir work;
    fs::path tree = work / "tree";
    fs::copy(merged("8.2"), tree, fs::copy_options::recursive);
    // A privilege level CRM does not have in one of the connector's roles: validate reports it,
    // so package must refuse. (A role id changed would make it a role the connector does not have,
    // which package refuses whatever --force says: AFullModeTreeIsRefusedNamingTheCustomersComponents.)
    fs::path role = tree / "Roles" / "Email Marketing Viewer.xml";
    std::string text = read_bytes(role);
    size_t level = text.find("level=\"");
    ASSERT_NE(level, std::string::npos);
    size_t end = text.find('"', level + 7);
    text.replace(level + 7, end - (level + 7), "Everywhere");
    write_bytes(role, text);
    RunResult check = run_escprov({"validate", tree.string()});
    ASSERT_EQ(check.exit_code, 1) << "the broken tree should fail validation:\n" << check.out;

    fs::path zip = work / "refused_managed.zip";
    RunResult refused = run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("nothing written"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find(": error: ESC-"), std::string::npos) << refused.err;
    EXPECT_FALSE(fs::exists(zip));
    EXPECT_TRUE(no_temporaries(work.path()));

    RunResult forced =
        run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string(), "--force"});
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_NE(forced.err.find("packaged anyway (--force)"), std::string::npos) << forced.err;
    EXPECT_NE(forced.err.find(": error: ESC-PRIV-003: "), std::string::npos) << forced.err;
    EXPECT_TRUE(fs::exists(zip));
}

// --force writes a package that itself has validation errors, and says so, listing each.
TEST(Package, AForcedPackageWithErrorsListsThem)
{
    TempDir work;
    fs::path tree = work / "tree";
    fs::copy(merged("8.2"), tree, fs::copy_options::recursive);
    // The same Area twice in the org sitemap: an error that the package carries too.
    fs::path sitemap = tree / "Other" / "SiteMap.xml";
    std::string text = read_bytes(sitemap);
    size_t start = text.find("<Area ");
    size_t end = text.find("</Area>", start);
    ASSERT_NE(end, std::string::npos);
    end += std::string("</Area>").size();
    text.insert(end, text.substr(start, end - start));
    write_bytes(sitemap, text);

    fs::path zip = work / "forced_managed.zip";
    RunResult refused = run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_FALSE(fs::exists(zip));

    RunResult forced =
        run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string(), "--force"});
    ASSERT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_NE(forced.err.find("escprov: warning: package '" + zip.string() +
                              "': the package has 1 validation error; written anyway (--force):\n" + zip.string() +
                              "!customizations.xml:"),
              std::string::npos)
        << forced.err;
    EXPECT_NE(forced.err.find(": error: ESC-DUP-005: "), std::string::npos) << forced.err;
    EXPECT_EQ(run_escprov({"validate", zip.string()}).exit_code, 1);
}

// A run that fails after the tree was staged and packed: the tree validates, but the package
// written is larger than --max-total-size allows, so it does not read back. The output folder
// holds exactly what it held before: no zip, no staging copy, no temporary.
TEST(Package, AFailingPackageLeavesNoOutput)
{
    TempDir work;
    fs::path out = work / "out";
    fs::create_directory(out);
    write_bytes(out / "already-here.txt", "keep me");
    std::vector<std::string> before = folder_names(out);
    fs::path zip = out / "broken_managed.zip";
    RunResult failed = run_escprov({"package", merged("8.2").string(), "--managed", "--target", "8.2", "-o",
                                    zip.string(), "--max-total-size", "200K"});
    EXPECT_EQ(failed.exit_code, 1) << failed.err;
    EXPECT_NE(failed.err.find("escprov: error: package '" + merged("8.2").string() +
                              "': the package does not read back, so nothing was written: validate '" + zip.string() +
                              "'"),
              std::string::npos)
        << failed.err;
    EXPECT_NE(failed.err.find("--max-total-size"), std::string::npos) << failed.err;
    EXPECT_EQ(folder_names(out), before);
    EXPECT_EQ(read_bytes(out / "already-here.txt"), "keep me");
}

} // namespace
} // namespace escprov::test
