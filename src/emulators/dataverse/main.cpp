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
        // The waiter checks every 200 ms whether run() has ended on its own (a failed listener).
        std::atomic<bool> finished{false};
        std::thread waiter([&] {
            timespec pause{0, 200'000'000};
            while (!finished) {
                if (sigtimedwait(&signals, nullptr, &pause) > 0) {
                    server.stop();
                    return;
                }
            }
        });
        server.run();
        finished = true;
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
