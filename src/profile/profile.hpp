#pragma once
// A version profile: the vocabulary one CRM version writes in solution.xml and customizations.xml,
// learned from real exports of that version (`escprov profile learn`) and kept as data in
// templates/profiles/<name>.tsv. For every context (an element path) it knows how many instances
// real exports hold, which child elements and XML attributes those instances use and how often,
// the order the children come in, and the most common text of short leaf values. The renderer
// shapes the connector with it; validate checks a solution against it.
//
// Contexts. A context is the path of element names from the document root, with the root named
// after its file: "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute",
// "solution.xml/SolutionManifest/RootComponents/RootComponent". An entity attribute (an
// <attribute> directly in EntityInfo/entity/attributes) is counted twice: in its plain context and
// in one qualified by its <Type>, "…/attributes/attribute[type=money]"; its descendants use the
// plain path. Nothing inside opaque content is profiled (see is_opaque()).
//
// File format (one tab between fields, '#' starts a comment line, rows in this order, each group
// sorted so regenerating gives the same bytes):
//   profile   NAME                      the profile's name: 5.0, 6.0, 7.0, 8.0, 8.2, 9.0, 9.2
//   covers    FIRST  LAST               the target versions it answers for ("6.0" "6.1")
//   fallback  NAME   REASON             where thin contexts are answered instead (absent: nowhere)
//   source    VERSION  MANAGED  LABEL   one row per export learned from (LABEL: corpus-relative path)
//   context   PATH  INSTANCES
//   element   PATH  NAME  PRESENT  RANK  child element NAME occurs in PRESENT of the instances;
//                                       RANK orders the children (0 first)
//   attribute PATH  NAME  PRESENT       XML attribute NAME occurs in PRESENT of the instances
//   value     PATH  COUNT  TEXT         the most common text of a leaf context, and how often
//   swapped   PATH  A  B                children A and B were seen in both orders (A < B by name)
//   override  PATH  KIND  NAME  WHAT  REASON
//                                       a reviewed, hand-written correction that the learner
//                                       carries over from templates/profiles/overrides.tsv:
//                                       KIND element|attribute, WHAT never|always

#include "solution/manifest.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace escprov::profile {

// Fewer instances than this and a context is thin: its vocabulary is not trusted on its own.
inline constexpr uint64_t k_min_instances = 3;

// What real exports show for one context.
struct Context {
    uint64_t instances = 0;
    std::map<std::string, uint64_t, std::less<>> elements;   // child element -> instances with it
    std::map<std::string, uint64_t, std::less<>> attributes; // XML attribute -> instances with it
    std::map<std::string, size_t, std::less<>> rank;         // child element -> position (0 first)
    std::set<std::pair<std::string, std::string>> swapped;   // children seen in both orders (a < b)
    std::optional<std::pair<uint64_t, std::string>> value;   // the most common leaf text and its count
};

// One export a profile was learned from.
struct Source {
    std::string version; // as the export's solution.xml writes it
    std::string managed; // "managed", "unmanaged", "both", "unknown"
    std::string label;   // where it came from, relative to the folder given to the learner
};

// A hand-written correction (templates/profiles/overrides.tsv), carried into every profile it names.
struct Override {
    std::string path;
    std::string kind; // "element" or "attribute"
    std::string name;
    std::string what; // "never" or "always"
    std::string reason;
};

struct Profile {
    std::string name;                    // "9.2"
    std::string first;                   // first target version it covers, "9.2"
    std::string last;                    // last one, "9.2"
    std::optional<std::string> fallback; // the profile thin contexts are answered from
    std::string fallback_reason;
    std::vector<Source> sources;
    std::map<std::string, Context, std::less<>> contexts;
    std::vector<Override> overrides;
};

// Reads one profile file. Throws Error(input) naming the file and line of a malformed row.
Profile read_profile(const std::filesystem::path& file);

// Writes `profile` in the file format above, deterministically. Throws Error(output).
void write_profile(const Profile& profile, const std::filesystem::path& file);

// The plain context of a child: context_path("customizations.xml/Entities", "Entity").
std::string context_path(std::string_view parent, std::string_view child);

// "…/attributes/attribute" + "money" -> "…/attributes/attribute[type=money]".
std::string qualified_path(std::string_view path, std::string_view type);

// True for a context whose descendants are not profiled: content with its own open vocabulary
// (RibbonDiffXml, FetchXml, control parameters, workflow XAML...).
bool is_opaque(std::string_view path);

// What a version's exports say about one name in one context.
enum class Usage {
    unknown, // no evidence: the context is thin here and in every fallback
    never,   // the context is known and no instance has the name (an import would reject it)
    sometimes,
    always // every instance has it
};

// The profiles of every version, with fallbacks resolved.
class Profiles {
public:
    // Reads every *.tsv in `dir` but overrides.tsv. Throws Error(input) when `dir` has none or a
    // fallback names a profile that is not there.
    static Profiles load(const std::filesystem::path& dir);
    // The profiles under the project's templates/profiles (ESCPROV_PROFILES overrides).
    static Profiles load_default();

    // The profile covering `target` ("6.1" -> the 6.0 profile), or nullptr.
    const Profile* for_version(const solution::CrmVersion& target) const;
    const Profile* named(std::string_view name) const;
    const std::vector<Profile>& all() const { return m_profiles; }

    // The context that answers for `path` in `profile`: its own when it has at least
    // k_min_instances, else the plain path for a qualified one, else the fallback profile's (and
    // so on). `from` receives the name of the profile that answered. nullptr when none has enough.
    const Context* context(const Profile& profile, std::string_view path, std::string* from = nullptr) const;

    // How `profile` uses child element (kind "element") or XML attribute (kind "attribute") `name`
    // in `path`, overrides applied.
    Usage usage(const Profile& profile, std::string_view path, std::string_view kind, std::string_view name) const;

    // The child element names `profile` always writes in `path`, in rank order (overrides applied).
    std::vector<std::string> always_elements(const Profile& profile, std::string_view path) const;

private:
    std::vector<Profile> m_profiles;
};

} // namespace escprov::profile
