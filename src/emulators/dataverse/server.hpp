#pragma once
// The HTTP server (cpp-httplib, kept inside server.cpp): routes the token endpoints, the Web API
// and the SOAP endpoint, applies latency and the fault counters, checks bearer tokens, and
// turns the emulator's HttpResponse into bytes on the wire.

#include "emulators/dataverse/emulator.hpp"

#include <memory>

namespace escprov::emulator {

class Server {
public:
    explicit Server(Emulator& emulator);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds 127.0.0.1:`port` (0: a free port). Returns the port. Throws Error(output) when it cannot.
    int bind(unsigned port);
    // Serves until stop(). Call after bind().
    void run();
    // Makes run() return; safe from another thread.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace escprov::emulator
