// escprov info on real exports: every corpus zip reads, and the facts it prints are the ones
// SOURCES.tsv records for that file.

#include "support.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace escprov::test;

TEST(Info, ReadsEveryCorpusZip)
{
    ESCPROV_REQUIRE_CORPUS();
    auto zips = corpus_zips();
    ASSERT_FALSE(zips.empty());
    for (const auto& zip : zips) {
        SCOPED_TRACE(zip.string());
        RunResult text = run_escprov({"info", zip.string()});
        EXPECT_EQ(text.exit_code, 0) << text.err;
        EXPECT_NE(text.out.find("CRM version:"), std::string::npos);
        RunResult json = run_escprov({"info", "--format", "json", zip.string()});
        ASSERT_EQ(json.exit_code, 0) << json.err;
        auto parsed = nlohmann::json::parse(json.out, nullptr, false);
        EXPECT_FALSE(parsed.is_discarded()) << "info --format json printed invalid JSON";
        EXPECT_TRUE(parsed.contains("crm"));
    }
}

TEST(Info, AgreesWithTheCorpusRecordOfVersionAndUniqueName)
{
    ESCPROV_REQUIRE_CORPUS();
    // SOURCES.tsv: key, repo, path, commit, kind, crm version, bytes, ..., notes ("unique=Name; ... N entities").
    std::ifstream sources(corpus_dir() / "SOURCES.tsv");
    std::string line;
    int checked = 0;
    while (std::getline(sources, line)) {
        std::vector<std::string> fields;
        std::stringstream split(line);
        std::string field;
        while (std::getline(split, field, '\t')) {
            fields.push_back(field);
        }
        if (fields.size() < 6 || fields[4].rfind("zip-", 0) != 0) {
            continue;
        }
        fs::path zip = corpus_dir() / "solutions" / fields[0];
        if (!fs::exists(zip)) {
            continue;
        }
        SCOPED_TRACE(zip.string());
        RunResult json = run_escprov({"info", "--format", "json", zip.string()});
        ASSERT_EQ(json.exit_code, 0) << json.err;
        auto info = nlohmann::json::parse(json.out);
        EXPECT_EQ(info["crm"]["exportedBy"], fields[5]);
        auto unique = line.find("unique=");
        if (unique != std::string::npos) {
            std::string name = line.substr(unique + 7, line.find(';', unique) - unique - 7);
            EXPECT_EQ(info["uniqueName"], name);
        }
        EXPECT_EQ(info["managed"], fields[4] == "zip-managed" ? 1 : 0);
        ++checked;
    }
    EXPECT_GT(checked, 20);
}

TEST(Info, NamesTheFamilyOfEachEra)
{
    ESCPROV_REQUIRE_CORPUS();
    RunResult org2013 = run_escprov({"info", (corpus_dir() / "orgs" / "crm2013-online-default-export.zip").string()});
    ASSERT_EQ(org2013.exit_code, 0) << org2013.err;
    EXPECT_NE(org2013.out.find("CRM 2013"), std::string::npos);
    RunResult org2015 = run_escprov({"info", (corpus_dir() / "orgs" / "crm2015-online-default-export.zip").string()});
    EXPECT_NE(org2015.out.find("7.1 - CRM 2015"), std::string::npos);
}
