#pragma once
// Cooperative interruption: main() installs handlers for SIGINT/SIGTERM that set a flag;
// long loops call check_interrupted(), which throws Interrupted so that RAII cleans up
// temporary files and no partial output survives.

namespace escprov {

void install_interrupt_handlers();
bool interrupted() noexcept;
void check_interrupted(); // throws Interrupted when a signal arrived

} // namespace escprov
