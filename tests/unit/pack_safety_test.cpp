// unpack and pack refuse what they must: a non-empty target, component names that would leave
// the target, an existing zip; missing part files warn (or fail with --strict); the tree reader
// locates events in the tree files they come from.

#include "pack/input.hpp"
#include "solution/input.hpp"
#include "support.hpp"
#include "zip/writer.hpp"

#include <gtest/gtest.h>

namespace escprov::test {
namespace {

const std::string k_manifest =
    "<ImportExportXml version=\"9.2.0.0\" SolutionPackageVersion=\"9.2\"><SolutionManifest><UniqueName>T</UniqueName>"
    "<Version>1.0.0.0</Version><Managed>0</Managed><Publisher><UniqueName>p</UniqueName>"
    "<CustomizationPrefix>esc</CustomizationPrefix></Publisher><RootComponents /></SolutionManifest></ImportExportXml>";

fs::path make_solution(const fs::path& folder, const std::string& customizations,
                       const std::vector<std::pair<std::string, std::string>>& parts = {})
{
    fs::path path = folder / "solution.zip";
    zip::Writer writer(path, AtomicFile::Overwrite::yes);
    writer.add_bytes("customizations.xml", customizations);
    writer.add_bytes("solution.xml", k_manifest);
    for (const auto& [name, bytes] : parts) {
        writer.add_bytes(name, bytes);
    }
    writer.commit();
    return path;
}

const std::string k_web_resource_solution =
    "<ImportExportXml><Entities><Entity><Name LocalizedName=\"E\" OriginalName=\"E\">esc_thing</Name>"
    "<EntityInfo /><FormXml /></Entity></Entities><Roles><Role id=\"{1}\" name=\"Sales/Marketing\">"
    "<RolePrivileges /></Role></Roles><WebResources><WebResource><Name>esc_/scripts/a.js</Name>"
    "<FileName>/WebResources/esc_scriptsajs1234</FileName></WebResource></WebResources>"
    "<Languages><Language>1033</Language></Languages></ImportExportXml>";

// Only the target's own leftovers would appear beside it: temporaries are named ".<target>.escprov-tmp-*".
size_t entries_in(const fs::path& folder)
{
    return static_cast<size_t>(std::distance(fs::directory_iterator(folder), fs::directory_iterator()));
}

TEST(PackSafety, UnpackRefusesANonEmptyTargetWithoutFlagsAndLeavesItAlone)
{
    TempDir temp;
    fs::path zip = make_solution(temp.path(), k_web_resource_solution, {{"WebResources/esc_scriptsajs1234", "x()"}});
    fs::create_directories(temp / "tree");
    write_bytes(temp / "tree" / "mine.txt", "keep me");
    RunResult run = run_escprov({"unpack", zip.string(), (temp / "tree").string()});
    EXPECT_EQ(run.exit_code, 1) << "an existing target is an output failure, as for every command";
    EXPECT_NE(run.err.find("not empty"), std::string::npos) << run.err;
    EXPECT_EQ(entries_in(temp / "tree"), 1u);
    EXPECT_EQ(read_bytes(temp / "tree" / "mine.txt"), "keep me");
}

TEST(PackSafety, OverwriteKeepsOtherFilesAndAllowDeleteRemovesThem)
{
    TempDir temp;
    fs::path zip = make_solution(temp.path(), k_web_resource_solution, {{"WebResources/esc_scriptsajs1234", "x()"}});
    fs::create_directories(temp / "tree" / "Roles");
    write_bytes(temp / "tree" / "mine.txt", "keep me");
    write_bytes(temp / "tree" / "Roles" / "Sales_Marketing.xml", "stale");
    ASSERT_EQ(run_escprov({"unpack", "--overwrite", zip.string(), (temp / "tree").string()}).exit_code, 0);
    EXPECT_EQ(read_bytes(temp / "tree" / "mine.txt"), "keep me");
    EXPECT_NE(read_bytes(temp / "tree" / "Roles" / "Sales_Marketing.xml"), "stale");
    EXPECT_EQ(read_bytes(temp / "tree" / "WebResources" / "esc_" / "scripts" / "a.js"), "x()");

    ASSERT_EQ(run_escprov({"unpack", "--allow-delete", zip.string(), (temp / "tree").string()}).exit_code, 0);
    EXPECT_FALSE(fs::exists(temp / "tree" / "mine.txt"));
    EXPECT_TRUE(fs::exists(temp / "tree" / "Entities" / "esc_thing" / "Entity.xml"));
}

TEST(PackSafety, UnpackRefusesTwoComponentsThatLandOnTheSameFile)
{
    // '/' cannot stand in a file name, so both roles would be Roles/Sales_Marketing.xml.
    TempDir temp;
    fs::path zip = make_solution(temp.path(), "<ImportExportXml><Roles>"
                                              "<Role id=\"{1}\" name=\"Sales/Marketing\"><RolePrivileges /></Role>"
                                              "<Role id=\"{2}\" name=\"Sales_Marketing\"><RolePrivileges /></Role>"
                                              "</Roles></ImportExportXml>");
    RunResult run = run_escprov({"unpack", zip.string(), (temp / "tree").string()});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find("same tree file 'Roles/Sales_Marketing.xml'"), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(temp / "tree"));
    EXPECT_EQ(entries_in(temp.path()), 1u); // only the zip: no temporary left behind
}

TEST(PackSafety, UnpackRefusesAnEntityNamedDotDot)
{
    TempDir temp;
    fs::path zip = make_solution(
        temp.path(), "<ImportExportXml><Entities><Entity><Name>..</Name></Entity></Entities></ImportExportXml>");
    RunResult run = run_escprov({"unpack", zip.string(), (temp / "tree").string()});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("'..'"), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(temp / "tree"));
    EXPECT_EQ(entries_in(temp.path()), 1u) << "a temporary folder was left behind";
}

