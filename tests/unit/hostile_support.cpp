#include "hostile_support.hpp"

#include <cstdlib>
#include <iostream>

namespace escprov::test {

std::set<std::string> listing(const fs::path& folder)
{
    std::set<std::string> paths;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        paths.insert(fs::relative(entry.path(), folder).string());
    }
    return paths;
}

void expect_refused(const RunResult& result, const fs::path& input, const std::vector<std::string_view>& words)
{
    if (std::getenv("ESCPROV_SHOW_REFUSALS") != nullptr) {
        // For keeping docs/security.md's example messages true: prints what escprov said.
        std::cout << "[ refusal  ] " << result.err;
    }
    EXPECT_EQ(result.exit_code, 2) << "stderr: " << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find(input.filename().string()), std::string::npos)
        << "the message does not name the input '" << input.filename().string() << "': " << result.err;
    for (std::string_view word : words) {
        EXPECT_NE(result.err.find(word), std::string::npos)
            << "the message does not say '" << word << "': " << result.err;
    }
    EXPECT_EQ(result.err.find("internal error"), std::string::npos) << result.err;
}

fs::path HostileSandbox::write(const std::string& name, const ZipForge& forge) const
{
    fs::create_directories(root / "input");
    fs::create_directories(root / "work");
    fs::path path = root / "input" / name;
    forge.write(path);
    return path;
}

fs::path HostileSandbox::write_bytes(const std::string& name, const std::string& bytes) const
{
    fs::create_directories(root / "work");
    fs::path path = root / "input" / name;
    escprov::test::write_bytes(path, bytes);
    return path;
}

void expect_bounded_memory(const LimitedRun& result, const fs::path& input)
{
    if (std::getenv("ESCPROV_SHOW_REFUSALS") != nullptr) {
        std::cout << "[ peak rss ] " << (result.peak_rss_bytes >> 20) << " MiB\n";
    }
    EXPECT_LT(result.peak_rss_bytes, k_hostile_peak_rss) << "refusing " << input.filename() << " took too much memory";
}

void expect_info_refuses(const fs::path& input, const std::vector<std::string_view>& words,
                         const std::vector<std::string>& extra_args)
{
    std::vector<std::string> args{"info"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    args.push_back(input.string());
    SCOPED_TRACE("escprov info " + input.filename().string());
    LimitedRun result = run_escprov_limited(args);
    expect_refused(result, input, words);
    expect_bounded_memory(result, input);
}

void expect_unpack_refuses(const HostileSandbox& sandbox, const fs::path& input,
                           const std::vector<std::string_view>& words, const std::vector<std::string>& extra_args)
{
    std::set<std::string> before = listing(sandbox.root.path());
    std::vector<std::string> args{"unpack"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    args.push_back(input.string());
    args.push_back(sandbox.target().string());
    SCOPED_TRACE("escprov unpack " + input.filename().string());
    LimitedRun result = run_escprov_limited(args);
    expect_refused(result, input, words);
    expect_bounded_memory(result, input);
    EXPECT_FALSE(fs::exists(sandbox.target())) << "unpack left a partial target behind";
    EXPECT_EQ(listing(sandbox.root.path()), before) << "unpack left something beside the target";
}

} // namespace escprov::test
