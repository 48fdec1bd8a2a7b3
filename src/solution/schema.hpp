#pragma once
// Facts of the customizations.xml schema shared by pack, validate and info.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::solution {

// The top-level sections of customizations.xml in the order of CustomizationsSolution.xsd's
// xs:sequence, with the sections newer exports add (EntityImageConfigs, CanvasApps, ...) at the
// places real exports put them.
const std::vector<std::string_view>& section_order();

// The position of `section` in section_order(), or nullopt for a section we do not know.
std::optional<size_t> section_rank(std::string_view section);

// True when real exports write sections `a` and `b` in either order (2024 9.2 exports put
// EntityImageConfigs and AttributeImageConfigs after ConnectionRoles; the schema and older
// exports before it).
bool sections_seen_both_ways(std::string_view a, std::string_view b);

// The first of `before` (the sections already written, in order) that section `next` may not
// follow: one ranked after `next` in section_order() that real exports never write before it.
// nullopt when `next` may come now, or when `next` is not a known section.
std::optional<std::string_view> section_blocker(const std::vector<std::string>& before, std::string_view next);

// The name of the element each known section holds ("Entities" -> "Entity"), or "" when the
// section is a single value (OrganizationSettings, Languages...).
std::string_view section_item(std::string_view section);

// A readable plural for counts: "Entities" -> "entities", "optionsets" -> "global option sets".
std::string_view section_label(std::string_view section);

} // namespace escprov::solution
