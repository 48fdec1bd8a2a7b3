#include "solution/input.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"

namespace escprov::solution {

std::unique_ptr<SolutionInput> open_tree_input(const std::filesystem::path& path, const InputLimits&)
{
    throw_input("open " + quoted(path) + ": reading unpacked folders is not built yet");
}

} // namespace escprov::solution
