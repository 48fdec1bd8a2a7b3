#include "pack/assemble.hpp"

#include "solution/schema.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/interrupt.hpp"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>

namespace escprov::pack {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_skeleton = "Other/Customizations.xml";

// Lists the top-level section names of the skeleton, in order.
class SectionLister : public xml::Handler {
public:
    void start_element(std::string_view name, const xml::Attributes&, bool) override
    {
        if (++m_depth == 2) {
            sections.emplace_back(name);
        }
    }
    void end_element(std::string_view) override { --m_depth; }
    void characters(std::string_view, bool) override {}
    std::vector<std::string> sections;

private:
    size_t m_depth = 0;
};

// True when the skeleton's sections come in an order real exports write (the schema's, or one
// with pairs that real exports write both ways).
bool sections_in_real_order(const std::vector<std::string>& sections)
{
    std::vector<std::string> before;
    for (const auto& section : sections) {
        if (solution::section_blocker(before, section)) {
            return false;
        }
        before.push_back(section);
    }
    return true;
}

// The order pack writes sections in: the skeleton's when real exports write that order (so
// pack(unpack(x)) keeps x's), else known sections in schema order in the slots known sections
// held, unknown sections where they were.
std::vector<size_t> section_emit_order(const std::vector<std::string>& sections)
{
    std::vector<size_t> order(sections.size());
    std::iota(order.begin(), order.end(), 0);
    if (sections_in_real_order(sections)) {
        return order;
    }
    std::vector<size_t> known;
    for (size_t i = 0; i < sections.size(); ++i) {
        if (solution::section_rank(sections[i])) {
            known.push_back(i);
        }
    }
    std::vector<size_t> sorted = known;
    std::stable_sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) {
        return *solution::section_rank(sections[a]) < *solution::section_rank(sections[b]);
    });
    for (size_t k = 0; k < known.size(); ++k) {
        order[known[k]] = sorted[k];
    }
    return order;
}

} // namespace

TreeOrder read_order(const fs::path& tree)
{
    TreeOrder order;
    std::ifstream in(tree / std::string(k_order_file), std::ios::binary);
    if (!in) {
        return order;
    }
    order.present = true;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (line.front() == '!') {
            bool bom = line.find(" bom=1") != std::string::npos;
            bool declaration = line.find(" declaration=1") != std::string::npos;
            if (line.starts_with("!customizations.xml ")) {
                order.customizations_bom = bom;
                order.customizations_declaration = declaration;
            } else if (line.starts_with("!solution.xml ")) {
                order.solution_bom = bom;
                order.solution_declaration = declaration;
            } else if (line == "!content-types absent") {
                order.content_types_absent = true;
            }
            continue;
        }
        order.rank.emplace(line, order.rank.size());
    }
    return order;
}

