// unpack and pack against the real corpus: same parts, canonically equal XML, stable trees,
// deterministic zips; every SolutionPackager tree packs.

#include "pack/pack.hpp"
#include "pack/unpack.hpp"
#include "pack_support.hpp"
#include "solution/schema.hpp"
#include "support.hpp"
#include "validate/validator.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <gtest/gtest.h>

#include <map>

namespace escprov::test {
namespace {

std::map<std::string, std::string> zip_contents(const fs::path& path)
{
    zip::Reader reader(path);
    std::map<std::string, std::string> contents;
    for (const auto& entry : reader.entries()) {
        if (!entry.is_directory) {
            contents[entry.name] = reader.read(entry);
        }
    }
    return contents;
}

std::map<std::string, std::string> tree_contents(const fs::path& root)
{
    std::map<std::string, std::string> contents;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) {
            contents[fs::relative(entry.path(), root).generic_string()] = read_bytes(entry.path());
        }
    }
    return contents;
}

bool is_xml_part(const std::string& name)
{
    return name.size() > 4 && name.substr(name.size() - 4) == ".xml";
}

TEST(PackRoundTrip, EveryCorpusZipUnpacksAndPacksToCanonicallyEqualXml)
{
    ESCPROV_REQUIRE_CORPUS();
    auto zips = corpus_zips();
    ASSERT_FALSE(zips.empty());
    for (const auto& zip_path : zips) {
        SCOPED_TRACE(zip_path.string());
        TempDir temp;
        pack::unpack(zip_path, temp / "tree", {});
        pack::pack(temp / "tree", temp / "packed.zip", {});

        auto original = zip_contents(zip_path);
        auto packed = zip_contents(temp / "packed.zip");
        std::vector<std::string> original_names, packed_names;
        for (const auto& [name, bytes] : original)
            original_names.push_back(name);
        for (const auto& [name, bytes] : packed)
            packed_names.push_back(name);
        EXPECT_EQ(packed_names, original_names) << "the set of parts changed";
        for (const auto& [name, bytes] : original) {
            auto other = packed.find(name);
            if (other == packed.end()) {
                continue;
            }
            if (is_xml_part(name)) {
                std::string difference = canonical_difference(bytes, other->second);
                EXPECT_TRUE(difference.empty()) << name << ": " << difference;
            } else {
                EXPECT_TRUE(bytes == other->second) << name << " changed";
            }
        }

        // Stable: unpacking the packed zip gives the same tree, byte for byte.
        pack::unpack(temp / "packed.zip", temp / "again", {});
        EXPECT_TRUE(tree_contents(temp / "tree") == tree_contents(temp / "again")) << "unpack is not stable";

        // Deterministic: packing twice gives the same bytes.
        pack::pack(temp / "tree", temp / "twice.zip", {});
        EXPECT_TRUE(read_bytes(temp / "packed.zip") == read_bytes(temp / "twice.zip")) << "pack is not deterministic";
    }
}

TEST(PackRoundTrip, EveryCorpusTreePacksWithSectionsInSchemaOrder)
{
    ESCPROV_REQUIRE_CORPUS();
    auto trees = corpus_trees();
    ASSERT_FALSE(trees.empty());
    for (const auto& tree : trees) {
        SCOPED_TRACE(tree.string());
        TempDir temp;
        RunResult run = run_escprov({"pack", tree.string(), (temp / "out.zip").string()});
        ASSERT_EQ(run.exit_code, 0) << run.err;
        auto packed = zip_contents(temp / "out.zip");
        ASSERT_EQ(packed.count("customizations.xml"), 1u);
        ASSERT_EQ(packed.count("solution.xml"), 1u);
        std::vector<std::string> sections = top_level_sections(packed["customizations.xml"]);
        ASSERT_FALSE(sections.empty());
        std::optional<size_t> previous;
        for (const auto& section : sections) {
            auto rank = solution::section_rank(section);
            if (!rank) {
                continue;
            }
            if (previous) {
                EXPECT_LT(*previous, *rank) << section << " is out of schema order";
            }
            previous = rank;
        }
        // Components were spliced in: every corpus tree keeps some outside Other/Customizations.xml.
        EXPECT_GT(packed["customizations.xml"].size(), fs::file_size(tree / "Other" / "Customizations.xml"));
    }
}

