// escprov merge on the project's customer org exports (samples/orgs): every output validates for
// every target and both modes, full mode preserves what it did not have to touch, merging is
// deterministic, idempotent and independent of the base's order, each conflict is detected and
// resolved as documented, and the outputs match the goldens in samples/orgs/golden.

#include "solution/manifest.hpp"
#include "support.hpp"

#include "xml/node.hpp"
#include "xml/source.hpp"
#include "xml/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

namespace escprov::test {
namespace {

const std::vector<std::string>& org_samples()
{
    static const std::vector<std::string> names = {"crm2011-fabrikam", "crm2016-adatum", "d365-contoso-9.2"};
    return names;
}

// The CRM version each org sample was exported from.
std::string own_version(const std::string& sample)
{
    return sample == "crm2011-fabrikam" ? "5.0" : sample == "crm2016-adatum" ? "8.2" : "9.2";
}

fs::path sample_zip(const std::string& sample)
{
    return source_dir() / "samples" / "orgs" / (sample + ".zip");
}

RunResult merge(const fs::path& base, const std::string& target, const fs::path& out,
                std::vector<std::string> extra = {})
{
    std::vector<std::string> args = {"merge", "--base", base.string(), "--target", target, "--out", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_escprov(args);
}

void expect_validates(const fs::path& tree, const std::string& what)
{
    RunResult validated = run_escprov({"validate", tree.string()});
    EXPECT_EQ(validated.exit_code, 0) << what << "\n" << validated.out << validated.err;
    EXPECT_NE(validated.out.find(" 0 errors"), std::string::npos) << what << "\n" << validated.out;
}

// Every file of a tree, relative path -> bytes.
std::map<std::string, std::string> tree_files(const fs::path& root)
{
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) {
            files[entry.path().lexically_relative(root).generic_string()] = read_bytes(entry.path());
        }
    }
    return files;
}

xml::Node parse(const std::string& bytes, const std::string& name)
{
    xml::MemorySource source(bytes, name);
    return xml::parse_document(source);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to)
{
    size_t at = 0;
    while ((at = text.find(from, at)) != std::string::npos) {
        text.replace(at, from.size(), to);
        at += to.size();
    }
    return text;
}

// A sample unpacked into `dir`, for tests that edit a base before merging it.
fs::path unpacked(const std::string& sample, const TempDir& dir)
{
    fs::path tree = dir / ("base-" + sample);
    RunResult unpacked_run = run_escprov({"unpack", sample_zip(sample).string(), tree.string()});
    EXPECT_EQ(unpacked_run.exit_code, 0) << unpacked_run.err;
    return tree;
}

void edit_file(const fs::path& file, const std::string& from, const std::string& to)
{
    std::string text = read_bytes(file);
    ASSERT_NE(text.find(from), std::string::npos) << file << " does not hold '" << from << "'";
    write_bytes(file, replace_all(text, from, to));
}

nlohmann::json json_report(const fs::path& file)
{
    return nlohmann::json::parse(read_bytes(file));
}

// The conflicts of a JSON report with `code`.
std::vector<nlohmann::json> conflicts_of(const nlohmann::json& report, const std::string& code)
{
    std::vector<nlohmann::json> found;
    for (const auto& conflict : report["conflicts"]) {
        if (conflict["code"] == code) {
            found.push_back(conflict);
        }
    }
    return found;
}

class MergeSampleTest : public ::testing::TestWithParam<std::string> {};

std::string sample_name(const ::testing::TestParamInfo<std::string>& info)
{
    std::string name = info.param;
    std::replace_if(
        name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return name;
}

INSTANTIATE_TEST_SUITE_P(MergeSamples, MergeSampleTest, ::testing::ValuesIn(org_samples()), sample_name);

TEST_P(MergeSampleTest, EveryTargetAndModeValidatesWithNoError)
{
    TempDir dir;
    for (const std::string mode : {"connector", "full"}) {
        for (const std::string target : {"5.0", "6.0", "6.1", "7.0", "7.1", "8.0", "8.1", "8.2", "9.0", "9.1", "9.2"}) {
            fs::path out = dir / (mode + "-" + target);
            // A target of another family is a conflict; `ours` renders for the target as asked.
            RunResult merged = merge(sample_zip(GetParam()), target, out, {"--mode", mode, "--on-conflict", "ours"});
            ASSERT_EQ(merged.exit_code, 0) << mode << " " << target << "\n" << merged.out << merged.err;
            if (mode == "full" && own_version(GetParam()) != target) {
                // Full mode carries the customer's own components unrendered (merge warns): only
                // the structure is checked here; AppsInABaseForATargetWithoutAppsAreTargetTooOld
                // shows the import-compatibility check naming them.
                RunResult validated = run_escprov({"validate", "--no-compat", out.string()});
                EXPECT_EQ(validated.exit_code, 0) << mode << " " << target << "\n" << validated.out;
            } else {
                expect_validates(out, GetParam() + " " + mode + " " + target);
            }
            std::string manifest = read_bytes(out / "Other" / "Solution.xml");
            if (target == "5.0") {
                EXPECT_NE(manifest.find("minimumversion=\"5.0\""), std::string::npos) << mode;
            } else {
                EXPECT_NE(manifest.find("SolutionPackageVersion=\"" + target + "\""), std::string::npos) << mode;
            }
            bool app = fs::exists(out / "AppModules" / "esc_EmailMarketing");
            EXPECT_EQ(app, target >= "9.0") << mode << " " << target << ": the connector's app only from 9.0";
            bool queue = fs::exists(out / "Entities" / "esc_messagequeue");
            EXPECT_EQ(queue, target < "9.0") << mode << " " << target << ": the message queue only before 9.0";
            fs::remove_all(out);
        }
    }
}

TEST_P(MergeSampleTest, FullModePreservesEveryComponentItDidNotTouch)
{
    TempDir dir;
    fs::path base = unpacked(GetParam(), dir);
    fs::path out = dir / "full";
    RunResult merged = merge(sample_zip(GetParam()), own_version(GetParam()), out, {"--mode", "full"});
    ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;

    auto before = tree_files(base);
    auto after = tree_files(out);
    const std::set<std::string> extended = {"Account", "Campaign", "Contact", "Lead", "List"};
    size_t compared = 0;
    for (const auto& [path, bytes] : before) {
        if (path.starts_with("Other/")) {
            continue; // the manifest, skeleton, order file and content types are written anew
        }
        ASSERT_TRUE(after.count(path) != 0) << path << " is missing from the full-mode output";
        if (!path.ends_with(".xml")) {
            EXPECT_EQ(after.at(path), bytes) << path << ": a part changed";
            continue;
        }
        std::string entity = path.starts_with("Entities/") ? path.substr(9, path.find('/', 9) - 9) : "";
        xml::Node old_node = parse(bytes, path);
        xml::Node new_node = parse(after.at(path), path);
        bool touched = extended.count(entity) != 0 &&
                       (path.ends_with("/Entity.xml") || path.find("/FormXml/main/") != std::string::npos ||
                        path.ends_with("/RibbonDiff.xml"));
        if (!touched) {
            EXPECT_TRUE(xml::equal_ignoring_layout(old_node, new_node))
                << path << " changed although the merge did not touch it";
            ++compared;
        }
    }
    EXPECT_GT(compared, 20u);
    // The touched main forms keep every customer tab, in order, and gain ours at the end.
    for (const auto& [path, bytes] : before) {
        if (path.find("/FormXml/main/") == std::string::npos) {
            continue;
        }
        auto tab_ids = [](const xml::Node& form) {
            std::vector<std::string> ids;
            if (const xml::Node* tabs = form.child("form") ? form.child("form")->child("tabs") : nullptr) {
                for (const xml::Node* tab : tabs->children_named("tab")) {
                    ids.push_back(tab->attribute("id") ? *tab->attribute("id") : "");
                }
            }
            return ids;
        };
        std::vector<std::string> old_tabs = tab_ids(parse(bytes, path));
        std::vector<std::string> new_tabs = tab_ids(parse(after.at(path), path));
        ASSERT_GE(new_tabs.size(), old_tabs.size()) << path;
        EXPECT_TRUE(std::equal(old_tabs.begin(), old_tabs.end(), new_tabs.begin())) << path << ": customer tabs moved";
    }
    // The preserved count is in the report.
    EXPECT_NE(merged.out.find("result: ok"), std::string::npos);
}

TEST_P(MergeSampleTest, MergingIsDeterministicAndIdempotent)
{
    TempDir dir;
    const std::string target = own_version(GetParam());
    for (const std::string mode : {"connector", "full"}) {
        fs::path first = dir / (mode + "-1");
        fs::path second = dir / (mode + "-2");
        ASSERT_EQ(merge(sample_zip(GetParam()), target, first,
                        {"--mode", mode, "--report", (dir / (mode + "-1.json")).string()})
                      .exit_code,
                  0);
        ASSERT_EQ(merge(sample_zip(GetParam()), target, second,
                        {"--mode", mode, "--report", (dir / (mode + "-2.json")).string()})
                      .exit_code,
                  0);
        EXPECT_EQ(tree_files(first), tree_files(second)) << mode << ": two merges of the same input differ";
        nlohmann::json one = json_report(dir / (mode + "-1.json"));
        nlohmann::json two = json_report(dir / (mode + "-2.json"));
        one.erase("output");
        two.erase("output");
        EXPECT_EQ(one, two) << mode;
    }
    // Merging into the merged export changes nothing: full into full gives the same tree, and the
    // connector-mode output is the same whether the base had the connector or not.
    fs::path again = dir / "full-again";
    RunResult repeated =
        merge(dir / "full-1", target, again, {"--mode", "full", "--report", (dir / "again.json").string()});
    ASSERT_EQ(repeated.exit_code, 0) << repeated.out << repeated.err;
    EXPECT_EQ(tree_files(dir / "full-1"), tree_files(again));
    nlohmann::json report = json_report(dir / "again.json");
    EXPECT_EQ(report["counts"]["added"], 0);
    EXPECT_EQ(report["counts"]["changed"], 0);
    fs::path connector_again = dir / "connector-again";
    ASSERT_EQ(merge(dir / "full-1", target, connector_again).exit_code, 0);
    EXPECT_EQ(tree_files(dir / "connector-1"), tree_files(connector_again));
}

TEST(Merge, ConnectorOutputDoesNotDependOnTheOrderOfTheBase)
{
    TempDir dir;
    fs::path base = unpacked("crm2016-adatum", dir);
    // Reverse the order in which the base lists its components.
    fs::path order = base / "Other" / "escprov-order.txt";
    std::string text = read_bytes(order);
    std::vector<std::string> header, paths;
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        std::string line = text.substr(at, end - at);
        (line.starts_with("#") || line.starts_with("!") ? header : paths).push_back(line);
        at = end == std::string::npos ? text.size() : end + 1;
    }
    std::reverse(paths.begin(), paths.end());
    std::string reversed;
    for (const auto& line : header) {
        reversed += line + "\n";
    }
    for (const auto& line : paths) {
        reversed += line + "\n";
    }
    write_bytes(order, reversed);

    ASSERT_EQ(merge(sample_zip("crm2016-adatum"), "8.2", dir / "in-order").exit_code, 0);
    ASSERT_EQ(merge(base, "8.2", dir / "reversed").exit_code, 0);
    EXPECT_EQ(tree_files(dir / "in-order"), tree_files(dir / "reversed"));
}

TEST(MergeConflicts, AnInstalledOlderConnectorIsUpgradedKeepingItsDataBearingAttributes)
{
    TempDir dir;
    fs::path installed = dir / "installed";
    ASSERT_EQ(merge(sample_zip("crm2016-adatum"), "8.2", installed, {"--mode", "full"}).exit_code, 0);
    // The installed version lacks esc_subject and has an attribute this version dropped.
    fs::path entity = installed / "Entities" / "esc_emailcampaign" / "Entity.xml";
    std::string text = read_bytes(entity);
    size_t start = text.find("<attribute PhysicalName=\"esc_Subject\">");
    ASSERT_NE(start, std::string::npos);
    size_t end = text.find("</attribute>", start) + std::string("</attribute>").size();
    std::string removed = text.substr(start, end - start);
    std::string legacy =
        replace_all(replace_all(removed, "esc_Subject", "esc_LegacyCode"), "esc_subject", "esc_legacycode");
    write_bytes(entity, text.substr(0, start) + legacy + text.substr(end));

    fs::path out = dir / "upgraded";
    RunResult upgraded = merge(installed, "8.2", out, {"--mode", "full", "--report", (dir / "r.json").string()});
    ASSERT_EQ(upgraded.exit_code, 0) << upgraded.out << upgraded.err;
    nlohmann::json report = json_report(dir / "r.json");
    auto older = conflicts_of(report, "older-connector");
    ASSERT_EQ(older.size(), 1u);
    EXPECT_EQ(older[0]["resolution"], "automatic");
    std::string result = read_bytes(out / "Entities" / "esc_emailcampaign" / "Entity.xml");
    EXPECT_NE(result.find("PhysicalName=\"esc_Subject\""), std::string::npos)
        << "this version's attribute was not added";
    EXPECT_NE(result.find("PhysicalName=\"esc_LegacyCode\""), std::string::npos)
        << "the installed attribute was dropped";
    expect_validates(out, "upgrade");
}

TEST(MergeConflicts, AForeignPublisherUsingTheEscPrefixStopsTheMergeUntilResolved)
{
    TempDir dir;
    fs::path base = unpacked("crm2016-adatum", dir);
    edit_file(base / "Other" / "Solution.xml", "<CustomizationPrefix>new</CustomizationPrefix>",
              "<CustomizationPrefix>esc</CustomizationPrefix>");
    RunResult failed = merge(base, "8.2", dir / "out", {"--report", (dir / "r.json").string()});
    EXPECT_EQ(failed.exit_code, 1) << failed.out << failed.err;
    EXPECT_FALSE(fs::exists(dir / "out")) << "an unresolved conflict must write nothing";
    EXPECT_NE(failed.out.find("[foreign-publisher]"), std::string::npos) << failed.out;
    EXPECT_NE(failed.out.find("result: FAILED"), std::string::npos);
    nlohmann::json report = json_report(dir / "r.json");
    ASSERT_EQ(conflicts_of(report, "foreign-publisher").size(), 1u);
    EXPECT_EQ(conflicts_of(report, "foreign-publisher")[0]["resolution"], "unresolved");

    RunResult resolved = merge(base, "8.2", dir / "ours", {"--on-conflict", "ours"});
    EXPECT_EQ(resolved.exit_code, 0) << resolved.out;
    expect_validates(dir / "ours", "foreign publisher, ours");
}

TEST(MergeConflicts, ACustomerAttributeWithOurNameAndAnotherTypeIsKeptOrReplacedAsAsked)
{
    TempDir dir;
    fs::path base = unpacked("crm2016-adatum", dir);
    // The customer made contact.esc_emailscore as text before the connector came.
    fs::path contact = base / "Entities" / "Contact" / "Entity.xml";
    std::string text = read_bytes(contact);
    size_t attributes = text.find("<attributes>");
    ASSERT_NE(attributes, std::string::npos);
    std::string attribute = "<attributes>\r\n            <attribute PhysicalName=\"esc_EmailScore\">\r\n"
                            "              <Type>nvarchar</Type>\r\n              <Name>esc_emailscore</Name>\r\n"
                            "              <LogicalName>esc_emailscore</LogicalName>\r\n"
                            "              <RequiredLevel>none</RequiredLevel>\r\n            </attribute>";
    write_bytes(contact, text.substr(0, attributes) + attribute + text.substr(attributes + 12));

    RunResult failed = merge(base, "8.2", dir / "fail", {"--report", (dir / "r.json").string()});
    EXPECT_EQ(failed.exit_code, 1);
    auto found = conflicts_of(json_report(dir / "r.json"), "attribute-type");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]["subject"], "attribute contact.esc_emailscore");

    ASSERT_EQ(merge(base, "8.2", dir / "theirs", {"--on-conflict", "theirs", "--mode", "full"}).exit_code, 0);
    std::string kept = read_bytes(dir / "theirs" / "Entities" / "Contact" / "Entity.xml");
    size_t at = kept.find("PhysicalName=\"esc_EmailScore\"");
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(kept.substr(at, 200).find("<Type>nvarchar</Type>") != std::string::npos, true)
        << "theirs must keep nvarchar";
    EXPECT_EQ(kept.find("<LogicalName>esc_emailscore</LogicalName>",
                        kept.find("<LogicalName>esc_emailscore</LogicalName>") + 1),
              std::string::npos)
        << "two attributes of one name";

    ASSERT_EQ(merge(base, "8.2", dir / "ours", {"--on-conflict", "ours", "--mode", "full"}).exit_code, 0);
    std::string replaced = read_bytes(dir / "ours" / "Entities" / "Contact" / "Entity.xml");
    at = replaced.find("PhysicalName=\"esc_EmailScore\"");
    ASSERT_NE(at, std::string::npos);
    EXPECT_NE(replaced.substr(at, 200).find("<Type>int</Type>"), std::string::npos)
        << "ours must write the connector's int";
    expect_validates(dir / "ours", "attribute type, ours");
    expect_validates(dir / "theirs", "attribute type, theirs");
}

