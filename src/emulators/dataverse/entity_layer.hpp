#pragma once
// How an imported <Entity> lands on one the org already has, as CRM layers a solution over an
// entity: the org's definition stays, the import's attributes, forms and views are added or
// replace theirs by identity, and a form that is a managed difference (solutionaction="Added")
// adds its new tabs to the org's form instead of replacing it. The customer's own attributes,
// forms and views therefore survive an import that extends their entity.

#include "xml/node.hpp"

namespace escprov::emulator {

// `org` with `incoming` layered over it; both are <Entity> items of the same name.
xml::Node layer_entity(const xml::Node& org, const xml::Node& incoming);

} // namespace escprov::emulator
