// escprov backup: create, verify, list and extract backups of an org's customisations.

#include "backup/backup.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "util/fs.hpp"
#include "util/output_target.hpp"
#include "util/progress.hpp"
#include "util/sha256.hpp"
#include "util/text.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <chrono>
#include <iomanip>
#include <map>
#include <ostream>
#include <vector>

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
            ("from", po::value(&m_from)->multitoken(), "create: the exported solution zips to keep (one or more)")
            ("metadata", po::value(&m_metadata)->multitoken(),
                 "create: the org metadata snapshot files to keep (.xml and .json are parsed on verify)")
            ("output,o", po::value(&m_output),
                 "create: the backup file to write, or a folder to write it into under a name that sorts by time")
            ("org", po::value(&m_org), "create: the URL of the org the exports come from")
            ("org-version", po::value(&m_org_version), "create: the org's CRM version, e.g. 8.2");
        positional_options().add_options()
            ("action", po::value(&m_action), "create, verify, list or extract (the first positional argument)")
            ("argument", po::value(&m_arguments), "the action's arguments (the positional arguments after it)");
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
               "atomically with mode 0600, named escprov-backup-<YYYYMMDDTHHMMSSZ>-<org>.zip when -o ends\n"
               "in '/' or is a folder (made when missing); an existing file is never overwritten (exit 1).\n"
               "--org must not carry a user name or password. verify re-reads every byte: sizes and hashes, every XML "
               "entry of every\n"
               "export, .xml and .json metadata, and that the manifest lists exactly the files present;\n"
               "it exits 1 naming each file that is missing, altered, extra or does not parse. list shows\n"
               "the backups in FOLDER, oldest first, each verified. extract verifies, then writes the files\n"
               "into FOLDER (absent or empty) all at once, privately: folders 0700, files 0600.";
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
        // What each action takes after its name, for "missing ..." messages.
        static const std::map<std::string, std::vector<std::string>> arguments = {
            {"create", {}}, {"verify", {"BACKUP"}}, {"list", {"FOLDER"}}, {"extract", {"BACKUP", "FOLDER"}}};
        if (m_action.empty()) {
            // --from and --metadata take every word after them, the action too when it comes later.
            for (const auto* values : {&m_from, &m_metadata}) {
                for (const auto& value : *values) {
                    if (arguments.count(value) != 0) {
                        std::string message = "backup: missing ACTION: ";
                        message.append(values == &m_from ? "--from" : "--metadata")
                            .append(" took '")
                            .append(value)
                            .append("' as one of its files, since it takes every argument after it; put the action "
                                    "first: escprov backup ")
                            .append(value)
                            .append(" ...");
                        throw_usage(message);
                    }
                }
            }
            throw_usage("backup: missing ACTION (create, verify, list or extract)");
        }
        auto found = arguments.find(m_action);
        if (found == arguments.end()) {
            throw_usage("backup: the action must be create, verify, list or extract, not '" + m_action + "'");
        }
        const std::vector<std::string>& wanted = found->second;
        if (m_arguments.size() < wanted.size()) {
            std::string missing;
            for (size_t i = m_arguments.size(); i < wanted.size(); ++i) {
                missing += (missing.empty() ? "" : " and ") + wanted[i];
            }
            // `backup verify --from a.zip B.zip`: --from takes every argument after it, B.zip included.
            for (const auto* values : {&m_from, &m_metadata}) {
                if (m_action != "create" && !values->empty()) {
                    throw_usage("backup " + m_action + ": missing " + missing + ": " +
                                (values == &m_from ? "--from" : "--metadata") + " took '" + values->back() +
                                "' as one of its files, since it takes every argument after it, and it belongs "
                                "to create; to " +
                                m_action + ": " + std::string(usage_of(m_action)));
                }
            }
            throw_usage("backup " + m_action + ": missing " + missing + " (see escprov backup --help)");
        }
        if (m_arguments.size() > wanted.size()) {
            throw_usage("backup " + m_action + ": unexpected argument '" + m_arguments[wanted.size()] +
                        "' (see escprov backup --help)");
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
            if (backup::has_user_info(m_org)) {
                // The URL is not repeated: its user information may hold a password.
                throw_usage("backup create: --org carries a user name or password (before '@'); give the org's "
                            "address alone, it is stored in the backup's name and manifest.json");
            }
        } else if (create_options) {
            throw_usage("backup " + m_action + ": --from, --metadata, -o, --org and --org-version belong to create");
        }
    }

