// A real SIGINT or SIGTERM at any moment of package, bundle or backup create: the command exits
// 130 and its output folder holds nothing, or it had already finished and holds only the complete
// output. The signal is sent once the command's first temporary appears beside the output (so it
// arrives while the command writes), then again at later and later moments in fresh runs.

#include "support.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include <signal.h>

namespace escprov::test {
namespace {

using namespace std::chrono_literals;

// Runs `make_args(output)` with `output` in a fresh folder once per delay, signalling it `delay`
// after its first temporary appears; `check_complete` looks at an output that was finished.
void expect_no_partial_output(const TempDir& work, const std::string& output_name,
                              const std::function<std::vector<std::string>(const fs::path&)>& make_args,
                              const std::function<void(const fs::path&)>& check_complete)
{
    const std::vector<std::chrono::milliseconds> delays = {0ms, 5ms, 20ms, 60ms, 150ms, 400ms};
    int interrupted_runs = 0;
    for (size_t i = 0; i < delays.size(); ++i) {
        SCOPED_TRACE("signal " + std::to_string(delays[i].count()) + " ms after the first temporary appeared");
        fs::path folder = work / ("run-" + std::to_string(i));
        fs::create_directories(folder);
        fs::path output = folder / output_name;
        int signal_number = i % 2 == 0 ? SIGINT : SIGTERM;

        RunningEscprov run(make_args(output));
        bool started_writing = false;
        auto deadline = std::chrono::steady_clock::now() + 60s;
        while (!run.finished() && std::chrono::steady_clock::now() < deadline) {
            if (!fs::is_empty(folder)) {
                started_writing = true;
                break;
            }
            std::this_thread::sleep_for(200us);
        }
        if (started_writing) {
            std::this_thread::sleep_for(delays[i]);
            run.signal(signal_number);
        }
        RunResult result = run.wait();
        if (i == 0) {
            ASSERT_TRUE(started_writing) << "the command finished before writing anything: " << result.err;
            ASSERT_EQ(result.exit_code, 130) << "signalled as its first temporary appeared, it should have stopped\n"
                                             << result.out << result.err;
        }
        if (result.exit_code == 130) {
            ++interrupted_runs;
            EXPECT_NE(result.err.find("interrupted"), std::string::npos) << result.err;
            EXPECT_TRUE(folder_names(folder).empty())
                << "left behind: " << testing::PrintToString(folder_names(folder));
        } else {
            ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
            EXPECT_EQ(folder_names(folder), std::vector<std::string>{output_name});
            check_complete(output);
        }
    }
    EXPECT_GE(interrupted_runs, 1);
}

// The connector merged into the CRM 2016 sample, and a solution zip large enough that writing it
// into a bundle or backup takes a while: the packaged merge plus 24 MiB of incompressible bytes.
class Interrupt : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_work = new TempDir();
        HandOff hand_off = make_hand_off(s_work->path());
        s_tree = hand_off.tree;
        fs::path packaged = hand_off.managed;
        ASSERT_FALSE(packaged.empty());

        s_large = *s_work / "EmailServiceConnector_large_managed.zip";
        zip::Reader reader(packaged);
        zip::Writer writer(s_large, AtomicFile::Overwrite::no);
        for (const auto& entry : reader.entries()) {
            writer.add_bytes(entry.name, reader.read(entry));
        }
        std::mt19937_64 generator(42);
        std::string noise(24U << 20U, '\0');
        for (size_t i = 0; i + 8 <= noise.size(); i += 8) {
            uint64_t value = generator();
            std::memcpy(noise.data() + i, &value, 8);
        }
        writer.add_bytes("WebResources/esc_/noise.bin", std::move(noise));
        writer.commit();
    }
    static void TearDownTestSuite()
    {
        delete s_work;
        s_work = nullptr;
    }

    TempDir m_dir;
    static inline TempDir* s_work = nullptr;
    static inline fs::path s_tree;
    static inline fs::path s_large;
};

TEST_F(Interrupt, PackageLeavesNoOutput)
{
    expect_no_partial_output(
        m_dir, "EmailServiceConnector_managed.zip",
        [](const fs::path& output) {
            return std::vector<std::string>{"package", s_tree.string(), "--managed", "--target", "8.2",
                                            "-o",      output.string()};
        },
        [](const fs::path& output) {
            RunResult validate = run_escprov({"validate", k_no_compat_until_rendered, output.string()});
            EXPECT_EQ(validate.exit_code, 0) << validate.out;
        });
}

TEST_F(Interrupt, BundleLeavesNoOutput)
{
    expect_no_partial_output(
        m_dir, "bundle.zip",
        [](const fs::path& output) {
            return std::vector<std::string>{"bundle", "--solution", s_large.string(), "--customer",
                                            "Adatum", "-o",         output.string()};
        },
        [](const fs::path& output) {
            RunResult apply = run_escprov({"apply", output.string()});
            EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
        });
}

TEST_F(Interrupt, BackupCreateLeavesNoOutput)
{
    expect_no_partial_output(
        m_dir, "escprov-backup-adatum.zip",
        [](const fs::path& output) {
            return std::vector<std::string>{"backup", "create", "--from", s_large.string(), "-o", output.string()};
        },
        [](const fs::path& output) {
            RunResult verify = run_escprov({"backup", "verify", output.string()});
            EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
        });
}

} // namespace
} // namespace escprov::test
