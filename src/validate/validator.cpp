#include "validate/validator.hpp"

#include "pack/input.hpp"
#include "util/fs.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"
#include "validate/content_checks.hpp"
#include "validate/manifest_checks.hpp"
#include "validate/package_checks.hpp"
#include "validate/xsd.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iterator>
#include <memory>

namespace escprov::validate {

namespace {

// A hostile, over-limit or foreign input cannot be checked; XML that is merely not well-formed is
// a finding. The reader reports a DOCTYPE (unsafe) and the input layer a root other than
// ImportExportXml (foreign) as ParseErrors too: their kind tells them apart.
bool cannot_check(const Error& error)
{
    return error.kind() != ErrorKind::input;
}

// Runs one step; a well-formedness error becomes ESC-XML-001, anything else that stops
// reading becomes the report's failure. Returns false when the step did not complete.
template <typename Step> bool guarded(PathReport& report, Findings& findings, const std::string& verb, Step&& step)
{
    try {
        step();
        return true;
    } catch (const xml::ParseError& error) {
        if (cannot_check(error)) {
            report.failure = verb + ": " + error.what();
        } else {
            findings.add("ESC-XML-001", error.file(), error.where(), error.cause());
        }
    } catch (const Error& error) {
        if (error.kind() == ErrorKind::memory) {
            throw; // the machine's failure, not the path's: it ends the run as a bad_alloc does
        }
        report.failure = verb + ": " + error.what();
    }
    return false;
}

// Sends customizations.xml's events to several checks in one pass.
class Fanout : public solution::CustomizationsHandler {
public:
    explicit Fanout(std::vector<solution::CustomizationsHandler*> handlers)
    {
        std::copy_if(handlers.begin(), handlers.end(), std::back_inserter(m_handlers),
                     [](const solution::CustomizationsHandler* handler) { return handler != nullptr; });
    }
    void set_locations(const xml::LocationProvider& locations) override
    {
        for (auto* handler : m_handlers) {
            handler->set_locations(locations);
        }
    }
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override
    {
        for (auto* handler : m_handlers) {
            handler->start_element(name, attributes, empty_tag);
        }
    }
    void end_element(std::string_view name) override
    {
        for (auto* handler : m_handlers) {
            handler->end_element(name);
        }
    }
    void characters(std::string_view text, bool cdata) override
    {
        for (auto* handler : m_handlers) {
            if (handler->wants_characters()) {
                handler->characters(text, cdata);
            }
        }
    }
    bool wants_characters() const override
    {
        return std::any_of(m_handlers.begin(), m_handlers.end(),
                           [](const solution::CustomizationsHandler* handler) { return handler->wants_characters(); });
    }
    void comment(std::string_view text) override
    {
        for (auto* handler : m_handlers) {
            handler->comment(text);
        }
    }
    void processing_instruction(std::string_view target, std::string_view data) override
    {
        for (auto* handler : m_handlers) {
            handler->processing_instruction(target, data);
        }
    }

private:
    std::vector<solution::CustomizationsHandler*> m_handlers;
};

} // namespace

PathReport validate_path(const std::filesystem::path& path, const Options& options)
{
    auto started = std::chrono::steady_clock::now();
    PathReport report;
    report.path = path.string();
    Findings findings;
    std::unique_ptr<solution::SolutionInput> input;
    bool opened = false;
    try {
        input = pack::open_input(path, options.limits);
        opened = true;
    } catch (const Error& error) {
        if (error.kind() == ErrorKind::memory) {
            throw;
        }
        // Not knowing what the input is, we cannot check it: not a finding, exit 2.
        report.failure = "validate " + quoted(path) + ": " + error.what();
    }

    std::optional<solution::Manifest> manifest;
    if (opened && input->has_manifest()) {
        guarded(report, findings, "validate " + quoted(path), [&] { manifest = input->read_manifest(); });
        if (manifest) {
            check_manifest(*manifest, findings);
            if (input->kind() == solution::SolutionInput::Kind::zip) {
                check_managed_name(*manifest, path.filename().string(), findings);
            }
        }
    }

    std::unique_ptr<CompatChecks> compat;
    if (opened && !report.failure) {
        std::string note_file = input->has_customizations() ? input->customizations_name() : input->manifest_name();
        compat = CompatChecks::start(options.compat, manifest ? &*manifest : nullptr, note_file, findings);
        if (!compat) {
            report.skipped.emplace_back("compat",
                                        !options.compat.enabled ? "turned off (--no-compat)"
                                        : manifest || options.compat.target
                                            ? "no version profile could check it (see the ESC-VER-005 note)"
                                            : "no CRM version known: no solution.xml (pass --target VERSION)");
        }
        if (compat && manifest) {
            compat->check_manifest(*manifest);
        }
    }

    bool packaged = opened && (input->kind() == solution::SolutionInput::Kind::zip ||
                               input->kind() == solution::SolutionInput::Kind::tree);
    if (opened && !report.failure && input->has_customizations()) {
        ContentContext context;
        context.file = input->customizations_name();
        context.manifest = manifest ? &*manifest : nullptr;
        if (packaged) {
            std::set<std::string> parts;
            for (const auto& part : input->parts()) {
                parts.insert(ascii_lower(part));
            }
            context.parts = std::move(parts);
        }
        std::string file = context.file;
        std::unique_ptr<SchemaChecker> schemas;
        std::unique_ptr<DocumentSchemaCheck> document_schema;
        SubtreeCheck subtree_check;
        if (!options.schemas) {
            report.skipped.emplace_back("xsd", "no --schemas DIR given");
        } else {
            schemas = std::make_unique<SchemaChecker>(*options.schemas);
            if (schemas->has_document_schema(findings, file)) {
                // The whole file against CustomizationsSolution.xsd covers SiteMaps, ribbons and FetchXml.
                document_schema = std::make_unique<DocumentSchemaCheck>(*schemas, file, findings);
            } else {
                subtree_check = [&](std::string_view kind, const xml::Node& node, const std::string& at_file,
                                    xml::Location where) { schemas->check(kind, node, at_file, where, findings); };
            }
        }
        ContentChecks checks(std::move(context), findings, subtree_check);
        Fanout fanout({&checks, compat ? &compat->customizations(file) : nullptr, document_schema.get()});
        zip::Reader* archive = input->archive();
        const zip::Entry* customizations =
            archive != nullptr ? solution::find_export_entries(*archive).customizations : nullptr;
        if (options.progress != nullptr) {
            // A zip's customizations.xml is what takes the time; a tree or a loose file shows the label.
            options.progress->begin(options.progress_step, customizations != nullptr ? customizations->size : 0,
                                    Progress::Unit::bytes);
            if (customizations != nullptr) {
                archive->set_read_hook([progress = options.progress](uint64_t bytes) { progress->advance(bytes); });
            }
        }
        guarded(report, findings, "validate " + quoted(path), [&] { input->read_customizations(fanout); });
        if (archive != nullptr) {
            archive->set_read_hook({});
        }
        if (document_schema) {
            document_schema->finish();
        }
    } else if (opened && input->kind() == solution::SolutionInput::Kind::zip) {
        findings.add("ESC-CT-004", input->customizations_name(),
                     "the zip has no customizations.xml; every solution export has one");
    }

    if (opened && !report.failure && input->kind() == solution::SolutionInput::Kind::zip) {
        guarded(report, findings, "validate " + quoted(path), [&] {
            std::optional<std::string> types = input->content_types();
            std::string name = path.filename().string() + "![Content_Types].xml";
            if (!types) {
                findings.add("ESC-CT-001", name,
                             "the zip has no [Content_Types].xml; CRM refuses a package without it");
                return;
            }
            std::vector<std::string> parts;
            for (const auto& entry : input->archive()->entries()) {
                if (!entry.is_directory && entry.name != "[Content_Types].xml") {
                    parts.push_back(entry.name);
                }
            }
            check_content_types(*types, name, parts, findings);
        });
    }

    if (compat) {
        compat->finish();
    }
    report.findings = findings.take();
    std::stable_sort(report.findings.begin(), report.findings.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.file, a.line, a.column, a.code) < std::tie(b.file, b.line, b.column, b.code);
    });
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

} // namespace escprov::validate
