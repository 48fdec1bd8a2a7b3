// escprov apply: the customer's IT checks a bundle and gets the steps to install it.

#include "bundle/bundle.hpp"
#include "bundle/verify.hpp"
#include "commands/commands.hpp"
#include "solution/input.hpp"
#include "zip/reader.hpp"

#include <boost/program_options/value_semantic.hpp>

#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>

namespace escprov::commands {

namespace po = boost::program_options;

namespace {

// A file removed when it goes out of scope: the solution copied out of the bundle for reading.
class ScratchFile {
public:
    explicit ScratchFile(fs::path path) : m_path(std::move(path)) {}
    ~ScratchFile()
    {
        std::error_code ignored;
        fs::remove(m_path, ignored);
    }
    ScratchFile(const ScratchFile&) = delete;
    ScratchFile& operator=(const ScratchFile&) = delete;
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

std::string managed_label(const solution::Manifest& manifest)
{
    if (!manifest.managed) {
        return "unknown";
    }
    return *manifest.managed == 1 ? "managed" : *manifest.managed == 0 ? "unmanaged" : "unknown";
}

class ApplyCommand : public cli::Command {
public:
    ApplyCommand()
    {
        // One option per line reads as a table, which clang-format would fold.
        // clang-format off
        options().add_options()
            ("bundle", po::value(&m_bundle)->required(), "the bundle (also accepted as the positional argument)")
            ("key", po::value(&m_key),
                 "check the signature with this key: the shared secret (hmac) or the sender's PEM public key (ed25519)")
            ("org", po::value(&m_org), "import into this organisation URL (reserved: remote import is not available yet)");
        // clang-format on
        positional().add("bundle", 1);
    }
    std::string_view name() const override { return "apply"; }
    std::string_view synopsis() const override { return "check a hand-off bundle and show how to install it"; }
    std::string_view usage() const override { return "escprov apply [OPTIONS] BUNDLE"; }
    std::string_view description() const override
    {
        return "Checks BUNDLE (written by `escprov bundle`): every entry against manifest.json and\n"
               "SHA256SUMS, nothing added or missing, and with --key the manifest's signature (a\n"
               "bundle without one is then refused). Any mismatch exits 1 naming the entry. Then it\n"
               "shows what will be installed (solution, version, managed, publisher, CRM version, root\n"
               "components by type, missing dependencies) and prints the manual steps for the CRM\n"
               "version the bundle was built for.";
    }

    ExitCode run(cli::Context& context) override
    {
        if (!m_org.empty()) {
            throw_usage("apply --org: remote import is not available yet; run without --org for the manual steps");
        }
        std::optional<fs::path> key = m_key.empty() ? std::nullopt : std::optional<fs::path>(m_key);
        bundle::Verification verification = bundle::verify_bundle(m_bundle, key);
        if (!verification.ok()) {
            for (const auto& problem : verification.problems) {
                context.err << "escprov: error: apply " << quoted(fs::path(m_bundle)) << ": entry '" << problem.entry
                            << "': " << problem.reason << "\n";
            }
            context.err << "escprov: apply: the bundle is refused (" << verification.problems.size() << " problem"
                        << (verification.problems.size() == 1 ? "" : "s")
                        << "); do not import it, ask the sender for a new one\n";
            return ExitCode::findings;
        }
        context.out << "Bundle:        " << m_bundle << "\n"
                    << "Checked:       " << verification.entries_checked << " entries match manifest.json and "
                    << "SHA256SUMS\n"
                    << "Signature:     " << signature_label(verification) << "\n"
                    << "Customer:      " << verification.customer << "\n";
        show_solution(context.out, verification.solution_entry);
        zip::Reader reader(m_bundle);
        const zip::Entry* instructions = reader.find(bundle::k_instructions_text_entry);
        if (instructions != nullptr) {
            context.out << "\n" << reader.read(*instructions);
        }
        if (verification.signature == bundle::SignatureState::not_checked) {
            context.err << "escprov: warning: apply: the bundle is signed (" << verification.algorithm
                        << ") but no --key was given, so who made it is not checked\n";
        }
        return ExitCode::ok;
    }

private:
    static std::string signature_label(const bundle::Verification& verification)
    {
        switch (verification.signature) {
        case bundle::SignatureState::valid: return verification.algorithm + ", valid";
        case bundle::SignatureState::not_checked: return verification.algorithm + ", not checked (no --key)";
        case bundle::SignatureState::unsigned_bundle: return "none (the bundle is not signed)";
        }
        return "";
    }

    // The solution's manifest, read from a copy beside the system's temporary folder.
    void show_solution(std::ostream& out, const std::string& entry_name) const
    {
        zip::Reader reader(m_bundle);
        const zip::Entry* entry = reader.find(entry_name);
        ScratchFile copy(fs::temp_directory_path() / temp_name("apply-solution.zip"));
        {
            std::ofstream file(copy.path(), std::ios::binary);
            file << reader.read(*entry);
            if (!file) {
                throw_output("apply: cannot write a scratch copy of the solution to " + quoted(copy.path()));
            }
        }
        auto input = solution::open_input(copy.path(), {});
        solution::Manifest manifest = input->read_manifest();
        auto crm = solution::target_version(manifest);
        out << "Solution:      " << manifest.unique_name
            << (manifest.display_name.empty() ? "" : " (\"" + manifest.display_name + "\")") << "\n"
            << "File:          " << entry_name << "\n"
            << "Version:       " << manifest.solution_version << "\n"
            << "Managed:       " << managed_label(manifest) << "\n"
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
        out << "Missing dependencies (" << manifest.missing_dependencies.size()
            << "): the organisation must already have these\n";
        for (const auto& dependency : manifest.missing_dependencies) {
            out << "  " << solution::component_type_name(dependency.required.type) << " "
                << (dependency.required.schema_name.empty() ? dependency.required.id : dependency.required.schema_name)
                << (dependency.required.solution.empty() ? "" : " from " + dependency.required.solution) << "\n";
        }
    }

    std::string m_bundle;
    std::string m_key;
    std::string m_org;
};

} // namespace

std::unique_ptr<cli::Command> make_apply()
{
    return std::make_unique<ApplyCommand>();
}

} // namespace escprov::commands
