// The progress bar: drawn only when enabled, with a percentage, done/total and an ETA, fitted to the
// terminal's width, throttled to ten draws a second (except the first and the 100% one), and erased.

#include "util/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <unistd.h>

using escprov::Progress;
using namespace std::chrono_literals;

namespace {

// A clock the test moves by hand, so that nothing depends on how fast the machine is.
struct FakeClock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
    Progress::Clock clock()
    {
        return [this] { return now; };
    }
};

constexpr uint64_t k_mib = 1u << 20;

// What the terminal would show last: the text after the final carriage return that is not
// the erasing one.
std::string last_drawn(const std::string& out)
{
    size_t end = out.rfind('\r');
    size_t start = out.rfind('\r', end == 0 ? 0 : end - 1);
    return start == std::string::npos ? out.substr(0, end) : out.substr(start + 1, end - start - 1);
}

} // namespace

TEST(Progress, StaysSilentWhenDisabled)
{
    std::ostringstream out;
    {
        Progress progress(out, false, "unpack x.zip", 80);
        progress.begin("", 100 * k_mib, Progress::Unit::bytes);
        progress.update(50 * k_mib);
        progress.update(100 * k_mib);
        progress.finish();
    }
    EXPECT_TRUE(out.str().empty());
}

TEST(Progress, RendersBarPercentAmountsAndEta)
{
    std::string line = Progress::render("unpack x.zip", 120 * k_mib, 280 * k_mib, Progress::Unit::bytes, "", 3s, 80);
    EXPECT_EQ(line, "unpack x.zip [############..................] 42% 120/280 MB  ETA 0:03");
    EXPECT_LE(line.size(), 79u);
}

TEST(Progress, RendersItemsAndSmallSizesInKilobytes)
{
    EXPECT_EQ(Progress::render("pack t", 3, 12, Progress::Unit::items, "files", 75s, 80),
              "pack t [#######.......................] 25% 3/12 files  ETA 1:15");
    EXPECT_NE(Progress::render("v", 512 << 10, 1000 << 10, Progress::Unit::bytes, "", std::nullopt, 80)
                  .find(" 51% 512/1000 KB  ETA -:--"),
              std::string::npos);
    EXPECT_NE(Progress::render("v", 1, 2, Progress::Unit::items, "steps", 3725s, 80).find("ETA 1:02:05"),
              std::string::npos);
}

TEST(Progress, ClampsAtTheTotal)
{
    std::string line = Progress::render("x", 15, 10, Progress::Unit::items, "files", 0s, 80);
    EXPECT_NE(line.find("[##############################] 100% 10/10 files  ETA 0:00"), std::string::npos);
}

TEST(Progress, WithoutATotalShowsTheCountOrTheLabelAlone)
{
    EXPECT_EQ(Progress::render("merge base: merging", 0, 0, Progress::Unit::items, "steps", std::nullopt, 80),
              "merge base: merging");
    EXPECT_EQ(Progress::render("pack t", 12, 0, Progress::Unit::items, "files", std::nullopt, 80), "pack t  12 files");
}

TEST(Progress, FitsNarrowTerminalsByShorteningTheLabel)
{
    std::string label = "unpack /a/very/long/path/to/some/customer/export/Contoso_1_0_0_0.zip";
    for (size_t width : {60u, 80u, 120u}) {
        std::string line = Progress::render(label, 43, 100, Progress::Unit::items, "files", 3s, width);
        EXPECT_LE(line.size(), width - 1) << width;
        EXPECT_NE(line.find("] 43% 43/100 files  ETA 0:03"), std::string::npos) << width;
        EXPECT_NE(line.find("[#"), std::string::npos) << width;
    }
    std::string narrow = Progress::render(label, 43, 100, Progress::Unit::items, "files", 3s, 60);
    // The start and the end (the file name) stay, the middle gives way.
    EXPECT_EQ(narrow.find("unpa"), 0u) << narrow;
    EXPECT_NE(narrow.find("...1_0_0_0.zip ["), std::string::npos) << narrow;
    // Too narrow for a bar: the text is cut, never wrapped.
    for (size_t width : {20u, 40u}) {
        std::string line = Progress::render(label, 43, 100, Progress::Unit::items, "files", 3s, width);
        EXPECT_EQ(line.size(), width - 1) << line;
        EXPECT_EQ(line.find('['), std::string::npos) << line;
    }
}

TEST(Progress, NeverCutsInsideAUtf8Character)
{
    std::string label = "unpack \xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9.zip";
    for (size_t width = 30; width < 60; ++width) {
        std::string line = Progress::render(label, 1, 2, Progress::Unit::items, "files", 1s, width);
        size_t cut = line.find("...");
        if (cut != std::string::npos && cut > 0) {
            EXPECT_NE(static_cast<unsigned char>(line[cut - 1]), 0xC3u) << width;
            EXPECT_NE(static_cast<unsigned char>(line[cut + 3]) & 0xC0, 0x80u) << width;
        }
    }
}

