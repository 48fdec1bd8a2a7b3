#pragma once
// Shared test helpers: a fresh temporary folder per test, running the real binary, and the
// optional real-world corpus (tests that need it skip with a clear reason when it is absent).

#include "xml/node.hpp"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace escprov::test {

namespace fs = std::filesystem;

// A folder removed when the test ends.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const fs::path& path() const { return m_path; }
    fs::path operator/(const std::string& name) const { return m_path / name; }

private:
    fs::path m_path;
};

struct RunResult {
    int exit_code = -1; // a child killed by a signal reports 128 + the signal number
    std::string out;
    std::string err;
    uint64_t peak_rss_bytes = 0; // the child's maximum resident set size
};

// Runs the escprov binary with `args` (no shell), capturing stdout and stderr. With a non-zero
// `address_space`, the child runs under RLIMIT_AS of that many bytes.
RunResult run_escprov(const std::vector<std::string>& args, uint64_t address_space = 0);

// escprov started in the background, for tests that signal it while it works. The destructor
// kills and reaps a run that was not waited for.
class RunningEscprov {
public:
    explicit RunningEscprov(const std::vector<std::string>& args, uint64_t address_space = 0);
    ~RunningEscprov();
    RunningEscprov(const RunningEscprov&) = delete;
    RunningEscprov& operator=(const RunningEscprov&) = delete;

    int pid() const { return m_pid; }
    // True once the process has exited (without blocking); wait() then returns at once.
    bool finished();
    void signal(int signal_number) const;
    RunResult wait();

private:
    TempDir m_capture;
    int m_pid = -1;
    bool m_reaped = false;
    int m_status = 0;
    uint64_t m_peak_rss_bytes = 0;
};

// What technical services hand over for the CRM 2016 org sample (samples/orgs/crm2016-adatum.zip):
// the connector merged into it for 8.2 (connector mode, with a text report) and packaged managed,
// all made in `folder`. Fails the calling test (and returns empty paths) when a step fails.
struct HandOff {
    fs::path tree;    // folder/merged
    fs::path report;  // folder/merge-report.txt
    fs::path managed; // folder/EmailServiceConnector_managed.zip
};
HandOff make_hand_off(const fs::path& folder);

// The names directly in `folder`, sorted.
std::vector<std::string> folder_names(const fs::path& folder);

// ../shared/corpus beside the checkout, or "" when absent.
fs::path corpus_dir();
// The project's source folder (for samples/ and tests/data/).
fs::path source_dir();

// Every solution zip below the corpus (sorted), or empty.
std::vector<fs::path> corpus_zips();
// Every unpacked SolutionPackager tree (a folder holding Other/Solution.xml) below the corpus.
std::vector<fs::path> corpus_trees();

std::string read_bytes(const fs::path& path);
void write_bytes(const fs::path& path, const std::string& bytes);
// The bytes of entry `name` in the zip at `path`; a test failure and "" when it has none.
std::string zip_entry(const fs::path& path, const std::string& name);
// `text` with each line break and the indentation after it read as one space: instructions.txt
// wraps its paragraphs, and a phrase may straddle two lines.
std::string flowed(const std::string& text);

// Every file below `folder`, as '/'-separated relative paths.
std::set<std::string> files_below(const fs::path& folder);
// A whole (small) XML file as a tree. Throws xml::ParseError.
xml::Node parse_file(const fs::path& path);
// Calls `visit` for every element below `node`, depth first.
void for_each_element(const xml::Node& node, const std::function<void(const xml::Node&)>& visit);

} // namespace escprov::test

// Skips the current test when the shared corpus is not beside the checkout.
#define ESCPROV_REQUIRE_CORPUS()                                                                                       \
    do {                                                                                                               \
        if (escprov::test::corpus_dir().empty()) {                                                                     \
            GTEST_SKIP() << "the shared corpus (../shared/corpus) is not present; real-world tests skipped";           \
        }                                                                                                              \
    } while (0)
