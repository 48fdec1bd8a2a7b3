#include "emulators/dataverse/fetchxml.hpp"

#include "emulators/dataverse/record_support.hpp"
#include "xml/node.hpp"
#include "xml/source.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace escprov::emulator {

namespace {

std::optional<size_t> parse_count(const std::string& text)
{
    size_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

size_t positive_attribute(const xml::Node& node, std::string_view name, size_t fallback)
{
    const std::string* text = node.attribute(name);
    if (text == nullptr) {
        return fallback;
    }
    auto value = parse_count(*text);
    if (!value || *value == 0) {
        throw_bad_request("The FetchXML attribute '" + std::string(name) + "' must be a positive whole number, not '" +
                          *text + "'.");
    }
    return *value;
}

bool true_attribute(const xml::Node& node, std::string_view name)
{
    const std::string* text = node.attribute(name);
    return text != nullptr && (*text == "true" || *text == "1");
}

// A condition value as the row compares it: GUIDs lose their braces and case.
nlohmann::json condition_value(const std::string& text)
{
    if (is_guid(text)) {
        return normalise_guid(text);
    }
    return text;
}

std::string wildcards_for(const std::string& op, const std::string& value)
{
    if (op == "begins-with" || op == "not-begin-with") {
        return value + "%";
    }
    if (op == "ends-with" || op == "not-end-with") {
        return "%" + value;
    }
    return value;
}

Filter parse_condition(const xml::Node& condition, const PropertyResolver& resolve)
{
    const std::string* attribute = condition.attribute("attribute");
    const std::string* op_text = condition.attribute("operator");
    if (attribute == nullptr || op_text == nullptr) {
        throw_bad_request("A FetchXML condition needs the attributes 'attribute' and 'operator'.");
    }
    if (condition.attribute("entityname") != nullptr) {
        throw_bad_request("The emulator does not run conditions on linked entities (entityname).");
    }
    const std::string& op = *op_text;
    Filter test = filter_test(FilterOp::eq, resolve(*attribute), {});
    std::vector<nlohmann::json> values;
    if (const std::string* value = condition.attribute("value")) {
        values.push_back(condition_value(*value));
    }
    for (const xml::Node* value : condition.children_named("value")) {
        values.push_back(condition_value(value->text_content()));
    }
    bool negate = false;
    if (op == "null" || op == "not-null") {
        test.op = FilterOp::is_null;
        negate = op == "not-null";
    } else if (op == "in" || op == "not-in") {
        test.op = FilterOp::in;
        negate = op == "not-in";
        if (values.empty()) {
            throw_bad_request("The FetchXML condition on '" + *attribute + "' with operator '" + op +
                              "' has no value.");
        }
        test.values = values;
    } else {
        static const std::vector<std::pair<std::string, FilterOp>> k_single = {
            {"eq", FilterOp::eq},
            {"ne", FilterOp::ne},
            {"neq", FilterOp::ne},
            {"gt", FilterOp::gt},
            {"ge", FilterOp::ge},
            {"lt", FilterOp::lt},
            {"le", FilterOp::le},
            {"like", FilterOp::like},
            {"not-like", FilterOp::like},
            {"begins-with", FilterOp::like},
            {"not-begin-with", FilterOp::like},
            {"ends-with", FilterOp::like},
            {"not-end-with", FilterOp::like},
        };
        auto found =
            std::find_if(k_single.begin(), k_single.end(), [&](const auto& entry) { return entry.first == op; });
        if (found == k_single.end()) {
            throw_bad_request("The FetchXML condition operator '" + op +
                              "' is not valid or not supported by the emulator.");
        }
        if (values.size() != 1) {
            throw_bad_request("The FetchXML condition on '" + *attribute + "' with operator '" + op +
                              "' needs exactly one value.");
        }
        test.op = found->second;
        negate = op.rfind("not-", 0) == 0;
        if (test.op == FilterOp::like) {
            values.front() = wildcards_for(op, values.front().get<std::string>());
        }
        test.values = values;
    }
    return negate ? filter_group(Filter::Kind::negate, {std::move(test)}) : test;
}

Filter parse_filter_element(const xml::Node& element, const PropertyResolver& resolve)
{
    const std::string* type = element.attribute("type");
    Filter filter = filter_group(type != nullptr && *type == "or" ? Filter::Kind::any : Filter::Kind::all, {});
    if (type != nullptr && *type != "or" && *type != "and") {
        throw_bad_request("The FetchXML filter type '" + *type + "' is not valid.");
    }
    for (const auto& child : element.children) {
        if (!child.is_element()) {
            continue;
        }
        if (child.name == "condition") {
            filter.children.push_back(parse_condition(child, resolve));
        } else if (child.name == "filter") {
            filter.children.push_back(parse_filter_element(child, resolve));
        } else {
            throw_bad_request("The FetchXML element '" + child.name + "' is not valid inside <filter>.");
        }
    }
    return filter;
}

std::string cookie_guid(const std::string& id)
{
    std::string upper = "{" + id + "}";
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); });
    return upper;
}

} // namespace

