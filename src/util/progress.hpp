#pragma once
// A one-line progress display on stderr for long operations ("unpack Contoso.zip  1200 components").
// Drawn only when enabled (a terminal, or --progress), redrawn at most ten times a second, and
// erased when the operation ends, so piped output and logs stay clean.

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace escprov {

class Progress {
public:
    Progress(std::ostream& out, bool enabled, std::string label);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    bool enabled() const { return m_enabled; }
    // Shows "label  status"; redraws only when the last draw is 100 ms old (or `force`).
    void show(std::string_view status, bool force = false);
    // Shows "label  N unit" ("1200 components").
    void count(uint64_t done, std::string_view unit);
    // Shows "label  43% 120/280 MB" (or "120 MB" when `total` is 0).
    void bytes(uint64_t done, uint64_t total);
    // Erases the line (also done by the destructor).
    void finish();

private:
    bool due();
    std::ostream& m_out;
    bool m_enabled;
    std::string m_label;
    std::chrono::steady_clock::time_point m_last_draw{};
    size_t m_drawn_width = 0;
};

} // namespace escprov
