// The command-line surface: help for every command, docs kept in step with --help, exit codes
// for usage errors, and "did you mean" for typos.

#include "support.hpp"

#include <regex>
#include <set>
#include <sstream>

using namespace escprov::test;

namespace {

// The command names `escprov --help` lists under "Commands:".
std::vector<std::string> listed_commands()
{
    RunResult help = run_escprov({"--help"});
    std::vector<std::string> names;
    std::istringstream lines(help.out);
    std::string line;
    bool in_commands = false;
    while (std::getline(lines, line)) {
        if (line == "Commands:") {
            in_commands = true;
            continue;
        }
        if (in_commands) {
            if (line.size() < 3 || line.substr(0, 2) != "  ") {
                break;
            }
            names.push_back(line.substr(2, line.find(' ', 2) - 2));
        }
    }
    return names;
}

std::set<std::string> long_options(const std::string& text)
{
    std::set<std::string> options;
    std::regex option("--[a-z][a-z0-9-]+");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), option); it != std::sregex_iterator(); ++it) {
        options.insert(it->str());
    }
    return options;
}

// The option lines of --help ("  --format arg ...", "  -h [ --help ] ...").
std::string option_lines(const std::string& help)
{
    std::istringstream lines(help);
    std::string line;
    std::string kept;
    while (std::getline(lines, line)) {
        if (std::regex_search(line, std::regex("^  +-"))) {
            kept += line + "\n";
        }
    }
    return kept;
}

// The "## Options" section of a docs page.
std::string options_section(const std::string& doc)
{
    auto start = doc.find("\n## Options");
    if (start == std::string::npos) {
        return {};
    }
    auto end = doc.find("\n## ", start + 1);
    return doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

} // namespace

