#pragma once
// A one-line progress display on stderr for long operations ("unpack Contoso.zip  43% 120/280 MB").
// Drawn only when enabled (a terminal, or --progress), redrawn at most ten times a second, and
// erased when the operation ends, so piped output and logs stay clean.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace escprov {

class Progress {
public:
    // `total` is the expected amount of work in bytes (0 when unknown).
    Progress(std::ostream& out, bool enabled, std::string label, uint64_t total);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Records that `done` bytes of work are complete; redraws when due.
    void update(uint64_t done);
    // Adds `amount` to the work done.
    void advance(uint64_t amount) { update(m_done + amount); }
    // Erases the line (also done by the destructor).
    void finish();

private:
    void draw();
    std::ostream& m_out;
    bool m_enabled;
    std::string m_label;
    uint64_t m_total;
    uint64_t m_done = 0;
    std::chrono::steady_clock::time_point m_last_draw{};
    size_t m_drawn_width = 0;
};

} // namespace escprov
