#pragma once
// Which main forms of the entities the connector extends carry its tab in a solution: a package
// escprov wrote or a connector-mode merge tree. A customer base without a main form for an entity
// (real whole-org exports lack the Marketing List and Campaign forms) gives a solution whose tab
// is not on that entity's forms; the bundle's preflight and instructions and `apply` read it from
// the solution itself, so that what they tell the customer is what the import will do.

#include "solution/input.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace escprov::connector {

// The connector's tab on one extended entity.
struct FormTabPlacement {
    std::string entity;             // logical name: "list"
    std::vector<std::string> forms; // the main forms carrying the tab: "'Information' {id}" or "{id}"
    bool placed() const { return !forms.empty(); }
};

// One entry per extended entity the solution holds, in extended_entities() order; an entity the
// solution does not hold is left out. A tab is the connector's when its name carries the
// connector's prefix (a managed form difference keeps the tab's name). Streams the
// customizations; throws what reading them throws.
std::vector<FormTabPlacement> form_tab_placements(solution::SolutionInput& input);

// How people name an extended entity: "Account", "Campaign", "Contact", "Lead", "Marketing List";
// `entity` itself for any other name.
std::string entity_display_name(std::string_view entity);

// "Marketing List and Campaign", "Account, Contact and Lead": the display names joined for a sentence.
std::string display_names(const std::vector<std::string>& entities);

} // namespace escprov::connector
