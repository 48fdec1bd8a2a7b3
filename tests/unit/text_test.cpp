// The shared text helpers: XML whitespace, ASCII case folding, counts with a noun.

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

TEST(Text, CountsWithTheRightNumber)
{
    EXPECT_EQ(counted(0, "conflict"), "0 conflicts");
    EXPECT_EQ(counted(1, "conflict"), "1 conflict");
    EXPECT_EQ(counted(2, "conflict"), "2 conflicts");
    EXPECT_EQ(counted(1, "entry", "entries"), "1 entry");
    EXPECT_EQ(counted(3, "entry", "entries"), "3 entries");
    EXPECT_EQ(counted(0, "entry", "entries"), "0 entries");
}

TEST(Text, WrapsWordsAtTheWidth)
{
    EXPECT_EQ(wrap_words("one two three four", 9), (std::vector<std::string>{"one two", "three", "four"}));
    EXPECT_EQ(wrap_words("one two three four", 13), (std::vector<std::string>{"one two three", "four"}));
    EXPECT_EQ(wrap_words("  a   b  ", 80), (std::vector<std::string>{"a b"}));
    EXPECT_EQ(wrap_words("abcdefghij xy", 4), (std::vector<std::string>{"abcdefghij", "xy"}));
    EXPECT_TRUE(wrap_words("   ", 10).empty());
}
