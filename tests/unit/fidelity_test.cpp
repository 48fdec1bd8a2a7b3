// Measures byte-level faithfulness: for how many corpus zips pack(unpack(x)) reproduces
// customizations.xml byte for byte, and where the rest first differ. The numbers go into
// docs/fidelity.md; the test fails when a difference is more than layout whitespace, which
// would mean data changed.

#include "pack/pack.hpp"
#include "pack/unpack.hpp"
#include "support.hpp"
#include "zip/reader.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace escprov::test {
namespace {

std::string customizations_of(const fs::path& zip_path)
{
    zip::Reader reader(zip_path);
    const zip::Entry* entry = reader.find("customizations.xml");
    return entry != nullptr ? reader.read(*entry) : std::string();
}

// The document with whitespace between a '>' and the next '<' removed: what indentation changes.
std::string without_layout(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        out += text[i];
        if (text[i] == '>') {
            size_t j = i + 1;
            while (j < text.size() && (text[j] == ' ' || text[j] == '\r' || text[j] == '\n' || text[j] == '\t')) {
                ++j;
            }
            if (j < text.size() && text[j] == '<') {
                i = j;
                continue;
            }
        }
        ++i;
    }
    return out;
}

std::string line_at(const std::string& text, size_t line_number)
{
    size_t start = 0;
    for (size_t line = 1; line < line_number && start != std::string::npos; ++line) {
        start = text.find('\n', start);
        start = start == std::string::npos ? start : start + 1;
    }
    if (start == std::string::npos) {
        return {};
    }
    std::string line = text.substr(start, text.find('\n', start) - start);
    return line.substr(0, 120);
}

TEST(Fidelity, MeasuresByteIdenticalCustomizationsAndExplainsTheRest)
{
    ESCPROV_REQUIRE_CORPUS();
    size_t total = 0;
    size_t identical = 0;
    for (const auto& zip_path : corpus_zips()) {
        std::string original = customizations_of(zip_path);
        if (original.empty()) {
            continue;
        }
        ++total;
        TempDir temp;
        pack::unpack(zip_path, temp / "tree", {});
        pack::pack(temp / "tree", temp / "packed.zip", {});
        std::string packed = customizations_of(temp / "packed.zip");
        if (packed == original) {
            ++identical;
            continue;
        }
        size_t offset = 0;
        while (offset < std::min(original.size(), packed.size()) && original[offset] == packed[offset]) {
            ++offset;
        }
        size_t line = 1 + static_cast<size_t>(std::count(original.begin(), original.begin() + offset, '\n'));
        std::cout << "differs: " << zip_path.filename().string() << " line " << line
                  << "\n  original: " << line_at(original, line) << "\n  packed:   " << line_at(packed, line) << "\n";
        EXPECT_EQ(without_layout(original), without_layout(packed))
            << zip_path << ": the difference is more than indentation";
    }
    std::cout << "byte-identical customizations.xml: " << identical << " of " << total << " corpus zips\n";
    EXPECT_GT(total, 0u);
    // docs/fidelity.md records the measured figure: all but one (a fetchxml its author indented by
    // hand). Fewer is a regression in the writer or the layout; update the doc if the corpus changes.
    EXPECT_GE(identical + 1, total) << "fewer corpus zips come back byte for byte than docs/fidelity.md says";
}

} // namespace
} // namespace escprov::test
