#pragma once
// A customer's system form as a managed package carries it: not the whole form, which the
// connector does not own, but the difference the connector makes to it, written the way real
// managed exports write a form they change (../shared/corpus: CRM 2011 and 9.1 managed solutions
// that add a tab to a system form). The <systemform> keeps its identity and names (formid, the
// version's form settings, LocalizedNames, Descriptions); its <form> holds only the tabs the
// connector adds, each placed by @ordinalvalue (its position among the form's tabs) and marked
// @solutionaction="Added"; inside them, columns are numbered by @id, sections by @ordinalvalue
// (their place in the column) and cells by @ordinalvalue ((place in the row + 1) * 10000 + the
// cell's running number in the section), as those exports number them. Uninstalling the managed
// connector then removes its tabs and leaves the customer's form as it was.

#include "xml/node.hpp"

#include <optional>

namespace escprov::package {

// The difference of `systemform` (a <systemform> element of a customer entity, as merge wrote it)
// holding the tabs whose name carries the connector's prefix, or nullopt when it has none.
std::optional<xml::Node> connector_form_difference(const xml::Node& systemform);

} // namespace escprov::package