FetchQuery parse_fetch(std::string_view xml_text, const std::string& entity, const PropertyResolver& resolve)
{
    xml::Node fetch;
    try {
        xml::MemorySource source(xml_text, "fetchXml");
        fetch = xml::parse_document(source);
    } catch (const Error& error) {
        throw_bad_request(std::string("The FetchXML is not well formed: ") + error.what());
    }
    if (fetch.name != "fetch") {
        throw_bad_request("The FetchXML must start with <fetch>, not <" + fetch.name + ">.");
    }
    if (true_attribute(fetch, "aggregate")) {
        throw_bad_request("The emulator does not run aggregate FetchXML queries.");
    }
    FetchQuery query;
    query.count = positive_attribute(fetch, "count", k_max_page_size);
    if (query.count > k_max_page_size) {
        throw_bad_request("The FetchXML count " + std::to_string(query.count) +
                          " is larger than the maximum page size " + std::to_string(k_max_page_size) + ".");
    }
    query.page = positive_attribute(fetch, "page", 1);
    if (fetch.attribute("top") != nullptr) {
        if (fetch.attribute("page") != nullptr || fetch.attribute("count") != nullptr) {
            throw_bad_request("The top attribute can't be specified with paging attribute page or count.");
        }
        query.top = positive_attribute(fetch, "top", k_max_page_size);
    }
    query.return_total_record_count = true_attribute(fetch, "returntotalrecordcount");
    auto entities = fetch.children_named("entity");
    if (entities.size() != 1) {
        throw_bad_request("The FetchXML must hold exactly one <entity>.");
    }
    const xml::Node& element = *entities.front();
    const std::string* name = element.attribute("name");
    if (name == nullptr || *name != entity) {
        throw_bad_request("The entity name '" + (name == nullptr ? std::string() : *name) +
                          "' in the FetchXML does not match the entity set's entity '" + entity + "'.");
    }
    query.entity = entity;
    for (const auto& child : element.children) {
        if (!child.is_element()) {
            continue;
        }
        if (child.name == "attribute") {
            const std::string* attribute = child.attribute("name");
            if (attribute == nullptr) {
                throw_bad_request("A FetchXML <attribute> needs a name.");
            }
            query.attributes.push_back(resolve(*attribute));
        } else if (child.name == "all-attributes") {
            query.all_attributes = true;
        } else if (child.name == "filter") {
            query.filter.children.push_back(parse_filter_element(child, resolve));
        } else if (child.name == "order") {
            const std::string* attribute = child.attribute("attribute");
            if (attribute == nullptr) {
                throw_bad_request("The emulator runs FetchXML <order> only on an attribute.");
            }
            query.orders.push_back({resolve(*attribute), true_attribute(child, "descending")});
        } else if (child.name == "link-entity") {
            throw_bad_request("The emulator does not run FetchXML with <link-entity>.");
        } else {
            throw_bad_request("The FetchXML element '" + child.name + "' is not valid inside <entity>.");
        }
    }
    if (query.attributes.empty()) {
        query.all_attributes = true; // a fetch naming no attribute returns them all, as CRM does
    }
    return query;
}

std::string paging_cookie(size_t page, const std::string& primary_id, const std::string& first_id,
                          const std::string& last_id)
{
    std::string inner = "<cookie page=\"" + std::to_string(page) + "\"><" + primary_id + " last=\"" +
                        cookie_guid(last_id) + "\" first=\"" + cookie_guid(first_id) + "\" /></cookie>";
    return "<cookie pagenumber=\"" + std::to_string(page + 1) + "\" pagingcookie=\"" + url_encode(url_encode(inner)) +
           "\" istracking=\"False\" />";
}

std::optional<size_t> cookie_page_number(std::string_view cookie)
{
    static constexpr std::string_view k_key = "pagenumber=\"";
    auto start = cookie.find(k_key);
    if (start == std::string_view::npos) {
        return std::nullopt;
    }
    start += k_key.size();
    auto end = cookie.find('"', start);
    if (end == std::string_view::npos) {
        return std::nullopt;
    }
    auto value = parse_count(std::string(cookie.substr(start, end - start)));
    if (!value || *value == 0) {
        return std::nullopt;
    }
    return value;
}

} // namespace escprov::emulator
