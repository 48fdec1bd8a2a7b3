#include "pack/unpack.hpp"

#include "pack/layout.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"
#include "xml/writer.hpp"
#include "zip/reader.hpp"

#include <fstream>
#include <map>
#include <optional>
#include <vector>

namespace escprov::pack {

namespace {

// Files in a tree start like SolutionPackager's: BOM, declaration, CRLF.
xml::Style tree_style()
{
    xml::Style style;
    style.bom = true;
    style.declaration = true;
    style.keep_unindented_markup = true; // what CRM wrote on one line stays on one line
    return style;
}

// True when every child of `node` is an element named `name` (or blank text), and there is one.
bool only_children_named(const xml::Node& node, std::string_view name)
{
    bool any = false;
    for (const auto& child : node.children) {
        if (child.is_element()) {
            if (child.name != name) {
                return false;
            }
            any = true;
        } else if (child.kind != xml::NodeKind::text || !is_blank(child.text)) {
            return false;
        }
    }
    return any;
}

void make_placeholder(xml::Node& node)
{
    node.children.clear();
    node.empty_tag = true;
}

// The BOM and declaration of a document, recorded so pack can write them back.
struct Prologue {
    bool bom = false;
    bool declaration = false;
};

Prologue sniff_prologue(std::string_view head)
{
    Prologue prologue;
    if (head.substr(0, 3) == "\xEF\xBB\xBF") {
        prologue.bom = true;
        head.remove_prefix(3);
    }
    prologue.declaration = head.substr(0, 5) == "<?xml";
    return prologue;
}

std::string prologue_line(std::string_view part, const Prologue& prologue)
{
    return "!" + std::string(part) + " bom=" + (prologue.bom ? "1" : "0") +
           " declaration=" + (prologue.declaration ? "1" : "0") + "\n";
}

// The folder being built: every file goes through here, so no path is written twice and the
// order of components is recorded. Neither needs memory that grows with the solution: the
// folder itself tells which paths are taken, and the order file is written as components come.
class TreeBuilderOut {
public:
    // Builds in `root` (a temporary); messages name paths as below `shown`, the folder the user gave.
    TreeBuilderOut(fs::path root, fs::path shown) : m_root(std::move(root)), m_shown(std::move(shown)) {}

    // Opens the order file with its header lines; ordered write_node() calls append to it.
    void start_order(std::string_view header)
    {
        m_order.emplace(claim(std::string(k_order_file)), shown(std::string(k_order_file)));
        m_order->write(header);
    }
    void finish_order() { m_order->close(); }

    void write_node(const std::string& path, const xml::Node& node, bool ordered)
    {
        xml::FileSink sink(claim(path), shown(path));
        xml::Writer writer(sink, tree_style());
        writer.write_node(node);
        sink.close();
        if (ordered) {
            m_order->write(path);
            m_order->write("\n");
        }
    }
    void write_bytes(const std::string& path, xml::ByteSource& source)
    {
        xml::FileSink sink(claim(path), shown(path));
        std::string buffer(1 << 16, '\0');
        while (size_t got = source.read(buffer.data(), buffer.size())) {
            sink.write(std::string_view(buffer.data(), got));
        }
        sink.close();
    }
    // The number of files written so far.
    size_t files() const { return m_files; }
    // How messages name tree file `path`: below the folder the user gave, not the temporary.
    fs::path shown(const std::string& path) const { return m_shown / path; }
    const fs::path& root() const { return m_root; }

