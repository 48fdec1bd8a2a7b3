// escprov_scale: grows a real solution to the size of a large org's export, for the benchmark.
//
//   escprov_scale --base customizations.xml|solution.zip [--solution solution.xml]
//                 --target-mb N -o OUT.zip [--xml OUT.xml] [--overwrite]
//
// customizations.xml is streamed through the hardened reader and rewritten with xml::Writer.
// After the original <Entity> elements it appends renamed copies of the custom entities
// (those named with the publisher's prefix) until the file reaches N MiB. Each copy gets a
// new name (`msnfp_Budget` -> `msnfp_Budget_r0003`) everywhere the entity's own name is used,
// a fresh GUID for every {guid} it holds (form, view, tab, section and cell ids; control class
// ids are kept, they name a control type), and a fresh ObjectTypeCode when it has one. The
// new solution.xml has a RootComponent (type 1, behavior 0) for every entity, so the result is
// a consistent solution. Everything is deterministic: the same base gives the same bytes.
//
// Memory stays flat whatever N is: one entity is materialised at a time; the custom entities
// of the base are kept as XML text (bounded by the base, not the output); customizations.xml
// goes to a file that libzip compresses as it reads.

#include "util/error.hpp"
#include "util/fs.hpp"
#include "xml/node.hpp"
#include "xml/platform.hpp"
#include "xml/reader.hpp"
#include "xml/source.hpp"
#include "xml/writer.hpp"
#include "zip/reader.hpp"
#include "zip/writer.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace escprov;
namespace po = boost::program_options;

constexpr uint64_t k_mebibyte = 1ull << 20;
constexpr std::string_view k_default_base =
    "/work/shared/corpus/solutions/microsoft__Dynamics-365-Industry-Accelerators/"
    "archive__nfp__accelerator__MicrosoftDynamics365NonprofitAccelerator_2_0_0_0_unmanaged.zip";

struct Options {
    fs::path base;
    fs::path solution; // required when the base is a loose customizations.xml
    uint64_t target_mb = 30;
    fs::path output;
    fs::path xml_output; // optional copy of the generated customizations.xml
    bool overwrite = false;
};

std::string lower(std::string_view text)
{
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && lower(a) == lower(b);
}

// ---- the base solution ------------------------------------------------------------------

// The solution being scaled: a zip (customizations.xml, solution.xml and other parts) or a loose
// customizations.xml with a separate solution.xml and no other parts.
class BaseSolution {
public:
    explicit BaseSolution(const Options& options)
    {
        if (is_zip(options.base)) {
            m_zip = std::make_unique<zip::Reader>(options.base);
            m_customizations = &require_entry("customizations.xml");
            if (options.solution.empty()) {
                m_solution_xml = m_zip->read(require_entry("solution.xml"));
            }
        } else if (options.solution.empty()) {
            throw_usage("scale '" + options.base.string() +
                        "': a loose customizations.xml needs --solution solution.xml");
        }
        if (!options.solution.empty()) {
            m_solution_xml = read_file(options.solution);
        }
        m_base = options.base;
    }

    // A fresh stream of customizations.xml (the generator reads it twice).
    std::unique_ptr<xml::ByteSource> open_customizations()
    {
        if (m_zip) {
            return m_zip->open(*m_customizations);
        }
        return std::make_unique<xml::FileSource>(m_base);
    }
    const std::string& solution_xml() const { return m_solution_xml; }