TEST(MergeConflicts, ACustomerRoleWithOneOfOurIdsIsADuplicateId)
{
    TempDir dir;
    fs::path base = unpacked("crm2016-adatum", dir);
    std::string manager = read_bytes(source_dir() / "solution" / "Roles" / "Email Marketing Manager.xml");
    size_t id_at = manager.find("id=\"");
    ASSERT_NE(id_at, std::string::npos);
    std::string id = manager.substr(id_at + 4, manager.find('"', id_at + 4) - id_at - 4);
    // Give one of the customer's roles the connector's id.
    fs::path role;
    for (const auto& entry : fs::directory_iterator(base / "Roles")) {
        role = entry.path();
        break;
    }
    std::string text = read_bytes(role);
    size_t their_id = text.find("id=\"");
    ASSERT_NE(their_id, std::string::npos);
    size_t their_end = text.find('"', their_id + 4);
    std::string their_role_id = text.substr(their_id + 4, their_end - their_id - 4);
    write_bytes(role, text.substr(0, their_id + 4) + id + text.substr(their_end));
    edit_file(base / "Other" / "Solution.xml", their_role_id, id);

    RunResult failed = merge(base, "8.2", dir / "fail", {"--report", (dir / "r.json").string()});
    EXPECT_EQ(failed.exit_code, 1) << failed.out;
    EXPECT_EQ(conflicts_of(json_report(dir / "r.json"), "duplicate-id").size(), 1u);
    ASSERT_EQ(merge(base, "8.2", dir / "theirs", {"--on-conflict", "theirs"}).exit_code, 0);
    EXPECT_FALSE(fs::exists(dir / "theirs" / "Roles" / "Email Marketing Manager.xml")) << "theirs leaves our role out";
    expect_validates(dir / "theirs", "duplicate role id, theirs");
    ASSERT_EQ(merge(base, "8.2", dir / "ours", {"--on-conflict", "ours", "--mode", "full"}).exit_code, 0);
    expect_validates(dir / "ours", "duplicate role id, ours");
}

