#include "support.hpp"

#include "xml/source.hpp"
#include "zip/reader.hpp"

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

namespace escprov::test {

TempDir::TempDir()
{
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "escprov";
    std::replace(name.begin(), name.end(), '/', '_');
    std::random_device random;
    m_path = fs::temp_directory_path() / ("escprov-test-" + name + "-" + std::to_string(random()));
    fs::create_directories(m_path);
}

TempDir::~TempDir()
{
    std::error_code ec;
    // Tests may leave read-only folders behind; make them writable so removal succeeds.
    for (auto it = fs::recursive_directory_iterator(m_path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
    }
    fs::remove_all(m_path, ec);
}

RunningEscprov::RunningEscprov(const std::vector<std::string>& args, uint64_t address_space)
{
    fs::path out_path = m_capture / "stdout";
    fs::path err_path = m_capture / "stderr";
    std::string binary = ESCPROV_BINARY;
    std::vector<std::string> copies = args;
    std::vector<char*> argv{binary.data()};
    for (auto& arg : copies) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    m_pid = ::fork();
    if (m_pid == 0) {
        int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(out, 1);
        ::dup2(err, 2);
        if (address_space != 0) {
            rlimit limit{address_space, address_space};
            if (::setrlimit(RLIMIT_AS, &limit) != 0) {
                ::_exit(126);
            }
        }
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
}

RunningEscprov::~RunningEscprov()
{
    if (m_pid > 0 && !m_reaped) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
}

bool RunningEscprov::finished()
{
    if (m_reaped) {
        return true;
    }
    rusage usage{};
    if (::wait4(m_pid, &m_status, WNOHANG, &usage) == m_pid) {
        m_reaped = true;
        m_peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024; // Linux reports KiB
    }
    return m_reaped;
}

void RunningEscprov::signal(int signal_number) const
{
    if (!m_reaped) {
        ::kill(m_pid, signal_number);
    }
}

RunResult RunningEscprov::wait()
{
    if (!m_reaped) {
        rusage usage{};
        ::wait4(m_pid, &m_status, 0, &usage);
        m_reaped = true;
        m_peak_rss_bytes = static_cast<uint64_t>(usage.ru_maxrss) * 1024;
    }
    RunResult result;
    result.exit_code = WIFEXITED(m_status) ? WEXITSTATUS(m_status) : 128 + WTERMSIG(m_status);
    result.peak_rss_bytes = m_peak_rss_bytes;
    result.out = read_bytes(m_capture / "stdout");
    result.err = read_bytes(m_capture / "stderr");
    return result;
}

RunResult run_escprov(const std::vector<std::string>& args, uint64_t address_space)
{
    return RunningEscprov(args, address_space).wait();
}

HandOff make_hand_off(const fs::path& folder)
{
    HandOff made{folder / "merged", folder / "merge-report.txt", folder / "EmailServiceConnector_managed.zip"};
    fs::path base = source_dir() / "samples" / "orgs" / "crm2016-adatum.zip";
    RunResult merged = run_escprov({"merge", "--base", base.string(), "--target", "8.2", "--out", made.tree.string(),
                                    "--report", made.report.string()});
    if (merged.exit_code != 0) {
        ADD_FAILURE() << "merge failed: " << merged.err;
        return {};
    }
    RunResult packaged =
        run_escprov({"package", made.tree.string(), "--managed", "--target", "8.2", "-o", made.managed.string()});
    if (packaged.exit_code != 0) {
        ADD_FAILURE() << "package failed: " << packaged.err;
        return {};
    }
    return made;
}

std::vector<std::string> folder_names(const fs::path& folder)
{
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

fs::path corpus_dir()
{
    const char* configured = std::getenv("ESCPROV_CORPUS");
    fs::path path =
        configured != nullptr ? fs::path(configured) : fs::path(ESCPROV_SOURCE_DIR) / ".." / "shared" / "corpus";
    std::error_code ec;
    if (!fs::is_directory(path / "solutions", ec)) {
        return {};
    }
    return fs::canonical(path);
}

fs::path source_dir()
{
    return fs::path(ESCPROV_SOURCE_DIR);
}

std::vector<fs::path> corpus_zips()
{
    std::vector<fs::path> zips;
    fs::path corpus = corpus_dir();
    if (corpus.empty()) {
        return zips;
    }
    for (const auto& entry : fs::recursive_directory_iterator(corpus / "solutions")) {
        if (entry.is_regular_file() && entry.path().extension() == ".zip") {
            zips.push_back(entry.path());
        }
    }
    std::sort(zips.begin(), zips.end());
    return zips;
}

std::vector<fs::path> corpus_trees()
{
    std::vector<fs::path> trees;
    fs::path corpus = corpus_dir();
    if (corpus.empty()) {
        return trees;
    }
    for (const auto& entry : fs::recursive_directory_iterator(corpus / "solutions")) {
        if (entry.is_directory() && fs::is_regular_file(entry.path() / "Other" / "Solution.xml")) {
            trees.push_back(entry.path());
        }
    }
    std::sort(trees.begin(), trees.end());
    return trees;
}

std::string read_bytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string zip_entry(const fs::path& path, const std::string& name)
{
    zip::Reader reader(path);
    for (const auto& entry : reader.entries()) {
        if (entry.name == name) {
            return reader.read(entry);
        }
    }
    ADD_FAILURE() << name << " is not in " << path;
    return {};
}

std::string flowed(const std::string& text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            out += ' ';
            while (i + 1 < text.size() && text[i + 1] == ' ') {
                ++i;
            }
        } else {
            out += text[i];
        }
    }
    return out;
}

void write_bytes(const fs::path& path, const std::string& bytes)
{
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::set<std::string> files_below(const fs::path& folder)
{
    std::set<std::string> files;
    for (const auto& item : fs::recursive_directory_iterator(folder)) {
        if (item.is_regular_file()) {
            files.insert(fs::relative(item.path(), folder).generic_string());
        }
    }
    return files;
}

xml::Node parse_file(const fs::path& path)
{
    std::string bytes = read_bytes(path);
    xml::MemorySource source(bytes, path.filename().string());
    return xml::parse_document(source);
}

void for_each_element(const xml::Node& node, const std::function<void(const xml::Node&)>& visit)
{
    for (const auto& child : node.children) {
        if (child.is_element()) {
            visit(child);
            for_each_element(child, visit);
        }
    }
}

} // namespace escprov::test