    // Entries other than the three manifests, sorted by name; empty for a loose base.
    std::vector<const zip::Entry*> other_parts() const
    {
        std::vector<const zip::Entry*> parts;
        if (!m_zip) {
            return parts;
        }
        for (const auto& entry : m_zip->entries()) {
            std::string name = lower(entry.name);
            if (!entry.is_directory && name != "customizations.xml" && name != "solution.xml" &&
                name != "[content_types].xml") {
                parts.push_back(&entry);
            }
        }
        std::sort(parts.begin(), parts.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
        return parts;
    }
    std::string read_part(const zip::Entry& entry) { return m_zip->read(entry); }

private:
    static bool is_zip(const fs::path& path)
    {
        std::string head = read_head(path);
        return head.rfind("PK", 0) == 0;
    }
    static std::string read_head(const fs::path& path)
    {
        xml::FileSource source(path);
        char bytes[2] = {};
        size_t got = source.read(bytes, sizeof bytes);
        return std::string(bytes, got);
    }
    const zip::Entry& require_entry(std::string_view name)
    {
        const zip::Entry* entry = m_zip->find_ignoring_case(name);
        if (entry == nullptr) {
            throw_input("scale '" + m_zip->path().string() + "': the zip has no " + std::string(name));
        }
        return *entry;
    }

    fs::path m_base;
    std::unique_ptr<zip::Reader> m_zip;
    const zip::Entry* m_customizations = nullptr;
    std::string m_solution_xml;
};

// ---- renaming one copy ------------------------------------------------------------------

// A deterministic GUID for `original` in copy `copy`: the same original gives the same new GUID
// throughout one copy, so ids that refer to each other inside the entity stay consistent.
std::string derived_guid(std::string_view original, uint64_t copy)
{
    // Two independent 64-bit FNV-1a hashes with different seeds, mixed by splitmix64's finaliser.
    auto hash = [&](uint64_t seed) {
        uint64_t h = seed ^ (copy * 0x9e3779b97f4a7c15ull);
        for (char c : original) {
            h ^= static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c)));
            h *= 0x100000001b3ull;
        }
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9ull;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebull;
        return h ^ (h >> 31);
    };
    uint64_t high = hash(0xcbf29ce484222325ull);
    uint64_t low = hash(0x84222325cbf29ce4ull);
    high = (high & ~0xf000ull) | 0x4000ull;               // version 4 layout
    low = (low & ~(0xc000ull << 48)) | (0x8000ull << 48); // RFC 4122 variant
    char text[37];
    std::snprintf(text, sizeof text, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(high >> 32),
                  static_cast<unsigned long long>((high >> 16) & 0xffff),
                  static_cast<unsigned long long>(high & 0xffff), static_cast<unsigned long long>(low >> 48),
                  static_cast<unsigned long long>(low & 0xffffffffffffull));
    return text;
}

bool is_braced_guid(std::string_view text, size_t at)
{
    static constexpr std::string_view k_shape = "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}";
    if (text.size() - at < k_shape.size()) {
        return false;
    }
    for (size_t i = 0; i < k_shape.size(); ++i) {
        char c = text[at + i];
        bool fits = k_shape[i] == 'x' ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : c == k_shape[i];
        if (!fits) {
            return false;
        }
    }
    return true;
}

// Renames a custom entity's copy in place (see the file comment for what changes).
class CopyRenamer {
public:
    CopyRenamer(std::string entity_name, std::string suffix, uint64_t copy, std::optional<uint64_t> object_type_code)
        : m_name(std::move(entity_name)), m_suffix(std::move(suffix)), m_copy(copy),
          m_object_type_code(object_type_code)
    {}

    void rename(xml::Node& node) const
    {
        if (!node.is_element()) {
            if (node.kind == xml::NodeKind::text || node.kind == xml::NodeKind::cdata) {
                rename_value(node.text);
            }
            return;
        }
        for (auto& attribute : node.attributes) {
            if (attribute.name != "classid") { // a control type, shared by every form
                rename_value(attribute.value);
            }
        }
        if (node.name == "ObjectTypeCode" && m_object_type_code) {
            node.children = {xml::make_text(std::to_string(*m_object_type_code))};
            return;
        }
        for (auto& child : node.children) {
            rename(child);
        }
    }

private:
    void rename_value(std::string& value) const
    {
        if (iequals(value, m_name)) {
            value += m_suffix;
            return;
        }
        for (size_t at = value.find('{'); at != std::string::npos; at = value.find('{', at + 1)) {
            if (is_braced_guid(value, at)) {
                value.replace(at + 1, 36, derived_guid(std::string_view(value).substr(at + 1, 36), m_copy));
            }
        }
    }

    std::string m_name;
    std::string m_suffix;
    uint64_t m_copy;
    std::optional<uint64_t> m_object_type_code;
};

// ---- streaming customizations.xml -------------------------------------------------------

// Counts the bytes passed on to `next` (or dropped when there is none).
class CountingSink : public xml::Sink {
public:
    explicit CountingSink(xml::Sink* next) : m_next(next) {}
    void write(std::string_view bytes) override
    {
        m_count += bytes.size();
        if (m_next != nullptr) {
            m_next->write(bytes);
        }
    }
    uint64_t count() const { return m_count; }

private:
    xml::Sink* m_next;
    uint64_t m_count = 0;
};

// What the first pass learns about the base.
struct Survey {
    std::vector<std::pair<std::string, std::string>> custom_entities; // name, XML text
    uint64_t max_object_type_code = 9999;                             // custom codes start at 10000
    uint64_t total_bytes = 0;                                         // customizations.xml as rewritten, no copies
    uint64_t bytes_after_entities = 0;                                // of those, after the last original entity
};