TEST(PackSafety, UnpackRefusesAWebResourceNameThatEscapes)
{
    TempDir temp;
    fs::path zip = make_solution(temp.path(),
                                 "<ImportExportXml><WebResources><WebResource><Name>../../x</Name>"
                                 "<FileName>/WebResources/x1</FileName></WebResource></WebResources></ImportExportXml>",
                                 {{"WebResources/x1", "evil"}});
    RunResult run = run_escprov({"unpack", zip.string(), (temp / "tree").string()});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("../../x"), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(temp / "tree"));
    EXPECT_FALSE(fs::exists(temp.path().parent_path() / "x.data.xml"));
    EXPECT_EQ(entries_in(temp.path()), 1u);
}

TEST(PackSafety, PackRefusesASymbolicLinkInTheTreeInsteadOfDroppingIt)
{
    TempDir temp;
    fs::path zip = make_solution(temp.path(), k_web_resource_solution, {{"WebResources/esc_scriptsajs1234", "x()"}});
    ASSERT_EQ(run_escprov({"unpack", zip.string(), (temp / "tree").string()}).exit_code, 0);
    fs::path script = temp / "tree" / "WebResources" / "esc_" / "scripts" / "a.js";
    write_bytes(temp / "elsewhere.js", "y()");
    fs::remove(script);
    fs::create_symlink(temp / "elsewhere.js", script);
    RunResult run = run_escprov({"pack", (temp / "tree").string(), (temp / "out.zip").string()});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("'WebResources/esc_/scripts/a.js' is a symbolic link"), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(temp / "out.zip"));
}

TEST(PackSafety, ManifestsNamedInAnotherCaseAreManifestsNotParts)
{
    // Hand-made zips sometimes say Solution.xml; CRM reads them, so escprov does too.
    TempDir temp;
    fs::path zip = temp / "cased.zip";
    {
        zip::Writer writer(zip, AtomicFile::Overwrite::no);
        writer.add_bytes("Customizations.xml", k_web_resource_solution);
        writer.add_bytes("Solution.xml", k_manifest);
        writer.add_bytes("WebResources/esc_scriptsajs1234", "x()");
        writer.commit();
    }
    RunResult info = run_escprov({"info", "--format", "json", zip.string()});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    EXPECT_NE(info.out.find("\"parts\": [\n    \"WebResources/esc_scriptsajs1234\"\n  ]"), std::string::npos)
        << info.out;
    ASSERT_EQ(run_escprov({"unpack", zip.string(), (temp / "tree").string()}).exit_code, 0);
    EXPECT_TRUE(fs::exists(temp / "tree" / "Other" / "Solution.xml"));
    EXPECT_FALSE(fs::exists(temp / "tree" / "Solution.xml")) << "the manifest was copied as a part";
}

