#pragma once
// Facts of the customizations.xml schema shared by pack, validate and info.

#include <optional>
#include <string_view>
#include <vector>

namespace escprov::solution {

// The top-level sections of customizations.xml in the order of CustomizationsSolution.xsd's
// xs:sequence, with the sections newer exports add (EntityImageConfigs, CanvasApps, ...) at the
// places real exports put them.
const std::vector<std::string_view>& section_order();

// The position of `section` in section_order(), or nullopt for a section we do not know.
std::optional<size_t> section_rank(std::string_view section);

// The name of the element each known section holds ("Entities" -> "Entity"), or "" when the
// section is a single value (OrganizationSettings, Languages...).
std::string_view section_item(std::string_view section);

// A readable plural for counts: "Entities" -> "entities", "optionsets" -> "global option sets".
std::string_view section_label(std::string_view section);

} // namespace escprov::solution