// Rewrites customizations.xml event by event. Inside <Entities> each <Entity> is built as a tree,
// written, and let go. In the survey pass (no target) it records the custom entities; in the
// scaling pass it appends copies before </Entities> until the output reaches the target.
class Scaler : public xml::Handler {
public:
    Scaler(xml::Writer& writer, const CountingSink& counter, std::string prefix, const Survey* survey,
           uint64_t target_bytes)
        : m_writer(writer), m_counter(counter), m_prefix(lower(prefix) + "_"), m_survey(survey), m_target(target_bytes)
    {}

    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        if (m_builder.active() || (m_depth == 2 && m_in_entities && name == "Entity")) {
            m_builder.start_element(name, attributes, empty_tag);
            return;
        }
        ++m_depth;
        m_in_entities = m_depth == 2 && name == "Entities";
        m_writer.start_element(name, attributes, empty_tag);
    }

    void end_element(std::string_view name) override
    {
        if (m_builder.active()) {
            m_builder.end_element();
            if (m_builder.done()) {
                take_entity(m_builder.take());
            }
            return;
        }
        if (m_depth == 2 && name == "Entities") {
            m_entities_end = m_counter.count();
            append_copies();
            m_in_entities = false;
        }
        --m_depth;
        m_writer.end_element();
    }

    void characters(std::string_view text, bool cdata) override
    {
        if (m_builder.active()) {
            m_builder.characters(text, cdata);
        } else {
            m_writer.characters(text, cdata);
        }
    }
    void comment(std::string_view text) override
    {
        if (m_builder.active()) {
            m_builder.comment(text);
        } else {
            m_writer.comment(text);
        }
    }
    void processing_instruction(std::string_view target, std::string_view data) override
    {
        if (m_builder.active()) {
            m_builder.processing_instruction(target, data);
        } else {
            m_writer.processing_instruction(target, data);
        }
    }

    Survey& survey() { return m_found; }
    uint64_t entities_end() const { return m_entities_end; }
    const std::vector<std::string>& entity_names() const { return m_entity_names; }
    size_t copies() const { return m_copies; }

private:
    static std::string entity_name(const xml::Node& entity)
    {
        std::string name = entity.child_text("Name");
        auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
        name.erase(name.begin(), std::find_if(name.begin(), name.end(), not_space));
        name.erase(std::find_if(name.rbegin(), name.rend(), not_space).base(), name.end());
        return name;
    }

    static void note_object_type_codes(const xml::Node& node, uint64_t& max_code)
    {
        if (node.is_element() && node.name == "ObjectTypeCode") {
            std::string text = node.text_content();
            if (!text.empty() &&
                std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
                max_code = std::max<uint64_t>(max_code, std::stoull(text));
            }
        }
        for (const auto& child : node.children) {
            note_object_type_codes(child, max_code);
        }
    }

    static bool has_object_type_code(const xml::Node& node)
    {
        if (node.is_element() && node.name == "ObjectTypeCode") {
            return true;
        }
        return std::any_of(node.children.begin(), node.children.end(), has_object_type_code);
    }

    void take_entity(xml::Node entity)
    {
        std::string name = entity_name(entity);
        m_entity_names.push_back(name);
        if (m_survey == nullptr) {
            note_object_type_codes(entity, m_found.max_object_type_code);
            if (lower(name).rfind(m_prefix, 0) == 0) {
                m_found.custom_entities.emplace_back(name, xml::to_string(entity));
            }
        }
        m_writer.write_node(entity);
    }

    // Appends round after round of renamed custom entities while the file, with what still
    // follows </Entities>, is under the target.
    void append_copies()
    {
        if (m_survey == nullptr || m_survey->custom_entities.empty()) {
            return;
        }
        uint64_t next_code = m_survey->max_object_type_code + 1;
        for (uint64_t round = 1;; ++round) {
            for (const auto& [name, text] : m_survey->custom_entities) {
                if (m_counter.count() + m_survey->bytes_after_entities >= m_target) {
                    return;
                }
                xml::MemorySource source(text, name);
                xml::Node copy = xml::parse_document(source);
                char suffix[16];
                std::snprintf(suffix, sizeof suffix, "_r%04llu", static_cast<unsigned long long>(round));
                std::optional<uint64_t> code;
                if (has_object_type_code(copy)) {
                    code = next_code++;
                }
                CopyRenamer(name, suffix, ++m_copies, code).rename(copy);
                m_entity_names.push_back(name + suffix);
                m_writer.write_node(copy);
            }
        }
    }

    xml::Writer& m_writer;
    const CountingSink& m_counter;
    std::string m_prefix;
    const Survey* m_survey; // null in the survey pass
    uint64_t m_target;
    xml::TreeBuilder m_builder;
    size_t m_depth = 0;
    bool m_in_entities = false;
    uint64_t m_entities_end = 0;
    Survey m_found;
    std::vector<std::string> m_entity_names;
    size_t m_copies = 0;
};

