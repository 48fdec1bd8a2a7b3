// The test runner: Xerces is started once for the whole run, as main() does for the tool.

#include "xml/platform.hpp"

#include <gtest/gtest.h>

int main(int argc, char** argv)
{
    testing::InitGoogleTest(&argc, argv);
    escprov::xml::XercesPlatform xerces;
    return RUN_ALL_TESTS();
}
