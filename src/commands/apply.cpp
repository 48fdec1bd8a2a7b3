// escprov apply: the customer's IT checks a bundle and gets the steps to install it.

#include "bundle/bundle.hpp"
#include "bundle/verify.hpp"
#include "cli/connection_options.hpp"
#include "cli/limit_options.hpp"
#include "commands/commands.hpp"
#include "connector/form_tabs.hpp"
#include "provision/org_import.hpp"
#include "remote/org.hpp"
#include "solution/input.hpp"
#include "util/progress.hpp"
#include "util/text.hpp"
#include "zip/reader.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

class ApplyCommand : public cli::Command {
public:
    ApplyCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("key", po::value(&m_key),
                 "check the signature with this key: the shared secret (hmac) or the sender's PEM public key (ed25519)")
            ("key-type", po::value(&m_key_type),
                 "hmac or ed25519: the signature the bundle must carry (default: a PEM public key is ed25519, any "
                 "other file an hmac secret)");
        positional_options().add_options()
            ("bundle", po::value(&m_bundle), "the bundle (also accepted as the positional argument)");
        // clang-format on
        m_connection.add_to(options(), positional_options(), false);
        m_limits.add_to(options());
        positional().add("bundle", 1);
    }
    std::string_view name() const override { return "apply"; }
    std::string_view synopsis() const override { return "check a hand-off bundle and show how to install it"; }
    std::string_view usage() const override { return "escprov apply [OPTIONS] BUNDLE"; }
    std::string_view description() const override
    {
        return "Checks BUNDLE (written by `escprov bundle`): every entry against manifest.json and\n"
               "SHA256SUMS, nothing added or missing, and with --key the manifest's signature, by the\n"
               "algorithm of the key (--key-type), never the one the bundle names (an unsigned bundle, or\n"
               "one signed another way, is then refused). Any mismatch or damage exits 1 naming the\n"
               "entry. Then it shows what will be installed (solution, version, managed, publisher, CRM\n"
               "version, root components by type, missing dependencies) and prints the manual steps for\n"
               "the CRM version the bundle was built for, all from the bytes it checked.\n"
               "With --org it then imports the solution it checked into that org, as `escprov import`\n"
               "does (progress, parsed errors, publish, verify); a signed bundle is imported only when\n"
               "--key checked its signature. Connecting: docs/connecting.md.";
    }

    void check_options() override
    {
        if (m_connection.given()) {
            m_resolved = m_connection.resolve("apply");
        }
        if (m_bundle.empty()) {
            throw_usage("apply: missing BUNDLE (the bundle zip to check)");
        }
        if (!m_key_type.empty()) {
            if (m_key.empty()) {
                throw_usage("apply: --key-type needs --key FILE");
            }
            try {
                m_declared_type = bundle::parse_key_type(m_key_type);
            } catch (const Error& error) {
                throw_usage(std::string("apply --key-type: ") + error.what());
            }
        }
    }

    ExitCode run(cli::Context& context) override
    {
        fs::path bundle_path(m_bundle);
        bundle::VerifyOptions options;
        solution::InputLimits limits = m_limits.limits();
        options.limits = limits.zip;
        if (!m_key.empty()) {
            try {
                options.key = bundle::VerifyKey{m_key, bundle::checking_key_type(m_key, m_declared_type)};
            } catch (const Error& error) {
                throw Error(error.kind(), "apply " + quoted(bundle_path) + ": " + error.what());
            }
        }
        zip::require_zip_file(bundle_path, "apply " + quoted(bundle_path));
        if (!std::ifstream(bundle_path, std::ios::binary)) {
            throw_input("apply " + quoted(bundle_path) + ": cannot read the file");
        }
        Progress progress(context.err, show_progress(context), "apply " + Progress::short_name(m_bundle));
        options.progress = &progress;
        bundle::Verification verification = bundle::verify_bundle(bundle_path, options);
        progress.finish();
        std::optional<solution::Manifest> manifest;
        std::vector<connector::FormTabPlacement> form_tabs;
        if (verification.ok()) {
            manifest = read_solution(verification, limits, form_tabs);
        }
        if (!verification.ok()) {
            return refuse(context.err, verification);
        }

        bool signed_bundle = verification.signature != bundle::SignatureState::unsigned_bundle;
        context.out << "apply: " << quoted(bundle_path) << " is intact (signature: " << signature_label(verification)
                    << ")\n"
                    << "Checked:       " << counted(verification.entries_checked, "entry", "entries")
                    << " and manifest.json" << (signed_bundle ? " and manifest.sig" : "") << " (all "
                    << verification.entries_checked + (signed_bundle ? 2 : 1)
                    << " in the bundle), against manifest.json and SHA256SUMS\n"
                    << "Signature:     " << signature_label(verification) << "\n"
                    << "Customer:      " << verification.customer << "\n";
        show_solution(context.out, verification.solution_entry, *manifest);
        show_form_tabs(context.out, form_tabs);
        if (m_connection.given()) {
            return import(context, bundle_path, verification, limits);
        }
        if (verification.instructions) {
            context.out << "\n" << *verification.instructions;
        } else {
            context.out << "\nThe bundle has no " << bundle::k_instructions_text_entry << "\n";
        }
        if (verification.signature == bundle::SignatureState::not_checked) {
            context.err << "escprov: warning: apply " << quoted(bundle_path) << ": the bundle is signed ("
                        << verification.algorithm << ") but no --key was given, so who made it is not checked\n";
        }
        return ExitCode::ok;
    }

