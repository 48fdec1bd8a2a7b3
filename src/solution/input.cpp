#include "solution/input.hpp"

#include "util/error.hpp"
#include "util/fs.hpp"

#include <fstream>

namespace escprov::solution {

namespace {

bool is_manifest_file(const std::string& name)
{
    return name == "solution.xml" || name == "customizations.xml" || name == "[Content_Types].xml";
}

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
                throw xml::ParseError(ErrorKind::input, m_file, m_parser.location(),
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
    ZipInput(const std::filesystem::path& path, const InputLimits& limits)
        : m_path(path), m_limits(limits), m_zip(path, limits.zip)
    {
        m_manifest = m_zip.find("solution.xml");
        if (m_manifest == nullptr) {
            m_manifest = m_zip.find_ignoring_case("solution.xml");
        }
        m_customizations = m_zip.find("customizations.xml");
        if (m_customizations == nullptr) {
            m_customizations = m_zip.find_ignoring_case("customizations.xml");
        }
        if (m_manifest == nullptr) {
            throw_input("open " + quoted(path) + ": the zip has no solution.xml, so it is not a solution export" +
                        (m_zip.entries().empty() ? " (the archive is empty)" : ""));
        }
    }
    Kind kind() const override { return Kind::zip; }
    const std::filesystem::path& path() const override { return m_path; }
    bool has_manifest() const override { return true; }
    Manifest read_manifest() override
    {
        auto source = m_zip.open(*m_manifest);
        return solution::read_manifest(*source, m_limits.xml);
    }
    bool has_customizations() const override { return m_customizations != nullptr; }
    void read_customizations(CustomizationsHandler& handler) override
    {
        if (m_customizations == nullptr) {
            throw_input("read " + quoted(m_path) + ": the zip has no customizations.xml");
        }
        auto source = m_zip.open(*m_customizations);
        parse_customizations(*source, handler, m_limits.xml);
    }
    std::vector<std::string> parts() const override
    {
        std::vector<std::string> names;
        for (const auto& entry : m_zip.entries()) {
            if (!entry.is_directory && !is_manifest_file(entry.name)) {
                names.push_back(entry.name);
            }
        }
        return names;
    }
    std::optional<std::string> content_types() override
    {
        const zip::Entry* entry = m_zip.find("[Content_Types].xml");
        if (entry == nullptr) {
            return std::nullopt;
        }
        return m_zip.read(*entry);
    }
    std::string manifest_name() const override { return m_zip.display_name(*m_manifest); }
    std::string customizations_name() const override
    {
        return m_customizations != nullptr ? m_zip.display_name(*m_customizations)
                                           : m_path.filename().string() + "!customizations.xml";
    }
    zip::Reader* archive() override { return &m_zip; }

private:
    std::filesystem::path m_path;
    InputLimits m_limits;
    zip::Reader m_zip;
    const zip::Entry* m_manifest = nullptr;
    const zip::Entry* m_customizations = nullptr;
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

} // namespace

std::unique_ptr<SolutionInput> open_input(const std::filesystem::path& path, const InputLimits& limits)
{
    std::error_code ec;
    auto status = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(status)) {
        throw_input("open " + quoted(path) + ": no such file or folder");
    }
    if (std::filesystem::is_directory(status)) {
        return open_tree_input(path, limits);
    }
    std::ifstream in(path, std::ios::binary);
    char magic[2] = {};
    in.read(magic, 2);
    if (in.gcount() == 2 && magic[0] == 'P' && magic[1] == 'K') {
        return std::make_unique<ZipInput>(path, limits);
    }
    std::string extension = path.extension().string();
    if (extension == ".zip") {
        return std::make_unique<ZipInput>(path, limits); // the zip reader names the real problem
    }
    xml::FileSource source(path);
    xml::Parser parser(limits.xml);
    RootNameHandler handler;
    try {
        parser.parse(source, handler);
    } catch (const RootNameHandler::Found&) {
    }
    if (handler.root != "ImportExportXml") {
        throw_input("open " + quoted(path) +
                    ": not a solution: expected a zip, an unpacked folder, or an XML file "
                    "whose root element is ImportExportXml" +
                    (handler.root.empty() ? std::string() : " (the root element is '" + handler.root + "')"));
    }
    // solution.xml and customizations.xml share the root element; the manifest has SolutionManifest.
    auto kind = handler.first_child == "SolutionManifest" ? SolutionInput::Kind::loose_manifest
                                                          : SolutionInput::Kind::loose_customizations;
    return std::make_unique<LooseInput>(path, kind, limits);
}

} // namespace escprov::solution