TEST(Cli, GeneralHelpListsCommandsAndExitCodes)
{
    RunResult help = run_escprov({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("Exit codes:"), std::string::npos);
    EXPECT_FALSE(listed_commands().empty());
    EXPECT_TRUE(help.err.empty());
}

TEST(Cli, EveryCommandHasHelpAndAPageInDocsThatMatchesIt)
{
    for (const std::string& name : listed_commands()) {
        SCOPED_TRACE(name);
        RunResult help = run_escprov({name, "--help"});
        EXPECT_EQ(help.exit_code, 0);
        EXPECT_NE(help.out.find("Usage: escprov " + name), std::string::npos);
        EXPECT_NE(help.out.find("Exit codes:"), std::string::npos);
        EXPECT_EQ(run_escprov({"help", name}).out, help.out);

        fs::path page = source_dir() / "docs" / (name + ".md");
        ASSERT_TRUE(fs::exists(page)) << "docs/" << name << ".md is missing";
        std::string doc = read_bytes(page);
        std::string documented = options_section(doc);
        ASSERT_FALSE(documented.empty()) << "docs/" << name << ".md has no '## Options' section";
        std::string helped = option_lines(help.out);
        for (const std::string& option : long_options(helped)) {
            EXPECT_NE(documented.find(option), std::string::npos)
                << "docs/" << name << ".md does not document " << option;
        }
        for (const std::string& option : long_options(documented)) {
            EXPECT_NE(helped.find(option), std::string::npos)
                << "docs/" << name << ".md documents " << option << ", which --help does not know";
        }
    }
}

TEST(Cli, VersionPrintsTheProjectVersion)
{
    RunResult version = run_escprov({"--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_TRUE(std::regex_search(version.out, std::regex("^escprov [0-9]+\\.[0-9]+\\.[0-9]+\n$")));
}

TEST(Cli, UnknownCommandSuggestsTheNearestOne)
{
    RunResult typo = run_escprov({"inof", "x.zip"});
    EXPECT_EQ(typo.exit_code, 2);
    EXPECT_NE(typo.err.find("unknown command 'inof'"), std::string::npos);
    EXPECT_NE(typo.err.find("did you mean 'info'"), std::string::npos);
    EXPECT_TRUE(typo.out.empty());
}

TEST(Cli, NoArgumentsIsAUsageError)
{
    RunResult none = run_escprov({});
    EXPECT_EQ(none.exit_code, 2);
    EXPECT_NE(none.err.find("Usage:"), std::string::npos);
}

TEST(Cli, BadOptionValueIsAUsageErrorNamingTheOption)
{
    RunResult bad = run_escprov({"info", "--format", "yaml", "x.zip"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("--format"), std::string::npos);
    RunResult size = run_escprov({"info", "--max-token", "12Q", "x.zip"});
    EXPECT_EQ(size.exit_code, 2);
    EXPECT_NE(size.err.find("--max-token"), std::string::npos);
}

TEST(Cli, MissingInputNamesTheFile)
{
    TempDir dir;
    RunResult missing = run_escprov({"info", (dir / "nope.zip").string()});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("nope.zip"), std::string::npos);
    EXPECT_NE(missing.err.find("no such file"), std::string::npos);
}

// unpack and pack say on stdout what they wrote, as package, bundle and backup do: one line naming
// the target, with a count in the right number.
TEST(Cli, UnpackAndPackPrintOneLineNamingWhatTheyWrote)
{
    TempDir dir;
    fs::path zip = source_dir() / "samples" / "crm2011-event-management.zip";
    fs::path tree = dir / "tree";
    RunResult unpacked = run_escprov({"unpack", zip.string(), tree.string()});
    ASSERT_EQ(unpacked.exit_code, 0) << unpacked.err;
    EXPECT_TRUE(unpacked.err.empty()) << unpacked.err;
    size_t files = files_below(tree).size();
    EXPECT_EQ(unpacked.out, "unpack: wrote '" + tree.string() + "' (" + std::to_string(files) + " files from '" +
                                zip.string() + "')\n");

    fs::path packed = dir / "packed.zip";
    RunResult pack = run_escprov({"pack", tree.string(), packed.string()});
    ASSERT_EQ(pack.exit_code, 0) << pack.err;
    EXPECT_TRUE(pack.err.empty()) << pack.err;
    EXPECT_EQ(pack.out.rfind("pack: wrote '" + packed.string() + "' (", 0), 0U) << pack.out;
    EXPECT_NE(pack.out.find(" entries from '" + tree.string() + "')\n"), std::string::npos) << pack.out;
    EXPECT_EQ(std::count(pack.out.begin(), pack.out.end(), '\n'), 1);
}

TEST(Cli, OneArgumentTooManyIsNamedWithTheUsageLine)
{
    RunResult extra = run_escprov({"info", "a.zip", "b.zip"});
    EXPECT_EQ(extra.exit_code, 2);
    EXPECT_EQ(extra.err,
              "escprov: error: info: unexpected argument 'b.zip' (usage: escprov info [OPTIONS] SOLUTION)\n");
    // Options between the arguments do not shift which one is extra.
    RunResult unpack = run_escprov({"unpack", "a.zip", "--overwrite", "out", "third", "fourth"});
    EXPECT_EQ(unpack.exit_code, 2);
    EXPECT_NE(unpack.err.find("unpack: unexpected argument 'third' (usage: escprov unpack"), std::string::npos)
        << unpack.err;
}

TEST(Cli, AFolderWhereAZipGoesIsSaidToBeAFolder)
{
    TempDir dir;
    fs::create_directory(dir / "tree");
    RunResult unpack = run_escprov({"unpack", (dir / "tree").string(), (dir / "out").string()});
    EXPECT_EQ(unpack.exit_code, 2);
    EXPECT_NE(unpack.err.find("unpack '" + (dir / "tree").string() + "': a folder, not a solution zip"),
              std::string::npos)
        << unpack.err;
    EXPECT_NE(unpack.err.find("escprov pack " + (dir / "tree").string() + " SOLUTION.zip"), std::string::npos)
        << unpack.err;
    EXPECT_EQ(unpack.err.find("no such file"), std::string::npos) << unpack.err;
    RunResult apply = run_escprov({"apply", (dir / "tree").string()});
    EXPECT_EQ(apply.exit_code, 2);
    EXPECT_EQ(apply.err, "escprov: error: apply '" + (dir / "tree").string() + "': a folder, not a zip archive\n");
}

TEST(Cli, PackWithTheZipFirstSaysWhichOrderWorks)
{
    TempDir dir;
    fs::path zip = source_dir() / "samples/crm2011-event-management.zip";
    fs::create_directory(dir / "tree");
    // pac's habit: the zip, then the folder.
    RunResult swapped = run_escprov({"pack", zip.string(), (dir / "tree").string()});
    EXPECT_EQ(swapped.exit_code, 2);
    EXPECT_NE(swapped.err.find("is a file, not an unpacked folder; pack takes the FOLDER first"), std::string::npos)
        << swapped.err;
    EXPECT_NE(swapped.err.find("the arguments are the wrong way round: escprov pack " + (dir / "tree").string() + " " +
                               zip.string()),
              std::string::npos)
        << swapped.err;
    // Two zips: no folder to suggest, so say how to get one.
    RunResult zips = run_escprov({"pack", zip.string(), (dir / "OUT.zip").string()});
    EXPECT_EQ(zips.exit_code, 2);
    EXPECT_NE(zips.err.find("escprov unpack " + zip.string() + " FOLDER"), std::string::npos) << zips.err;
    EXPECT_FALSE(fs::exists(dir / "OUT.zip"));
}

TEST(Cli, AFileThatIsNeitherAZipNorXmlIsSaidToBeNeither)
{
    TempDir dir;
    write_bytes(dir / "passwd", "root:x:0:0:root:/root:/bin/bash\n");
    RunResult info = run_escprov({"info", (dir / "passwd").string()});
    EXPECT_EQ(info.exit_code, 2);
    EXPECT_NE(
        info.err.find("open '" + (dir / "passwd").string() + "': not a zip archive (no zip signature) and not XML"),
        std::string::npos)
        << info.err;
    EXPECT_NE(info.err.find("escprov reads a solution zip, an unpacked solution folder"), std::string::npos)
        << info.err;
    EXPECT_EQ(info.err.find("invalid document structure\n"), std::string::npos) << info.err;
}
