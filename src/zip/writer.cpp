#include "zip/writer.hpp"

#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/progress.hpp"

#include <zip.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace escprov::zip {

namespace {

// libzip asks while it compresses and writes (per entry and per chunk); a SIGINT or SIGTERM makes
// zip_close stop with ZIP_ER_CANCELLED and remove its own temporary.
int cancel_when_interrupted(::zip* /*archive*/, void* /*state*/)
{
    return interrupted() ? 1 : 0;
}

struct ProgressState {
    Progress* progress;
    uint64_t total;
};

// libzip reports the fraction of the archive written; no exception may cross back into it.
void report_progress(::zip* /*archive*/, double fraction, void* state) noexcept
{
    try {
        auto* shown = static_cast<ProgressState*>(state);
        shown->progress->update(static_cast<uint64_t>(fraction * static_cast<double>(shown->total)));
    } catch (...) { // NOLINT(bugprone-empty-catch): a progress line that fails to draw must not stop the write
    }
}

// Frees bytes from malloc(), which libzip frees itself once a source has taken them.
struct FreeBytes {
    void operator()(char* bytes) const noexcept { std::free(bytes); }
};

} // namespace

Writer::Writer(const std::filesystem::path& path, AtomicFile::Overwrite overwrite, AtomicFile::Access access)
    : m_path(path), m_file(path, overwrite, access)
{
    int code = 0;
    m_archive.reset(zip_open(m_file.temp_path().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
    if (!m_archive) {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        std::string message = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw_output("write " + quoted(path) + ": " + message);
    }
    zip_register_cancel_callback_with_state(m_archive.get(), &cancel_when_interrupted, nullptr, nullptr);
}

void Writer::finish_entry(int64_t index, const std::string& name)
{
    auto i = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(m_archive.get(), i, ZIP_CM_DEFLATE, 6) != 0 ||
        zip_file_set_mtime(m_archive.get(), i, k_fixed_mtime, 0) != 0 ||
        zip_file_set_external_attributes(m_archive.get(), i, 0, ZIP_OPSYS_DOS, 0) != 0) {
        throw_output("write " + quoted(m_path) + ": entry '" + name + "': " + zip_strerror(m_archive.get()));
    }
}

void Writer::add_source(const std::string& name, SourceHandle source)
{
    zip_int64_t index = zip_file_add(m_archive.get(), name.c_str(), source.get(), ZIP_FL_ENC_UTF_8);
    if (index < 0) {
        throw_output("write " + quoted(m_path) + ": entry '" + name + "': " + zip_strerror(m_archive.get()));
    }
    (void)source.release(); // the archive owns it now
    finish_entry(index, name);
}

void Writer::add_bytes(const std::string& name, std::string bytes)
{
    // libzip keeps the bytes until zip_close; with freep=1 the source frees them with free().
    std::unique_ptr<char, FreeBytes> copy(static_cast<char*>(std::malloc(bytes.empty() ? 1 : bytes.size())));
    if (!copy) {
        throw Error(ErrorKind::memory, "write " + quoted(m_path) + ": out of memory");
    }
    std::copy(bytes.begin(), bytes.end(), copy.get());
    SourceHandle source(zip_source_buffer(m_archive.get(), copy.get(), bytes.size(), 1));
    if (!source) {
        throw_output("write " + quoted(m_path) + ": " + zip_strerror(m_archive.get()));
    }
    (void)copy.release(); // the source owns it now
    add_source(name, std::move(source));
    m_input_bytes += bytes.size();
}

void Writer::add_file(const std::string& name, const std::filesystem::path& source_path)
{
    SourceHandle source(zip_source_file(m_archive.get(), source_path.c_str(), 0, -1));
    if (!source) {
        throw_output("write " + quoted(m_path) + ": cannot read " + quoted(source_path) + ": " +
                     zip_strerror(m_archive.get()));
    }
    add_source(name, std::move(source));
    std::error_code ec;
    uintmax_t size = std::filesystem::file_size(source_path, ec);
    m_input_bytes += ec ? 0 : size; // only for the progress total: zip_close reports a file it cannot read
}

void Writer::show_progress(Progress* progress, std::string step)
{
    m_progress = progress;
    m_progress_step = std::move(step);
}

void Writer::commit()
{
    check_interrupted();
    ProgressState shown{m_progress, m_input_bytes};
    if (m_progress != nullptr) {
        m_progress->begin(m_progress_step, m_input_bytes, Progress::Unit::bytes);
        zip_register_progress_callback_with_state(m_archive.get(), 0.001, &report_progress, nullptr, &shown);
    }
    if (zip_close(m_archive.get()) != 0) {
        // zip_close frees only on success: the handle stays with m_archive, which discards it.
        bool cancelled = zip_error_code_zip(zip_get_error(m_archive.get())) == ZIP_ER_CANCELLED;
        std::string message = zip_strerror(m_archive.get());
        m_archive.reset();
        if (cancelled) {
            throw Interrupted();
        }
        throw_output("write " + quoted(m_path) + ": " + message);
    }
    (void)m_archive.release(); // closed and freed by zip_close
    if (m_progress != nullptr) {
        m_progress->update(m_input_bytes);
    }
    // A signal during the last write leaves the temporary for the destructor to remove.
    check_interrupted();
    m_file.commit();
}

} // namespace escprov::zip
