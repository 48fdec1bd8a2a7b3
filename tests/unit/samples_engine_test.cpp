// The engine on the project's own samples: each validates with no finding at all, and unpack then
// pack gives back every part byte for byte (the samples are written exactly as CRM writes).

#include "pack/pack.hpp"
#include "pack/unpack.hpp"
#include "support.hpp"
#include "zip/reader.hpp"

#include <map>
#include <nlohmann/json.hpp>

using namespace escprov;
using namespace escprov::test;

namespace {

std::vector<fs::path> sample_zips()
{
    std::vector<fs::path> zips;
    for (const auto& entry : fs::directory_iterator(source_dir() / "samples")) {
        if (entry.path().extension() == ".zip") {
            zips.push_back(entry.path());
        }
    }
    std::sort(zips.begin(), zips.end());
    return zips;
}

std::map<std::string, std::string> parts_of(const fs::path& zip_path)
{
    zip::Reader reader(zip_path);
    std::map<std::string, std::string> parts;
    for (const auto& entry : reader.entries()) {
        parts[entry.name] = reader.read(entry);
    }
    return parts;
}

} // namespace

TEST(SampleEngine, EverySampleValidatesWithoutAnyFinding)
{
    auto zips = sample_zips();
    ASSERT_EQ(zips.size(), 3u);
    for (const auto& zip_path : zips) {
        SCOPED_TRACE(zip_path.filename().string());
        RunResult result = run_escprov({"validate", "--strict", "--format", "json", zip_path.string()});
        EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
        auto report = nlohmann::json::parse(result.out);
        ASSERT_EQ(report["paths"].size(), 1u);
        EXPECT_EQ(report["paths"][0]["status"], "ok");
        // The one note says which version profile the import-compatibility check used.
        for (const auto& finding : report["paths"][0]["findings"]) {
            EXPECT_EQ(finding["code"], "ESC-VER-005") << report.dump(2);
        }
        EXPECT_EQ(report["summary"]["error"], 0);
        EXPECT_EQ(report["summary"]["warning"], 0);
        EXPECT_EQ(report["summary"]["note"], 1);
    }
}

TEST(SampleEngine, UnpackThenPackGivesEveryPartBackByteForByte)
{
    for (const auto& zip_path : sample_zips()) {
        SCOPED_TRACE(zip_path.filename().string());
        TempDir temp;
        pack::unpack(zip_path, temp / "tree", {});
        pack::pack(temp / "tree", temp / "packed.zip", {});
        auto original = parts_of(zip_path);
        auto packed = parts_of(temp / "packed.zip");
        ASSERT_EQ(original.size(), packed.size());
        for (const auto& [name, bytes] : original) {
            ASSERT_EQ(packed.count(name), 1u) << name;
            EXPECT_TRUE(packed[name] == bytes) << name << " differs";
        }
    }
}
