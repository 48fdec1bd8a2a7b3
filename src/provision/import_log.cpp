#include "provision/import_log.hpp"

#include "xml/node.hpp"
#include "xml/source.hpp"

#include <algorithm>
#include <map>

namespace escprov::provision {

namespace {

// The words a person knows a component by, for the element names the import log uses.
std::string component_kind(const std::string& element)
{
    static const std::map<std::string, std::string> kinds = {
        {"entity", "entity"},
        {"solutionManifest", "solution"},
        {"securityrole", "security role"},
        {"optionSet", "option set"},
        {"webResource", "web resource"},
        {"node", "sitemap"},
        {"dashboard", "dashboard"},
        {"workflow", "process"},
        {"template", "template"},
        {"relationship", "relationship"},
        {"entityMap", "entity map"},
        {"setting", "settings"},
        {"form", "form"},
        {"savedquery", "view"},
        {"appmodule", "app"},
    };
    auto it = kinds.find(element);
    return it == kinds.end() ? element : it->second;
}

std::string component_name(const xml::Node& element)
{
    for (const char* attribute : {"LocalizedName", "name", "OriginalName", "id"}) {
        if (const std::string* value = element.attribute(attribute); value && !value->empty()) {
            return *value;
        }
    }
    std::string unique = element.child_text("UniqueName");
    return unique;
}

std::string describe_node(const xml::Node* node)
{
    if (!node) {
        return "?";
    }
    std::string text;
    for (const char* attribute : {"type", "schemaName", "displayName", "parentSchemaName", "key"}) {
        if (const std::string* value = node->attribute(attribute); value && !value->empty()) {
            text += text.empty() ? *value : " " + *value;
        }
    }
    return text.empty() ? "?" : text;
}

void walk(const xml::Node& node, std::vector<ImportProblem>& problems)
{
    for (const xml::Node& child : node.children) {
        if (!child.is_element()) {
            continue;
        }
        if (child.name == "result") {
            const std::string* result = child.attribute("result");
            if (result && (*result == "failure" || *result == "warning")) {
                ImportProblem problem;
                std::string name = component_name(node);
                problem.component = component_kind(node.name) + (name.empty() ? "" : " " + name);
                const std::string* code = child.attribute("errorcode");
                problem.code = code ? *code : "";
                const std::string* text = child.attribute("errortext");
                problem.message = text ? *text : "";
                problem.warning = *result == "warning";
                problems.push_back(std::move(problem));
            }
        } else if (child.name == "MissingDependency") {
            ImportProblem problem;
            problem.component = "missing dependency";
            problem.message = "requires " + describe_node(child.child("Required")) + ", needed by " +
                              describe_node(child.child("Dependent"));
            problems.push_back(std::move(problem));
        } else {
            walk(child, problems);
        }
    }
}

} // namespace

std::vector<ImportProblem> parse_import_job(const std::string& job_data)
{
    std::vector<ImportProblem> problems;
    if (job_data.empty()) {
        return problems;
    }
    try {
        xml::MemorySource source(job_data, "import job data");
        xml::Node document = xml::parse_document(source);
        walk(document, problems);
    } catch (const std::exception&) {
        return {};
    }
    std::stable_partition(problems.begin(), problems.end(), [](const ImportProblem& p) { return !p.warning; });
    return problems;
}

std::string format_problem(const ImportProblem& problem)
{
    std::string line = problem.component + ": ";
    if (problem.warning) {
        line += "warning ";
    }
    if (!problem.code.empty()) {
        line += problem.code + " ";
    }
    return line + (problem.message.empty() ? "(no message)" : problem.message);
}

} // namespace escprov::provision