TEST(PackSafety, PackRefusesAnExistingZipUnlessOverwrite)
{
    TempDir temp;
    fs::path zip = make_solution(temp.path(), k_web_resource_solution, {{"WebResources/esc_scriptsajs1234", "x()"}});
    ASSERT_EQ(run_escprov({"unpack", zip.string(), (temp / "tree").string()}).exit_code, 0);
    write_bytes(temp / "out.zip", "old");
    RunResult refused = run_escprov({"pack", (temp / "tree").string(), (temp / "out.zip").string()});
    EXPECT_EQ(refused.exit_code, 1) << "an existing target is an output failure, as for every command";
    EXPECT_EQ(read_bytes(temp / "out.zip"), "old");
    RunResult replaced = run_escprov({"pack", "--overwrite", (temp / "tree").string(), (temp / "out.zip").string()});
    EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_NE(read_bytes(temp / "out.zip"), "old");
}

TEST(PackSafety, MissingWebResourceContentWarnsOrFailsWithStrict)
{
    TempDir temp;
    fs::path zip = make_solution(temp.path(), k_web_resource_solution, {{"WebResources/esc_scriptsajs1234", "x()"}});
    ASSERT_EQ(run_escprov({"unpack", zip.string(), (temp / "tree").string()}).exit_code, 0);
    fs::remove(temp / "tree" / "WebResources" / "esc_" / "scripts" / "a.js");

    RunResult strict = run_escprov({"pack", "--strict", (temp / "tree").string(), (temp / "strict.zip").string()});
    EXPECT_EQ(strict.exit_code, 1);
    EXPECT_NE(strict.err.find("WebResources/esc_/scripts/a.js"), std::string::npos) << strict.err;
    EXPECT_FALSE(fs::exists(temp / "strict.zip"));

    RunResult lenient = run_escprov({"pack", (temp / "tree").string(), (temp / "lenient.zip").string()});
    EXPECT_EQ(lenient.exit_code, 0);
    EXPECT_NE(lenient.err.find("warning"), std::string::npos);
    EXPECT_NE(lenient.err.find("WebResources/esc_/scripts/a.js"), std::string::npos);
    EXPECT_TRUE(fs::exists(temp / "lenient.zip"));
}

// Records where each start tag was reported from.
class LocationRecorder : public solution::CustomizationsHandler {
public:
    void set_locations(const xml::LocationProvider& locations) override { m_locations = &locations; }
    void start_element(std::string_view name, const xml::Attributes&, bool) override
    {
        xml::Location where = m_locations->location();
        seen.emplace_back(std::string(name), where.file != nullptr ? *where.file : std::string());
    }
    void end_element(std::string_view) override {}
    void characters(std::string_view, bool) override {}
    std::vector<std::pair<std::string, std::string>> seen;

private:
    const xml::LocationProvider* m_locations = nullptr;
};

TEST(PackSafety, TreeReaderLocatesEventsInTheirTreeFiles)
{
    TempDir temp;
    fs::path zip = make_solution(temp.path(), k_web_resource_solution, {{"WebResources/esc_scriptsajs1234", "x()"}});
    ASSERT_EQ(run_escprov({"unpack", zip.string(), (temp / "tree").string()}).exit_code, 0);
    auto input = pack::open_input(temp / "tree", {});
    ASSERT_EQ(input->kind(), solution::SolutionInput::Kind::tree);
    EXPECT_EQ(input->read_manifest().unique_name, "T");
    LocationRecorder recorder;
    input->read_customizations(recorder);
    auto file_of = [&](const std::string& element) {
        for (const auto& [name, file] : recorder.seen) {
            if (name == element) {
                return file;
            }
        }
        return std::string("(not seen)");
    };
    EXPECT_NE(file_of("ImportExportXml").find("Other/Customizations.xml"), std::string::npos);
    EXPECT_NE(file_of("Role").find("Roles/Sales_Marketing.xml"), std::string::npos) << file_of("Role");
    EXPECT_NE(file_of("Entity").find("Entities/esc_thing/Entity.xml"), std::string::npos);
    EXPECT_NE(file_of("WebResource").find("WebResources/esc_/scripts/a.js.data.xml"), std::string::npos);
    std::vector<std::string> parts = input->parts();
    EXPECT_EQ(parts, std::vector<std::string>{"WebResources/esc_scriptsajs1234"});
}

} // namespace
} // namespace escprov::test
