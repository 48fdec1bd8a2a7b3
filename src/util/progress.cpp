#include "util/progress.hpp"

#include <ostream>

namespace escprov {

namespace {
constexpr auto k_redraw_interval = std::chrono::milliseconds(100);

std::string megabytes(uint64_t bytes) { return std::to_string(bytes >> 20); }
} // namespace

Progress::Progress(std::ostream& out, bool enabled, std::string label, uint64_t total)
    : m_out(out), m_enabled(enabled), m_label(std::move(label)), m_total(total)
{
}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done)
{
    m_done = done;
    if (!m_enabled) {
        return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - m_last_draw < k_redraw_interval) {
        return;
    }
    m_last_draw = now;
    draw();
}

void Progress::draw()
{
    std::string line = m_label + "  ";
    if (m_total > 0) {
        uint64_t percent = m_done >= m_total ? 100 : m_done * 100 / m_total;
        line += std::to_string(percent) + "% " + megabytes(m_done) + "/" + megabytes(m_total) + " MB";
    } else {
        line += megabytes(m_done) + " MB";
    }
    std::string padding(m_drawn_width > line.size() ? m_drawn_width - line.size() : 0, ' ');
    m_out << '\r' << line << padding << std::flush;
    m_drawn_width = line.size();
}

void Progress::finish()
{
    if (m_enabled && m_drawn_width > 0) {
        m_out << '\r' << std::string(m_drawn_width, ' ') << '\r' << std::flush;
        m_drawn_width = 0;
    }
}

} // namespace escprov
