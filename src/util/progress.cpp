#include "util/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ostream>

namespace escprov {

namespace {

constexpr auto k_redraw_interval = std::chrono::milliseconds(100);
// Before this much of a step has passed, the rate says too little for an ETA.
constexpr auto k_eta_after = std::chrono::milliseconds(500);
constexpr size_t k_min_bar = 10;
constexpr size_t k_max_bar = 30;
constexpr size_t k_min_label = 12;
constexpr size_t k_default_width = 80;

// `bytes` in `scale`'s unit: KB under a mebibyte of total, else MB.
std::string scaled(uint64_t bytes, uint64_t scale)
{
    return std::to_string(scale < (1u << 20) ? bytes >> 10 : bytes >> 20);
}

std::string amount(uint64_t done, uint64_t total, Progress::Unit unit, std::string_view unit_name)
{
    if (unit == Progress::Unit::bytes) {
        uint64_t scale = std::max(done, total);
        std::string suffix = scale < (1u << 20) ? " KB" : " MB";
        return (total == 0 ? scaled(done, scale) : scaled(done, scale) + "/" + scaled(total, scale)) + suffix;
    }
    return (total == 0 ? std::to_string(done) : std::to_string(done) + "/" + std::to_string(total)) + " " +
           std::string(unit_name);
}

std::string eta_text(std::optional<std::chrono::seconds> eta)
{
    if (!eta) {
        return "ETA -:--";
    }
    auto seconds = eta->count();
    auto two = [](long long value) { return (value < 10 ? "0" : "") + std::to_string(value); };
    if (seconds >= 3600) {
        return "ETA " + std::to_string(seconds / 3600) + ":" + two(seconds / 60 % 60) + ":" + two(seconds % 60);
    }
    return "ETA " + std::to_string(seconds / 60) + ":" + two(seconds % 60);
}

// Moves `at` back to the start of the UTF-8 character it is in.
size_t character_start(std::string_view text, size_t at)
{
    while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) {
        --at;
    }
    return at;
}

// `text` in at most `columns` bytes: its start and its end (a file name, the step) around "..."
// when it is too long, never cut inside a UTF-8 character.
std::string shortened(std::string_view text, size_t columns)
{
    if (text.size() <= columns) {
        return std::string(text);
    }
    if (columns <= 3) {
        return std::string(columns, '.');
    }
    size_t head = character_start(text, (columns - 3) / 3);
    size_t tail = text.size() - (columns - 3 - head);
    while (tail < text.size() && (static_cast<unsigned char>(text[tail]) & 0xC0) == 0x80) {
        ++tail;
    }
    return std::string(text.substr(0, head)) + "..." + std::string(text.substr(tail));
}

} // namespace

Progress::Progress(std::ostream& out, bool enabled, std::string label, size_t width, Clock clock)
    : m_out(out), m_enabled(enabled), m_label(std::move(label)),
      m_width(width != 0 ? width : (enabled ? terminal_width(STDERR_FILENO) : k_default_width)),
      m_clock(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })), m_step_label(m_label)
{}

Progress::~Progress()
{
    finish();
}

std::string Progress::short_name(const std::string& path)
{
    std::string_view name = path;
    while (name.size() > 1 && name.back() == '/') {
        name.remove_suffix(1);
    }
    size_t slash = name.rfind('/');
    return std::string(slash == std::string_view::npos || slash + 1 == name.size() ? name : name.substr(slash + 1));
}

size_t Progress::terminal_width(int fd)
{
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    if (const char* columns = std::getenv("COLUMNS")) {
        char* end = nullptr;
        long value = std::strtol(columns, &end, 10);
        if (end != columns && *end == '\0' && value > 0 && value < 10000) {
            return static_cast<size_t>(value);
        }
    }
    return k_default_width;
}

std::string Progress::render(std::string_view label, uint64_t done, uint64_t total, Unit unit,
                             std::string_view unit_name, std::optional<std::chrono::seconds> eta, size_t width)
{
    size_t columns = width > 1 ? width - 1 : 1; // the last column would make some terminals wrap
    if (total == 0 && done == 0) {
        return shortened(label, columns);
    }
    if (total == 0) {
        std::string count = "  " + amount(done, 0, unit, unit_name);
        if (columns <= count.size()) {
            return shortened(std::string(label) + count, columns);
        }
        return shortened(label, columns - count.size()) + count;
    }
    uint64_t percent = done >= total ? 100 : done * 100 / total;
    std::string right = " " + std::to_string(percent) + "% " + amount(std::min(done, total), total, unit, unit_name) +
                        "  " + eta_text(eta);
    size_t frame = right.size() + 3; // " [" and "]"
    if (columns < frame + k_min_bar + std::min(label.size(), k_min_label)) {
        return shortened(std::string(label) + right, columns); // too narrow for a bar
    }
    size_t bar = std::min(k_max_bar, std::max(k_min_bar, columns - frame - std::min(label.size(), columns - frame)));
    std::string shown = shortened(label, columns - frame - bar);
    auto filled = static_cast<size_t>(std::min(done, total) * bar / total);
    return shown + " [" + std::string(filled, '#') + std::string(bar - filled, '.') + "]" + right;
}

void Progress::begin(std::string_view step, uint64_t total, Unit unit, std::string_view unit_name)
{
    m_step_label = step.empty() ? m_label : m_label + ": " + std::string(step);
    m_total = total;
    m_unit = unit;
    m_unit_name = unit_name;
    m_done = 0;
    m_started = m_clock();
    draw(true);
}

void Progress::update(uint64_t done)
{
    m_done = done;
    draw(m_total != 0 && done >= m_total);
}

void Progress::draw(bool force)
{
    if (!m_enabled) {
        return;
    }
    auto now = m_clock();
    if (!force && m_last_draw && now - *m_last_draw < k_redraw_interval) {
        return;
    }
    m_last_draw = now;
    std::optional<std::chrono::seconds> eta;
    auto elapsed = now - m_started;
    if (m_total != 0 && m_done >= m_total) {
        eta = std::chrono::seconds(0);
    } else if (m_total != 0 && m_done > 0 && elapsed >= k_eta_after) {
        double left = std::chrono::duration<double>(elapsed).count() * static_cast<double>(m_total - m_done) /
                      static_cast<double>(m_done);
        eta = std::chrono::seconds(std::llround(left));
    }
    std::string line = render(m_step_label, m_done, m_total, m_unit, m_unit_name, eta, m_width);
    std::string padding(m_drawn_width > line.size() ? m_drawn_width - line.size() : 0, ' ');
    m_out << '\r' << line << padding << std::flush;
    m_drawn_width = std::max(line.size(), m_drawn_width);
}

void Progress::finish()
{
    if (m_enabled && m_drawn_width > 0) {
        m_out << '\r' << std::string(m_drawn_width, ' ') << '\r' << std::flush;
        m_drawn_width = 0;
    }
    m_last_draw.reset();
}

} // namespace escprov