    // Reserves `path` in the tree and returns where to write it. Throws Error(input) when a
    // second part maps to the same path.
    fs::path claim(const std::string& path)
    {
        checked_path("tree file", path);
        fs::path target = m_root / path;
        std::error_code ec;
        if (fs::exists(fs::symlink_status(target, ec))) {
            throw_input("unpack: two parts of the solution map to the same tree file '" + path + "'");
        }
        ++m_files;
        fs::create_directories(target.parent_path(), ec);
        if (ec) {
            throw_output("write " + quoted(m_shown) + ": cannot create folder " +
                         quoted(m_shown / fs::path(path).parent_path()) + ": " + ec.message());
        }
        return target;
    }

private:
    fs::path m_root;
    fs::path m_shown;
    std::optional<xml::FileSink> m_order;
    size_t m_files = 0;
};

// Splits the event stream of customizations.xml: extracted components go to their own files,
// everything else streams into Other/Customizations.xml with placeholders where sections were.
class Splitter : public xml::Handler {
public:
    Splitter(TreeBuilderOut& tree, xml::Writer& skeleton, std::string source_name)
        : m_tree(tree), m_skeleton(skeleton), m_source_name(std::move(source_name))
    {}

    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        ++m_depth;
        if (m_depth == 1) {
            if (name != "ImportExportXml") {
                throw_input("unpack " + m_source_name + ": not a solution's customizations: the root element is '" +
                            std::string(name) + "', not ImportExportXml");
            }
            m_skeleton.start_element(name, attributes, empty_tag);
        } else if (m_depth == 2) {
            start_section(name, attributes, empty_tag);
        } else if (m_rule == nullptr) {
            m_skeleton.start_element(name, attributes, empty_tag);
        } else {
            m_builder.start_element(name, attributes, empty_tag);
        }
    }
    void end_element(std::string_view) override
    {
        if (m_depth == 2) {
            end_section();
        } else if (m_depth == 1 || m_rule == nullptr) {
            m_skeleton.end_element(); // the root, or inside a section that stays in the skeleton
        } else {
            m_builder.end_element();
            if (m_depth == 3 && m_rule->layout != SectionLayout::whole_file) {
                place_item(m_builder.take());
                m_builder = xml::TreeBuilder();
            }
        }
        --m_depth;
    }
    void characters(std::string_view text, bool cdata) override
    {
        if (m_depth >= 2 && m_rule != nullptr) {
            if (m_builder.active()) {
                m_builder.characters(text, cdata);
            }
        } else {
            m_skeleton.characters(text, cdata);
        }
    }
    void comment(std::string_view text) override
    {
        if (m_depth >= 2 && m_rule != nullptr) {
            if (m_builder.active()) {
                m_builder.comment(text);
            }
        } else {
            m_skeleton.comment(text);
        }
    }
    void processing_instruction(std::string_view target, std::string_view data) override
    {
        if (m_depth >= 2 && m_rule != nullptr) {
            if (m_builder.active()) {
                m_builder.processing_instruction(target, data);
            }
        } else if (m_depth >= 1) {
            m_skeleton.processing_instruction(target, data);
        }
    }
    void xml_declaration(std::string_view, std::string_view) override { m_declaration = true; }

    bool saw_declaration() const { return m_declaration; }
    // Zip part name -> tree path, for web-resource content that SolutionPackager renames.
    const std::map<std::string, std::string>& renamed_parts() const { return m_renamed_parts; }
    size_t components() const { return m_components; }

private:
    void start_section(std::string_view name, const xml::Attributes& attributes, bool empty_tag)
    {
        m_rule = section_rule(name);
        if (m_rule == nullptr) {
            m_skeleton.start_element(name, attributes, empty_tag);
            return;
        }
        m_section_name = name;
        m_section_attributes = attributes;
        m_section_empty_tag = empty_tag;
        m_items = 0;
        m_builder = xml::TreeBuilder();
        if (m_rule->layout == SectionLayout::whole_file) {
            m_builder.start_element(name, attributes, empty_tag);
        }
    }

    void end_section()
    {
        if (m_rule == nullptr) {
            m_skeleton.end_element();
            return;
        }
        bool extracted = m_items > 0;
        if (m_rule->layout == SectionLayout::whole_file) {
            m_builder.end_element();
            xml::Node section = m_builder.take();
            extracted = section.has_element_children();
            if (extracted) {
                m_tree.write_node(std::string(m_rule->folder), section, false);
                ++m_components;
            } else {
                m_skeleton.write_node(section);
                m_rule = nullptr;
                return;
            }
        } else if (m_rule->layout == SectionLayout::relationships && extracted) {
            write_relationships();
        }
        if (extracted) {
            m_skeleton.start_element(m_section_name, m_section_attributes, true);
        } else {
            m_skeleton.start_element(m_section_name, m_section_attributes, m_section_empty_tag);
        }
        m_skeleton.end_element();
        m_rule = nullptr;
    }

    void place_item(xml::Node item)
    {
        check_interrupted();
        size_t index = m_items++;
        if (m_rule->layout == SectionLayout::relationships) {
            add_relationship(std::move(item));
            return;
        }
        std::string path = item_path(*m_rule, item, index);
        if (m_rule->section == "Entities") {
            place_entity(path, item);
        } else {
            if (m_rule->section == "WebResources") {
                record_web_resource(path, item);
            }
            m_tree.write_node(path, item, true);
        }
        ++m_components;
    }

