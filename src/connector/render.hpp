#pragma once
// The connector rendered for one target CRM version from its one source (solution/ and
// templates/): every component it carries written the way real exports of that version write
// it. Two layers, both driven by the target's version profile (src/profile, learned from real
// exports):
//  - structural rules (rules.hpp) move or rebuild what a version keeps elsewhere (5.x-7.x
//    lookups as relationship <field>s, the roles and names a version lists), then
//  - the generic shaping (shape.hpp) drops every child element and XML attribute the version
//    never writes, adds the children it always writes, and orders children as it does;
// and the top-level sections are those the version writes, in its order. What cannot be
// rendered is said (RenderResult::notes, and Connector::left_out), never silently skipped.
// docs/fidelity.md says, per version, what the package holds and how that was checked.

#include "connector/connector.hpp"
#include "profile/profile.hpp"
#include "xml/node.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace escprov::connector {

// The version profiles for a connector whose templates are in `templates`: its profiles/ folder
// when it has one, else profile::Profiles::load_default(). Throws Error(input) as
// profile::Profiles::load does.
profile::Profiles load_profiles(const std::filesystem::path& templates);

struct RenderResult {
    // What could not be rendered for the target, readable ("entity esc_x: 9.2 exports always
    // write <Y> in …; …"). Empty when every component has exactly the target's vocabulary.
    std::vector<std::string> notes;
    // What was removed from customer components because the target never writes it, readable.
    std::vector<std::string> removed;
};

// Shapes every component `connector` carries (its sections' items, the tabs it adds to customer
// forms, the groups of its org sitemap additions) and its list of sections for
// connector.target, with `profiles`. Notes also go to connector.left_out. Rendering a rendered
// connector changes nothing. Throws Error(usage) when no profile covers the target.
RenderResult render(Connector& connector, const profile::Profiles& profiles);

// Shapes the customer components that connector mode carries in `document` (the
// customizations.xml root it writes): the forms of the extended system entities, which hold the
// connector's tab, and the org sitemap, when the base was exported from another version family
// than `connector`'s target (`exported_from`). What the customer's CRM wrote for the target's own
// family is that version's vocabulary and is left as it is, and so is a base of unknown version
// (no solution.xml: the merge says it could not check). Otherwise what the target never writes
// goes (an import would reject it; RenderResult::removed says what) and what it always writes is
// added where the renderer can build it; a customer's own content is never invented (the notes
// say what is left). Children take the target's order, which the customer's CRM may not write. Throws Error(usage) when
// no profile covers the target.
RenderResult render_carried(xml::Node& document, const Connector& connector, const profile::Profiles& profiles,
                            const std::optional<solution::CrmVersion>& exported_from);

} // namespace escprov::connector