// ---- solution.xml and [Content_Types].xml -----------------------------------------------

xml::Node* find_path(xml::Node& node, std::initializer_list<std::string_view> path)
{
    xml::Node* at = &node;
    for (auto name : path) {
        at = at->child(name);
        if (at == nullptr) {
            return nullptr;
        }
    }
    return at;
}

std::string publisher_prefix(const std::string& solution_xml)
{
    xml::MemorySource source(solution_xml, "solution.xml");
    xml::Node root = xml::parse_document(source);
    xml::Node* prefix = find_path(root, {"SolutionManifest", "Publisher", "CustomizationPrefix"});
    if (prefix == nullptr || prefix->text_content().empty()) {
        throw_input("scale: solution.xml has no Publisher/CustomizationPrefix to tell custom entities by");
    }
    return prefix->text_content();
}

// solution.xml with a type-1 RootComponent for every entity that has none yet.
std::string scaled_manifest(const std::string& solution_xml, const std::vector<std::string>& entity_names)
{
    xml::MemorySource source(solution_xml, "solution.xml");
    xml::Node root = xml::parse_document(source);
    xml::Node* manifest = root.child("SolutionManifest");
    if (manifest == nullptr) {
        throw_input("scale: solution.xml has no SolutionManifest");
    }
    xml::Node* roots = manifest->child("RootComponents");
    if (roots == nullptr) {
        manifest->children.push_back(xml::make_element("RootComponents"));
        roots = &manifest->children.back();
    }
    std::set<std::string> listed;
    for (const auto* component : roots->children_named("RootComponent")) {
        const std::string* type = component->attribute("type");
        const std::string* schema_name = component->attribute("schemaName");
        if (type != nullptr && *type == "1" && schema_name != nullptr) {
            listed.insert(lower(*schema_name));
        }
    }
    for (const auto& name : entity_names) {
        std::string schema_name = lower(name);
        if (listed.insert(schema_name).second) {
            roots->children.push_back(
                xml::make_element("RootComponent", {{"type", "1"}, {"schemaName", schema_name}, {"behavior", "0"}}));
            roots->children.back().empty_tag = true;
        }
    }
    roots->empty_tag = false;
    return xml::to_string(root);
}

// [Content_Types].xml as CRM writes it: BOM, declaration, one line; a Default per extension and
// an Override for each part without one.
std::string content_types(const std::vector<std::string>& part_names)
{
    std::set<std::string> extensions{"xml"};
    std::vector<std::string> overrides;
    for (const auto& name : part_names) {
        std::string_view leaf =
            std::string_view(name).substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
        size_t dot = leaf.rfind('.');
        if (dot == std::string_view::npos || dot + 1 == leaf.size()) {
            overrides.push_back("/" + name);
        } else {
            extensions.insert(lower(leaf.substr(dot + 1)));
        }
    }
    std::string out = "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">";
    for (const auto& extension : extensions) {
        out += "<Default Extension=\"";
        xml::escape_attribute(out, extension);
        out += "\" ContentType=\"application/octet-stream\" />";
    }
    for (const auto& part : overrides) {
        out += "<Override PartName=\"";
        xml::escape_attribute(out, part);
        out += "\" ContentType=\"application/octet-stream\" />";
    }
    out += "</Types>";
    return out;
}

// ---- the program ------------------------------------------------------------------------

// Streams customizations.xml from `base` through a Scaler into `sink`; returns the Scaler's findings.
struct PassResult {
    Survey survey;
    uint64_t bytes = 0;
    uint64_t entities_end = 0;
    std::vector<std::string> entity_names;
    size_t copies = 0;
};

PassResult run_pass(BaseSolution& base, xml::Sink* sink, const std::string& prefix, const Survey* survey,
                    uint64_t target)
{
    CountingSink counter(sink);
    xml::Writer writer(counter);
    Scaler scaler(writer, counter, prefix, survey, target);
    auto source = base.open_customizations();
    xml::Parser parser;
    parser.parse(*source, scaler);
    PassResult result;
    result.survey = std::move(scaler.survey());
    result.bytes = counter.count();
    result.entities_end = scaler.entities_end();
    result.entity_names = scaler.entity_names();
    result.copies = scaler.copies();
    return result;
}