TEST(Progress, LabelsNameFilesByTheirLastComponent)
{
    EXPECT_EQ(Progress::short_name("/work/samples/orgs/crm2016-adatum.zip"), "crm2016-adatum.zip");
    EXPECT_EQ(Progress::short_name("merged/"), "merged");
    EXPECT_EQ(Progress::short_name("tree"), "tree");
    EXPECT_EQ(Progress::short_name("/"), "/");
}

TEST(Progress, TerminalWidthFallsBackToColumnsThenEighty)
{
    // A pipe is no terminal: the width comes from COLUMNS, else 80.
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ::setenv("COLUMNS", "132", 1);
    EXPECT_EQ(Progress::terminal_width(fds[0]), 132u);
    ::setenv("COLUMNS", "wide", 1);
    EXPECT_EQ(Progress::terminal_width(fds[0]), 80u);
    ::unsetenv("COLUMNS");
    EXPECT_EQ(Progress::terminal_width(fds[0]), 80u);
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST(Progress, DrawsTheFirstStateAtOnceAndErasesTheLine)
{
    FakeClock time;
    std::ostringstream out;
    {
        Progress progress(out, true, "unpack x.zip", 80, time.clock());
        progress.begin("", 100 * k_mib, Progress::Unit::bytes);
        EXPECT_NE(out.str().find("unpack x.zip [....."), std::string::npos);
        EXPECT_NE(out.str().find("0% 0/100 MB  ETA -:--"), std::string::npos);
    }
    std::string text = out.str();
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\r'); // the last write blanks the line and returns to its start
    // "\r<line>\r<as many spaces>\r"
    ASSERT_EQ(text.front(), '\r');
    size_t end_of_line = text.find('\r', 1);
    std::string drawn = text.substr(1, end_of_line - 1);
    std::string erased = text.substr(end_of_line + 1, text.size() - end_of_line - 2);
    EXPECT_EQ(erased, std::string(drawn.size(), ' '));
}

TEST(Progress, ThrottlesRedrawsButAlwaysShowsOneHundredPercent)
{
    FakeClock time;
    std::ostringstream out;
    Progress progress(out, true, "pack t", 80, time.clock());
    progress.begin("reading the tree", 10, Progress::Unit::items, "files");
    time.now += 10ms;
    progress.update(2); // within 100 ms of the first draw: skipped
    EXPECT_EQ(out.str().find("2/10 files"), std::string::npos);
    time.now += 100ms;
    progress.update(3);
    EXPECT_NE(out.str().find("30% 3/10 files"), std::string::npos);
    time.now += 1ms;
    progress.update(10); // the last state is drawn however soon it comes
    EXPECT_EQ(last_drawn(out.str() + "\r"),
              "pack t: reading the tree [#########################] 100% 10/10 files  ETA 0:00");
}

TEST(Progress, EstimatesTheTimeLeftFromTheRateSoFar)
{
    FakeClock time;
    std::ostringstream out;
    Progress progress(out, true, "merge b.zip", 100, time.clock());
    progress.begin("reading the base", 100 * k_mib, Progress::Unit::bytes);
    time.now += 200ms;
    progress.update(5 * k_mib); // too early to say
    EXPECT_NE(last_drawn(out.str() + "\r").find("5% 5/100 MB  ETA -:--"), std::string::npos);
    time.now += 1800ms;
    progress.update(25 * k_mib); // 25 MB in 2 s: 75 MB more take 6 s
    EXPECT_NE(last_drawn(out.str() + "\r").find("25% 25/100 MB  ETA 0:06"), std::string::npos);
}

TEST(Progress, ANewStepRestartsTheBarAndAShorterLineCoversTheLongerOne)
{
    FakeClock time;
    std::ostringstream out;
    Progress progress(out, true, "merge b.zip", 100, time.clock());
    progress.begin("reading the base", 100 * k_mib, Progress::Unit::bytes);
    progress.update(100 * k_mib);
    size_t longest = last_drawn(out.str() + "\r").size();
    progress.begin("merging", 0, Progress::Unit::items, "steps");
    std::string drawn = last_drawn(out.str() + "\r");
    EXPECT_EQ(drawn.find("merge b.zip: merging"), 0u);
    EXPECT_EQ(drawn.size(), longest); // padded with spaces over the old text
    EXPECT_EQ(drawn.find_first_not_of(' ', 20), std::string::npos);
}
