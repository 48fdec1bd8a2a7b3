// The long-running commands draw a progress bar with a percentage when stderr is a terminal, and
// nothing when it is piped. The binary runs under a real pseudo-terminal (forkpty). Nothing here
// depends on timing: the first state of each step is drawn at once and the 100% state is always
// drawn before the line is erased.

#include "support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <regex>

namespace escprov::test {
namespace {

struct TerminalRun {
    int exit_code = -1;
    std::string terminal; // what the command wrote on its terminal (stderr)
};

// Runs escprov with stderr on a pseudo-terminal `columns` wide; stdout goes to `out_file`, stdin
// is /dev/null.
TerminalRun run_on_terminal(const std::vector<std::string>& args, const fs::path& out_file, int columns = 100)
{
    std::string binary = ESCPROV_BINARY;
    std::vector<std::string> words{binary};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) {
        argv.push_back(word.data());
    }
    argv.push_back(nullptr);

    winsize size{};
    size.ws_row = 24;
    size.ws_col = static_cast<unsigned short>(columns);
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
    if (pid < 0) {
        ADD_FAILURE() << "forkpty failed: " << std::strerror(errno);
        return {};
    }
    if (pid == 0) {
        int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = ::open("/dev/null", O_RDONLY);
        if (out < 0 || in < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(in, STDIN_FILENO) < 0) {
            ::_exit(126);
        }
        ::unsetenv("COLUMNS");
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    TerminalRun run;
    char buffer[4096];
    for (;;) {
        ssize_t got = ::read(master, buffer, sizeof buffer);
        if (got > 0) {
            run.terminal.append(buffer, static_cast<size_t>(got));
        } else if (got < 0 && errno == EINTR) {
            continue;
        } else {
            break; // EIO once the child has closed the terminal
        }
    }
    ::close(master);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return run;
}

const std::regex k_bar(R"(\[[#.]{10,}\] +\d{1,3}% )");

// A bar with a percentage was drawn, the 100% state among them, and the line was erased after the
// last one: a carriage return, spaces and a carriage return follow it, and after those nothing
// returns to the start of a line but a newline (the terminal writes "\r\n" for "\n").
void expect_bar_drawn_and_erased(const std::string& terminal, const std::string& what)
{
    EXPECT_TRUE(std::regex_search(terminal, k_bar)) << what << " drew no bar:\n" << terminal;
    EXPECT_NE(terminal.find("] 100% "), std::string::npos) << what << " never drew 100%:\n" << terminal;
    size_t last_bar = terminal.rfind("% ");
    ASSERT_NE(last_bar, std::string::npos) << what;
    std::string after = terminal.substr(last_bar);
    std::smatch erase;
    ASSERT_TRUE(std::regex_search(after, erase, std::regex("\r( +)\r"))) << what << ": the bar was not erased";
    std::string rest = after.substr(static_cast<size_t>(erase.position(0) + erase.length(0)));
    for (size_t at = rest.find('\r'); at != std::string::npos; at = rest.find('\r', at + 1)) {
        EXPECT_EQ(rest[at + 1], '\n') << what << ": something was drawn after the erase:\n" << rest;
    }
}

// Piped stderr: no bar, no carriage return, no escape sequence.
void expect_no_progress(const RunResult& run, const std::string& what)
{
    EXPECT_FALSE(std::regex_search(run.err, k_bar)) << what << ":\n" << run.err;
    EXPECT_EQ(run.err.find('\r'), std::string::npos) << what << ":\n" << run.err;
    EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << what << ":\n" << run.err;
}

fs::path sample(const std::string& name)
{
    return source_dir() / "samples" / name;
}

// Each case runs twice, into fresh outputs: on a terminal, then piped.
struct Case {
    std::string name;
    std::function<std::vector<std::string>(const fs::path& work)> args;
};

std::vector<Case> cases()
{
    return {
        {"unpack",
         [](const fs::path& work) {
             return std::vector<std::string>{"unpack", sample("crm2016-event-management_managed.zip").string(),
                                             (work / "tree").string()};
         }},
        {"validate",
         [](const fs::path&) {
             return std::vector<std::string>{"validate", sample("crm2016-event-management_managed.zip").string()};
         }},
        {"merge",
         [](const fs::path& work) {
             return std::vector<std::string>{"merge",
                                             "--base",
                                             sample("orgs/crm2016-adatum.zip").string(),
                                             "--target",
                                             "8.2",
                                             "--out",
                                             (work / "merged").string()};
         }},
        {"merge-full",
         [](const fs::path& work) {
             return std::vector<std::string>{"merge",    "--base", sample("orgs/crm2016-adatum.zip").string(),
                                             "--target", "8.2",    "--mode",
                                             "full",     "--out",  (work / "merged").string()};
         }},
        {"backup create",
         [](const fs::path& work) {
             return std::vector<std::string>{"backup", "create",
                                             "--from", sample("crm2016-event-management_managed.zip").string(),
                                             "-o",     (work / "backup.zip").string()};
         }},
    };
}

TEST(ProgressTerminal, LongCommandsDrawABarOnATerminalAndNothingWhenPiped)
{
    for (const Case& each : cases()) {
        SCOPED_TRACE(each.name);
        TempDir on_terminal;
        TerminalRun drawn = run_on_terminal(each.args(on_terminal.path()), on_terminal / "stdout");
        EXPECT_EQ(drawn.exit_code, 0) << drawn.terminal;
        expect_bar_drawn_and_erased(drawn.terminal, each.name);

        TempDir piped;
        RunResult quiet = run_escprov(each.args(piped.path()));
        EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
        expect_no_progress(quiet, each.name);
    }
}

TEST(ProgressTerminal, PackPackageAndBackupVerifyAndExtractDrawBars)
{
    TempDir work;
    fs::path tree = work / "tree";
    ASSERT_EQ(run_escprov({"unpack", sample("crm2016-event-management_managed.zip").string(), tree.string()}).exit_code,
              0);
    HandOff hand_off = make_hand_off(work.path());
    ASSERT_FALSE(hand_off.tree.empty());
    fs::path backup = work / "backup.zip";
    ASSERT_EQ(run_escprov({"backup", "create", "--from", hand_off.managed.string(), "-o", backup.string()}).exit_code,
              0);

    std::vector<std::pair<std::string, std::vector<std::string>>> runs{
        {"pack", {"pack", tree.string(), (work / "packed.zip").string()}},
        {"package",
         {"package", hand_off.tree.string(), "--managed", "--target", "8.2", "-o",
          (work / "again_managed.zip").string()}},
        {"backup verify", {"backup", "verify", backup.string()}},
        {"backup extract", {"backup", "extract", backup.string(), (work / "extracted").string()}},
    };
    for (const auto& [name, args] : runs) {
        SCOPED_TRACE(name);
        TerminalRun drawn = run_on_terminal(args, work / "stdout");
        EXPECT_EQ(drawn.exit_code, 0) << drawn.terminal;
        expect_bar_drawn_and_erased(drawn.terminal, name);
    }
    // And piped, the same package writes no progress.
    RunResult quiet = run_escprov({"package", hand_off.tree.string(), "--managed", "--target", "8.2", "-o",
                                   (work / "third_managed.zip").string()});
    EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
    expect_no_progress(quiet, "package");
}

TEST(ProgressTerminal, NoProgressSilencesATerminalAndProgressForcesAPipe)
{
    TempDir work;
    std::string zip = sample("crm2016-event-management_managed.zip").string();
    TerminalRun silenced = run_on_terminal({"validate", "--no-progress", zip}, work / "stdout");
    EXPECT_EQ(silenced.exit_code, 0) << silenced.terminal;
    EXPECT_FALSE(std::regex_search(silenced.terminal, k_bar)) << silenced.terminal;
    EXPECT_EQ(silenced.terminal.find('\r'), std::string::npos) << silenced.terminal;

    RunResult forced = run_escprov({"validate", "--progress", zip});
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_TRUE(std::regex_search(forced.err, k_bar)) << forced.err;
    EXPECT_NE(forced.err.find("] 100% "), std::string::npos) << forced.err;
    EXPECT_EQ(forced.err.back(), '\r') << "the bar is erased at the end";
}

TEST(ProgressTerminal, TheBarFitsANarrowTerminal)
{
    TempDir work;
    TerminalRun drawn =
        run_on_terminal({"unpack", sample("crm2016-event-management_managed.zip").string(), (work / "tree").string()},
                        work / "stdout", 60);
    EXPECT_EQ(drawn.exit_code, 0) << drawn.terminal;
    expect_bar_drawn_and_erased(drawn.terminal, "unpack");
    size_t start = 0;
    while (start < drawn.terminal.size()) {
        size_t end = drawn.terminal.find_first_of("\r\n", start);
        if (end == std::string::npos) {
            end = drawn.terminal.size();
        }
        EXPECT_LE(end - start, 59u) << drawn.terminal.substr(start, end - start);
        start = end + 1;
    }
}

} // namespace
} // namespace escprov::test
