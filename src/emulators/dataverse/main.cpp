// escprov-fake-dataverse: a Dataverse / Dynamics CRM org on loopback for escprov's tests, demo and
// benchmarks. See options.cpp for the command line and docs/emulator.md for what it serves.

#include "emulators/dataverse/emulator.hpp"
#include "emulators/dataverse/options.hpp"
#include "emulators/dataverse/server.hpp"
#include "util/error.hpp"
#include "xml/platform.hpp"

#include <atomic>
#include <csignal>
#include <iostream>
#include <pthread.h>
#include <thread>

using namespace escprov;

int main(int argc, char** argv)
{
    std::optional<emulator::Options> options;
    try {
        options = emulator::parse_options(argc, argv);
    } catch (const Error& e) {
        std::cerr << e.what() << "\n";
        return static_cast<int>(ExitCode::usage);
    }
    if (!options) {
        return 0;
    }
    // SIGTERM and SIGINT are taken by a thread of their own (sigwait), so every other thread,
    // httplib's included, starts with them blocked.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    try {
        xml::XercesPlatform xerces;
        emulator::Emulator emulator(*options);
        emulator::Server server(emulator);
        int port = server.bind(options->port);
        emulator.base_url = "http://127.0.0.1:" + std::to_string(port);
        std::cout << emulator.base_url << std::endl;
        std::atomic<bool> signalled{false};
        std::thread waiter([&] {
            int received = 0;
            sigwait(&signals, &received);
            signalled = true;
            server.stop();
        });
        server.run();
        // run() also returns when the listener fails; wake the waiter so it can be joined.
        if (!signalled) {
            pthread_kill(waiter.native_handle(), SIGTERM);
        }
        waiter.join();
    } catch (const Error& e) {
        std::cerr << "escprov-fake-dataverse: " << e.what() << "\n";
        return static_cast<int>(exit_code_for(e.kind()));
    } catch (const std::exception& e) {
        std::cerr << "escprov-fake-dataverse: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