TEST(MergeConflicts, ACustomerFormWithOneOfOurFormIdsIsADuplicateId)
{
    TempDir dir;
    fs::path base = unpacked("crm2016-adatum", dir);
    fs::path ours_folder = source_dir() / "solution" / "Entities" / "esc_emailcampaign" / "FormXml" / "main";
    ASSERT_TRUE(fs::exists(ours_folder));
    std::string our_id = fs::directory_iterator(ours_folder)->path().stem().string(); // "{guid}"
    // The customer's new_event main form happens to carry the connector's Email Campaign form id.
    fs::path folder = base / "Entities" / "new_event" / "FormXml" / "main";
    ASSERT_TRUE(fs::exists(folder)) << folder;
    fs::path form = fs::directory_iterator(folder)->path();
    std::string their_id = form.stem().string();
    edit_file(form, their_id, our_id);
    fs::rename(form, folder / (our_id + ".xml"));
    edit_file(base / "Other" / "escprov-order.txt", their_id, our_id);

    RunResult failed = merge(base, "8.2", dir / "fail", {"--report", (dir / "r.json").string()});
    EXPECT_EQ(failed.exit_code, 1) << failed.out;
    auto found = conflicts_of(json_report(dir / "r.json"), "duplicate-id");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0]["message"].get<std::string>().find("new_event"), std::string::npos) << found[0].dump();

    // theirs: the connector's form with that id is left out; the customer's stays.
    ASSERT_EQ(merge(base, "8.2", dir / "theirs", {"--on-conflict", "theirs", "--mode", "full"}).exit_code, 0);
    EXPECT_FALSE(
        fs::exists(dir / "theirs" / "Entities" / "esc_emailcampaign" / "FormXml" / "main" / (our_id + ".xml")));
    EXPECT_TRUE(fs::exists(dir / "theirs" / "Entities" / "new_event" / "FormXml" / "main" / (our_id + ".xml")));
    expect_validates(dir / "theirs", "duplicate form id, theirs");
    // ours: the customer's form with that id is removed; the connector's is written.
    ASSERT_EQ(merge(base, "8.2", dir / "ours", {"--on-conflict", "ours", "--mode", "full"}).exit_code, 0);
    EXPECT_TRUE(fs::exists(dir / "ours" / "Entities" / "esc_emailcampaign" / "FormXml" / "main" / (our_id + ".xml")));
    EXPECT_FALSE(fs::exists(dir / "ours" / "Entities" / "new_event" / "FormXml" / "main" / (our_id + ".xml")));
    expect_validates(dir / "ours", "duplicate form id, ours");
}