// pac and newer SolutionPackager versions keep each form in <forms><systemform> and each view in
// <savedqueries><savedquery>; the packed customizations.xml has each wrapper once, as CRM writes it.
TEST(PackRoundTrip, FormAndViewFilesWithAWrapperRootAreNotWrappedTwice)
{
    ESCPROV_REQUIRE_CORPUS();
    size_t wrapped_files = 0;
    size_t forms = 0;
    for (const auto& tree : corpus_trees()) {
        SCOPED_TRACE(tree.string());
        for (const auto& file : files_below(tree)) {
            bool form_or_view =
                file.find("/FormXml/") != std::string::npos || file.find("/SavedQueries/") != std::string::npos;
            if (form_or_view && file.ends_with(".xml")) {
                xml::Node root = parse_file(tree / file);
                wrapped_files += root.name == "forms" || root.name == "savedqueries" ? 1 : 0;
            }
        }
        TempDir temp;
        pack::pack(tree, temp / "out.zip", {});
        std::string packed = zip_contents(temp / "out.zip").at("customizations.xml");
        xml::MemorySource source(packed, "customizations.xml");
        xml::Node root = xml::parse_document(source);
        for_each_element(root, [&](const xml::Node& node) {
            if (node.name == "FormXml" || node.name == "SavedQueries") {
                for (const xml::Node& wrapper : node.children) {
                    for (const xml::Node& item : wrapper.children) {
                        EXPECT_TRUE(!item.is_element() || item.name == "systemform" || item.name == "savedquery")
                            << node.name << "/" << wrapper.name << " holds <" << item.name << ">";
                        forms += item.is_element() ? 1 : 0;
                    }
                }
            }
        });
    }
    EXPECT_GT(forms, 0u);
    EXPECT_GT(wrapped_files, 0u) << "the corpus has pac-style form and view files";
}

// The zip `original` again as `target`, with customizations.xml replaced.
void write_with_customizations(const fs::path& original, const fs::path& target, const std::string& customizations)
{
    zip::Writer writer(target, AtomicFile::Overwrite::yes);
    for (const auto& [name, bytes] : zip_contents(original)) {
        writer.add_bytes(name, name == "customizations.xml" ? customizations : bytes);
    }
    writer.commit();
}

size_t errors_with_code(const validate::PathReport& report, std::string_view code)
{
    return static_cast<size_t>(
        std::count_if(report.findings.begin(), report.findings.end(),
                      [code](const validate::Finding& finding) { return finding.code == code; }));
}

// 2024 9.2 exports write ConnectionRoles before EntityImageConfigs. pack(unpack(x)) keeps that
// order, and validate does not call it an error; an order no real export shows is still one,
// and pack still puts it in schema order.
TEST(PackRoundTrip, KeepsASectionOrderRealExportsWrite)
{
    ESCPROV_REQUIRE_CORPUS();
    fs::path images = corpus_dir() / "solutions/microsoft__PowerApps-Samples/"
                                     "cds__webapi__C#__UploadDownloadFilesImagesUsingWebAPI__"
                                     "UploadDownloadFilesImagesUsingWebAPI__Solutions__PreparedSolution.zip";
    fs::path roles = corpus_dir() / "solutions/microsoft__Dynamics-365-Industry-Accelerators/"
                                    "archive__nfp__accelerator__MicrosoftDynamics365NonprofitAccelerator_2_0_0_0_"
                                    "unmanaged.zip";
    std::string base = zip_contents(images).at("customizations.xml");
    std::string donor = zip_contents(roles).at("customizations.xml");
    size_t begin = donor.find("  <ConnectionRoles>");
    size_t end = donor.find("\n  </ConnectionRoles>", begin);
    ASSERT_NE(begin, std::string::npos);
    ASSERT_NE(end, std::string::npos);
    end = donor.find('\n', end + 1) + 1;
    size_t slot = base.find("  <EntityImageConfigs>");
    ASSERT_NE(slot, std::string::npos);
    std::string doctored = base;
    doctored.insert(slot, donor.substr(begin, end - begin));

    TempDir temp;
    write_with_customizations(images, temp / "doctored.zip", doctored);
    std::vector<std::string> order = top_level_sections(doctored);
    ASSERT_LT(std::find(order.begin(), order.end(), "ConnectionRoles"),
              std::find(order.begin(), order.end(), "EntityImageConfigs"));
    validate::Options options;
    options.compat.enabled = false; // section order is the point here
    EXPECT_EQ(errors_with_code(validate::validate_path(temp / "doctored.zip", options), "ESC-SEC-001"), 0u);

    pack::unpack(temp / "doctored.zip", temp / "tree", {});
    pack::pack(temp / "tree", temp / "packed.zip", {});
    std::string packed = zip_contents(temp / "packed.zip").at("customizations.xml");
    EXPECT_EQ(top_level_sections(packed), order);
    std::string difference = canonical_difference(doctored, packed);
    EXPECT_TRUE(difference.empty()) << difference;

    // EntityImageConfigs after EntityMaps: no real export writes that.
    std::string broken = base;
    size_t images_begin = broken.find("  <EntityImageConfigs>");
    size_t images_end = broken.find("  <EntityMaps />");
    ASSERT_NE(images_end, std::string::npos);
    std::string section = broken.substr(images_begin, images_end - images_begin);
    broken.erase(images_begin, section.size());
    broken.insert(broken.find("  <EntityRelationships"), section);
    write_with_customizations(images, temp / "broken.zip", broken);
    EXPECT_GT(errors_with_code(validate::validate_path(temp / "broken.zip", options), "ESC-SEC-001"), 0u);
    pack::unpack(temp / "broken.zip", temp / "broken-tree", {});
    pack::pack(temp / "broken-tree", temp / "fixed.zip", {});
    EXPECT_EQ(top_level_sections(zip_contents(temp / "fixed.zip").at("customizations.xml")), top_level_sections(base));
}

} // namespace
} // namespace escprov::test
