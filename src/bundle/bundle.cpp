#include "bundle/bundle.hpp"

#include "backup/backup.hpp"
#include "bundle/instructions.hpp"
#include "connector/connector.hpp"
#include "connector/form_tabs.hpp"
#include "pack/input.hpp"
#include "solution/input.hpp"
#include "util/build_info_access.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"
#include "xml/writer.hpp"
#include "zip/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>

namespace escprov::bundle {

namespace {

// What can go wrong when the solution lands on the customer's layers, judged from the solution
// alone (the customer's org is not visible from here).
std::vector<std::string> layering_risks(const solution::Manifest& manifest, bool has_backup)
{
    std::vector<std::string> risks;
    if (manifest.managed && *manifest.managed == 0) {
        risks.push_back("The solution is unmanaged: importing it writes into the organisation's unmanaged layer, "
                        "replaces unmanaged customisations of the same components, and cannot be uninstalled. "
                        "Rolling back means restoring from the backup.");
    }
    if (manifest.managed && *manifest.managed == 1) {
        for (const auto& root : manifest.root_components) {
            // 8.0 and later mark a shell with behavior 2; 5.x-7.x write no behavior at all, so
            // there the system entities the connector extends are the shells.
            bool shell = root.behavior ? *root.behavior == 2 : connector::is_extended_entity(root.schema_name);
            if (root.type == solution::ComponentType::entity && shell) {
                risks.push_back("Managed layer over the system entity '" + root.schema_name +
                                "': unmanaged customisations of it stay on top, so a customised form or view of "
                                "the same id hides the connector's changes until the unmanaged layer is removed.");
            }
        }
        // The org sitemap is the site map without a name; an app's sitemap (9.x) is the
        // connector's own and no unmanaged customisation covers it.
        bool org_sitemap = std::any_of(
            manifest.root_components.begin(), manifest.root_components.end(), [](const solution::RootComponent& root) {
                return root.type == solution::ComponentType::site_map && root.schema_name.empty() && root.id.empty();
            });
        if (org_sitemap) {
            risks.push_back("The solution carries the organisation's site map: an unmanaged site map "
                            "customisation in the organisation wins over the managed one, so the connector's area "
                            "may not show until the unmanaged site map is merged.");
        }
    }
    if (!has_backup) {
        risks.push_back("No backup is named in this bundle: export the organisation's unmanaged customisations "
                        "before importing.");
    }
    return risks;
}

// Where the connector's tab goes: the forms the solution changes, and, first and in capitals, the
// entities whose forms it cannot change, which the customer must do by hand.
void preflight_form_tabs(std::ostringstream& out, const std::vector<connector::FormTabPlacement>& placements)
{
    std::vector<std::string> missing;
    for (const auto& placement : placements) {
        if (!placement.placed()) {
            missing.push_back(placement.entity);
        }
    }
    if (!missing.empty()) {
        std::string names = connector::display_names(missing);
        out << "ACTION NEEDED: the solution changes no main form of " << names
            << ", so the import does not add the connector's \"Email Marketing\" tab to "
            << (missing.size() == 1 ? "it" : "them")
            << " (the export it was made from had none it could change). Add the tab by hand after the import: "
               "instructions.txt says how.\n\n";
    }
    out << "The connector's tab on the organisation's main forms:\n";
    if (placements.empty()) {
        out << "  none (the solution extends no system entity's forms)\n";
    }
    for (const auto& placement : placements) {
        out << "  - " << connector::entity_display_name(placement.entity) << ": ";
        if (!placement.placed()) {
            out << "NOT PLACED: the solution changes no main form of it; add the tab after the import\n";
            continue;
        }
        for (size_t i = 0; i < placement.forms.size(); ++i) {
            out << (i == 0 ? "" : ", ") << placement.forms[i];
        }
        out << "\n";
    }
    out << "\n";
}

std::string preflight_text(const Request& request, const solution::Manifest& manifest, const solution::CrmVersion& crm,
                           const std::vector<connector::FormTabPlacement>& placements, const std::string& report_entry)
{
    std::ostringstream out;
    out << "Preflight for " << request.customer << "\n\n"
        << "Solution: " << manifest.unique_name << " " << manifest.solution_version << " ("
        << std::string(solution::managed_word(manifest)) << "), publisher " << manifest.publisher.unique_name << "\n"
        << "Exported for: CRM " << crm.text << " (" << crm.family() << ")\n\n";
    preflight_form_tabs(out, placements);
    out << "What the organisation must already have (the solution's missing dependencies): "
        << manifest.missing_dependencies.size() << "\n";
    for (const auto& dependency : manifest.missing_dependencies) {
        out << "  - " << solution::dependency_line(dependency) << "\n";
    }
    std::vector<std::string> risks = layering_risks(manifest, request.backup.has_value());
    out << "\nLayering risks: " << risks.size() << "\n";
    for (const auto& risk : risks) {
        out << "  - " << risk << "\n";
    }
    out << "\nMerge report: ";
    if (!request.report) {
        out << "none given\n";
    } else if (request.report->extension() == ".html") {
        out << "see " << report_entry << " in this bundle\n";
    } else {
        out << report_entry << " in this bundle, as follows\n\n" << read_file(*request.report);
    }
    return out.str();
}

std::string backup_text(const std::filesystem::path& backup, const backup::Manifest& manifest,
                        const std::string& sha256, bool included)
{
    std::ostringstream out;
    out << "Backup taken before these changes\n\n"
        << "File:    " << backup.filename().string() << "\n"
        << "Size:    " << std::filesystem::file_size(backup) << " bytes\n"
        << "SHA-256: " << sha256 << "\n"
        << "Taken:   " << manifest.created << " by " << manifest.tool << "\n"
        << "Org:     " << (manifest.org_url.empty() ? std::string("(not recorded)") : manifest.org_url)
        << (manifest.org_version.empty() ? std::string() : ", CRM " + manifest.org_version) << "\n"
        << "In this bundle: "
        << (included ? "yes, as backup/" + backup.filename().string()
                     : std::string("no; the sender keeps it and sends it on request, by the name above"))
        << "\n\n"
        << "What it holds (the exports you sent and the org metadata; compare the SHA-256 with your copies):\n";
    for (const auto& file : manifest.files) {
        out << "  " << file.sha256 << "  " << file.size << " bytes  " << file.path << "\n";
    }
    return out.str();
}

// Collects entries, hashing each as it is added, so SHA256SUMS and manifest.json describe exactly
// what the zip holds.
class EntryList {
public:
    explicit EntryList(zip::Writer& writer) : m_writer(writer) {}

