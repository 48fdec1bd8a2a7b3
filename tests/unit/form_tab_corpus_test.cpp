// Real whole-organisation exports without a Marketing List or Campaign main form (both CRM Online
// exports in ../shared/corpus/orgs; skipped when the corpus is absent), carried from merge through
// package, bundle and apply: every step says which forms get the connector's tab and which the
// customer must give it by hand, and the instructions never ask to check a form the import
// cannot change.

#include "support.hpp"
#include "zip/reader.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace escprov::test {
namespace {

struct OrgExport {
    std::string file;
    std::string target;
};

class FormTabCorpus : public ::testing::TestWithParam<OrgExport> {};

TEST_P(FormTabCorpus, MissingMainFormsAreSaidFromMergeToApply)
{
    ESCPROV_REQUIRE_CORPUS();
    fs::path base = corpus_dir() / "orgs" / GetParam().file;
    ASSERT_TRUE(fs::exists(base)) << base;
    const std::string& target = GetParam().target;
    TempDir dir;

    // merge: the summary says it, the result line says action is needed, and the JSON records it.
    RunResult merged = run_escprov({"merge", "--base", base.string(), "--target", target, "--out",
                                    (dir / "tree").string(), "--report", (dir / "report.json").string()});
    ASSERT_EQ(merged.exit_code, 0) << merged.err;
    EXPECT_NE(merged.out.find("  NOT ON Campaign (campaign): the base has no main form for it\n"), std::string::npos)
        << merged.out;
    EXPECT_NE(merged.out.find("  NOT ON Marketing List (list): the base has no main form for it\n"), std::string::npos)
        << merged.out;
    EXPECT_NE(merged.out.find("Email Marketing tab: on 3 main forms: Account (1), Contact (1), Lead (1)\n"),
              std::string::npos)
        << merged.out;
    EXPECT_NE(merged.out.find("; action needed: the Email Marketing tab is not on the Campaign and Marketing List "
                              "forms\n"),
              std::string::npos)
        << merged.out;
    EXPECT_LE(std::count(merged.out.begin(), merged.out.end(), '\n'), 20) << merged.out;
    auto report = nlohmann::json::parse(read_bytes(dir / "report.json"));
    std::map<std::string, bool> placed;
    for (const auto& tab : report["form_tabs"]) {
        placed[tab["entity"]] = tab["placed"];
    }
    EXPECT_EQ(placed, (std::map<std::string, bool>{
                          {"account", true}, {"campaign", false}, {"contact", true}, {"lead", true}, {"list", false}}));

    // package, bundle: the preflight puts it first, the instructions add a step and test only what can pass.
    fs::path solution = dir / "EmailServiceConnector_managed.zip";
    RunResult packaged =
        run_escprov({"package", (dir / "tree").string(), "--managed", "--target", target, "-o", solution.string()});
    ASSERT_EQ(packaged.exit_code, 0) << packaged.err;
    fs::path bundle = dir / "bundle.zip";
    RunResult bundled = run_escprov({"bundle", "--solution", solution.string(), "--customer", "Corpus Org", "-o",
                                     bundle.string(), "--report", (dir / "report.json").string()});
    ASSERT_EQ(bundled.exit_code, 0) << bundled.err;
    std::string preflight = zip_entry(bundle, "preflight.txt");
    size_t action = preflight.find("ACTION NEEDED: the solution changes no main form of Campaign and Marketing List");
    EXPECT_NE(action, std::string::npos) << preflight;
    EXPECT_LT(action, preflight.find("What the organisation must already have")) << "it comes first";
    EXPECT_NE(preflight.find("  - Marketing List: NOT PLACED"), std::string::npos) << preflight;
    EXPECT_NE(preflight.find("  - Account: 'Information' {"), std::string::npos) << preflight;

    std::string steps = zip_entry(bundle, "instructions.txt");
    size_t manual = steps.find("Step 4: add the Email Marketing tab by hand\n");
    size_t tests = steps.find("Step 5: what to test\n");
    ASSERT_NE(manual, std::string::npos) << steps;
    ASSERT_NE(tests, std::string::npos) << steps;
    EXPECT_LT(manual, tests);
    std::string checks = flowed(steps.substr(tests));
    EXPECT_NE(checks.find("The main forms of Account, Contact and Lead show the connector's \"Email"),
              std::string::npos)
        << checks;
    EXPECT_NE(checks.find("After step 4, so do the main forms of Campaign and Marketing List."), std::string::npos)
        << checks;
    EXPECT_EQ(flowed(steps).find("A Marketing List, a Contact, a Lead, an Account and a Campaign form"),
              std::string::npos)
        << "the old check of all five forms cannot pass";
    std::string html = zip_entry(bundle, "instructions.html");
    EXPECT_NE(html.find("<h2>Step 4: add the Email Marketing tab by hand</h2>"), std::string::npos);
    EXPECT_NE(html.find("<h2>Step 5: what to test</h2>"), std::string::npos);

    // apply: the customer's IT reads it before importing.
    RunResult applied = run_escprov({"apply", bundle.string()});
    ASSERT_EQ(applied.exit_code, 0) << applied.err;
    EXPECT_NE(applied.out.find("Email Marketing tab: on the main forms of Account, Contact and Lead\nACTION NEEDED: "
                               "the solution changes no main form of Campaign and Marketing List"),
              std::string::npos)
        << applied.out;
}

INSTANTIATE_TEST_SUITE_P(Orgs, FormTabCorpus,
                         ::testing::Values(OrgExport{"crm2013-online-default-export.zip", "6.0"},
                                           OrgExport{"crm2015-online-default-export.zip", "7.1"}),
                         [](const ::testing::TestParamInfo<OrgExport>& info) {
                             return info.param.target == "6.0" ? std::string("Crm2013") : std::string("Crm2015");
                         });

} // namespace
} // namespace escprov::test