TEST(MergeConflicts, AnInstalledOptionWithAnotherLabelIsAnOptionValueConflict)
{
    TempDir dir;
    fs::path installed = dir / "installed";
    ASSERT_EQ(merge(sample_zip("crm2016-adatum"), "8.2", installed, {"--mode", "full"}).exit_code, 0);
    fs::path optionset = installed / "OptionSets" / "esc_syncstatus.xml";
    std::string text = read_bytes(optionset);
    size_t value = text.find("value=\"772630000\"");
    ASSERT_NE(value, std::string::npos);
    size_t label = text.find("description=\"", value);
    size_t label_end = text.find('"', label + 13);
    write_bytes(optionset, text.substr(0, label + 13) + "Idle" + text.substr(label_end));

    RunResult failed = merge(installed, "8.2", dir / "fail", {"--mode", "full", "--report", (dir / "r.json").string()});
    EXPECT_EQ(failed.exit_code, 1);
    auto found = conflicts_of(json_report(dir / "r.json"), "option-value-prefix");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_NE(found[0]["message"].get<std::string>().find("'Idle'"), std::string::npos);
    ASSERT_EQ(merge(installed, "8.2", dir / "theirs", {"--mode", "full", "--on-conflict", "theirs"}).exit_code, 0);
    EXPECT_NE(read_bytes(dir / "theirs" / "OptionSets" / "esc_syncstatus.xml").find("\"Idle\""), std::string::npos);
    ASSERT_EQ(merge(installed, "8.2", dir / "ours", {"--mode", "full", "--on-conflict", "ours"}).exit_code, 0);
    EXPECT_EQ(read_bytes(dir / "ours" / "OptionSets" / "esc_syncstatus.xml").find("\"Idle\""), std::string::npos);
}

