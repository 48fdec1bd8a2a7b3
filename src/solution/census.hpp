#pragma once
// Counts what a customizations.xml holds, streaming: components per section and, inside
// entities, attributes, forms, views and charts. Used by `info`.

#include "solution/input.hpp"

#include <map>
#include <string>
#include <vector>

namespace escprov::solution {

struct Census {
    // Section name -> number of items in it, in document order of first appearance.
    std::vector<std::pair<std::string, uint64_t>> sections;
    uint64_t attributes = 0;
    uint64_t forms = 0;
    uint64_t views = 0;
    uint64_t charts = 0;
    std::vector<std::string> entity_names; // Entities/Entity/Name, in document order
};

// Streams the input's customizations.xml. Throws what read_customizations throws.
Census take_census(SolutionInput& input);

} // namespace escprov::solution
