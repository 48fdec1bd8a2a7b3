#include "util/progress.hpp"

#include <ostream>

namespace escprov {

namespace {
constexpr auto k_redraw_interval = std::chrono::milliseconds(100);
std::string megabytes(uint64_t bytes)
{
    return std::to_string(bytes >> 20);
}
} // namespace

Progress::Progress(std::ostream& out, bool enabled, std::string label)
    : m_out(out), m_enabled(enabled), m_label(std::move(label))
{}

Progress::~Progress()
{
    finish();
}

bool Progress::due()
{
    auto now = std::chrono::steady_clock::now();
    if (now - m_last_draw < k_redraw_interval) {
        return false;
    }
    m_last_draw = now;
    return true;
}

void Progress::show(std::string_view status, bool force)
{
    if (!m_enabled || (!due() && !force)) {
        return;
    }
    std::string line = m_label + "  " + std::string(status);
    std::string padding(m_drawn_width > line.size() ? m_drawn_width - line.size() : 0, ' ');
    m_out << '\r' << line << padding << std::flush;
    m_drawn_width = line.size();
}

void Progress::count(uint64_t done, std::string_view unit)
{
    if (m_enabled) {
        show(std::to_string(done) + " " + std::string(unit));
    }
}

void Progress::bytes(uint64_t done, uint64_t total)
{
    if (!m_enabled) {
        return;
    }
    if (total == 0) {
        show(megabytes(done) + " MB");
        return;
    }
    uint64_t percent = done >= total ? 100 : done * 100 / total;
    show(std::to_string(percent) + "% " + megabytes(done) + "/" + megabytes(total) + " MB");
}

void Progress::finish()
{
    if (m_enabled && m_drawn_width > 0) {
        m_out << '\r' << std::string(m_drawn_width, ' ') << '\r' << std::flush;
        m_drawn_width = 0;
    }
}

} // namespace escprov