// An option of a customer attribute of an extended entity in the connector's value range is
// reported like one in a customer option set (the entity is merged, not scanned past).
TEST(MergeConflicts, AnExtendedEntitysOptionInTheConnectorsRangeIsReported)
{
    TempDir dir;
    fs::path base = unpacked("crm2016-adatum", dir);
    std::string text = read_bytes(base / "Entities" / "Contact" / "Entity.xml");
    size_t at = text.find("<option value=\"1\">", text.find("contact_gendercode"));
    ASSERT_NE(at, std::string::npos);
    write_bytes(base / "Entities" / "Contact" / "Entity.xml",
                text.replace(at, std::string("<option value=\"1\">").size(), "<option value=\"772630001\">"));
    for (const std::string mode : {"connector", "full"}) {
        fs::path report = dir / (mode + ".json");
        ASSERT_EQ(merge(base, "8.2", dir / mode, {"--mode", mode, "--report", report.string()}).exit_code, 0);
        auto found = conflicts_of(json_report(report), "option-value-prefix");
        ASSERT_EQ(found.size(), 1u) << mode;
        EXPECT_NE(found[0]["message"].get<std::string>().find("option value 772630001 of attribute contact.gendercode"),
                  std::string::npos)
            << found[0]["message"];
    }
}

TEST(MergeConflicts, ABaseFromAnotherFamilyThanTheTargetNeedsAResolution)
{
    TempDir dir;
    RunResult failed =
        merge(sample_zip("crm2011-fabrikam"), "9.2", dir / "fail", {"--report", (dir / "r.json").string()});
    EXPECT_EQ(failed.exit_code, 1);
    EXPECT_FALSE(fs::exists(dir / "fail"));
    EXPECT_EQ(conflicts_of(json_report(dir / "r.json"), "version-family").size(), 1u);
    ASSERT_EQ(merge(sample_zip("crm2011-fabrikam"), "9.2", dir / "theirs", {"--on-conflict", "theirs"}).exit_code, 0);
    EXPECT_NE(read_bytes(dir / "theirs" / "Other" / "Solution.xml").find("minimumversion=\"5.0\""), std::string::npos)
        << "theirs renders for the base's version";
    ASSERT_EQ(merge(sample_zip("crm2011-fabrikam"), "9.2", dir / "ours", {"--on-conflict", "ours"}).exit_code, 0);
    EXPECT_NE(read_bytes(dir / "ours" / "Other" / "Solution.xml").find("SolutionPackageVersion=\"9.2\""),
              std::string::npos);
}