    void record_web_resource(const std::string& path, const xml::Node& item)
    {
        std::string file = trimmed(item.child_text("FileName"));
        if (!file.empty() && file.front() == '/') {
            file.erase(0, 1);
        }
        if (!file.empty()) {
            // "WebResources/<Name>.data.xml" keeps its content at "WebResources/<Name>".
            m_renamed_parts[file] = path.substr(0, path.size() - std::string_view(".data.xml").size());
        }
    }

    // Writes Entity.xml with placeholders, then each form, view, chart and the ribbon.
    void place_entity(const std::string& path, xml::Node& entity)
    {
        std::string folder = path.substr(0, path.rfind('/'));
        std::vector<std::pair<std::string, xml::Node>> parts;
        for (auto& child : entity.children) {
            if (!child.is_element()) {
                continue;
            }
            if (child.name == "FormXml" && only_children_named(child, "forms") && forms_splittable(child)) {
                for (auto& forms : child.children) {
                    if (!forms.is_element()) {
                        continue;
                    }
                    for (auto& form : forms.children) {
                        if (form.is_element()) {
                            std::string id = trimmed(form.child_text("formid"));
                            parts.emplace_back(form_path(folder, *forms.attribute("type"), id), std::move(form));
                        }
                    }
                }
                make_placeholder(child);
            } else if (child.name == "SavedQueries" && only_children_named(child, "savedqueries")) {
                const xml::Node* list = child.child("savedqueries");
                if (child.children_named("savedqueries").size() != 1 || !list->attributes.empty() ||
                    !only_children_named(*list, "savedquery")) {
                    continue;
                }
                for (auto& query : child.child("savedqueries")->children) {
                    if (query.is_element()) {
                        std::string id = trimmed(query.child_text("savedqueryid"));
                        parts.emplace_back(saved_query_path(folder, id), std::move(query));
                    }
                }
                make_placeholder(child);
            } else if (child.name == "Visualizations" && only_children_named(child, "visualization")) {
                for (auto& chart : child.children) {
                    if (chart.is_element()) {
                        std::string id = trimmed(chart.child_text("savedqueryvisualizationid"));
                        parts.emplace_back(visualization_path(folder, id), std::move(chart));
                    }
                }
                make_placeholder(child);
            } else if (child.name == "RibbonDiffXml" && child.has_element_children()) {
                xml::Node placeholder = xml::make_element(child.name);
                placeholder.empty_tag = true;
                parts.emplace_back(ribbon_path(folder), std::move(child));
                child = std::move(placeholder);
            }
        }
        m_tree.write_node(path, entity, true);
        for (const auto& [part_path, part] : parts) {
            m_tree.write_node(part_path, part, true);
        }
    }

    // Forms go to FormXml/<type>/<id>.xml; each <forms> needs a type and only systemforms.
    static bool forms_splittable(const xml::Node& form_xml)
    {
        for (const auto& forms : form_xml.children) {
            if (!forms.is_element()) {
                continue;
            }
            if (forms.attributes.size() != 1 || forms.attribute("type") == nullptr ||
                !only_children_named(forms, "systemform")) {
                return false;
            }
        }
        return true;
    }

    void add_relationship(xml::Node relationship)
    {
        const std::string* name = relationship.attribute("Name");
        if (name == nullptr || name->empty()) {
            throw_input("unpack: relationship number " + std::to_string(m_items) + " has no Name");
        }
        std::string entity;
        for (std::string_view field : {"FirstEntityName", "ReferencedEntityName", "ReferencingEntityName"}) {
            entity = trimmed(relationship.child_text(field));
            if (!entity.empty()) {
                break;
            }
        }
        if (entity.empty()) {
            throw_input("unpack: relationship '" + *name + "' names no entity");
        }
        checked_segment("relationship entity", entity);
        m_relationship_names.push_back(*name);
        m_relationships[entity].push_back(std::move(relationship));
    }

