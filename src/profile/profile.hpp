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
// "solution.xml/SolutionManifest/RootComponents/RootComponent". Two contexts are counted twice: in
// their plain context and in one qualified by a type (their descendants use the plain path):
// - an entity attribute (an <attribute> directly in EntityInfo/entity/attributes), by its <Type>:
//   "…/attributes/attribute[type=money]";
// - an entity's metadata (EntityInfo/entity), by its shape: "…/EntityInfo/entity[type=full]" when it
//   carries the entity's own metadata, "…/EntityInfo/entity[type=attributes]" when it holds only
//   <attributes> (a system entity whose metadata the solution leaves out).
// Nothing inside opaque content is profiled (see is_opaque()).
//
// File format (one tab between fields, '#' starts a comment line, rows in this order, each group
// sorted so regenerating gives the same bytes):
//   profile   NAME                      the profile's name: 5.0, 6.0, 7.0, 8.0, 8.2, 9.0, 9.2
//   covers    FIRST  LAST               the target versions it answers for, major.minor; LAST may
//                                       be "M.*" (any minor of M) or "*" (no upper bound)
//   fallback  NAME   REASON             where thin contexts are answered instead (absent: nowhere)
//   source    VERSION  MANAGED  LABEL   one row per export learned from (VERSION: the root @version
//                                       of its solution.xml; LABEL: path below the folder given)
//   context   PATH  INSTANCES           sorted by PATH, each followed by its own rows:
//   element   PATH  NAME  PRESENT  RANK  child element NAME occurs in PRESENT of the instances;
//                                       RANK orders the children (0 first); rows by RANK
//   attribute PATH  NAME  PRESENT       XML attribute NAME occurs in PRESENT of the instances
//   value     PATH  COUNT  TEXT         the most common text of a leaf context, and how often
//   swapped   PATH  A  B                children A and B were seen in both orders, or in an order
//                                       RANK cannot keep (a cycle); A < B by name. Every order a
//                                       real export shows agrees with RANK or is a swapped pair.
//   override  PATH  KIND  NAME  WHAT  REASON
//                                       a reviewed, hand-written correction that the learner
//                                       carries over from templates/profiles/overrides.tsv:
//                                       KIND element|attribute, WHAT never|always|sometimes
//                                       (sometimes: written, though no export here shows it)
// The comment lines write_profile() adds (evidence, thin contexts) are derived from the rows and
// skipped by read_profile().
//
// overrides.tsv holds the same override rows with the profiles they apply to first:
//   override  PROFILES  PATH  KIND  NAME  WHAT  REASON      PROFILES: "5.0,6.0,7.0"
// An override on a plain path also answers for its "[type=…]" qualified paths.

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
    std::set<std::pair<std::string, std::string>> swapped;   // children seen in both orders (a < b), see above
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
    std::string what; // "never", "always" or "sometimes"
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

// A row of overrides.tsv: one correction and the profiles it is carried into.
struct OverrideRule {
    std::vector<std::string> profiles;
    Override fix;
};

// Reads overrides.tsv. Throws Error(input) naming the file and line of a malformed row.
std::vector<OverrideRule> read_overrides(const std::filesystem::path& file);

// Reads one profile file. Throws Error(input) naming the file and line of a malformed row.
Profile read_profile(const std::filesystem::path& file);

// `profile` in the file format above, deterministically: the same profile gives the same bytes.
std::string format_profile(const Profile& profile);

// Writes format_profile(profile) to `file` atomically, replacing it. Throws Error(output).
void write_profile(const Profile& profile, const std::filesystem::path& file);

// The plain context of a child: context_path("customizations.xml/Entities", "Entity"). A
// qualified parent gives the plain path: descendants of "…/attribute[type=money]" are "…/attribute/…".
std::string context_path(std::string_view parent, std::string_view child);

// "…/attributes/attribute" + "money" -> "…/attributes/attribute[type=money]".
std::string qualified_path(std::string_view path, std::string_view type);

// `path` without a trailing "[type=…]" qualifier; `path` itself when it has none.
std::string_view plain_path(std::string_view path);

// True for a context whose children and descendants are not profiled: content with its own open
// vocabulary (RibbonDiffXml, FetchXml, control parameters, chart XML, ISV config...; the list and
// why is in profile.cpp and docs/profile.md). The opaque context itself keeps its instances and
// XML attributes; usage() of a child element there is unknown.
bool is_opaque(std::string_view path);

// True when `path` lies below an opaque context (so no profile can hold it).
bool is_inside_opaque(std::string_view path);

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
    // Every profile, oldest version first.
    const std::vector<Profile>& all() const { return m_profiles; }

    // The context that answers for `path` in `profile`: its own when it has at least
    // k_min_instances, else the plain path for a qualified one, else the fallback profile's (and
    // so on). `from` receives the name of the profile that answered. nullptr when none has enough.
    const Context* context(const Profile& profile, std::string_view path, std::string* from = nullptr) const;

    // How `profile` uses child element (kind "element") or XML attribute (kind "attribute") `name`
    // in `path`: an override of the profile when there is one; unknown for a child element of an
    // opaque context; else what context() answers, except that the profile's own instances, even
    // thin ones, are never contradicted (a name they show is at least sometimes, a name some of
    // them lack is not always), and a name that versions both before and after this one write is
    // sometimes, not never (an optional section the corpus happens to lack for this version), as
    // is one a neighbouring version writes so rarely that this version's instances could all lack
    // it by chance (absence_is_chance).
    Usage usage(const Profile& profile, std::string_view path, std::string_view kind, std::string_view name) const;

    // True when the profile of some version saw children `pair` (first < second) of `path` in both
    // orders.
    bool seen_both_ways(std::string_view path, const std::pair<std::string, std::string>& pair) const;

    // The child element names `profile` always writes in `path`, in rank order (overrides applied).
    std::vector<std::string> always_elements(const Profile& profile, std::string_view path) const;

private:
    // How many instances of exactly `path` in `profile` itself have `name`, and how many there are.
    uint64_t present_in(const Profile& profile, std::string_view path, std::string_view kind,
                        std::string_view name) const;
    uint64_t instances_in(const Profile& profile, std::string_view path) const;
    bool written_before_and_after(const Profile& profile, std::string_view path, std::string_view kind,
                                  std::string_view name) const;
    // True when a neighbouring version writes the name often enough that this version's
    // `instances` could all lack it by chance (more than 5%): no evidence of "never".
    bool absence_is_chance(const Profile& profile, std::string_view path, std::string_view kind, std::string_view name,
                           uint64_t instances) const;

    std::vector<Profile> m_profiles; // oldest version first
};

} // namespace escprov::profile