TEST(MergeConflicts, AppsInABaseForATargetWithoutAppsAreTargetTooOld)
{
    TempDir dir;
    // --on-conflict ours resolves the family difference too; the app conflict is its own.
    ASSERT_EQ(merge(sample_zip("d365-contoso-9.2"), "8.2", dir / "ours",
                    {"--mode", "full", "--on-conflict", "ours", "--report", (dir / "r.json").string()})
                  .exit_code,
              0);
    auto found = conflicts_of(json_report(dir / "r.json"), "target-too-old");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0]["resolution"], "ours");
    EXPECT_FALSE(fs::exists(dir / "ours" / "AppModules")) << "ours leaves the apps out for 8.2";
    // Full mode carries the customer's own 9.2 entities unrendered, and says so.
    std::string report = read_bytes(dir / "r.json");
    EXPECT_NE(report.find("not rendered for CRM 8.2"), std::string::npos) << report;
    RunResult validated = run_escprov({"validate", "--no-compat", (dir / "ours").string()});
    EXPECT_EQ(validated.exit_code, 0) << validated.out << validated.err;
    RunResult compat = run_escprov({"validate", (dir / "ours").string()});
    EXPECT_EQ(compat.exit_code, 1) << "9.2 vocabulary in the customer's entities is an 8.2 import error";
    ASSERT_EQ(
        merge(sample_zip("d365-contoso-9.2"), "8.2", dir / "theirs", {"--mode", "full", "--on-conflict", "theirs"})
            .exit_code,
        0);
}

