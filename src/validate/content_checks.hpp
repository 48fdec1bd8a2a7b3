#pragma once
// The checks that stream customizations.xml once: root element, section order, duplicate
// identities, privileges, prefixes, root-component coverage and referenced parts. Only the
// component being looked at is held (its identity fields); per-solution sets hold one short
// key per component, so memory grows with the number of components, never with their size.

#include "solution/input.hpp"
#include "validate/finding.hpp"
#include "xml/node.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace escprov::validate {

// What the content checks know before streaming.
struct ContentContext {
    std::string file;                             // customizations.xml's display name
    const solution::Manifest* manifest = nullptr; // nullptr for a loose customizations.xml
    std::optional<std::set<std::string>> parts;   // lower-case part names without a leading '/', when known
};

// Receives the subtrees the XSD checks look at: "sitemap", "ribbon" and "fetch". `where` is
// the subtree's start; `file` the display name of the file it is in.
using SubtreeCheck =
    std::function<void(std::string_view kind, const xml::Node& subtree, const std::string& file, xml::Location where)>;

// Streams customizations.xml events into findings. Finishes (root-component and privilege
// checks) when the root element ends, while event locations are still valid.
class ContentChecks : public solution::CustomizationsHandler {
public:
    ContentChecks(ContentContext context, Findings& findings, SubtreeCheck subtree_check = {});
    ~ContentChecks() override;

    void set_locations(const xml::LocationProvider& locations) override { m_locations = &locations; }
    void start_element(std::string_view name, const xml::Attributes& attributes, bool empty_tag) override;
    void end_element(std::string_view name) override;
    void characters(std::string_view text, bool cdata) override;
    bool wants_characters() const override;
    void comment(std::string_view text) override;
    void processing_instruction(std::string_view target, std::string_view data) override;

private:
    struct State;
    std::unique_ptr<State> m_state;
    const xml::LocationProvider* m_locations = nullptr;
};

} // namespace escprov::validate