// Refuses, before any work, outputs that exist when --overwrite is not given.
void check_outputs(const Options& options)
{
    for (const auto& path : {options.output, options.xml_output}) {
        if (!options.overwrite && !path.empty() && fs::exists(path)) {
            throw_output("scale: " + quoted(path) + " exists (use --overwrite to replace it)");
        }
    }
}

int scale(const Options& options)
{
    check_outputs(options);
    BaseSolution base(options);
    std::string prefix = publisher_prefix(base.solution_xml());

    PassResult first = run_pass(base, nullptr, prefix, nullptr, 0);
    first.survey.total_bytes = first.bytes;
    first.survey.bytes_after_entities = first.bytes - first.entities_end;
    if (first.survey.custom_entities.empty()) {
        throw_input("scale '" + options.base.string() + "': no entity is named with the publisher prefix '" + prefix +
                    "_'; nothing to replicate");
    }

    auto overwrite = options.overwrite ? AtomicFile::Overwrite::yes : AtomicFile::Overwrite::no;
    fs::path xml_target =
        options.xml_output.empty() ? fs::path(options.output.string() + ".customizations.xml") : options.xml_output;
    AtomicFile xml_file(xml_target, overwrite);
    PassResult second;
    {
        xml::FileSink sink(xml_file.temp_path());
        second = run_pass(base, &sink, prefix, &first.survey, options.target_mb * k_mebibyte);
        sink.close();
    }

    zip::Writer archive(options.output, overwrite);
    std::vector<std::string> part_names{"customizations.xml", "solution.xml"};
    auto parts = base.other_parts();
    for (const auto* part : parts) {
        part_names.push_back(part->name);
    }
    archive.add_bytes("[Content_Types].xml", content_types(part_names));
    archive.add_file("customizations.xml", xml_file.temp_path());
    archive.add_bytes("solution.xml", scaled_manifest(base.solution_xml(), second.entity_names));
    for (const auto* part : parts) {
        archive.add_bytes(part->name, base.read_part(*part));
    }
    archive.commit();
    if (!options.xml_output.empty()) {
        xml_file.commit();
    }
    std::cerr << "escprov_scale: wrote " << options.output.string() << ": customizations.xml " << second.bytes
              << " bytes, " << second.entity_names.size() << " entities (" << second.copies << " renamed copies of "
              << first.survey.custom_entities.size() << " custom entities)\n";
    return 0;
}

bool parse_options(int argc, char** argv, Options& options)
{
    po::options_description described(
        "escprov_scale --base BASE --target-mb N -o OUT.zip [OPTIONS]\n\n"
        "Grows a real solution to N MiB of customizations.xml by appending renamed\n"
        "copies of its custom entities; writes a consistent, deterministic solution zip.\n\n"
        "Options");
    std::string base;
    // One option per line reads as a table, which clang-format would fold.
    // clang-format off
    described.add_options()
        ("help,h", "show this help")
        ("base", po::value(&base)->default_value(std::string(k_default_base)),
             "solution zip, or loose customizations.xml (then --solution is needed)")
        ("solution", po::value(&options.solution), "solution.xml to use (default: the base zip's)")
        ("target-mb", po::value(&options.target_mb)->default_value(30), "size of customizations.xml to reach, in MiB")
        ("output,o", po::value(&options.output)->required(), "the solution zip to write")
        ("xml", po::value(&options.xml_output), "also keep the generated customizations.xml here")
        ("overwrite", po::bool_switch(&options.overwrite), "replace existing outputs");
    // clang-format on
    po::variables_map values;
    po::store(po::command_line_parser(argc, argv).options(described).run(), values);
    if (values.count("help") != 0) {
        std::cout << described << "\n";
        return false;
    }
    po::notify(values);
    options.base = base;
    if (options.target_mb == 0) {
        throw_usage("--target-mb must be at least 1");
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        Options options;
        if (!parse_options(argc, argv, options)) {
            return 0;
        }
        xml::XercesPlatform xerces;
        return scale(options);
    } catch (const po::error& error) {
        std::cerr << "escprov_scale: error: " << error.what() << " (--help shows the options)\n";
        return 2;
    } catch (const Error& error) {
        std::cerr << "escprov_scale: error: " << error.what() << "\n";
        return error.kind() == ErrorKind::output ? 1 : 2;
    } catch (const std::exception& error) {
        std::cerr << "escprov_scale: error: " << error.what() << "\n";
        return 2;
    }
}
