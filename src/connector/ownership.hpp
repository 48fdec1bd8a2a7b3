#pragma once
// What of a solution belongs in the connector's package: the connector's own components (all that
// solution/ holds, for every target: which CRM version a tree was merged for is package's own check,
// which refuses a tree merged for another --target) and the customer components the connector mode of
// merge changes for it to appear — the main forms of the entities it extends, once they carry the
// connector's tab, and the org sitemap. Anything else (a full-mode merge tree holds the customer's
// own entities, roles, web resources, processes...) must not be packaged as the connector: as a
// managed solution, uninstalling the connector would delete it from the customer's org, and as
// an unmanaged one it would be filed under the connector's solution and publisher.

#include "connector/connector.hpp"
#include "solution/input.hpp"
#include "xml/node.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace escprov::connector {

class Ownership {
public:
    // The connector's components as `source` holds them. Throws Error(input)/xml::ParseError for
    // a broken connector source.
    static Ownership read(const ConnectorSource& source, const solution::InputLimits& limits);

    // What of `input`'s customizations is not the connector's, each named for a message
    // ("entity new_event", "role 'Sales Manager' {…}", "contact: attributes the connector does
    // not have: firstname, lastname"), in document order; empty when everything is. Streams the
    // input; only the extended entities and roles are held in memory, one at a time. Throws what
    // reading the input throws.
    std::vector<std::string> foreign_components(solution::SolutionInput& input) const;

private:
    struct Shell {
        std::set<std::string> attributes; // the connector's attributes of the entity
        std::set<std::string> views;      // the connector's views of it (normalised ids)
        std::optional<xml::Node> ribbon;  // the connector's RibbonDiffXml of it
        std::string tab_id;               // the connector's tab on its main forms; "" for none
    };
    void check_shell(const std::string& name, const xml::Node& entity, std::vector<std::string>& foreign) const;

    std::map<std::string, std::set<std::string>> m_items; // section -> identities
    std::map<std::string, Shell> m_shells;                // extended entity -> what the connector puts in it
    friend class OwnershipWalker;
};

} // namespace escprov::connector
