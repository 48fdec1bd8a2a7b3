#pragma once
// A progress bar on stderr for long operations:
//   "unpack Contoso.zip [########............] 43% 120/280 MB  ETA 0:03"
// Drawn only when enabled (a terminal, or --progress), redrawn at most ten times a second, fitted
// to the terminal's width, and erased when the operation ends, so piped output and logs stay clean.
// Commands own the Progress and decide whether it draws; engines get a Progress* (null: nobody
// watches) and report steps and how far they got, never touching stderr themselves.

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace escprov {

class Progress {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    // What a step counts: bytes are shown in KB or MB, items by `unit_name` ("files", "entries").
    enum class Unit { bytes, items };

    // Draws on `out` when `enabled`. `width` 0: the terminal's (terminal_width()). `clock` (tests)
    // defaults to the steady clock.
    Progress(std::ostream& out, bool enabled, std::string label, size_t width = 0, Clock clock = {});
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    bool enabled() const { return m_enabled; }
    // Replaces the label (for the next begin()): "validate [2/3] b.zip".
    void set_label(std::string label) { m_label = std::move(label); }
    // Starts a step of `total` units (0: not known, then no bar is drawn, only the count) and draws
    // it at once. `step` is shown after the label ("merge base.zip: writing"); empty shows the label
    // alone.
    void begin(std::string_view step, uint64_t total, Unit unit, std::string_view unit_name = "items");
    // Sets how far the step has got. Redraws when the last draw is 100 ms old, and always when
    // `done` reaches the total, so the 100% state is always shown before the line is erased.
    void update(uint64_t done);
    // update(done + delta).
    void advance(uint64_t delta = 1) { update(m_done + delta); }
    // Erases the line (also done by the destructor). A later begin() draws again.
    void finish();

    // One line, fitted into `width` columns (less one, so that no terminal wraps it): the label,
    // a bar, the percentage, done/total and the ETA when `total` is known, else the label and the
    // count (the label alone while the count is 0). Exposed for tests.
    static std::string render(std::string_view label, uint64_t done, uint64_t total, Unit unit,
                              std::string_view unit_name, std::optional<std::chrono::seconds> eta, size_t width);
    // The last component of `path` ("a/b/Contoso.zip/" gives "Contoso.zip"), for labels: the
    // bar keeps room for the step and the numbers.
    static std::string short_name(const std::string& path);
    // The width of the terminal on `fd` (TIOCGWINSZ), else $COLUMNS, else 80.
    static size_t terminal_width(int fd);

private:
    void draw(bool force);
    std::ostream& m_out;
    bool m_enabled;
    std::string m_label;
    size_t m_width;
    Clock m_clock;
    std::string m_step_label;
    Unit m_unit = Unit::items;
    std::string m_unit_name;
    uint64_t m_total = 0;
    uint64_t m_done = 0;
    std::chrono::steady_clock::time_point m_started{};
    std::optional<std::chrono::steady_clock::time_point> m_last_draw;
    size_t m_drawn_width = 0;
};

} // namespace escprov
