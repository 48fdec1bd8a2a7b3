#include "profile/learn.hpp"
#include "pack/input.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"
#include "zip/reader.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace escprov::profile {

namespace {

namespace fs = std::filesystem;

// The context of an entity's metadata, also counted qualified by its shape: "[type=full]" when it
// holds the entity's own metadata, "[type=attributes]" when it holds nothing but <attributes> (a
// system entity whose metadata the solution leaves out: only some of its attributes travel).
constexpr std::string_view k_entity = "customizations.xml/Entities/Entity/EntityInfo/entity";
// The context of an entity attribute, also counted qualified by its <Type>.
constexpr std::string_view k_entity_attribute =
    "customizations.xml/Entities/Entity/EntityInfo/entity/attributes/attribute";

// Leaf values longer than this are content (scripts, queries, names), not a version's defaults.
constexpr size_t k_max_value_bytes = 40;
// Text kept while a leaf is read; anything longer is too long to be a value anyway.
constexpr size_t k_max_text_bytes = 4096;
// Distinct leaf values tallied per context. A context with more has no usual value (names,
// numbers), and a fixed bound keeps the memory independent of the input size.
constexpr size_t k_max_values = 64;
// Runs of child names kept per instance for ordering; an instance with more is ordered by these.
constexpr size_t k_max_runs = 4096;

// What the exports of one profile show for one context.
struct Stats {
    uint64_t instances = 0;
    std::map<std::string, uint64_t, std::less<>> elements;
    std::map<std::string, uint64_t, std::less<>> attributes;
    std::map<std::pair<std::string, std::string>, uint64_t> before; // (a, b): instances with an a before a b
    std::map<std::string, std::pair<uint64_t, uint64_t>, std::less<>> position; // sum of first positions, count
    std::map<std::string, uint64_t, std::less<>> values;
    uint64_t tallied = 0; // leaf values counted (while not diverse)
    bool diverse = false; // more than k_max_values distinct values: no usual one

    void tally(const std::string& value, uint64_t count)
    {
        if (diverse) {
            return;
        }
        tallied += count;
        auto found = values.find(value);
        if (found != values.end()) {
            found->second += count;
        } else if (values.size() < k_max_values) {
            values.emplace(value, count);
        } else {
            diverse = true;
            values.clear();
            tallied = 0;
        }
    }

    void merge(const Stats& other)
    {
        instances += other.instances;
        for (const auto& [name, count] : other.elements) {
            elements[name] += count;
        }
        for (const auto& [name, count] : other.attributes) {
            attributes[name] += count;
        }
        for (const auto& [pair, count] : other.before) {
            before[pair] += count;
        }
        for (const auto& [name, sum] : other.position) {
            auto& mine = position[name];
            mine.first += sum.first;
            mine.second += sum.second;
        }
        if (other.diverse) {
            diverse = true;
            values.clear();
            tallied = 0;
        }
        for (const auto& [value, count] : other.values) {
            tally(value, count);
        }
    }
};

using StatsMap = std::map<std::string, Stats, std::less<>>;

// Leaf elements whose text is a label or a description in some language, never a default.
bool is_label_name(std::string_view name)
{
    std::string lower = ascii_lower(name);
    static const std::set<std::string, std::less<>> labels = {
        "body", "customlabel", "friendlyname", "label", "localizedcollectionname", "localizedname", "subject", "title"};
    return labels.contains(lower) || lower.ends_with("description") || lower.ends_with("displayname");
}

bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// "{8-4-4-4-12}", "8-4-4-4-12" or 32 hex digits: an identifier, not a default.
bool is_guid_like(std::string_view text)
{
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
        text = text.substr(1, text.size() - 2);
    }
    if (text.size() == 32) {
        return std::all_of(text.begin(), text.end(), is_hex);
    }
    if (text.size() != 36) {
        return false;
    }
    for (size_t i = 0; i < text.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !is_hex(text[i])) {
            return false;
        }
    }
    return true;
}

