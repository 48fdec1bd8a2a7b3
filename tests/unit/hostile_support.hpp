#pragma once
// Helpers shared by the hostile-input tests: running escprov under an address-space limit (so a
// memory blow-up shows as a failed allocation, not a slow machine), snapshots of a folder to prove
// nothing appeared outside the target, and the common assertions every refusal must satisfy.

#include "support.hpp"
#include "zip_forge.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::test {

// 1 GiB of address space: ample for escprov on any real export, far below what a bomb needs.
constexpr uint64_t k_hostile_address_space = 1ull << 30;
// The most resident memory refusing any hostile input may take: the 16 MiB token limit, the
// XML library's buffers for it, and the program itself.
constexpr uint64_t k_hostile_peak_rss = 96ull << 20; // measured: 49 MiB for the giant attribute

using LimitedRun = RunResult;

// Runs escprov under the hostile tests' address-space limit.
inline LimitedRun run_escprov_limited(const std::vector<std::string>& args,
                                      uint64_t address_space = k_hostile_address_space)
{
    return run_escprov(args, address_space);
}

// Every path below `folder`, relative to it, sorted; symlinks are listed, not followed.
std::set<std::string> listing(const fs::path& folder);

// Asserts what every refused input must give: exit code 2, nothing on stdout, and a message on
// stderr that names `input` (by file name) and holds each of `words`. With ESCPROV_SHOW_REFUSALS
// set in the environment it also prints the message (to keep docs/security.md's examples true).
void expect_refused(const RunResult& result, const fs::path& input, const std::vector<std::string_view>& words);

// A test's layout: hostile inputs in input/, and a work/ folder whose out/ is the unpack target.
// Entries that escape out/ would land in work/ ("../x") or the test folder ("../../x").
struct HostileSandbox {
    TempDir root;
    fs::path target() const { return root / "work" / "out"; }
    // Writes `forge` as input/<name> and returns its path.
    fs::path write(const std::string& name, const ZipForge& forge) const;
    // Writes `bytes` as input/<name> and returns its path.
    fs::path write_bytes(const std::string& name, const std::string& bytes) const;
};

// Asserts that the run stayed under k_hostile_peak_rss of resident memory.
void expect_bounded_memory(const LimitedRun& result, const fs::path& input);

// info refuses `input` (run under the address-space limit) naming it and saying each of `words`.
void expect_info_refuses(const fs::path& input, const std::vector<std::string_view>& words,
                         const std::vector<std::string>& extra_args = {});

// unpack refuses `input` the same way and leaves the sandbox exactly as it found it: no target,
// no temporary, nothing outside the target.
void expect_unpack_refuses(const HostileSandbox& sandbox, const fs::path& input,
                           const std::vector<std::string_view>& words, const std::vector<std::string>& extra_args = {});

} // namespace escprov::test
