// unpack and pack against the real corpus: same parts, canonically equal XML, stable trees,
// deterministic zips; every SolutionPackager tree packs.

#include "pack/pack.hpp"
#include "pack/unpack.hpp"
#include "pack_support.hpp"
#include "solution/schema.hpp"
#include "support.hpp"
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

} // namespace
} // namespace escprov::test
