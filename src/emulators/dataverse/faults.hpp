#pragma once
// Deterministic fault injection: counters over every request except the token endpoints decide
// which answers become 429, 503 or a dropped connection, and which authenticated request expires
// the tokens issued so far.

#include "emulators/dataverse/options.hpp"

#include <atomic>
#include <cstdint>

namespace escprov::emulator {

enum class Fault { none, too_many_requests, unavailable, drop };

class Faults {
public:
    explicit Faults(const FaultOptions& options) : m_options(options) {}

    // Counts one request and says which fault, if any, it meets. Checked in the order 429, 503,
    // drop when several counters fall on the same request.
    Fault next_request();
    // Counts one authenticated request; true when it must find every token expired.
    bool next_authenticated();
    // The configured delay before each answer, in milliseconds.
    unsigned latency_ms() const { return m_options.latency_ms; }
    unsigned retry_after() const { return m_options.retry_after; }
    // How many of each fault happened so far (for the log line at exit).
    uint64_t count(Fault fault) const;

private:
    FaultOptions m_options;
    std::atomic<uint64_t> m_requests{0};
    std::atomic<uint64_t> m_authenticated{0};
    std::atomic<uint64_t> m_429{0};
    std::atomic<uint64_t> m_503{0};
    std::atomic<uint64_t> m_drop{0};
};

} // namespace escprov::emulator
