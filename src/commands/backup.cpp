// escprov backup: create, verify, list and extract backups of an org's customisations.

#include "backup/backup.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "util/sha256.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <chrono>
#include <iomanip>
#include <map>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class BackupCommand : public cli::Command {
public:
    BackupCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("action", po::value(&m_action)->required(), "create, verify, list or extract")
            ("argument", po::value(&m_arguments), "the action's arguments (see usage)")
            ("from", po::value(&m_from)->multitoken(), "create: the exported solution zips to keep (one or more)")
            ("metadata", po::value(&m_metadata)->multitoken(),
                 "create: the org metadata snapshot files to keep (.xml and .json are parsed on verify)")
            ("output,o", po::value(&m_output),
                 "create: the backup file to write, or a folder to write it into under a name that sorts by time")
            ("org", po::value(&m_org), "create: the URL of the org the exports come from")
            ("org-version", po::value(&m_org_version), "create: the org's CRM version, e.g. 8.2");
        // clang-format on
        m_limits.add_to(options());
        positional().add("action", 1).add("argument", -1);
    }
    std::string_view name() const override { return "backup"; }
    std::string_view synopsis() const override { return "create, verify, list and extract verified backups"; }
    std::string_view usage() const override
    {
        return "escprov backup create --from FILES... -o BACKUP|FOLDER [--org URL] [--org-version V] "
               "[--metadata FILES...]\n"
               "       escprov backup verify BACKUP\n"
               "       escprov backup list FOLDER\n"
               "       escprov backup extract BACKUP FOLDER";
    }
    std::string_view description() const override
    {
        return "Keeps an org's customisations safe before anything changes them. A backup is one zip:\n"
               "exports/ (the exported solution zips), metadata/ (the org metadata snapshot, when given) and\n"
               "manifest.json (org URL and version, creation time, tool version, and every file's size and\n"
               "SHA-256). create checks that every export opens as a solution, then writes the backup\n"
               "atomically with mode 0600; an existing file is never overwritten (exit 2). verify re-reads\n"
               "every byte: sizes and hashes, every export's XML, and that the manifest lists exactly the\n"
               "files present; it exits 1 naming each file that is missing, altered or extra. list shows\n"
               "the backups in FOLDER, oldest first, each verified. extract verifies, then writes the files\n"
               "into FOLDER (absent or empty) all at once.";
    }

    ExitCode run(cli::Context& context) override
    {
        if (m_action == "create") {
            return create(context);
        }
        if (m_action == "verify") {
            return verify(context);
        }
        if (m_action == "list") {
            return list(context);
        }
        return extract(context);
    }

protected:
    void check_options() override
    {
        static const std::map<std::string, size_t> arity = {{"create", 0}, {"verify", 1}, {"list", 1}, {"extract", 2}};
        auto found = arity.find(m_action);
        if (found == arity.end()) {
            throw_usage("backup: the action must be create, verify, list or extract, not '" + m_action + "'");
        }
        if (m_arguments.size() != found->second) {
            throw_usage("backup " + m_action + ": expected " + std::to_string(found->second) + " argument(s), got " +
                        std::to_string(m_arguments.size()) + " (see escprov backup --help)");
        }
        bool create_options =
            !m_from.empty() || !m_metadata.empty() || !m_output.empty() || !m_org.empty() || !m_org_version.empty();
        if (m_action == "create") {
            if (m_from.empty()) {
                throw_usage("backup create: --from is required (the exported solution zips)");
            }
            if (m_output.empty()) {
                throw_usage("backup create: -o is required (the backup file or a folder)");
            }
        } else if (create_options) {
            throw_usage("backup " + m_action + ": --from, --metadata, -o, --org and --org-version belong to create");
        }
    }

private:
    ExitCode create(cli::Context& context)
    {
        backup::CreateOptions options;
        options.exports.assign(m_from.begin(), m_from.end());
        options.metadata.assign(m_metadata.begin(), m_metadata.end());
        options.org_url = m_org;
        options.org_version = m_org_version;
        options.created_at =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        options.limits = m_limits.limits();
        std::filesystem::path path = m_output;
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            path /= backup::backup_file_name(m_org, options.created_at);
        }
        backup::Manifest manifest = backup::create_backup(path, options);
        uint64_t total = 0;
        for (const auto& file : manifest.files) {
            total += file.size;
        }
        context.out << "backup:  " << path.string() << "\n"
                    << "sha256:  " << sha256_file(path) << "\n"
                    << "created: " << manifest.created << "\n"
                    << "files:   " << manifest.files.size() << " (" << total << " bytes)\n";
        return ExitCode::ok;
    }

    ExitCode verify(cli::Context& context)
    {
        std::filesystem::path path = m_arguments[0];
        backup::Verification verification = backup::verify_backup(path, m_limits.limits());
        if (!report_problems(context, "verify", path, verification)) {
            return ExitCode::findings;
        }
        context.out << "ok: " << path.string() << " (" << verification.manifest->files.size()
                    << " files, every size, hash and XML part checked)\n";
        return ExitCode::ok;
    }

    ExitCode list(cli::Context& context)
    {
        auto listings = backup::list_backups(m_arguments[0], m_limits.limits());
        bool all_ok = true;
        std::ostream& out = context.out;
        out << std::left << std::setw(60) << "NAME"
            << "  " << std::setw(20) << "CREATED"
            << "  " << std::setw(30) << "ORG"
            << "  " << std::setw(5) << "FILES"
            << "  " << std::setw(12) << "BYTES"
            << "  VERIFIED\n";
        for (const auto& listing : listings) {
            const auto& manifest = listing.verification.manifest;
            bool ok = listing.verification.ok();
            all_ok = all_ok && ok;
            out << std::left << std::setw(60) << listing.path.filename().string() << "  " << std::setw(20)
                << (manifest ? manifest->created : "?") << "  " << std::setw(30)
                << (manifest ? (manifest->org_url.empty() ? "(local)" : manifest->org_url) : "?") << "  "
                << std::setw(5) << (manifest ? std::to_string(manifest->files.size()) : "?") << "  " << std::setw(12)
                << listing.total_size << "  " << (ok ? "yes" : "NO") << "\n";
            report_problems(context, "verify", listing.path, listing.verification);
        }
        return all_ok ? ExitCode::ok : ExitCode::findings;
    }

    ExitCode extract(cli::Context& context)
    {
        std::filesystem::path path = m_arguments[0];
        std::filesystem::path folder = m_arguments[1];
        backup::Extraction extraction = backup::extract_backup(path, folder, m_limits.limits());
        if (!report_problems(context, "extract", path, extraction.verification)) {
            context.err << "escprov: backup extract " << path.string() << ": nothing written\n";
            return ExitCode::findings;
        }
        context.out << "extracted " << extraction.files << " files into " << folder.string() << "\n";
        return ExitCode::ok;
    }

    // Writes each problem to stderr; returns true when there was none.
    static bool report_problems(cli::Context& context, std::string_view verb, const std::filesystem::path& path,
                                const backup::Verification& verification)
    {
        for (const auto& problem : verification.problems) {
            context.err << "escprov: backup " << verb << " '" << path.string() << "': " << problem << "\n";
        }
        return verification.ok();
    }

    std::string m_action;
    std::vector<std::string> m_arguments;
    std::vector<std::string> m_from;
    std::vector<std::string> m_metadata;
    std::string m_output;
    std::string m_org;
    std::string m_org_version;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_backup()
{
    return std::make_unique<BackupCommand>();
}

} // namespace escprov::commands
