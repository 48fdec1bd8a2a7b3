#include "emulators/dataverse/faults.hpp"

namespace escprov::emulator {

namespace {

bool falls_on(uint64_t number, unsigned every)
{
    return every != 0 && number % every == 0;
}

} // namespace

Fault Faults::next_request()
{
    uint64_t number = ++m_requests;
    if (falls_on(number, m_options.every_429)) {
        ++m_429;
        return Fault::too_many_requests;
    }
    if (falls_on(number, m_options.every_503)) {
        ++m_503;
        return Fault::unavailable;
    }
    if (falls_on(number, m_options.every_drop)) {
        ++m_drop;
        return Fault::drop;
    }
    return Fault::none;
}

bool Faults::next_authenticated()
{
    return falls_on(++m_authenticated, m_options.expire_every);
}

uint64_t Faults::count(Fault fault) const
{
    switch (fault) {
    case Fault::too_many_requests: return m_429;
    case Fault::unavailable: return m_503;
    case Fault::drop: return m_drop;
    case Fault::none: return m_requests - m_429 - m_503 - m_drop;
    }
    return 0;
}

} // namespace escprov::emulator
