#pragma once
// A solution in any of the forms the user hands it over, trees included: an unpacked
// SolutionPackager folder is read through pack's assembler (customizations.xml streamed as pack
// would assemble it, every event located in the tree file it comes from), zips and loose XML
// files through solution/input.hpp.

#include "solution/input.hpp"

#include <filesystem>
#include <memory>

namespace escprov::pack {

// Opens `path`, deciding by what it is: a directory is a tree (open_tree_input), anything else
// goes to solution::open_file_input. Throws Error(input) naming the path and the reason when it is
// none of these.
std::unique_ptr<solution::SolutionInput> open_input(const std::filesystem::path& path,
                                                    const solution::InputLimits& limits);

// Opens the unpacked tree `path`. Throws Error(input) when the folder has neither
// Other/Solution.xml nor Other/Customizations.xml.
std::unique_ptr<solution::SolutionInput> open_tree_input(const std::filesystem::path& path,
                                                         const solution::InputLimits& limits);

} // namespace escprov::pack
