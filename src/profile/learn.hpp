#pragma once
// Learns version profiles (profile/profile.hpp) from real exports. Each export's solution.xml and
// customizations.xml are streamed as SAX events; what is kept per context (counts of instances,
// children, XML attributes, "a came before b" observations, a bounded tally of leaf values) is
// bounded by the number of contexts and the names in them, never by the size of the input.

#include "profile/profile.hpp"
#include "solution/input.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::profile {

// One export to learn from.
struct ExportInput {
    enum class Kind {
        zip,  // an exported solution zip
        tree, // a SolutionPackager folder (Other/Solution.xml)
        loose // a folder holding solution.xml and customizations.xml
    };
    Kind kind = Kind::zip;
    std::filesystem::path path;
    std::string label; // for the profile's source row: the path below the folder given, prefixed by its name
};

// What find_exports() found under a folder.
struct FoundExports {
    std::vector<ExportInput> exports; // sorted by label
    std::vector<std::string> skipped; // "LABEL: why", for zips that are no solution export
};

// The exports at or below `root`: `root` itself when it is a zip, a tree or a loose folder, else
// every zip, tree and loose folder below it (a tree or loose folder is not searched further;
// symbolic links are not followed). Labels are paths relative to `root` prefixed by its last
// name ("solutions/x/y.zip"). Throws Error(input) when `root` does not exist or is a file that is
// not a zip.
FoundExports find_exports(const std::filesystem::path& root);

// A profile family: the target versions one profile answers for and where its thin contexts fall
// back to. The table is fixed here so that every profile file states it (docs/profile.md).
struct Family {
    std::string_view name;     // "8.2"
    std::string_view first;    // first target version covered
    std::string_view last;     // last one ("8.*", "*": see the covers row)
    std::string_view fallback; // the profile thin contexts are answered from
    std::string_view reason;   // why that one
};

// Every family, oldest first: 5.0, 6.0, 7.0, 8.0, 8.2, 9.0, 9.2.
const std::vector<Family>& families();

// The family covering `target`, or nullptr (a version before 5.0).
const Family* family_for(const solution::CrmVersion& target);

class Learner {
public:
    explicit Learner(solution::InputLimits limits = {});
    ~Learner();
    Learner(const Learner&) = delete;
    Learner& operator=(const Learner&) = delete;

    // Reads one export into the profile of its target version (solution::target_version: the
    // SolutionPackageVersion it was exported for, else minimumversion, else @version) and returns
    // that profile's name. All or nothing: an export that fails to read leaves the profiles as
    // they were. Throws Error(input) (no CRM version, a version before 5.0, unreadable files) and
    // xml::ParseError.
    std::string add(const ExportInput& input);

    // One profile per family, also for families no export fell in (their contexts are all answered
    // by the fallback), with the covers and fallback rows of families() and the `overrides` naming
    // each profile carried into it.
    std::vector<Profile> profiles(const std::vector<OverrideRule>& overrides = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Each override in `profiles` that the profile's own data contradicts with enough evidence (a
// "never" where at least k_min_instances instances of a context hold the name, an "always" where
// such a context shows instances without it): "PROFILE PATH KIND NAME: why", for review.
std::vector<std::string> contradicted_overrides(const std::vector<Profile>& profiles);

} // namespace escprov::profile