TEST(MergeConflicts, ASitemapWithoutTheMarketingAreaGetsTheFallbackAreaAndAWarning)
{
    TempDir dir;
    fs::path base = unpacked("crm2011-fabrikam", dir);
    edit_file(base / "Other" / "SiteMap.xml", "<Area Id=\"MA\"", "<Area Id=\"new_Marketing\"");
    RunResult merged = merge(base, "5.0", dir / "out");
    ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
    EXPECT_NE(merged.out.find("esc_EmailMarketing"), std::string::npos);
    std::string sitemap = read_bytes(dir / "out" / "Other" / "SiteMap.xml");
    EXPECT_NE(sitemap.find("<Area Id=\"esc_EmailMarketing\""), std::string::npos);
    EXPECT_NE(sitemap.find("<Area Id=\"new_Marketing\""), std::string::npos) << "the customer's area must stay";
    expect_validates(dir / "out", "fallback area");
}

TEST(Merge, BadInputsAreRefusedWithACleanExit)
{
    TempDir dir;
    RunResult missing = merge(dir / "nope.zip", "8.2", dir / "out");
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("nope.zip"), std::string::npos) << missing.err;
    RunResult target = merge(sample_zip("crm2016-adatum"), "4.0", dir / "out");
    EXPECT_EQ(target.exit_code, 2);
    EXPECT_NE(target.err.find("4.0"), std::string::npos) << target.err;
    fs::create_directories(dir / "busy");
    write_bytes(dir / "busy" / "keep.txt", "mine");
    RunResult busy = merge(sample_zip("crm2016-adatum"), "8.2", dir / "busy");
    EXPECT_EQ(busy.exit_code, 1) << "an existing target is an output failure, as for every command: " << busy.err;
    EXPECT_EQ(read_bytes(dir / "busy" / "keep.txt"), "mine");
    RunResult mode = run_escprov({"merge", "--base", sample_zip("crm2016-adatum").string(), "--target", "8.2", "--out",
                                  (dir / "x").string(), "--mode", "partial"});
    EXPECT_EQ(mode.exit_code, 2);
    EXPECT_FALSE(fs::exists(dir / "out"));
    EXPECT_FALSE(fs::exists(dir / "x"));
}

