// unpack and pack against the real corpus: same parts, canonically equal XML, stable trees,
// deterministic zips; every SolutionPackager tree packs.

#include "pack/pack.hpp"
#include "pack/unpack.hpp"
#include "pack_support.hpp"
#include "solution/schema.hpp"
#include "support.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"
#include "zip/reader.hpp"

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

} // namespace
} // namespace escprov::test
