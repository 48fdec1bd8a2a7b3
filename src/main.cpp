// escprov: thin main(). It starts the libraries, finds the command, runs it and maps errors
// to the documented exit codes; everything else lives in escprov_core.

#include "cli/registry.hpp"
#include "util/build_info_access.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "xml/platform.hpp"

#include <curl/curl.h>

#include <iostream>
#include <unistd.h>

namespace {

int run(int argc, char** argv)
{
    using namespace escprov;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::cerr << "Usage: escprov COMMAND [OPTIONS] [ARGS]  (escprov --help lists the commands)\n";
        return static_cast<int>(ExitCode::usage);
    }
    std::string name = args.front();
    args.erase(args.begin());
    if (name == "--help" || name == "-h") {
        std::cout << cli::general_help();
        return 0;
    }
    if (name == "--version" || name == "version") {
        std::cout << "escprov " << version_string() << "\n";
        return 0;
    }
    if (name == "help") {
        if (args.empty()) {
            std::cout << cli::general_help();
            return 0;
        }
        name = args.front();
        args = {"--help"};
    }
    auto command = cli::make_command(name);
    if (!command) {
        std::cerr << "escprov: error: unknown command '" << name << "'";
        std::string_view suggestion = cli::suggest_command(name);
        if (!suggestion.empty()) {
            std::cerr << "; did you mean '" << suggestion << "'?";
        }
        std::cerr << " (escprov --help lists the commands)\n";
        return static_cast<int>(ExitCode::usage);
    }
    if (!command->parse(args)) {
        std::cout << command->help();
        return 0;
    }
    if (command->verbose()) {
        command->describe_options(std::cerr);
    }
    xml::XercesPlatform xerces;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    install_interrupt_handlers();
    cli::Context context{std::cout, std::cerr, ::isatty(STDERR_FILENO) != 0};
    ExitCode code = command->run(context);
    std::cout.flush();
    curl_global_cleanup();
    return static_cast<int>(code);
}

} // namespace

int main(int argc, char** argv)
{
    using namespace escprov;
    try {
        return run(argc, argv);
    } catch (const Interrupted&) {
        std::cerr << "escprov: interrupted; no partial output was kept\n";
        return static_cast<int>(ExitCode::interrupted);
    } catch (const Error& e) {
        std::cerr << "escprov: error: " << e.what() << "\n";
        return static_cast<int>(exit_code_for(e.kind()));
    } catch (const std::bad_alloc&) {
        // Not the user's mistake nor the input's verdict: the command ran and failed, like a full disk.
        std::cerr << "escprov: error: out of memory\n";
        return static_cast<int>(exit_code_for(ErrorKind::memory));
    } catch (const std::exception& e) {
        std::cerr << "escprov: internal error: " << e.what() << "\n";
        return static_cast<int>(ExitCode::findings);
    }
}
