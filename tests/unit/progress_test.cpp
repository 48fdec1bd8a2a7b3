// Progress is drawn only when enabled and always erased afterwards.

#include "util/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

using escprov::Progress;

TEST(Progress, StaysSilentWhenDisabled)
{
    std::ostringstream out;
    {
        Progress progress(out, false, "unpack x.zip");
        progress.bytes(50u << 20, 100u << 20);
        progress.count(12, "components");
        progress.show("anything", true);
    }
    EXPECT_TRUE(out.str().empty());
}

TEST(Progress, DrawsPercentAndErasesTheLine)
{
    std::ostringstream out;
    {
        Progress progress(out, true, "unpack x.zip");
        progress.bytes(50u << 20, 100u << 20);
        EXPECT_NE(out.str().find("unpack x.zip  50% 50/100 MB"), std::string::npos);
    }
    std::string text = out.str();
    EXPECT_EQ(text.back(), '\r'); // the last write blanks the line and returns to its start
}

TEST(Progress, ThrottlesRedrawsButForcedOnesAlwaysShow)
{
    std::ostringstream out;
    Progress progress(out, true, "pack");
    progress.count(1, "files");
    progress.count(2, "files"); // within 100 ms of the first: skipped
    EXPECT_EQ(out.str().find("2 files"), std::string::npos);
    progress.show("done", true);
    EXPECT_NE(out.str().find("pack  done"), std::string::npos);
}