private:
    // apply --org: the solution whose bytes were just checked goes into the org.
    ExitCode import(cli::Context& context, const fs::path& bundle_path, const bundle::Verification& verification,
                    const solution::InputLimits& limits)
    {
        if (verification.signature == bundle::SignatureState::not_checked) {
            context.err << "escprov: error: apply " << quoted(bundle_path) << " --org: the bundle is signed ("
                        << verification.algorithm
                        << ") but no --key was given; pass the sender's key so that who made it is checked before "
                           "anything is imported\n";
            return ExitCode::findings;
        }
        if (verification.signature == bundle::SignatureState::unsigned_bundle) {
            context.err << "escprov: warning: apply " << quoted(bundle_path)
                        << ": the bundle is not signed; only its checksums were checked\n";
        }
        auto org = cli::connect(m_resolved, context.err);
        Progress progress(context.err, show_progress(context), "apply " + Progress::short_name(m_bundle));
        provision::ImportOptions options;
        options.package = verification.solution_file();
        options.log_folder = bundle_path.parent_path().empty() ? fs::path(".") : bundle_path.parent_path();
        options.limits = limits;
        options.progress = &progress;
        context.out << "\nImporting " << verification.solution_entry << " into " << m_resolved.org_url << "\n";
        provision::ImportReport report = provision::import_package(*org, options);
        progress.finish();
        context.out << provision::render_import(report);
        return report.ok() ? ExitCode::ok : ExitCode::findings;
    }

    ExitCode refuse(std::ostream& err, const bundle::Verification& verification) const
    {
        std::string prefix = "escprov: error: apply " + quoted(fs::path(m_bundle)) + ": the bundle is refused: ";
        for (const auto& problem : verification.problems) {
            err << prefix << (problem.entry.empty() ? "" : "entry '" + problem.entry + "': ") << problem.reason << "\n";
        }
        size_t count = verification.problems.size();
        err << "escprov: error: apply " << quoted(fs::path(m_bundle)) << ": the bundle is refused ("
            << counted(count, "problem") << "); do not import it, ask the sender for a new one\n";
        return ExitCode::findings;
    }

    // The solution's manifest, from the copy of the bytes that were checked. A solution that
    // passed the checksums but cannot be read is a problem of the bundle.
    // `form_tabs` gets where the solution puts the connector's tab.
    static std::optional<solution::Manifest> read_solution(bundle::Verification& verification,
                                                           const solution::InputLimits& limits,
                                                           std::vector<connector::FormTabPlacement>& form_tabs)
    {
        if (!verification.solution_copy) {
            verification.problems.push_back({verification.solution_entry, "was not read (internal)"});
            return std::nullopt;
        }
        try {
            // Named as the bundle names it, never by the temporary copy it was checked in.
            auto input = solution::open_zip_input(verification.solution_file(), limits, verification.solution_entry);
            solution::Manifest manifest = input->read_manifest();
            form_tabs = connector::form_tab_placements(*input);
            return manifest;
        } catch (const Error& error) {
            verification.problems.push_back(
                {verification.solution_entry, std::string("is not a readable solution: ") + error.what()});
            return std::nullopt;
        }
    }

    static std::string signature_label(const bundle::Verification& verification)
    {
        switch (verification.signature) {
        case bundle::SignatureState::valid: return verification.algorithm + ", valid";
        case bundle::SignatureState::not_checked: return verification.algorithm + ", not checked (no --key)";
        case bundle::SignatureState::unsigned_bundle: return "none (the bundle is not signed)";
        }
        return "";
    }

    static void show_solution(std::ostream& out, const std::string& entry_name, const solution::Manifest& manifest)
    {
        auto crm = solution::target_version(manifest);
        out << "Solution:      " << manifest.unique_name
            << (manifest.display_name.empty() ? "" : " (\"" + manifest.display_name + "\")") << "\n"
            << "File:          " << entry_name << "\n"
            << "Version:       " << manifest.solution_version << "\n"
            << "Managed:       " << solution::managed_word(manifest) << "\n"
            << "Publisher:     " << manifest.publisher.unique_name << " (prefix " << manifest.publisher.prefix << ")\n"
            << "CRM version:   " << (crm ? crm->text + " - " + std::string(crm->family()) : "unknown") << "\n";
        std::map<std::string, size_t> by_type;
        for (const auto& root : manifest.root_components) {
            ++by_type[solution::component_type_name(root.type)];
        }
        out << "Root components (" << manifest.root_components.size() << "):\n";
        for (const auto& [type, count] : by_type) {
            out << "  " << std::left << std::setw(28) << type << count << "\n";
        }
        if (manifest.missing_dependencies.empty()) {
            out << "Missing dependencies: none (the solution needs nothing the organisation may lack)\n";
        } else {
            out << "Missing dependencies (" << manifest.missing_dependencies.size()
                << "): the organisation must already have these\n";
        }
        for (const auto& dependency : manifest.missing_dependencies) {
            out << "  " << solution::dependency_line(dependency) << "\n";
        }
    }

    // Which forms the import gives the connector's tab, and which the customer must give it by hand.
    static void show_form_tabs(std::ostream& out, const std::vector<connector::FormTabPlacement>& form_tabs)
    {
        if (form_tabs.empty()) {
            return;
        }
        std::vector<std::string> placed;
        std::vector<std::string> missing;
        for (const auto& placement : form_tabs) {
            (placement.placed() ? placed : missing).push_back(placement.entity);
        }
        out << "Email Marketing tab: "
            << (placed.empty() ? std::string("on no main form")
                               : "on the main forms of " + connector::display_names(placed))
            << "\n";
        if (!missing.empty()) {
            out << "ACTION NEEDED: the solution changes no main form of " << connector::display_names(missing)
                << "; after the import, add the tab to " << (missing.size() == 1 ? "it" : "them")
                << " by hand (instructions.txt says how)\n";
        }
    }

    std::string m_bundle;
    std::string m_key;
    std::string m_key_type;
    std::optional<bundle::KeyType> m_declared_type;
    cli::ConnectionOptions m_connection;
    remote::ConnectionOptions m_resolved;
    cli::LimitOptions m_limits;
};

} // namespace

std::unique_ptr<cli::Command> make_apply()
{
    return std::make_unique<ApplyCommand>();
}

} // namespace escprov::commands
