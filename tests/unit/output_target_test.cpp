// One rule for every output target (docs/exit-codes.md, "Output targets"): a folder given as a file
// target gets the command's default name, every target is checked before any work, an existing one
// is replaced only with --overwrite (exit 1), and messages name the command the user ran, the
// system's cause and the fix, never a temporary.

#include "connector/connector.hpp"
#include "merge/engine.hpp"
#include "support.hpp"
#include "util/error.hpp"
#include "util/output_target.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <sys/wait.h>
#include <unistd.h>

namespace escprov::test {
namespace {

fs::path sample_export()
{
    return source_dir() / "samples" / "orgs" / "crm2016-adatum.zip";
}

// What a run said on stderr must never name one of escprov's temporaries.
void expect_no_temporary(const RunResult& run)
{
    EXPECT_EQ(run.err.find("escprov-tmp"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("escprov-probe"), std::string::npos) << run.err;
}

// The message of the Error(output) that `make` throws; fails the test when it throws nothing.
template <typename Make> std::string output_error(Make make)
{
    try {
        make();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::output) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
}

TEST(OutputTarget, AFolderGivenAsAFileGetsTheDefaultNameAndIsMadeOnlyWhenAsked)
{
    TempDir temp;
    OutputSpec spec{"describe", "-o", "description.md", "--overwrite", false};
    {
        OutputFile trailing((temp / "new" / "deeper").string() + "/", spec);
        EXPECT_TRUE(trailing.into_folder());
        EXPECT_EQ(trailing.path(), temp / "new" / "deeper" / "description.md");
        EXPECT_FALSE(fs::exists(temp / "new")) << "nothing is made by the check";
        trailing.make_folders();
        EXPECT_TRUE(fs::is_directory(temp / "new" / "deeper"));
    }
    EXPECT_FALSE(fs::exists(temp / "new")) << "folders made for an output that was not kept go again";

    fs::create_directory(temp / "existing");
    OutputFile existing(temp / "existing", spec);
    EXPECT_EQ(existing.path(), temp / "existing" / "description.md");

    OutputFile kept((temp / "kept").string() + "/", spec);
    kept.make_folders();
    kept.keep();
    EXPECT_TRUE(fs::is_directory(temp / "kept"));
}

TEST(OutputTarget, TheChecksNameTheCommandTheOptionAndTheFix)
{
    TempDir temp;
    write_bytes(temp / "report.txt", "old");
    std::string exists = output_error([&] {
        OutputFile file(temp / "report.txt", {"merge", "--report", "", "--overwrite", false});
    });
    EXPECT_EQ(exists, "merge --report '" + (temp / "report.txt").string() +
                          "': the file exists; pass --overwrite to replace it");
    EXPECT_NO_THROW(OutputFile(temp / "report.txt", {"merge", "--report", "", "--overwrite", true}));

    std::string never = output_error([&] {
        OutputFile file(temp / "report.txt", {"backup create", "-o", "", "", false});
    });
    EXPECT_NE(never.find("backup create never replaces a file"), std::string::npos) << never;

    std::string missing = output_error([&] {
        OutputFile file(temp / "absent" / "x.zip", {"package", "-o", "", "--overwrite", false});
    });
    EXPECT_NE(missing.find("the folder '" + (temp / "absent").string() + "' does not exist"), std::string::npos)
        << missing;
    EXPECT_FALSE(fs::exists(temp / "absent"));

    std::string under_a_file = output_error([&] {
        OutputFile file((temp / "report.txt" / "x").string() + "/", {"pack", "", "a.zip", "", false});
    });
    EXPECT_NE(under_a_file.find("is a file, not a folder"), std::string::npos) << under_a_file;

    fs::create_directories(temp / "tree" / "Other");
    std::string not_empty = output_error([&] {
        OutputFolder folder(temp / "tree", {"merge", "--out", "", "--overwrite", false});
    });
    EXPECT_EQ(not_empty, "merge --out '" + (temp / "tree").string() +
                             "': the folder is not empty; pass --overwrite to replace it, or give a new or empty "
                             "folder");
}

TEST(OutputTarget, AFolderThatTakesNoFilesIsRefusedWithTheSystemsCause)
{
    if (!cannot_create_in("/sys")) {
        GTEST_SKIP() << "/sys takes new files here";
    }
    std::string denied = output_error([] { OutputFile file("/sys/x.sarif", {"validate", "-o", "", "", false}); });
    EXPECT_NE(denied.find("validate -o '/sys/x.sarif': cannot create files in '/sys': "), std::string::npos) << denied;
    EXPECT_EQ(denied.find("disk full"), std::string::npos) << denied;
}

// A file that cannot be created was reported as "write error (disk full?)".
TEST(OutputTarget, AWriteThatIsRefusedSaysWhyNotDiskFull)
{
    if (!cannot_create_in("/sys")) {
        GTEST_SKIP() << "/sys takes new files here";
    }
    std::string denied = output_error([] { write_file_atomic("/sys/x.txt", "bytes", AtomicFile::Overwrite::no); });
    EXPECT_EQ(denied, "write '/sys/x.txt': " + *cannot_create_in("/sys"));
}

// The README's own example: -o backups/ in a folder without backups/ used to write a 0600 FILE named
// backups, print an empty sha256 and exit 2.
TEST(OutputTarget, BackupCreateIntoAFolderThatDoesNotExistYetMakesIt)
{
    TempDir temp;
    fs::path folder = temp / "backups";
    RunResult run = run_escprov({"backup", "create", "--from", sample_export().string(), "-o", folder.string() + "/"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    ASSERT_TRUE(fs::is_directory(folder));
    std::vector<std::string> names = folder_names(folder);
    ASSERT_EQ(names.size(), 1u);
    EXPECT_TRUE(std::regex_match(names.front(), std::regex(R"(escprov-backup-\d{8}T\d{6}Z-local\.zip)")))
        << names.front();
    EXPECT_TRUE(std::regex_search(run.out, std::regex("sha256:  [0-9a-f]{64}\n"))) << run.out;

    RunResult nested = run_escprov(
        {"backup", "create", "--from", sample_export().string(), "-o", (temp / "no" / "such" / "b.zip").string()});
    EXPECT_EQ(nested.exit_code, 1) << nested.err;
    EXPECT_NE(nested.err.find("backup create -o '" + (temp / "no" / "such" / "b.zip").string() + "': the folder '" +
                              (temp / "no" / "such").string() + "' does not exist"),
              std::string::npos)
        << nested.err;
    EXPECT_FALSE(fs::exists(temp / "no"));
}

// A report that cannot be written is found before the merge, which used to write the whole merged
// folder and then fail, so that a rerun failed on the now non-empty folder.
TEST(OutputTarget, MergeChecksItsReportBeforeAnyWork)
{
    TempDir temp;
    fs::path out = temp / "merged";
    std::vector<std::string> args = {"merge",      "--base",  sample_export().string(), "--target", "8.2", "--out",
                                     out.string(), "--report"};
    args.push_back("/proc/escprov-report.html");
    RunResult run = run_escprov(args);
    EXPECT_EQ(run.exit_code, 1) << run.err;
    EXPECT_NE(run.err.find("merge --report '/proc/escprov-report.html': cannot create files in '/proc': "),
              std::string::npos)
        << run.err;
    EXPECT_EQ(run.out, "") << "nothing was merged";
    EXPECT_FALSE(fs::exists(out));
    expect_no_temporary(run);

    write_bytes(temp / "report.json", "old");
    args.back() = (temp / "report.json").string();
    RunResult exists = run_escprov(args);
    EXPECT_EQ(exists.exit_code, 1) << exists.err;
    EXPECT_NE(exists.err.find("merge --report '" + (temp / "report.json").string() +
                              "': the file exists; pass --overwrite to replace it"),
              std::string::npos)
        << exists.err;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_EQ(read_bytes(temp / "report.json"), "old");

    args.push_back("--overwrite");
    RunResult replaced = run_escprov(args);
    ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_TRUE(fs::exists(out / "Other" / "Solution.xml"));
    EXPECT_NE(read_bytes(temp / "report.json"), "old");
}

// The report is written between staging the merged tree and committing it: when writing it fails,
// the tree does not land either.
TEST(OutputTarget, MergeCommitsNoTreeWhenItsReportFails)
{
    TempDir temp;
    merge::MergeOptions options;
    options.target = *solution::parse_crm_version("8.2");
    bool asked = false;
    options.before_commit = [&asked](const merge::Report& report) {
        asked = true;
        EXPECT_FALSE(report.output.empty()) << "the report says where the tree goes";
        throw_output("write 'report.html': No space left on device");
    };
    EXPECT_THROW(
        merge::merge(sample_export(), connector::locate_connector(source_dir() / "solution"), options, temp / "merged"),
        Error);
    EXPECT_TRUE(asked);
    EXPECT_EQ(folder_names(temp.path()), std::vector<std::string>{}) << "no tree and no temporary";
}

// merge into a non-empty --out named unpack and unpack's options.
TEST(OutputTarget, MergeIntoANonEmptyFolderNamesMergeAndItsOwnOption)
{
    TempDir temp;
    fs::path out = temp / "merged";
    fs::create_directory(out);
    write_bytes(out / "stale.txt", "from an earlier run");
    std::vector<std::string> args = {"merge",      "--base",   sample_export().string(), "--target", "8.2", "--out",
                                     out.string(), "--report", (temp / "r.txt").string()};
    RunResult refused = run_escprov(args);
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    EXPECT_EQ(refused.err, "escprov: error: merge --out '" + out.string() +
                               "': the folder is not empty; pass --overwrite to replace it, or give a new or empty "
                               "folder\n");
    EXPECT_FALSE(fs::exists(temp / "r.txt")) << "no output lands without the others";

    args.push_back("--overwrite");
    RunResult replaced = run_escprov(args);
    ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
    EXPECT_FALSE(fs::exists(out / "stale.txt")) << "--out becomes exactly the merged tree";
    EXPECT_TRUE(fs::exists(out / "Other" / "Solution.xml"));
    EXPECT_TRUE(fs::exists(temp / "r.txt"));
}

// validate -o and describe -o replaced files silently; now they follow the rule every command does.
TEST(OutputTarget, ReportsAreReplacedOnlyWithOverwrite)
{
    TempDir temp;
    fs::path tree = source_dir() / "samples" / "crm2016-event-management_managed.zip";
    fs::path report = temp / "report.sarif";
    write_bytes(report, "old");
    RunResult validate = run_escprov({"validate", "--format", "sarif", "-o", report.string(), tree.string()});
    EXPECT_EQ(validate.exit_code, 1) << validate.err;
    EXPECT_NE(validate.err.find("validate -o '" + report.string() + "': the file exists; pass --overwrite"),
              std::string::npos)
        << validate.err;
    EXPECT_EQ(read_bytes(report), "old");
    RunResult replaced =
        run_escprov({"validate", "--format", "sarif", "-o", report.string(), "--overwrite", tree.string()});
    EXPECT_NE(replaced.exit_code, 2) << replaced.err;
    EXPECT_NE(read_bytes(report), "old");

    RunResult into_folder =
        run_escprov({"validate", "--format", "sarif", "-o", (temp / "reports").string() + "/", tree.string()});
    EXPECT_NE(into_folder.exit_code, 2) << into_folder.err;
    EXPECT_TRUE(fs::exists(temp / "reports" / "validate-report.sarif"));

    fs::path markdown = temp / "tree.md";
    write_bytes(markdown, "old");
    fs::path connector = source_dir() / "solution";
    RunResult describe = run_escprov({"describe", "-o", markdown.string(), connector.string()});
    EXPECT_EQ(describe.exit_code, 1) << describe.err;
    EXPECT_NE(describe.err.find("describe -o '" + markdown.string() + "': the file exists; pass --overwrite"),
              std::string::npos)
        << describe.err;
    EXPECT_EQ(read_bytes(markdown), "old");
    ASSERT_EQ(run_escprov({"describe", "-o", markdown.string(), "--overwrite", connector.string()}).exit_code, 0);
    EXPECT_NE(read_bytes(markdown), "old");
}

// One exit code for "the target exists": pack and unpack said 2 where every other command said 1.
TEST(OutputTarget, AnExistingTargetExitsOneEverywhere)
{
    TempDir temp;
    fs::path tree = temp / "tree";
    ASSERT_EQ(run_escprov({"unpack", sample_export().string(), tree.string()}).exit_code, 0);

    RunResult unpack = run_escprov({"unpack", sample_export().string(), tree.string()});
    EXPECT_EQ(unpack.exit_code, 1) << unpack.err;
    EXPECT_NE(unpack.err.find("escprov: error: unpack '" + tree.string() +
                              "': the folder is not empty; pass "
                              "--overwrite or --allow-delete"),
              std::string::npos)
        << unpack.err;

    write_bytes(temp / "out.zip", "old");
    RunResult pack = run_escprov({"pack", tree.string(), (temp / "out.zip").string()});
    EXPECT_EQ(pack.exit_code, 1) << pack.err;
    EXPECT_NE(pack.err.find("escprov: error: pack '" + (temp / "out.zip").string() +
                            "': the file exists; pass --overwrite to replace it"),
              std::string::npos)
        << pack.err;
    EXPECT_EQ(read_bytes(temp / "out.zip"), "old");
}

// pack into a folder names the zip as CRM names the export of the tree's solution.
TEST(OutputTarget, PackIntoAFolderUsesCrmsName)
{
    TempDir temp;
    fs::path tree = temp / "tree";
    ASSERT_EQ(run_escprov({"unpack", sample_export().string(), tree.string()}).exit_code, 0);
    RunResult pack = run_escprov({"pack", tree.string(), (temp / "zips").string() + "/"});
    ASSERT_EQ(pack.exit_code, 0) << pack.err;
    // The sample's solution is Default 1.0, unmanaged.
    EXPECT_EQ(folder_names(temp / "zips"), std::vector<std::string>{"Default_1_0.zip"});
}

// A write that fails halfway (here: a file-size limit, as a full disk would) names the file where the
// user will look for it, below the folder or zip they gave, never the temporary it was staged in.
TEST(OutputTarget, AWriteThatFailsHalfwayNamesTheUsersPathNotTheTemporary)
{
    TempDir dir;
    fs::path tree = dir / "tree";
    fs::path zip = dir / "out.zip";
    // A limit of 16 blocks of 512 bytes per file, and SIGXFSZ ignored so that write() fails with EFBIG.
    auto limited = [&](const std::string& args) {
        std::string command = "ulimit -f 16; trap '' XFSZ; exec '" + std::string(ESCPROV_BINARY) + "' " + args +
                              " 2>'" + (dir / "err.txt").string() + "' >/dev/null";
        int status = std::system(("sh -c \"" + command + "\"").c_str());
        RunResult result;
        result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        result.err = read_bytes(dir / "err.txt");
        return result;
    };
    RunResult unpacked = limited("unpack '" + sample_export().string() + "' '" + tree.string() + "'");
    EXPECT_EQ(unpacked.exit_code, 1) << unpacked.err;
    EXPECT_NE(unpacked.err.find("write '" + tree.string() + "/"), std::string::npos) << unpacked.err;
    EXPECT_NE(unpacked.err.find("File too large"), std::string::npos) << unpacked.err;
    expect_no_temporary(unpacked);
    EXPECT_FALSE(fs::exists(tree));

    ASSERT_EQ(run_escprov({"unpack", sample_export().string(), tree.string()}).exit_code, 0);
    RunResult packed = limited("pack '" + tree.string() + "' '" + zip.string() + "'");
    EXPECT_EQ(packed.exit_code, 1) << packed.err;
    EXPECT_NE(packed.err.find("write '" + zip.string() + "'"), std::string::npos) << packed.err;
    expect_no_temporary(packed);
    EXPECT_FALSE(fs::exists(zip));
}

} // namespace
} // namespace escprov::test
