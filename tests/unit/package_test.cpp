// escprov package: merge outputs packaged for every target validate clean, the manifest carries
// what was asked for, and nothing is written when the tree or the run fails.

#include "merge/templates.hpp"
#include "package/package.hpp"
#include "support.hpp"

#include <gtest/gtest.h>

#include <map>

namespace escprov::test {
namespace {

// The merge output (connector mode) of the org sample of each CRM family, made once.
const fs::path& merged(const std::string& family_target)
{
    static TempDir folder;
    static std::map<std::string, fs::path> trees;
    auto found = trees.find(family_target);
    if (found != trees.end()) {
        return found->second;
    }
    std::string base = family_target == "5.0"   ? "crm2011-fabrikam"
                       : family_target == "8.2" ? "crm2016-adatum"
                                                : "d365-contoso-9.2";
    fs::path out = folder / ("merged-" + family_target);
    RunResult merge = run_escprov({"merge", "--base", (source_dir() / "samples" / "orgs" / (base + ".zip")).string(),
                                   "--target", family_target, "--out", out.string()});
    EXPECT_EQ(merge.exit_code, 0) << merge.err;
    return trees.emplace(family_target, out).first->second;
}

// The merge output a target is packaged from: its own family's sample, merged for the family's
// newest version (package renders the manifest for the target).
const fs::path& merged_for(const std::string& target)
{
    if (target == "5.0") {
        return merged("5.0");
    }
    return target.front() == '9' ? merged("9.2") : merged("8.2");
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

TEST(Package, EveryTargetValidatesCleanWithItsRootAttributes)
{
    TempDir work;
    for (const std::string& target : merge::supported_targets(source_dir() / "templates" / "versions.tsv")) {
        SCOPED_TRACE(target);
        fs::path zip = work / ("esc-" + target + "_managed.zip");
        RunResult package =
            run_escprov({"package", merged_for(target).string(), "--managed", "--target", target, "-o", zip.string()});
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
    for (const xml::Node* dependency : missing->children_named("MissingDependency")) {
        required.insert(*dependency->child("Required")->attribute("schemaName"));
        EXPECT_NE(dependency->child("Dependent"), nullptr);
    }
    EXPECT_EQ(required, (std::set<std::string>{"campaign", "list"}));
}

TEST(Package, TheOrgSitemapAndNoMarketingDependencyBefore9)
{
    TempDir work;
    fs::path zip = work / "esc.zip";
    RunResult package =
        run_escprov({"package", merged("8.2").string(), "--managed", "--target", "8.2", "-o", zip.string()});
    ASSERT_EQ(package.exit_code, 0) << package.err;
    xml::Node manifest = package_manifest(zip, work);
    bool org_sitemap = false;
    for (const xml::Node* component : root_components(manifest)) {
        org_sitemap = org_sitemap || (*component->attribute("type") == "62" && component->attributes.size() == 1);
    }
    EXPECT_TRUE(org_sitemap);
    EXPECT_NE(find_root(manifest, "1", "schemaName", "esc_messagequeue"), nullptr);
    EXPECT_FALSE(manifest.child("SolutionManifest")->child("MissingDependencies")->has_element_children());
}

TEST(Package, ComponentsTheTargetCannotTakeAreLeftOutWithAWarning)
{
    TempDir work;
    fs::path zip = work / "esc.zip";
    RunResult package =
        run_escprov({"package", merged("9.2").string(), "--managed", "--target", "8.2", "-o", zip.string()});
    ASSERT_EQ(package.exit_code, 0) << package.err;
    EXPECT_NE(package.err.find("cannot take app esc_EmailMarketing"), std::string::npos) << package.err;
    EXPECT_NE(package.err.find("cannot take entity esc_emailsend"), std::string::npos) << package.err;
    EXPECT_EQ(run_escprov({"validate", zip.string()}).exit_code, 0);
    xml::Node manifest = package_manifest(zip, work);
    EXPECT_EQ(find_root(manifest, "80", "schemaName", "esc_EmailMarketing"), nullptr);
    EXPECT_EQ(find_root(manifest, "1", "schemaName", "esc_emailsend"), nullptr);
    std::set<std::string> files = files_below(work / "esc-unpacked");
    EXPECT_EQ(files.count("AppModules/esc_EmailMarketing/AppModule.xml"), 0U);
    EXPECT_EQ(files.count("Entities/esc_emailsend/Entity.xml"), 0U);
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
        fs::path zip = work / ("v" + std::to_string(i) + ".zip");
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

TEST(Package, UsageErrors)
{
    TempDir work;
    std::string tree = merged("8.2").string();
    std::string zip = (work / "x.zip").string();
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
    EXPECT_FALSE(fs::exists(zip));

    write_bytes(zip, "keep me");
    EXPECT_EQ(run_escprov({"package", tree, "--managed", "--target", "8.2", "-o", zip}).exit_code, 2);
    EXPECT_EQ(read_bytes(zip), "keep me");
}

TEST(Package, ATreeWithAnErrorIsRefusedUnlessForced)
{
    TempDir work;
    fs::path tree = work / "tree";
    fs::copy(merged("8.2"), tree, fs::copy_options::recursive);
    // A role that names no id: validate reports it, so package must refuse.
    fs::path role = tree / "Roles" / "Email Marketing Viewer.xml";
    std::string text = read_bytes(role);
    size_t id = text.find("<Role id=\"");
    ASSERT_NE(id, std::string::npos);
    size_t end = text.find('"', id + 10);
    text.replace(id + 10, end - (id + 10), "not-a-guid");
    write_bytes(role, text);
    RunResult check = run_escprov({"validate", tree.string()});
    ASSERT_EQ(check.exit_code, 1) << "the broken tree should fail validation:\n" << check.out;

    fs::path zip = work / "refused.zip";
    RunResult refused = run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("nothing written"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find(": error ESC-"), std::string::npos) << refused.err;
    EXPECT_FALSE(fs::exists(zip));
    EXPECT_TRUE(no_temporaries(work.path()));

    RunResult forced =
        run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string(), "--force"});
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_NE(forced.err.find("--force"), std::string::npos) << forced.err;
    EXPECT_TRUE(fs::exists(zip));
}

TEST(Package, AFailingPackageLeavesNoOutput)
{
    TempDir work;
    fs::path tree = work / "tree";
    fs::copy(merged("8.2"), tree, fs::copy_options::recursive);
    // A component file that does not parse fails the run after validation started.
    write_bytes(tree / "OptionSets" / "esc_syncstatus.xml", "<optionset Name=\"esc_syncstatus\">");
    fs::path zip = work / "broken.zip";
    RunResult failed =
        run_escprov({"package", tree.string(), "--managed", "--target", "8.2", "-o", zip.string(), "--force"});
    EXPECT_NE(failed.exit_code, 0);
    EXPECT_FALSE(fs::exists(zip));
    EXPECT_TRUE(no_temporaries(work.path()));
}

} // namespace
} // namespace escprov::test
