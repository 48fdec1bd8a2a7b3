#include "hostile_support.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <iostream>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

namespace escprov::test {

LimitedRun run_escprov_limited(const std::vector<std::string>& args, uint64_t address_space)
{
    TempDir capture;
    fs::path out_path = capture / "stdout";
    fs::path err_path = capture / "stderr";
    std::string binary = ESCPROV_BINARY;
    std::vector<std::string> copies = args;
    std::vector<char*> argv{binary.data()};
    for (auto& arg : copies) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(out, 1);
        ::dup2(err, 2);
        rlimit limit{address_space, address_space};
        if (::setrlimit(RLIMIT_AS, &limit) != 0) {
            ::_exit(126);
        }
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    LimitedRun result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024; // Linux reports KiB
    result.out = read_bytes(out_path);
    result.err = read_bytes(err_path);
    return result;
}

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
