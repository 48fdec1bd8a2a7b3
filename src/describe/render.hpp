#pragma once
// The two faces of a Description: Markdown for people (docs/customisations.md is one) and JSON
// with the same content for tools. Both depend only on the Description, so the same tree gives
// the same bytes.

#include "describe/model.hpp"

#include <nlohmann/json.hpp>

#include <ostream>

namespace escprov::describe {

// Writes the Markdown document: summary, entities (own, then extended), option sets, roles as a
// matrix, sitemaps, apps, form tabs from the templates, ribbon buttons and web resources.
void write_markdown(const Description& description, std::ostream& out);

// The same content as JSON (keys documented in docs/describe.md).
nlohmann::ordered_json to_json(const Description& description);

} // namespace escprov::describe