// samples/orgs/golden/<sample>/ holds what `samples/orgs/make-goldens.sh` wrote: each sample merged
// for its own version in connector mode, the customer components of the output and the reports.
TEST_P(MergeSampleTest, OutputMatchesTheGolden)
{
    fs::path golden = source_dir() / "samples" / "orgs" / "golden" / GetParam();
    ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run samples/orgs/make-goldens.sh";
    TempDir dir;
    fs::path out = dir / "out";
    RunResult merged =
        merge(sample_zip(GetParam()), own_version(GetParam()), out, {"--report", (dir / "report.json").string()});
    ASSERT_EQ(merged.exit_code, 0) << merged.out << merged.err;
    auto normalised = [&](std::string text) {
        text = replace_all(text, sample_zip(GetParam()).string(), "samples/orgs/" + GetParam() + ".zip");
        return replace_all(text, out.string(), "OUT");
    };
    auto expected = tree_files(golden);
    for (const auto& [path, bytes] : expected) {
        std::string actual;
        if (path == "summary.txt") {
            actual = replace_all(normalised(merged.out), (dir / "report.json").string(), "REPORT");
        } else if (path == "report.txt") {
            fs::path text_out = dir / "text-out";
            ASSERT_EQ(merge(sample_zip(GetParam()), own_version(GetParam()), text_out,
                            {"--report", (dir / "report.txt").string()})
                          .exit_code,
                      0);
            actual = replace_all(normalised(read_bytes(dir / "report.txt")), text_out.string(), "OUT");
        } else if (path == "report.json") {
            actual = normalised(read_bytes(dir / "report.json"));
        } else if (path == "report.html") {
            fs::path html_out = dir / "html-out";
            ASSERT_EQ(merge(sample_zip(GetParam()), own_version(GetParam()), html_out,
                            {"--report", (dir / "report.html").string()})
                          .exit_code,
                      0);
            actual = replace_all(normalised(read_bytes(dir / "report.html")), html_out.string(), "OUT");
        } else {
            ASSERT_TRUE(fs::exists(out / path.substr(5))) << path;
            actual = read_bytes(out / path.substr(5)); // "tree/<path>"
        }
        EXPECT_EQ(actual, bytes) << path
                                 << " differs from the golden; if the change is intended, run "
                                    "samples/orgs/make-goldens.sh and review the diff";
    }
    EXPECT_GT(expected.size(), 5u);
}

} // namespace
} // namespace escprov::test