    void write_relationships()
    {
        xml::Node names = xml::make_element("EntityRelationships");
        for (const auto& name : m_relationship_names) {
            xml::Node entry = xml::make_element("EntityRelationship", {{"Name", name}});
            entry.empty_tag = true;
            xml::append_on_own_line(names, std::move(entry));
        }
        m_tree.write_node("Other/Relationships.xml", names, false);
        for (auto& [entity, relationships] : m_relationships) {
            xml::Node file = xml::make_element("EntityRelationships");
            for (auto& relationship : relationships) {
                xml::append_on_own_line(file, std::move(relationship));
            }
            m_tree.write_node(std::string(m_rule->folder) + "/" + entity + ".xml", file, false);
            ++m_components;
        }
        m_relationships.clear();
        m_relationship_names.clear();
    }

    TreeBuilderOut& m_tree;
    xml::Writer& m_skeleton;
    std::string m_source_name; // "Contoso.zip!customizations.xml", for messages
    size_t m_depth = 0;
    const SectionRule* m_rule = nullptr; // the section being extracted, or nullptr
    std::string m_section_name;
    xml::Attributes m_section_attributes;
    bool m_section_empty_tag = false;
    size_t m_items = 0;
    xml::TreeBuilder m_builder;
    bool m_declaration = false;
    size_t m_components = 0;
    std::map<std::string, std::string> m_renamed_parts;
    std::vector<std::string> m_relationship_names;
    std::map<std::string, std::vector<xml::Node>> m_relationships;
};

std::string read_head(zip::Reader& archive, const zip::Entry& entry)
{
    auto source = archive.open(entry);
    std::string head(16, '\0');
    size_t got = source->read(head.data(), head.size());
    head.resize(got);
    return head;
}

// Copies the files of `existing` that the new tree does not have into it (--overwrite keeps them).
void keep_other_files(const fs::path& existing, const fs::path& tree)
{
    for (auto it = fs::recursive_directory_iterator(existing); it != fs::recursive_directory_iterator(); ++it) {
        std::string relative = it->path().lexically_relative(existing).generic_string();
        if (fs::exists(fs::symlink_status(tree / relative))) {
            continue;
        }
        std::error_code ec;
        if (it->is_directory() && !it->is_symlink()) {
            fs::create_directories(tree / relative, ec);
        } else {
            fs::create_directories((tree / relative).parent_path(), ec);
            fs::copy(it->path(), tree / relative, fs::copy_options::copy_symlinks, ec);
        }
        if (ec) {
            throw_output("unpack: cannot keep " + quoted(it->path()) + ": " + ec.message());
        }
    }
}

} // namespace

struct TreeWriter::Impl {
    Impl(const fs::path& target, const UnpackOptions& unpack_options)
        : folder(target), options(unpack_options), out(prepare(target, unpack_options.existing)),
          tree(out.temp_path(), target)
    {}

    // Checks the target and creates its parent; returns the absolute target for AtomicDir.
    fs::path prepare(const fs::path& target, ExistingTarget existing)
    {
        std::error_code ec;
        auto status = fs::symlink_status(target, ec);
        const std::string who = options.command + " " + quoted(target);
        if (fs::exists(status)) {
            if (!fs::is_directory(status)) {
                throw_output(who + ": it exists and is not a folder; give a new or empty folder");
            }
            not_empty = !fs::is_empty(target);
        }
        if (not_empty && existing == ExistingTarget::refuse) {
            throw_output(who + ": the folder is not empty; " + options.when_not_empty);
        }
        fs::path absolute = fs::absolute(target);
        fs::create_directories(absolute.parent_path(), ec);
        return absolute;
    }

    fs::path folder;
    const UnpackOptions& options;
    bool not_empty = false;
    AtomicDir out;
    TreeBuilderOut tree;
    std::optional<xml::FileSink> skeleton_sink;
    std::optional<xml::Writer> skeleton;
    std::optional<Splitter> splitter;
    std::map<std::string, std::string> renamed;
    size_t components = 0;
};

TreeWriter::TreeWriter(const fs::path& folder, const UnpackOptions& options, const TreePrologues& prologues)
    : m_impl(std::make_unique<Impl>(folder, options))
{
    // The order file's header says what pack must know before it starts; the component paths
    // follow as they are written.
    std::string header = "# escprov unpack: the order in which pack splices these files into customizations.xml\n";
    header += prologue_line("solution.xml", {prologues.solution_bom, prologues.solution_declaration});
    if (prologues.has_customizations) {
        header +=
            prologue_line("customizations.xml", {prologues.customizations_bom, prologues.customizations_declaration});
    }
    if (!prologues.has_content_types) {
        header += "!content-types absent\n";
    }
    m_impl->tree.start_order(header);
}

