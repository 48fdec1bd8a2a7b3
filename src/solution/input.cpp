#include "solution/input.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"

#include <fstream>

namespace escprov::solution {

namespace {

// Passes events on, first checking that the root element is ImportExportXml: whatever the
// manifest says, a customizations.xml holding anything else is not a solution's content.
class ForwardingHandler : public xml::Handler {
public:
    ForwardingHandler(xml::Handler& target, const xml::Parser& parser, std::string file)
        : m_target(target), m_parser(parser), m_file(std::move(file))
    {}
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        if (!m_seen_root) {
            m_seen_root = true;
            if (name != "ImportExportXml") {
                throw xml::ParseError(ErrorKind::foreign, m_file, m_parser.location(),
                                      "the root element is '" + std::string(name) +
                                          "', not ImportExportXml, so this is not a solution's customizations.xml");
            }
        }
        m_target.start_element(name, attributes, empty_tag);
    }
    void end_element(std::string_view name) override { m_target.end_element(name); }
    void characters(std::string_view text, bool cdata) override { m_target.characters(text, cdata); }
    bool wants_characters() const override { return m_target.wants_characters(); }
    void comment(std::string_view text) override { m_target.comment(text); }
    void processing_instruction(std::string_view target, std::string_view data) override
    {
        m_target.processing_instruction(target, data);
    }
    void xml_declaration(std::string_view version, std::string_view encoding) override
    {
        m_target.xml_declaration(version, encoding);
    }

private:
    xml::Handler& m_target;
    const xml::Parser& m_parser;
    std::string m_file;
    bool m_seen_root = false;
};

void parse_customizations(xml::ByteSource& source, CustomizationsHandler& handler, const xml::Limits& limits)
{
    xml::Parser parser(limits);
    handler.set_locations(parser);
    ForwardingHandler forward(handler, parser, source.name());
    parser.parse(source, forward);
}

class ZipInput : public SolutionInput {
public:
    ZipInput(const std::filesystem::path& path, const InputLimits& limits, std::string display = {})
        : m_path(path), m_limits(limits), m_zip(path, limits.zip, std::move(display)),
          m_entries(find_export_entries(m_zip))
    {}
    Kind kind() const override { return Kind::zip; }
    const std::filesystem::path& path() const override { return m_path; }
    bool has_manifest() const override { return true; }
    Manifest read_manifest() override
    {
        auto source = m_zip.open(*m_entries.manifest);
        return solution::read_manifest(*source, m_limits.xml);
    }
    bool has_customizations() const override { return m_entries.customizations != nullptr; }
    void read_customizations(CustomizationsHandler& handler) override
    {
        if (m_entries.customizations == nullptr) {
            throw_input("read " + quoted(m_path) + ": the zip has no customizations.xml");
        }
        auto source = m_zip.open(*m_entries.customizations);
        parse_customizations(*source, handler, m_limits.xml);
    }
    std::vector<std::string> parts() const override
    {
        std::vector<std::string> names;
        for (const auto& entry : m_zip.entries()) {
            if (!entry.is_directory && !m_entries.is_manifest_file(entry)) {
                names.push_back(entry.name);
            }
        }
        return names;
    }
    std::optional<std::string> content_types() override
    {
        if (m_entries.content_types == nullptr) {
            return std::nullopt;
        }
        return m_zip.read(*m_entries.content_types);
    }
    std::string manifest_name() const override { return m_zip.display_name(*m_entries.manifest); }
    std::string customizations_name() const override
    {
        return m_entries.customizations != nullptr ? m_zip.display_name(*m_entries.customizations)
                                                   : m_path.filename().string() + "!customizations.xml";
    }
    zip::Reader* archive() override { return &m_zip; }

private:
    std::filesystem::path m_path;
    InputLimits m_limits;
    zip::Reader m_zip;
    ExportEntries m_entries;
};

class LooseInput : public SolutionInput {
public:
    LooseInput(const std::filesystem::path& path, Kind kind, const InputLimits& limits)
        : m_path(path), m_kind(kind), m_limits(limits)
    {}
    Kind kind() const override { return m_kind; }
    const std::filesystem::path& path() const override { return m_path; }
    bool has_manifest() const override { return m_kind == Kind::loose_manifest; }
    Manifest read_manifest() override
    {
        xml::FileSource source(m_path);
        return solution::read_manifest(source, m_limits.xml);
    }
    bool has_customizations() const override { return m_kind == Kind::loose_customizations; }
    void read_customizations(CustomizationsHandler& handler) override
    {
        xml::FileSource source(m_path);
        parse_customizations(source, handler, m_limits.xml);
    }
    std::vector<std::string> parts() const override { return {}; }
    std::optional<std::string> content_types() override { return std::nullopt; }
    std::string manifest_name() const override { return m_path.string(); }
    std::string customizations_name() const override { return m_path.string(); }

private:
    std::filesystem::path m_path;
    Kind m_kind;
    InputLimits m_limits;
};

// Reads just far enough to learn the root element's name.
class RootNameHandler : public xml::Handler {
public:
    struct Found {};
    void start_element(std::string_view name, const xml::Attributes&, bool) override
    {
        if (root.empty()) {
            root = name;
            return;
        }
        first_child = name;
        throw Found{};
    }
    void end_element(std::string_view) override {}
    void characters(std::string_view, bool) override {}
    std::string root;
    std::string first_child;
};

// True when `start` (a file's first bytes) begins with '<' after an optional UTF-8 byte-order mark
// and white space, as any XML document does.
bool starts_with_markup(std::string_view start)
{
    if (start.starts_with("\xEF\xBB\xBF")) {
        start.remove_prefix(3);
    }
    size_t first = start.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && start[first] == '<';
}

} // namespace