    void add_bytes(const std::string& name, std::string bytes)
    {
        m_sums.push_back({name, bytes.size(), sha256_hex(bytes)});
        m_writer.add_bytes(name, std::move(bytes));
    }
    void add_file(const std::string& name, const std::filesystem::path& file)
    {
        m_sums.push_back({name, std::filesystem::file_size(file), sha256_file(file)});
        m_writer.add_file(name, file);
    }
    const std::vector<EntrySum>& sums() const { return m_sums; }

private:
    zip::Writer& m_writer;
    std::vector<EntrySum> m_sums;
};

void require_file(const std::filesystem::path& file, std::string_view what)
{
    if (!std::filesystem::is_regular_file(file)) {
        throw_input("bundle: " + std::string(what) + " " + quoted(file) + " does not exist or is not a file");
    }
}

// The hand-off is the connector, managed, so that the customer can uninstall it; anything else
// is refused unless forced, saying what it is.
void check_solution(const Request& request, const solution::Manifest& manifest)
{
    if (request.force) {
        return;
    }
    const std::string& prefix = manifest.publisher.prefix;
    if (prefix != connector::k_connector_publisher_prefix) {
        throw_usage("bundle: --solution " + quoted(request.solution) + " is '" + manifest.unique_name +
                    "' by publisher '" + manifest.publisher.unique_name + "' (prefix '" + prefix +
                    "'), not the connector (prefix '" + std::string(connector::k_connector_publisher_prefix) +
                    "'); package the merge output with escprov package, or pass --force");
    }
    if (!manifest.managed || *manifest.managed != 1) {
        throw_usage("bundle: --solution " + quoted(request.solution) + " is " +
                    std::string(solution::managed_word(manifest)) +
                    "; the customer's IT should get a managed solution they can uninstall (escprov package "
                    "--managed), or pass --force");
    }
}

// The backup named in the bundle is the customer's way back; one that does not verify is no way back.
backup::Manifest checked_backup(const std::filesystem::path& backup, const solution::InputLimits& limits,
                                Progress* progress)
{
    backup::Verification verification = backup::verify_backup(backup, limits, progress);
    if (!verification.ok()) {
        std::string more = verification.problems.size() > 1
                               ? " (and " + std::to_string(verification.problems.size() - 1) + " more problems)"
                               : "";
        throw_input("bundle: --backup " + quoted(backup) + " does not verify: " + verification.problems.front() + more +
                    "; run escprov backup verify on it");
    }
    return *verification.manifest;
}

} // namespace

Cover cover_message(const Summary& summary, const Request& request, const std::string& bundle_sha256)
{
    const solution::Manifest& manifest = summary.manifest;
    std::string bundle_name = request.output.filename().string();
    Cover cover;
    cover.subject = "Email Service Connector " + manifest.solution_version + " for " + request.customer + " (CRM " +
                    summary.crm.text + ")";
    std::string signature = !request.signing                            ? "not signed"
                            : request.signing->type == KeyType::ed25519 ? "signed with our Ed25519 key"
                                                                        : "signed with our shared HMAC key";
    std::ostringstream body;
    body << "Hello,\r\n\r\n"
         << "Attached is " << bundle_name << ": the Email Service Connector " << manifest.solution_version << " ("
         << solution::managed_word(manifest) << ") for " << request.customer << "'s CRM " << summary.crm.text << " ("
         << summary.crm.family() << "), " << signature << ".\r\n\r\n"
         << "Before importing it, check that it arrived unaltered:\r\n"
         << "  escprov apply " << bundle_name << (request.signing ? " --key THE_KEY_WE_GAVE_YOU" : "") << "\r\n"
         << "or, without escprov, unzip it and run \"sha256sum -c SHA256SUMS\" in that folder.\r\n\r\n"
         << "The steps (service user and role, import, publish, what to test, how to roll back) are in\r\n"
         << "instructions.html and instructions.txt inside the bundle; preflight.txt lists what the\r\n"
         << "organisation must already have.\r\n\r\n"
         << "SHA-256 of " << bundle_name << ": " << bundle_sha256 << "\r\n\r\n"
         << "-- \r\nSent by escprov " << version_string() << "\r\n";
    cover.body = body.str();
    return cover;
}

std::string import_config(std::string_view solution_file)
{
    std::string name;
    xml::escape_attribute(name, solution_file);
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n"
           "<configdatastorage installsampledata=\"false\" waitforsampledatatoinstall=\"false\" "
           "agentdesktopzipfile=\"\" agentdesktopexename=\"\" crmmigdataimportfile=\"\">\r\n"
           "  <solutions>\r\n"
           "    <configsolutionfile solutionpackagefilename=\"" +
           name +
           "\" overwriteunmanagedcustomizations=\"false\" publishworkflowsandactivateplugins=\"true\" />\r\n"
           "  </solutions>\r\n"
           "</configdatastorage>\r\n";
}

Summary write_bundle(const Request& request)
{
    require_file(request.solution, "solution");
    auto input = pack::open_input(request.solution, request.limits);
    if (input->kind() != solution::SolutionInput::Kind::zip) {
        throw_usage("bundle: --solution " + quoted(request.solution) +
                    " is not a solution zip (package or pack the tree first)");
    }
    Summary summary;
    summary.manifest = input->read_manifest();
    auto crm = solution::target_version(summary.manifest);
    if (!crm) {
        throw_input("bundle " + quoted(request.solution) + ": solution.xml does not say which CRM version it is for");
    }
    summary.crm = *crm;
    check_solution(request, summary.manifest);
    std::optional<backup::Manifest> backup_manifest;
    if (request.backup) {
        require_file(*request.backup, "backup");
        backup_manifest = checked_backup(*request.backup, request.limits, request.progress);
    }
    if (request.report) {
        require_file(*request.report, "merge report");
    }

    std::string solution_entry = request.solution.filename().string();
    for (std::string_view reserved : {"ImportConfig.xml", "instructions.html", "instructions.txt", "preflight.txt",
                                      "backup.txt", "SHA256SUMS", "manifest.json", "manifest.sig"}) {
        if (solution_entry == reserved) {
            throw_usage("bundle: --solution " + quoted(request.solution) +
                        " has the name of a bundle entry; rename it (for example Name_managed.zip)");
        }
    }
    std::vector<connector::FormTabPlacement> placements = connector::form_tab_placements(*input);
    InstructionFacts facts{request.customer,
                           solution_entry,
                           summary.manifest,
                           summary.crm,
                           placements,
                           !request.backup          ? BackupInBundle::none
                           : request.include_backup ? BackupInBundle::included
                                                    : BackupInBundle::named};
    Instructions instructions = render_instructions(request.instructions, facts);
    std::string report_entry = request.report ? "merge-report" + request.report->extension().string() : "";

    zip::Writer writer(request.output, request.overwrite, AtomicFile::Access::owner_only);
    EntryList entries(writer);
    entries.add_file(solution_entry, request.solution);
    entries.add_bytes("ImportConfig.xml", import_config(solution_entry));
    entries.add_bytes("instructions.html", instructions.html);
    entries.add_bytes(std::string(k_instructions_text_entry), instructions.text);
    entries.add_bytes("preflight.txt",
                      preflight_text(request, summary.manifest, summary.crm, placements, report_entry));
    if (request.report) {
        entries.add_file(report_entry, *request.report);
    }
    if (request.backup) {
        std::string backup_sha = sha256_file(*request.backup);
        entries.add_bytes("backup.txt",
                          backup_text(*request.backup, *backup_manifest, backup_sha, request.include_backup));
        if (request.include_backup) {
            entries.add_file("backup/" + request.backup->filename().string(), *request.backup);
        }
    }
    std::string sums;
    for (const auto& entry : entries.sums()) {
        sums += entry.sha256 + "  " + entry.name + "\n";
    }
    entries.add_bytes(std::string(k_checksums_entry), sums);
    summary.entries = entries.sums();

    nlohmann::ordered_json manifest;
    manifest["format"] = k_format;
    manifest["tool"] = "escprov " + std::string(version_string());
    manifest["customer"] = request.customer;
    manifest["solution"] = {{"entry", solution_entry},
                            {"uniqueName", summary.manifest.unique_name},
                            {"version", summary.manifest.solution_version},
                            {"managed", std::string(solution::managed_word(summary.manifest))},
                            {"publisher", summary.manifest.publisher.unique_name},
                            {"crmVersion", summary.crm.text},
                            {"crmFamily", std::string(summary.crm.family())}};
    auto listed = nlohmann::ordered_json::array();
    for (const auto& entry : summary.entries) {
        listed.push_back({{"name", entry.name}, {"size", entry.size}, {"sha256", entry.sha256}});
    }
    manifest["entries"] = listed;
    if (request.signing) {
        manifest["signature"] = {{"algorithm", algorithm_name(request.signing->type)},
                                 {"entry", std::string(k_signature_entry)}};
    }
    std::string text;
    try {
        text = manifest.dump(2) + "\n";
    } catch (const nlohmann::json::exception&) {
        throw_usage("bundle: --customer and the solution's names must be valid UTF-8");
    }
    writer.add_bytes(std::string(k_manifest_entry), text);
    if (request.signing) {
        writer.add_bytes(std::string(k_signature_entry), sign(text, request.signing->key_file, request.signing->type));
    }
    writer.show_progress(request.progress, "writing");
    writer.commit();
    return summary;
}

} // namespace escprov::bundle
