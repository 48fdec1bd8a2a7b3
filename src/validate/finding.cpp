#include "validate/finding.hpp"

#include "util/error.hpp"

#include <algorithm>
#include <utility>

namespace escprov::validate {

std::string_view severity_name(Severity severity)
{
    switch (severity) {
    case Severity::note: return "note";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
    }
    return "error";
}

const std::vector<Rule>& rules()
{
    // Errors are for definite breakage only: a solution CRM exported and imports is valid by
    // definition, so anything real exports are seen to do is at most a warning.
    static const std::vector<Rule> table = {
        {"ESC-XML-001", "xml", Severity::error, "an XML file of the solution is not well-formed"},
        {"ESC-SEC-001", "sections", Severity::error,
         "a top-level section of customizations.xml is out of the schema's order, in an order no real export "
         "writes"},
        {"ESC-SEC-002", "sections", Severity::error, "a top-level section of customizations.xml appears twice"},
        {"ESC-SEC-003", "sections", Severity::note, "an unknown top-level section (kept; newer exports add sections)"},
        {"ESC-MAN-001", "manifest", Severity::error,
         "solution.xml is not a solution manifest (root or SolutionManifest missing)"},
        {"ESC-MAN-002", "manifest", Severity::error, "a required manifest field is missing or empty"},
        {"ESC-MAN-003", "manifest", Severity::error, "<Managed> is not 0, 1 or 2"},
        {"ESC-MAN-004", "manifest", Severity::error,
         "the root version attributes are missing (version, SolutionPackageVersion or minimumversion)"},
        {"ESC-MAN-005", "manifest", Severity::error, "<Version> is not a version of two to four numbers"},
        {"ESC-MAN-006", "manifest", Severity::warning,
         "<Managed> contradicts the file name (names lie: only <Managed> counts)"},
        {"ESC-MAN-007", "manifest", Severity::error, "a RootComponent has no type, or neither schemaName nor id"},
        {"ESC-ROOT-001", "root-components", Severity::error, "a RootComponent is not present in customizations.xml"},
        {"ESC-ROOT-002", "root-components", Severity::warning,
         "a RootComponent form or process is not present in customizations.xml (real exports do this)"},
        {"ESC-ROOT-003", "root-components", Severity::warning,
         "a component in customizations.xml is not covered by a RootComponent"},
        {"ESC-DUP-001", "identities", Severity::error, "two entities with the same name"},
        {"ESC-DUP-002", "identities", Severity::error,
         "two attributes with the same PhysicalName or LogicalName in one entity"},
        {"ESC-DUP-003", "identities", Severity::error, "two forms or dashboards with the same id"},
        {"ESC-DUP-004", "identities", Severity::error, "two views with the same id"},
        {"ESC-DUP-005", "identities", Severity::error, "two SiteMap Areas with the same Id in one sitemap"},
        {"ESC-DUP-006", "identities", Severity::error, "two SiteMap Groups with the same Id in one Area"},
        {"ESC-DUP-007", "identities", Severity::error, "two SiteMap SubAreas with the same Id in one Group"},
        {"ESC-DUP-008", "identities", Severity::error, "two security roles with the same id"},
        {"ESC-DUP-009", "identities", Severity::error, "two web resources with the same name"},
        {"ESC-DUP-010", "identities", Severity::error, "two global option sets with the same name"},
        {"ESC-PRIV-001", "privileges", Severity::warning,
         "a privilege refers to a custom entity that is neither in this solution nor a system entity"},
        {"ESC-PRIV-002", "privileges", Severity::note,
         "a privilege refers to an entity unknown to this solution and to the CRM 2013/2015 system list"},
        {"ESC-PRIV-003", "privileges", Severity::error,
         "a RolePrivilege has no name, or a level other than Basic, Local, Deep or Global"},
        {"ESC-PFX-001", "prefixes", Severity::warning, "a custom entity's prefix is not the publisher's"},
        {"ESC-PFX-002", "prefixes", Severity::warning, "a custom attribute's prefix is not the publisher's"},
        {"ESC-PFX-003", "prefixes", Severity::warning, "a web resource's prefix is not the publisher's"},
        {"ESC-CT-001", "content-types", Severity::error, "the zip has no [Content_Types].xml"},
        {"ESC-CT-002", "content-types", Severity::error, "a part's extension has no <Default> in [Content_Types].xml"},
        {"ESC-CT-003", "content-types", Severity::error,
         "an extension-less part has no <Override> in [Content_Types].xml"},
        {"ESC-CT-004", "content-types", Severity::error, "the zip has no customizations.xml"},
        {"ESC-PART-001", "parts", Severity::warning,
         "a part named by FileName, XamlFileName or JsonFileName is absent"},
        {"ESC-XSD-001", "xsd", Severity::warning,
         "customizations.xml (or, without CustomizationsSolution.xsd, a SiteMap, RibbonDiffXml or FetchXml) does "
         "not conform to Microsoft's 9.0 schema (real exports often do not)"},
        {"ESC-XSD-002", "xsd", Severity::note,
         "a schema from --schemas did not compile or is absent; its checks were skipped"},
        {"ESC-VER-001", "compat", Severity::error,
         "a child element that no real export of the checked CRM version writes there (the import would reject it)"},
        {"ESC-VER-002", "compat", Severity::error,
         "an XML attribute that no real export of the checked CRM version writes there (the import would reject "
         "it)"},
        {"ESC-VER-003", "compat", Severity::warning,
         "a child element or XML attribute that every real export of the checked CRM version writes is missing"},
        {"ESC-VER-004", "compat", Severity::error,
         "child elements in an order that no real export of the checked CRM version shows"},
        {"ESC-VER-005", "compat", Severity::note,
         "which version profile the import-compatibility check used, and where neighbouring versions answered"},
    };
    return table;
}

const Rule& rule(std::string_view code)
{
    for (const auto& entry : rules()) {
        if (entry.code == code) {
            return entry;
        }
    }
    throw Error(ErrorKind::internal, "validate: no rule has the code '" + std::string(code) + "'");
}

const std::vector<std::string_view>& families()
{
    static const std::vector<std::string_view> list = [] {
        std::vector<std::string_view> names;
        for (const auto& entry : rules()) {
            if (std::find(names.begin(), names.end(), entry.family) == names.end()) {
                names.push_back(entry.family);
            }
        }
        return names;
    }();
    return list;
}

void Findings::add(std::string_view code, std::string file, xml::Location where, std::string message)
{
    const Rule& found = rule(code);
    Seen& seen = m_seen[{std::string(code), file}];
    if (++seen.count > k_max_findings_per_code) {
        return; // counted; take() says how many more
    }
    m_findings.push_back(
        {std::move(file), where.line, where.column, found.severity, std::string(code), std::move(message)});
}

namespace {

// 3999899 -> "3,999,899".
std::string grouped(size_t number)
{
    std::string digits = std::to_string(number);
    for (size_t at = digits.size(); at > 3; at -= 3) {
        digits.insert(at - 3, ",");
    }
    return digits;
}

} // namespace

std::vector<Finding> Findings::take()
{
    for (const auto& [key, seen] : m_seen) {
        if (seen.count <= k_max_findings_per_code) {
            continue;
        }
        const auto& [code, file] = key;
        // At the place of the last one kept, which a stable sort puts it right after.
        std::pair<uint64_t, uint64_t> last{0, 0};
        for (const auto& finding : m_findings) {
            if (finding.file == file && finding.code == code) {
                last = std::max(last, std::pair<uint64_t, uint64_t>{finding.line, finding.column});
            }
        }
        m_findings.push_back({file, last.first, last.second, rule(code).severity, code,
                              "and " + grouped(seen.count - k_max_findings_per_code) + " more " + code +
                                  " findings in this file (the first " + std::to_string(k_max_findings_per_code) +
                                  " of each code in each file are listed)"});
    }
    m_seen.clear();
    return std::exchange(m_findings, {});
}

size_t Findings::count(Severity severity) const
{
    return static_cast<size_t>(std::count_if(m_findings.begin(), m_findings.end(), [severity](const Finding& finding) {
        return finding.severity == severity;
    }));
}

size_t PathReport::count(Severity severity) const
{
    return static_cast<size_t>(std::count_if(
        findings.begin(), findings.end(), [severity](const Finding& finding) { return finding.severity == severity; }));
}

} // namespace escprov::validate