private:
    // The usage line of one action.
    static std::string_view usage_of(const std::string& action)
    {
        if (action == "verify") {
            return "escprov backup verify BACKUP";
        }
        if (action == "list") {
            return "escprov backup list FOLDER";
        }
        return "escprov backup extract BACKUP FOLDER";
    }

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
        // -o FOLDER/ (or an existing folder) gets the backup under a name that sorts by time; a
        // backup is never replaced (docs/exit-codes.md, "Output targets").
        OutputFile output(m_output, OutputSpec{"backup create", "-o",
                                               backup::backup_file_name(m_org, options.created_at), "", false});
        const std::filesystem::path& path = output.path();
        output.make_folders();
        Progress progress(context.err, show_progress(context), "backup " + Progress::short_name(path.string()));
        options.progress = &progress;
        backup::Manifest manifest = backup::create_backup(path, options);
        progress.finish();
        output.keep();
        uint64_t total = 0;
        for (const auto& file : manifest.files) {
            total += file.size;
        }
        context.out << "backup: wrote " << quoted(path) << " (" << counted(manifest.files.size(), "file") << ", "
                    << total << " bytes)\n"
                    << "sha256:  " << sha256_file(path) << "\n"
                    << "created: " << manifest.created << "\n";
        return ExitCode::ok;
    }

    ExitCode verify(cli::Context& context)
    {
        std::filesystem::path path = m_arguments[0];
        Progress progress(context.err, show_progress(context), "verify " + Progress::short_name(path.string()));
        backup::Verification verification = backup::verify_backup(path, m_limits.limits(), &progress);
        progress.finish();
        if (!report_problems(context, "backup verify " + quoted(path) + ": ", verification)) {
            return ExitCode::findings;
        }
        context.out << "backup: verified " << quoted(path) << " ("
                    << counted(verification.manifest->files.size(), "file")
                    << "; every size, SHA-256 and XML part checked)\n";
        return ExitCode::ok;
    }

    ExitCode list(cli::Context& context)
    {
        backup::BackupFolder found = backup::list_backups(m_arguments[0], m_limits.limits());
        for (const auto& skipped : found.skipped) {
            context.err << "escprov: note: backup list: skipped " << quoted(skipped.path)
                        << ", not a backup: " << skipped.reason << "\n";
        }
        const auto& listings = found.backups;
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
            report_problems(context,
                            "backup list " + quoted(listing.path) + ": does not verify: ", listing.verification);
        }
        return all_ok ? ExitCode::ok : ExitCode::findings;
    }

    ExitCode extract(cli::Context& context)
    {
        std::filesystem::path path = m_arguments[0];
        std::filesystem::path folder = m_arguments[1];
        OutputFolder output(folder, OutputSpec{"backup extract", "", "", "", false});
        output.make_parents();
        Progress progress(context.err, show_progress(context), "extract " + Progress::short_name(path.string()));
        backup::Extraction extraction = backup::extract_backup(path, output.path(), m_limits.limits(), &progress);
        progress.finish();
        std::string prefix = "backup extract " + quoted(path) + ": ";
        if (!report_problems(context, prefix, extraction.verification)) {
            context.err << "escprov: error: " << prefix << "the backup does not verify; nothing was written to "
                        << quoted(folder) << "\n";
            return ExitCode::findings;
        }
        output.keep();
        context.out << "backup: wrote " << quoted(folder) << " ("
                    << counted(extraction.verification.manifest->files.size(), "file") << " and manifest.json from "
                    << quoted(path) << ")\n";
        return ExitCode::ok;
    }

    // Writes each problem to stderr as "escprov: error: <prefix><problem>"; returns true when there was none.
    static bool report_problems(cli::Context& context, const std::string& prefix,
                                const backup::Verification& verification)
    {
        for (const auto& problem : verification.problems) {
            context.err << "escprov: error: " << prefix << problem << "\n";
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
