// The shared text helpers: XML whitespace, ASCII case folding.

#include "util/text.hpp"

#include <gtest/gtest.h>

using namespace escprov;

TEST(Text, TrimsAndTestsXmlWhitespaceOnly)
{
    EXPECT_EQ(trimmed(" \r\n\t{ab} \n"), "{ab}");
    EXPECT_EQ(trimmed(" \t "), "");
    EXPECT_EQ(trimmed("\xC2\xA0x"), "\xC2\xA0x"); // a no-break space is not XML whitespace
    EXPECT_TRUE(is_blank("\r\n  "));
    EXPECT_TRUE(is_blank(""));
    EXPECT_FALSE(is_blank(" x "));
}

TEST(Text, FoldsAsciiLettersOnly)
{
    EXPECT_EQ(ascii_lower("Esc_EmailCampaign{6F1C}"), "esc_emailcampaign{6f1c}");
    EXPECT_EQ(ascii_lower("\xC3\x84"), "\xC3\x84"); // bytes of non-ASCII text are left alone
}
