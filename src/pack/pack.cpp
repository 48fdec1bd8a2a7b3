#include "pack/pack.hpp"

#include "pack/assemble.hpp"
#include "pack/content_types.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"
#include "xml/forward.hpp"
#include "xml/writer.hpp"
#include "zip/writer.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace escprov::pack {

namespace fs = std::filesystem;

namespace {

// A temporary file beside the output, removed when it goes out of scope.
class TempFile {
public:
    explicit TempFile(const fs::path& beside)
        : m_path(beside.parent_path() / temp_name("." + beside.filename().string() + ".customizations"))
    {}
    ~TempFile()
    {
        std::error_code ignore;
        fs::remove(m_path, ignore);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

// solution.xml from Other/Solution.xml; <Managed>2</Managed> (an unpack of both kinds)
// becomes the package type asked for.
std::string make_manifest(const fs::path& tree, const TreeOrder& order, const PackOptions& options)
{
    fs::path path = tree / "Other" / "Solution.xml";
    xml::FileSource source(path, path.string());
    xml::Node root = xml::parse_document(source, options.limits.xml);
    if (xml::Node* manifest = root.child("SolutionManifest")) {
        if (xml::Node* managed = manifest->child("Managed");
            managed != nullptr && trimmed(managed->text_content()) == "2") {
            managed->children.clear();
            managed->children.push_back(xml::make_text(options.package_type == PackageType::managed ? "1" : "0"));
        }
    }
    xml::Style style;
    style.bom = order.solution_bom;
    style.declaration = order.solution_declaration;
    style.keep_unindented_markup = true;
    return xml::to_string(root, style);
}

} // namespace

PartPlan plan_parts(const fs::path& tree, const std::vector<std::string>& files, const xml::Limits& limits)
{
    PartPlan plan;
    std::set<std::string> mapped;
    for (const auto& file : files) {
        const SectionRule* rule = item_section_of(file);
        if (rule == nullptr || file.size() < 9 || file.substr(file.size() - 9) != ".data.xml") {
            continue;
        }
        xml::FileSource source(tree / file, (tree / file).string());
        xml::Node item = xml::parse_document(source, limits);
        std::string part;
        for (std::string_view child : {"FileName", "XamlFileName", "JsonFileName"}) {
            part = trimmed(item.child_text(child));
            if (!part.empty()) {
                break;
            }
        }
        if (part.empty()) {
            continue;
        }
        if (part.front() == '/') {
            part.erase(0, 1);
        }
        if (!is_safe_relative_path(part)) {
            throw_input("pack: " + quoted(tree / file) + " names part '" + part +
                        "', which would leave the zip's root");
        }
        // A web resource keeps its content beside its .data.xml; others keep the part's own path.
        std::string source_path = rule->section == "WebResources" ? file.substr(0, file.size() - 9) : part;
        mapped.insert(source_path);
        if (std::binary_search(files.begin(), files.end(), source_path)) {
            plan.parts[part] = source_path;
        } else {
            plan.missing.push_back(source_path);
        }
    }
    for (const auto& file : files) {
        if (is_layout_file(file) || mapped.count(file) != 0) {
            continue;
        }
        if (solution::is_export_manifest_name(file)) {
            continue;
        }
        plan.parts.emplace(file, file);
    }
    return plan;
}

PackResult pack(const fs::path& tree, const fs::path& zip_path, const PackOptions& options)
{
    if (!fs::is_regular_file(tree / "Other" / "Solution.xml")) {
        throw_input("pack " + quoted(tree) +
                    ": the folder has no Other/Solution.xml, so it is not an unpacked solution");
    }
    if (fs::exists(zip_path) && !options.overwrite) {
        throw_output("pack " + quoted(zip_path) + ": the file exists; pass --overwrite to replace it");
    }
    PackResult result;
    TreeOrder order = read_order(tree);
    std::vector<std::string> files = list_tree_files(tree);
    PartPlan plan = plan_parts(tree, files, options.limits.xml);
    result.missing_parts = plan.missing;
    if (options.strict && !plan.missing.empty()) {
        return result;
    }

    std::string manifest = make_manifest(tree, order, options);
    fs::path target = fs::absolute(zip_path);
    TempFile customizations(target);
    bool has_customizations = fs::is_regular_file(tree / "Other" / "Customizations.xml");
    if (has_customizations) {
        Assembler assembler(tree, options.package_type, options.limits.xml, order, files);
        if (options.progress != nullptr) {
            options.progress->begin("reading the tree", files.size(), Progress::Unit::items, "files");
            assembler.set_progress([progress = options.progress](size_t read) { progress->update(read); });
        }
        xml::FileSink sink(customizations.path(), target); // a staged part of the zip: named as the zip
        xml::Style style;
        style.bom = order.customizations_bom;
        style.declaration = order.customizations_declaration;
        style.keep_unindented_markup = true; // what CRM wrote on one line stays on one line
        xml::Writer writer(sink, style);
        xml::EventsTo<xml::Writer> handler(writer);
        assembler.run(handler);
        sink.close();
    }
    if (options.progress != nullptr) {
        options.progress->update(files.size()); // the files left are parts, copied as they are
    }

    std::vector<std::string> entries;
    if (has_customizations) {
        entries.push_back("customizations.xml");
    }
    entries.push_back("solution.xml");
    for (const auto& [name, path] : plan.parts) {
        entries.push_back(name);
    }
    bool write_content_types = !order.content_types_absent;
    std::optional<std::string> recorded;
    if (std::binary_search(files.begin(), files.end(), std::string(k_content_types_file))) {
        recorded = read_file(tree / std::string(k_content_types_file));
    }

    zip::Writer zip(target, options.overwrite ? AtomicFile::Overwrite::yes : AtomicFile::Overwrite::no);
    if (has_customizations) {
        zip.add_file("customizations.xml", customizations.path());
    }
    if (write_content_types) {
        zip.add_bytes("[Content_Types].xml", make_content_types(entries, recorded));
    }
    zip.add_bytes("solution.xml", manifest);
    for (const auto& [name, path] : plan.parts) {
        zip.add_file(name, tree / path);
    }
    zip.show_progress(options.progress, "writing");
    zip.commit();
    result.entries = entries.size() + (write_content_types ? 1 : 0);
    result.written = true;
    return result;
}

} // namespace escprov::pack