bool is_export_manifest_name(std::string_view name)
{
    return name == "solution.xml" || name == "customizations.xml" || name == "[Content_Types].xml";
}

ExportEntries find_export_entries(const zip::Reader& zip)
{
    auto find = [&zip](std::string_view name) {
        const zip::Entry* entry = zip.find(name);
        return entry != nullptr ? entry : zip.find_ignoring_case(name);
    };
    ExportEntries entries{find("solution.xml"), find("customizations.xml"), find("[Content_Types].xml")};
    if (entries.manifest == nullptr) {
        throw_foreign("open " + quoted(std::filesystem::path(zip.display())) +
                      ": the zip has no solution.xml, so it is not a solution export" +
                      (zip.entries().empty() ? " (the archive is empty)" : ""));
    }
    return entries;
}

std::unique_ptr<SolutionInput> open_file_input(const std::filesystem::path& path, const InputLimits& limits)
{
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        throw_input("open " + quoted(path) + ": no such file or folder");
    }
    if (std::filesystem::is_directory(status)) {
        throw_foreign("open " + quoted(path) + ": a folder, not a solution file");
    }
    std::ifstream in(path, std::ios::binary);
    char magic[256] = {};
    in.read(magic, sizeof magic);
    std::string_view start(magic, static_cast<size_t>(in.gcount()));
    if (start.starts_with("PK")) {
        return std::make_unique<ZipInput>(path, limits);
    }
    std::string extension = path.extension().string();
    if (extension == ".zip") {
        return std::make_unique<ZipInput>(path, limits); // the zip reader names the real problem
    }
    const std::string expected = "; escprov reads a solution zip, an unpacked solution folder, or a customizations.xml "
                                 "or solution.xml whose root element is ImportExportXml";
    xml::FileSource source(path);
    xml::Parser parser(limits.xml);
    RootNameHandler handler;
    try {
        parser.parse(source, handler);
    } catch (const RootNameHandler::Found&) {
    } catch (const xml::ParseError& error) {
        // A file that does not even start with markup is not XML at all (a text file, /etc/passwd),
        // and the parser's "invalid document structure" would be the wrong thing to say. XML that is
        // broken (bad bytes, unsafe, over a limit, a solution file broken further in) keeps its error.
        if (error.kind() != ErrorKind::input || !handler.root.empty() || starts_with_markup(start)) {
            throw;
        }
        throw_foreign("open " + quoted(path) + ": not a zip archive (no zip signature) and not XML (line " +
                      std::to_string(error.where().line) + ", column " + std::to_string(error.where().column) + ": " +
                      error.cause() + ")" + expected);
    }
    if (handler.root != "ImportExportXml") {
        throw_foreign("open " + quoted(path) + ": not a solution: " +
                      (handler.root.empty() ? std::string("an XML file without a root element")
                                            : "an XML file whose root element is '" + handler.root + "'") +
                      expected);
    }
    // solution.xml and customizations.xml share the root element; the manifest has SolutionManifest.
    auto kind = handler.first_child == "SolutionManifest" ? SolutionInput::Kind::loose_manifest
                                                          : SolutionInput::Kind::loose_customizations;
    return std::make_unique<LooseInput>(path, kind, limits);
}

std::unique_ptr<SolutionInput> open_zip_input(const std::filesystem::path& path, const InputLimits& limits,
                                              std::string display)
{
    return std::make_unique<ZipInput>(path, limits, std::move(display));
}

} // namespace escprov::solution