bool is_value(std::string_view text)
{
    return !text.empty() && text.size() <= k_max_value_bytes && !is_guid_like(text) &&
           std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

// One element being read.
struct Frame {
    Stats* stats = nullptr;
    std::string path;
    bool opaque = false; // its children are not profiled
    bool entity_attribute = false;
    std::vector<std::string> attributes; // its XML attributes' names
    std::vector<std::string> runs;       // its children's names, repeats in a row collapsed
    bool has_child = false;
    bool keep_text = false;
    bool text_too_long = false;
    std::string text;
    std::string type; // an entity attribute's <Type>
};

// Adds one finished instance to `stats`.
void commit(Stats& stats, const Frame& frame)
{
    ++stats.instances;
    for (const auto& name : frame.attributes) {
        ++stats.attributes[name];
    }
    std::map<std::string_view, std::pair<size_t, size_t>> span; // name -> first and last run
    for (size_t i = 0; i < frame.runs.size(); ++i) {
        auto [at, inserted] = span.try_emplace(frame.runs[i], i, i);
        at->second.second = i;
    }
    for (const auto& [name, first_last] : span) {
        std::string key(name);
        ++stats.elements[key];
        auto& position = stats.position[key];
        position.first += first_last.first;
        position.second += 1;
    }
    for (const auto& [a, a_span] : span) {
        for (const auto& [b, b_span] : span) {
            if (a != b && a_span.first < b_span.second) {
                ++stats.before[{std::string(a), std::string(b)}];
            }
        }
    }
}

// Streams one XML file into a StatsMap, naming the root context after the file.
class Collector : public solution::CustomizationsHandler {
public:
    explicit Collector(StatsMap& stats) : m_stats(stats) {}
    void set_root(std::string root) { m_root = std::move(root); }
    void set_locations(const xml::LocationProvider&) override {}

    void start_element(std::string_view name, const xml::Attributes& attributes, bool) override
    {
        if (m_skip_depth > 0) {
            ++m_skip_depth;
            return;
        }
        Frame frame;
        if (m_frames.empty()) {
            frame.path = m_root;
        } else {
            Frame& parent = m_frames.back();
            parent.has_child = true;
            parent.text.clear();
            if (parent.opaque) {
                ++m_skip_depth;
                return;
            }
            if ((parent.runs.empty() || parent.runs.back() != name) && parent.runs.size() < k_max_runs) {
                parent.runs.emplace_back(name);
            }
            frame.path = context_path(parent.path, name);
        }
        frame.stats = &m_stats[frame.path];
        frame.opaque = is_opaque(frame.path);
        frame.entity_attribute = frame.path == k_entity_attribute;
        frame.keep_text = !frame.opaque && !is_label_name(name);
        for (const auto& attribute : attributes) {
            frame.attributes.push_back(attribute.name);
        }
        m_frames.push_back(std::move(frame));
    }

    void end_element(std::string_view name) override
    {
        if (m_skip_depth > 0) {
            --m_skip_depth;
            return;
        }
        Frame& frame = m_frames.back();
        commit(*frame.stats, frame);
        if (!frame.has_child && frame.keep_text && !frame.text_too_long) {
            std::string value = trimmed(frame.text);
            if (is_value(value)) {
                frame.stats->tally(value, 1);
            }
        }
        if (frame.entity_attribute && !frame.type.empty()) {
            commit(m_stats[qualified_path(frame.path, frame.type)], frame);
        }
        if (frame.path == k_entity) {
            bool attributes_only = std::all_of(frame.runs.begin(), frame.runs.end(),
                                               [](const std::string& child) { return child == "attributes"; });
            commit(m_stats[qualified_path(frame.path, attributes_only ? "attributes" : "full")], frame);
        }
        if (name == "Type" && m_frames.size() >= 2 && m_frames[m_frames.size() - 2].entity_attribute &&
            !frame.text_too_long) {
            m_frames[m_frames.size() - 2].type = trimmed(frame.text);
        }
        m_frames.pop_back();
    }

    void characters(std::string_view text, bool) override
    {
        Frame& frame = m_frames.back();
        if (frame.text.size() + text.size() > k_max_text_bytes) {
            frame.text_too_long = true;
            frame.text.clear();
            return;
        }
        frame.text += text;
    }

    bool wants_characters() const override
    {
        if (m_skip_depth > 0 || m_frames.empty()) {
            return false;
        }
        const Frame& frame = m_frames.back();
        return frame.keep_text && !frame.has_child && !frame.text_too_long;
    }

private:
    StatsMap& m_stats;
    std::string m_root;
    std::vector<Frame> m_frames;
    size_t m_skip_depth = 0; // depth inside opaque content
};

// Products of two counts, which may pass 64 bits on inputs of billions of instances.
__extension__ using Wide = unsigned __int128;

// The rank order of a context's children: a topological order of the majority "a before b"
// relation. Ties (and cycles) go to the name whose first appearance is earlier on average,
// then to the smaller name, so the same observations always give the same order.
std::map<std::string, size_t, std::less<>> rank_children(const Stats& stats)
{
    std::vector<std::string> names;
    for (const auto& [name, count] : stats.elements) {
        names.push_back(name);
    }
    auto before = [&stats](const std::string& a, const std::string& b) {
        auto found = stats.before.find({a, b});
        return found == stats.before.end() ? uint64_t{0} : found->second;
    };
    // a must precede b when more instances show a before b than b before a.
    auto precedes = [&before](const std::string& a, const std::string& b) { return before(a, b) > before(b, a); };
    auto earlier = [&stats](const std::string& a, const std::string& b) {
        const auto& pa = stats.position.find(a)->second;
        const auto& pb = stats.position.find(b)->second;
        // pa.first / pa.second < pb.first / pb.second, without floating point
        auto left = static_cast<Wide>(pa.first) * pb.second;
        auto right = static_cast<Wide>(pb.first) * pa.second;
        if (left != right) {
            return left < right;
        }
        return a < b;
    };
    std::map<std::string, size_t, std::less<>> rank;
    std::vector<bool> placed(names.size(), false);
    for (size_t next = 0; next < names.size(); ++next) {
        size_t best = names.size();
        size_t best_blockers = std::numeric_limits<size_t>::max();
        for (size_t i = 0; i < names.size(); ++i) {
            if (placed[i]) {
                continue;
            }
            size_t blockers = 0;
            for (size_t j = 0; j < names.size(); ++j) {
                if (!placed[j] && j != i && precedes(names[j], names[i])) {
                    ++blockers;
                }
            }
            if (best == names.size() || blockers < best_blockers ||
                (blockers == best_blockers && earlier(names[i], names[best]))) {
                best = i;
                best_blockers = blockers;
            }
        }
        placed[best] = true;
        rank[names[best]] = next;
    }
    return rank;
}

Context to_context(const Stats& stats)
{
    Context context;
    context.instances = stats.instances;
    context.elements.insert(stats.elements.begin(), stats.elements.end());
    context.attributes.insert(stats.attributes.begin(), stats.attributes.end());
    context.rank = rank_children(stats);
    for (const auto& [pair, count] : stats.before) {
        const auto& [a, b] = pair;
        if (a < b && stats.before.contains({b, a})) {
            context.swapped.emplace(a, b);
        } else if (context.rank.at(a) > context.rank.at(b)) {
            // Seen one way only, yet ranked the other way: the observations form a cycle that no
            // single order keeps. A real export shows this order, so it must never read as wrong.
            context.swapped.emplace(std::min(a, b), std::max(a, b));
        }
    }
    if (!stats.diverse) {
        const std::pair<const std::string, uint64_t>* best = nullptr;
        for (const auto& entry : stats.values) {
            if (best == nullptr || entry.second > best->second) {
                best = &entry; // the map is in name order, so ties keep the smaller text
            }
        }
        // A value seen once, or in under a quarter of the values, is an instance's own (a name), not usual.
        if (best != nullptr && best->second >= 2 && best->second * 4 >= stats.tallied) {
            context.value = std::make_pair(best->second, best->first);
        }
    }
    return context;
}

std::string last_name(const fs::path& path)
{
    fs::path normal = without_trailing_separator(fs::absolute(path).lexically_normal());
    return normal.filename().string();
}

bool has_file(const fs::path& folder, std::string_view name)
{
    std::error_code error;
    return fs::is_regular_file(folder / std::string(name), error);
}

std::optional<ExportInput::Kind> folder_kind(const fs::path& folder)
{
    if (has_file(folder, "Other/Solution.xml")) {
        return ExportInput::Kind::tree;
    }
    if (has_file(folder, "solution.xml") && has_file(folder, "customizations.xml")) {
        return ExportInput::Kind::loose;
    }
    return std::nullopt;
}

bool is_zip_name(const fs::path& path)
{
    return ascii_lower(path.extension().string()) == ".zip";
}

void walk(const fs::path& folder, const std::string& label, FoundExports& found)
{
    if (auto kind = folder_kind(folder)) {
        found.exports.push_back({*kind, folder, label});
        return;
    }
    std::vector<fs::directory_entry> entries;
    for (const auto& entry : fs::directory_iterator(folder)) {
        entries.push_back(entry);
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
    for (const auto& entry : entries) {
        std::string child = label + "/" + entry.path().filename().string();
        if (entry.is_symlink()) {
            continue;
        }
        if (entry.is_directory()) {
            walk(entry.path(), child, found);
        } else if (entry.is_regular_file() && is_zip_name(entry.path())) {
            try {
                zip::Reader reader(entry.path());
                solution::find_export_entries(reader);
                found.exports.push_back({ExportInput::Kind::zip, entry.path(), child});
            } catch (const Error& e) {
                found.skipped.push_back(child + ": " + e.what());
            }
        }
    }
}

} // namespace

FoundExports find_exports(const fs::path& root)
{
    std::error_code error;
    auto status = fs::status(root, error);
    if (error || !fs::exists(status)) {
        throw_input("learn from " + quoted(root) + ": no such file or folder");
    }
    FoundExports found;
    if (fs::is_directory(status)) {
        walk(root, last_name(root), found);
    } else {
        fs::path absolute = fs::absolute(root).lexically_normal();
        std::string label = absolute.parent_path().filename().string() + "/" + absolute.filename().string();
        zip::Reader reader(root); // throws naming the file when it is no zip
        solution::find_export_entries(reader);
        found.exports.push_back({ExportInput::Kind::zip, root, label});
    }
    std::sort(found.exports.begin(), found.exports.end(),
              [](const ExportInput& a, const ExportInput& b) { return a.label < b.label; });
    return found;
}

const std::vector<Family>& families()
{
    static const std::vector<Family> table = {
        {"5.0", "5.0", "5.*", "6.0",
         "CRM 2011 has only a few small exports here; CRM 2013 (6.0), the next release, is the nearest with evidence"},
        {"6.0", "6.0", "6.*", "7.0", "CRM 2015 (7.x), the next release, is the nearest vocabulary"},
        {"7.0", "7.0", "7.*", "6.0",
         "CRM 2013 (6.x), the release before, is the nearest vocabulary without 8.x additions"},
        {"8.0", "8.0", "8.1", "8.2", "Dynamics 365 8.2, the next release, is the nearest vocabulary"},
        {"8.2", "8.2", "8.*", "8.0", "CRM 2016 (8.0/8.1), the release before, is the nearest vocabulary"},
        {"9.0", "9.0", "9.1", "9.2", "9.2, the next release, is the nearest vocabulary and has the most exports"},
        {"9.2", "9.2", "*", "9.0", "9.0/9.1, the release before, is the nearest vocabulary"},
    };
    return table;
}

const Family* family_for(const solution::CrmVersion& target)
{
    const Family* found = nullptr;
    for (const auto& family : families()) {
        auto first = solution::parse_crm_version(family.first);
        if (first && std::make_pair(target.major, target.minor) >= std::make_pair(first->major, first->minor)) {
            found = &family;
        }
    }
    return found;
}

struct Learner::Impl {
    solution::InputLimits limits;
    std::map<std::string, StatsMap, std::less<>> stats;              // profile name -> contexts
    std::map<std::string, std::vector<Source>, std::less<>> sources; // profile name -> exports
};

Learner::Learner(solution::InputLimits limits) : m_impl(std::make_unique<Impl>())
{
    m_impl->limits = limits;
}

Learner::~Learner() = default;

std::string Learner::add(const ExportInput& input)
{
    std::unique_ptr<solution::SolutionInput> solution;
    std::unique_ptr<solution::SolutionInput> customizations; // a loose folder's second file
    fs::path manifest_file;
    switch (input.kind) {
    case ExportInput::Kind::zip: solution = pack::open_input(input.path, m_impl->limits); break;
    case ExportInput::Kind::tree:
        solution = pack::open_tree_input(input.path, m_impl->limits);
        manifest_file = input.path / "Other" / "Solution.xml";
        break;
    case ExportInput::Kind::loose:
        solution = pack::open_input(input.path / "solution.xml", m_impl->limits);
        customizations = pack::open_input(input.path / "customizations.xml", m_impl->limits);
        manifest_file = input.path / "solution.xml";
        break;
    }
    if (!solution->has_manifest()) {
        throw_input("learn from " + quoted(input.path) + ": no solution.xml, so its CRM version is unknown");
    }
    solution::Manifest manifest = solution->read_manifest();
    auto target = solution::target_version(manifest);
    if (!target) {
        throw_input("learn from " + quoted(input.path) + ": " + solution->manifest_name() +
                    " names no CRM version (SolutionPackageVersion, minimumversion or version)");
    }
    const Family* family = family_for(*target);
    if (family == nullptr) {
        throw_input("learn from " + quoted(input.path) + ": CRM " + target->text +
                    " is older than any profile (5.0 is the first)");
    }

    StatsMap learned;
    Collector collector(learned);
    collector.set_root("solution.xml");
    xml::Parser parser(m_impl->limits.xml);
    if (zip::Reader* archive = solution->archive()) {
        auto source = archive->open(*solution::find_export_entries(*archive).manifest);
        parser.parse(*source, collector);
    } else {
        xml::FileSource source(manifest_file);
        parser.parse(source, collector);
    }
    solution::SolutionInput& content = customizations ? *customizations : *solution;
    if (content.has_customizations()) {
        collector.set_root("customizations.xml");
        content.read_customizations(collector);
    }

    std::string name(family->name);
    StatsMap& into = m_impl->stats[name];
    for (const auto& [path, stats] : learned) {
        into[path].merge(stats);
    }
    m_impl->sources[name].push_back({manifest.version.empty() ? target->text : manifest.version,
                                     std::string(solution::managed_word(manifest)), input.label});
    return name;
}

std::vector<Profile> Learner::profiles(const std::vector<OverrideRule>& overrides) const
{
    std::vector<Profile> profiles;
    for (const auto& family : families()) {
        Profile profile;
        profile.name = family.name;
        profile.first = family.first;
        profile.last = family.last;
        profile.fallback = std::string(family.fallback);
        profile.fallback_reason = family.reason;
        if (auto found = m_impl->sources.find(family.name); found != m_impl->sources.end()) {
            profile.sources = found->second;
        }
        if (auto found = m_impl->stats.find(family.name); found != m_impl->stats.end()) {
            for (const auto& [path, stats] : found->second) {
                profile.contexts.emplace(path, to_context(stats));
            }
        }
        for (const auto& rule : overrides) {
            if (std::find(rule.profiles.begin(), rule.profiles.end(), profile.name) != rule.profiles.end()) {
                profile.overrides.push_back(rule.fix);
            }
        }
        profiles.push_back(std::move(profile));
    }
    return profiles;
}

std::vector<std::string> contradicted_overrides(const std::vector<Profile>& profiles)
{
    std::vector<std::string> notes;
    for (const auto& profile : profiles) {
        for (const auto& fix : profile.overrides) {
            auto found = profile.contexts.find(fix.path);
            if (found == profile.contexts.end() || found->second.instances < k_min_instances) {
                continue;
            }
            const Context& context = found->second;
            const auto& counts = fix.kind == "element" ? context.elements : context.attributes;
            auto count = counts.find(fix.name);
            uint64_t present = count == counts.end() ? 0 : count->second;
            std::string where = profile.name + " " + fix.path + " " + fix.kind + " " + fix.name + ": ";
            if (fix.what == "never" && present > 0) {
                notes.push_back(where + "the override says never, but " + std::to_string(present) + " of " +
                                std::to_string(context.instances) + " instances have it");
            } else if (fix.what == "always" && present < context.instances) {
                notes.push_back(where + "the override says always, but " + std::to_string(present) + " of " +
                                std::to_string(context.instances) + " instances have it");
            }
        }
    }
    return notes;
}

} // namespace escprov::profile