std::vector<std::string> list_tree_files(const fs::path& tree)
{
    std::vector<std::string> files;
    for (auto it = fs::recursive_directory_iterator(tree); it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_symlink()) {
            throw_input("pack " + quoted(tree) + ": '" + it->path().lexically_relative(tree).generic_string() +
                        "' is a symbolic link; escprov does not follow links in a tree (they can point outside "
                        "it); replace it with the file itself");
        }
        if (it->is_regular_file()) {
            // Lexical: the iterator yields tree/<relative>, and fs::relative would resolve every path.
            files.push_back(it->path().lexically_relative(tree).generic_string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

bool is_layout_file(std::string_view path)
{
    return path.starts_with("Other/") || path.starts_with("Entities/") || item_section_of(path) != nullptr;
}

// Elements the assembler writes itself (section wrappers, forms groups) and the roots of the files
// it splices in carry no whitespace from any source; a line break before each keeps them on
// their own lines when the writer keeps the source's unindented markup.
void break_line(xml::Handler& out)
{
    out.characters("\n", false);
}

// Forwards the skeleton's events, filling placeholder sections from the tree.
class SkeletonForwarder : public xml::Handler {
public:
    SkeletonForwarder(Assembler& assembler, xml::Handler& out, std::optional<size_t> only_section, bool root_start,
                      bool root_end)
        : m_assembler(assembler), m_out(out), m_only(only_section), m_root_start(root_start), m_root_end(root_end)
    {}
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        ++m_depth;
        if (m_depth == 1) {
            m_assembler.m_root_namespaces.clear();
            for (const auto& attribute : attributes) {
                if (attribute.name.starts_with("xmlns")) {
                    m_assembler.m_root_namespaces.push_back(attribute);
                }
            }
            if (m_root_start) {
                m_out.start_element(name, attributes, empty_tag);
            }
            return;
        }
        if (m_depth == 2) {
            m_emitting = !m_only || *m_only == m_section;
            ++m_section;
            m_swallow = false;
            if (m_emitting) {
                break_line(m_out); // the skeleton's own whitespace between sections is not forwarded
            }
            if (m_emitting && empty_tag) {
                if (const SectionRule* rule = section_rule(name)) {
                    m_assembler.fill_section(*rule, name, attributes, m_out, m_swallow);
                    if (m_swallow) {
                        return;
                    }
                }
            }
        }
        if (m_emitting && !m_swallow) {
            m_out.start_element(name, attributes, empty_tag);
        }
    }
    void end_element(std::string_view name) override
    {
        size_t depth = m_depth--;
        if (depth == 1) {
            if (m_root_end) {
                break_line(m_out);
                m_out.end_element(name);
            }
            return;
        }
        if (m_emitting && !m_swallow) {
            m_out.end_element(name);
        }
    }
    void characters(std::string_view text, bool cdata) override
    {
        if (m_depth >= 2 && m_emitting && !m_swallow) {
            m_out.characters(text, cdata);
        }
    }
    void comment(std::string_view text) override
    {
        if (m_depth >= 2 && m_emitting && !m_swallow) {
            m_out.comment(text);
        }
    }
    void processing_instruction(std::string_view target, std::string_view data) override
    {
        if (m_depth >= 2 && m_emitting && !m_swallow) {
            m_out.processing_instruction(target, data);
        }
    }

private:
    Assembler& m_assembler;
    xml::Handler& m_out;
    std::optional<size_t> m_only;
    bool m_root_start;
    bool m_root_end;
    size_t m_depth = 0;
    size_t m_section = 0;
    bool m_emitting = false;
    bool m_swallow = false;
};

// Forwards one component file's root element; inside Entity.xml it fills the placeholders of
// forms, views, charts and the ribbon.
// A form or view file may hold its component inside a wrapper root (pac and newer SolutionPackager
// write <forms><systemform>, <savedqueries><savedquery>): the assembler writes that wrapper itself,
// so the file's is dropped and its children are forwarded as the file's roots.
class FileForwarder : public xml::Handler {
public:
    FileForwarder(Assembler& assembler, xml::Handler& out, std::string entity_dir, std::string_view wrapper = {})
        : m_assembler(assembler), m_out(out), m_entity_dir(std::move(entity_dir)), m_wrapper(wrapper)
    {}
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        if (m_depth == 0 && !m_wrapper.empty() && name == m_wrapper) {
            m_unwrapping = true; // depth stays 0: the children are the roots
            return;
        }
        ++m_depth;
        if (m_swallow_depth != 0) {
            return;
        }
        if (m_depth == 2 && empty_tag && !m_entity_dir.empty() &&
            (name == "FormXml" || name == "SavedQueries" || name == "Visualizations" || name == "RibbonDiffXml")) {
            m_assembler.fill_entity_part(name, attributes, m_entity_dir, m_out);
            m_swallow_depth = m_depth;
            return;
        }
        if (m_depth == 1) {
            // SolutionPackager repeats the root's namespace declarations on each file's root;
            // inside customizations.xml they are redundant, so they go.
            xml::Attributes kept;
            for (const auto& attribute : attributes) {
                const auto& root = m_assembler.m_root_namespaces;
                bool redundant = std::any_of(root.begin(), root.end(), [&](const xml::Attribute& declared) {
                    return declared.name == attribute.name && declared.value == attribute.value;
                });
                if (!redundant) {
                    kept.push_back(attribute);
                }
            }
            m_out.start_element(name, kept, empty_tag);
            return;
        }
        m_out.start_element(name, attributes, empty_tag);
    }
    void end_element(std::string_view name) override
    {
        if (m_depth == 0 && m_unwrapping) {
            return; // the wrapper's end tag
        }
        size_t depth = m_depth--;
        if (m_swallow_depth != 0) {
            if (depth == m_swallow_depth) {
                m_swallow_depth = 0;
            }
            return;
        }
        m_out.end_element(name);
    }
    void characters(std::string_view text, bool cdata) override
    {
        if (m_swallow_depth == 0 && (m_depth > 0 || !m_unwrapping)) {
            m_out.characters(text, cdata);
        }
    }
    void comment(std::string_view text) override
    {
        if (m_swallow_depth == 0 && m_depth > 0) {
            m_out.comment(text);
        }
    }
    void processing_instruction(std::string_view target, std::string_view data) override
    {
        if (m_swallow_depth == 0 && m_depth > 0) {
            m_out.processing_instruction(target, data);
        }
    }

private:
    Assembler& m_assembler;
    xml::Handler& m_out;
    std::string m_entity_dir;
    std::string_view m_wrapper; // a root that only wraps the component, or empty
    bool m_unwrapping = false;
    size_t m_depth = 0;
    size_t m_swallow_depth = 0;
};

Assembler::Assembler(fs::path tree, PackageType package_type, xml::Limits limits, const TreeOrder& order,
                     const std::vector<std::string>& files)
    : m_tree(std::move(tree)), m_package_type(package_type), m_limits(limits), m_order(order), m_files(files)
{
    if (!fs::is_regular_file(m_tree / std::string(k_skeleton))) {
        throw_input("pack " + quoted(m_tree) + ": the folder has no " + std::string(k_skeleton) +
                    ", so it is not an unpacked solution");
    }
}

const std::string* Assembler::intern(const std::string& path)
{
    m_names.push_back((m_tree / path).string());
    return &m_names.back();
}

xml::Location Assembler::location() const
{
    if (m_node_location) {
        return *m_node_location;
    }
    if (m_active.empty()) {
        return {};
    }
    xml::Location where = m_active.back().parser->location();
    where.file = m_active.back().file;
    return where;
}

void Assembler::run(xml::Handler& handler)
{
    std::vector<std::string> sections;
    {
        SectionLister lister;
        xml::Parser parser(m_limits);
        xml::FileSource source(m_tree / std::string(k_skeleton), (m_tree / std::string(k_skeleton)).string());
        parser.parse(source, lister);
        sections = lister.sections;
    }
    std::vector<size_t> order = section_emit_order(sections);
    bool in_order = std::is_sorted(order.begin(), order.end());
    const std::string* name = intern(std::string(k_skeleton));
    auto pass = [&](std::optional<size_t> only, bool root_start, bool root_end) {
        xml::Parser parser(m_limits);
        xml::FileSource source(m_tree / std::string(k_skeleton), *name);
        SkeletonForwarder forward(*this, handler, only, root_start, root_end);
        m_active.push_back({&parser, name});
        parser.parse(source, forward);
        m_active.pop_back();
    };
    if (in_order || order.empty()) {
        pass(std::nullopt, true, true);
        return;
    }
    // Sections out of schema order: one pass per section (the skeleton is small).
    for (size_t k = 0; k < order.size(); ++k) {
        pass(order[k], k == 0, k + 1 == order.size());
    }
}

std::optional<std::string> Assembler::pick_file(const std::string& plain) const
{
    std::string managed = plain.substr(0, plain.size() - 4) + "_managed.xml";
    bool has_plain = std::binary_search(m_files.begin(), m_files.end(), plain);
    bool has_managed = std::binary_search(m_files.begin(), m_files.end(), managed);
    if (m_package_type == PackageType::managed && has_managed) {
        return managed;
    }
    if (has_plain) {
        return plain;
    }
    if (has_managed) {
        return managed;
    }
    return std::nullopt;
}

std::vector<std::string> Assembler::choose_and_sort(const std::vector<std::string>& candidates) const
{
    std::set<std::string> plains;
    for (const auto& path : candidates) {
        std::string plain;
        plains.insert(is_managed_variant(path, &plain) ? plain : path);
    }
    std::vector<std::string> chosen;
    for (const auto& plain : plains) {
        if (auto file = pick_file(plain)) {
            chosen.push_back(*file);
        }
    }
    auto rank = [this](const std::string& path) {
        auto found = m_order.rank.find(path);
        if (found == m_order.rank.end()) {
            std::string plain;
            if (is_managed_variant(path, &plain)) {
                found = m_order.rank.find(plain);
            }
        }
        return found == m_order.rank.end() ? m_order.rank.size() : found->second;
    };
    std::stable_sort(chosen.begin(), chosen.end(),
                     [&](const std::string& a, const std::string& b) { return rank(a) < rank(b); });
    return chosen;
}

std::vector<std::string> Assembler::section_items(const SectionRule& rule) const
{
    std::vector<std::string> candidates;
    for (const auto& path : m_files) {
        if (item_section_of(path) == &rule) {
            candidates.push_back(path);
        }
    }
    return choose_and_sort(candidates);
}

std::vector<std::string> Assembler::files_under(const std::string& prefix) const
{
    std::vector<std::string> candidates;
    for (auto it = std::lower_bound(m_files.begin(), m_files.end(), prefix);
         it != m_files.end() && it->starts_with(prefix); ++it) {
        if (it->size() > 4 && it->substr(it->size() - 4) == ".xml") {
            candidates.push_back(*it);
        }
    }
    return choose_and_sort(candidates);
}

void Assembler::forward_file(const std::string& path, xml::Handler& out, bool entity, std::string_view wrapper)
{
    check_interrupted();
    const std::string* name = intern(path);
    size_t level = m_active.size();
    while (m_parsers.size() <= level) {
        m_parsers.push_back(std::make_unique<xml::Parser>(m_limits));
    }
    xml::Parser& parser = *m_parsers[level];
    xml::FileSource source(m_tree / path, *name);
    std::string entity_dir = entity ? path.substr(0, path.rfind('/')) : std::string();
    FileForwarder forward(*this, out, entity_dir, wrapper);
    break_line(out);
    m_active.push_back({&parser, name});
    parser.parse(source, forward);
    m_active.pop_back();
    if (m_progress) {
        m_progress(++m_files_read);
    }
}

void Assembler::fill_section(const SectionRule& rule, std::string_view name, const xml::Attributes& attributes,
                             xml::Handler& out, bool& filled)
{
    filled = false;
    if (rule.layout == SectionLayout::relationships) {
        emit_relationships(name, attributes, out, filled);
        return;
    }
    if (rule.layout == SectionLayout::whole_file) {
        auto file = pick_file(std::string(rule.folder));
        if (!file) {
            return;
        }
        const std::string* file_name = intern(*file);
        xml::FileSource source(m_tree / *file, *file_name);
        xml::Node root = xml::parse_document(source, m_limits);
        if (root.name != name || (name == "SiteMap" && root.child("SiteMap") == nullptr)) {
            // SolutionPackager keeps only the inner element; wrap it in its section.
            xml::Node section = xml::make_element(std::string(name), attributes);
            section.location = root.location;
            xml::append_on_own_line(section, std::move(root));
            root = std::move(section);
        }
        emit_node(root, file_name, out);
        filled = true;
        return;
    }
    std::vector<std::string> items = section_items(rule);
    if (items.empty()) {
        return;
    }
    out.start_element(name, attributes, false);
    for (const auto& item : items) {
        forward_file(item, out, rule.section == "Entities");
    }
    break_line(out);
    out.end_element(name);
    filled = true;
}

void Assembler::fill_entity_part(std::string_view name, const xml::Attributes& attributes,
                                 const std::string& entity_dir, xml::Handler& out)
{
    if (name == "RibbonDiffXml") {
        if (auto file = pick_file(ribbon_path(entity_dir))) {
            forward_file(*file, out, false);
        } else {
            out.start_element(name, attributes, true);
            out.end_element(name);
        }
        return;
    }
    std::string folder = name == "FormXml"        ? "/FormXml/"
                         : name == "SavedQueries" ? "/SavedQueries/"
                                                  : "/Visualizations/";
    std::vector<std::string> files = files_under(entity_dir + folder);
    if (files.empty()) {
        out.start_element(name, attributes, true);
        out.end_element(name);
        return;
    }
    out.start_element(name, attributes, false);
    if (name == "SavedQueries") {
        break_line(out);
        out.start_element("savedqueries", {}, false);
    }
    std::string open_type;
    for (const auto& file : files) {
        if (name == "FormXml") {
            std::string rest = file.substr(entity_dir.size() + folder.size());
            std::string type = rest.substr(0, rest.find('/'));
            if (type != open_type) {
                if (!open_type.empty()) {
                    break_line(out);
                    out.end_element("forms");
                }
                break_line(out);
                out.start_element("forms", {{"type", type}}, false);
                open_type = type;
            }
        }
        forward_file(file, out, false, name == "FormXml" ? "forms" : name == "SavedQueries" ? "savedqueries" : "");
    }
    if (!open_type.empty()) {
        break_line(out);
        out.end_element("forms");
    }
    if (name == "SavedQueries") {
        break_line(out);
        out.end_element("savedqueries");
    }
    break_line(out);
    out.end_element(name);
}

void Assembler::emit_relationships(std::string_view name, const xml::Attributes& attributes, xml::Handler& out,
                                   bool& filled)
{
    const std::string folder = "Other/Relationships/";
    std::vector<std::pair<xml::Node, const std::string*>> all;
    for (auto it = std::lower_bound(m_files.begin(), m_files.end(), folder);
         it != m_files.end() && it->starts_with(folder); ++it) {
        const std::string* file_name = intern(*it);
        xml::FileSource source(m_tree / *it, *file_name);
        xml::Node root = xml::parse_document(source, m_limits);
        for (auto& child : root.children) {
            if (child.is_element()) {
                all.emplace_back(std::move(child), file_name);
            }
        }
    }
    if (all.empty()) {
        filled = false;
        return;
    }
    // The recorded order is Other/Relationships.xml; relationships it does not name follow, by name.
    std::vector<std::string> names;
    if (std::binary_search(m_files.begin(), m_files.end(), std::string("Other/Relationships.xml"))) {
        xml::FileSource source(m_tree / "Other/Relationships.xml", (m_tree / "Other/Relationships.xml").string());
        xml::Node list = xml::parse_document(source, m_limits);
        for (const auto& entry : list.children) {
            if (const std::string* entry_name = entry.is_element() ? entry.attribute("Name") : nullptr) {
                names.push_back(*entry_name);
            }
        }
    }
    auto name_of = [](const xml::Node& node) {
        const std::string* value = node.attribute("Name");
        return value != nullptr ? *value : std::string();
    };
    std::stable_sort(all.begin(), all.end(),
                     [&](const auto& a, const auto& b) { return name_of(a.first) < name_of(b.first); });
    std::vector<bool> used(all.size(), false);
    out.start_element(name, attributes, false);
    for (const auto& wanted : names) {
        auto it = std::lower_bound(all.begin(), all.end(), wanted,
                                   [&](const auto& item, const std::string& key) { return name_of(item.first) < key; });
        while (it != all.end() && name_of(it->first) == wanted && used[it - all.begin()]) {
            ++it;
        }
        if (it != all.end() && name_of(it->first) == wanted) {
            used[it - all.begin()] = true;
            break_line(out);
            emit_node(it->first, it->second, out);
        }
    }
    for (size_t i = 0; i < all.size(); ++i) {
        if (!used[i]) {
            break_line(out);
            emit_node(all[i].first, all[i].second, out);
        }
    }
    break_line(out);
    out.end_element(name);
    filled = true;
}

void Assembler::emit_node(const xml::Node& node, const std::string* file, xml::Handler& out)
{
    m_node_location = xml::Location{node.location.line, node.location.column, file};
    switch (node.kind) {
    case xml::NodeKind::element:
        out.start_element(node.name, node.attributes, node.empty_tag && node.children.empty());
        for (const auto& child : node.children) {
            emit_node(child, file, out);
        }
        m_node_location = xml::Location{node.location.line, node.location.column, file};
        out.end_element(node.name);
        break;
    case xml::NodeKind::text: out.characters(node.text, false); break;
    case xml::NodeKind::cdata: out.characters(node.text, true); break;
    case xml::NodeKind::comment: out.comment(node.text); break;
    case xml::NodeKind::processing_instruction: out.processing_instruction(node.name, node.text); break;
    }
    m_node_location.reset();
}

} // namespace escprov::pack