TreeWriter::~TreeWriter() = default;

void TreeWriter::write_manifest(const xml::Node& solution)
{
    m_impl->tree.write_node("Other/Solution.xml", solution, false);
}

xml::Handler& TreeWriter::customizations(const std::string& source_name)
{
    Impl& impl = *m_impl;
    impl.skeleton_sink.emplace(impl.tree.claim("Other/Customizations.xml"),
                               impl.tree.shown("Other/Customizations.xml"));
    impl.skeleton.emplace(*impl.skeleton_sink, tree_style());
    impl.splitter.emplace(impl.tree, *impl.skeleton, source_name);
    return *impl.splitter;
}

void TreeWriter::finish_customizations()
{
    Impl& impl = *m_impl;
    impl.skeleton_sink->close();
    impl.renamed = impl.splitter->renamed_parts();
    impl.components = impl.splitter->components();
}

void TreeWriter::write_content_types(xml::ByteSource& source)
{
    m_impl->tree.write_bytes(std::string(k_content_types_file), source);
}

void TreeWriter::write_part(const std::string& name, xml::ByteSource& source)
{
    check_interrupted();
    auto found = m_impl->renamed.find(name);
    m_impl->tree.write_bytes(found != m_impl->renamed.end() ? found->second : name, source);
}

UnpackResult TreeWriter::commit()
{
    Impl& impl = *m_impl;
    impl.tree.finish_order();
    UnpackResult result;
    result.files = impl.tree.files();
    result.components = impl.components;
    if (impl.not_empty && impl.options.existing == ExistingTarget::overwrite) {
        keep_other_files(impl.folder, impl.out.temp_path());
    }
    impl.out.commit();
    return result;
}

UnpackResult unpack(const fs::path& zip_path, const fs::path& folder, const UnpackOptions& options)
{
    if (std::error_code ec; fs::is_directory(zip_path, ec)) {
        throw_foreign("unpack " + quoted(zip_path) + ": a folder, not a solution zip; unpack takes a zip (to make " +
                      "one from an unpacked folder: escprov pack " + zip_path.string() + " SOLUTION.zip)");
    }
    zip::Reader archive(zip_path, options.limits.zip);
    const solution::ExportEntries exported = solution::find_export_entries(archive);
    const zip::Entry* manifest = exported.manifest;
    const zip::Entry* customizations = exported.customizations;
    const zip::Entry* content_types = exported.content_types;

    std::string manifest_bytes = archive.read(*manifest); // solution.xml: small, read whole
    TreePrologues prologues;
    Prologue solution_prologue = sniff_prologue(manifest_bytes);
    prologues.solution_bom = solution_prologue.bom;
    prologues.solution_declaration = solution_prologue.declaration;
    prologues.has_customizations = customizations != nullptr;
    if (customizations != nullptr) {
        Prologue customizations_prologue = sniff_prologue(read_head(archive, *customizations));
        prologues.customizations_bom = customizations_prologue.bom;
        prologues.customizations_declaration = customizations_prologue.declaration;
    }
    prologues.has_content_types = content_types != nullptr;
    TreeWriter writer(folder, options, prologues);
    if (options.progress != nullptr) {
        // Every entry but solution.xml is read once from here on: the bar ends at 100%.
        options.progress->begin("", archive.total_size() - manifest->size, Progress::Unit::bytes);
        archive.set_read_hook([progress = options.progress](uint64_t bytes) { progress->advance(bytes); });
    }

    xml::MemorySource manifest_source(manifest_bytes, archive.display_name(*manifest));
    writer.write_manifest(xml::parse_document(manifest_source, options.limits.xml));

    if (customizations != nullptr) {
        xml::Handler& splitter = writer.customizations("'" + archive.display_name(*customizations) + "'");
        auto source = archive.open(*customizations);
        xml::Parser parser(options.limits.xml);
        parser.parse(*source, splitter);
        writer.finish_customizations();
    }
    if (content_types != nullptr) {
        auto source = archive.open(*content_types);
        writer.write_content_types(*source);
    }
    for (const auto& entry : archive.entries()) {
        if (entry.is_directory || exported.is_manifest_file(entry)) {
            continue;
        }
        auto source = archive.open(entry);
        writer.write_part(entry.name, *source);
    }
    return writer.commit();
}

} // namespace escprov::pack
