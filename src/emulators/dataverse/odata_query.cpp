#include "emulators/dataverse/odata_query.hpp"

#include "emulators/dataverse/record_support.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace escprov::emulator {

namespace {

struct Token {
    enum class Kind { open, close, comma, word, string, number, end };
    Kind kind = Kind::end;
    std::string text;       // a word as written, or a string literal's value
    nlohmann::json literal; // a number's value
};

bool word_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '/' || c == '-' ||
           c == ':' || c == '+';
}

std::vector<Token> tokenize(std::string_view text)
{
    std::vector<Token> tokens;
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == ' ' || c == '\t') {
            ++i;
        } else if (c == '(' || c == ')' || c == ',') {
            tokens.push_back({c == '(' ? Token::Kind::open : (c == ')' ? Token::Kind::close : Token::Kind::comma),
                              std::string(1, c), nullptr});
            ++i;
        } else if (c == '\'') {
            std::string value;
            ++i;
            bool closed = false;
            while (i < text.size()) {
                if (text[i] == '\'') {
                    if (i + 1 < text.size() && text[i + 1] == '\'') {
                        value.push_back('\'');
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                value.push_back(text[i++]);
            }
            if (!closed) {
                throw_bad_request("Syntax error: unterminated string literal in '" + std::string(text) + "'.");
            }
            tokens.push_back({Token::Kind::string, value, nullptr});
        } else if (word_char(c)) {
            size_t start = i;
            while (i < text.size() && word_char(text[i])) {
                ++i;
            }
            std::string word(text.substr(start, i - start));
            Token token{Token::Kind::word, word, nullptr};
            if (std::isdigit(static_cast<unsigned char>(word.front())) != 0 || word.front() == '-') {
                long long integer = 0;
                double real = 0;
                const char* end = word.data() + word.size();
                if (auto [p, e] = std::from_chars(word.data(), end, integer); e == std::errc() && p == end) {
                    token = {Token::Kind::number, word, integer};
                } else if (auto [q, f] = std::from_chars(word.data(), end, real); f == std::errc() && q == end) {
                    token = {Token::Kind::number, word, real};
                }
            }
            tokens.push_back(token);
        } else {
            throw_bad_request("Syntax error at position " + std::to_string(i) + " in '" + std::string(text) + "'.");
        }
    }
    tokens.push_back({Token::Kind::end, "", nullptr});
    return tokens;
}

std::optional<FilterOp> comparison(const std::string& word)
{
    if (word == "eq") {
        return FilterOp::eq;
    }
    if (word == "ne") {
        return FilterOp::ne;
    }
    if (word == "gt") {
        return FilterOp::gt;
    }
    if (word == "ge") {
        return FilterOp::ge;
    }
    if (word == "lt") {
        return FilterOp::lt;
    }
    if (word == "le") {
        return FilterOp::le;
    }
    return std::nullopt;
}

// The comparison that holds when the operands trade places: 5 lt x is x gt 5.
FilterOp mirrored(FilterOp op)
{
    switch (op) {
    case FilterOp::gt: return FilterOp::lt;
    case FilterOp::ge: return FilterOp::le;
    case FilterOp::lt: return FilterOp::gt;
    case FilterOp::le: return FilterOp::ge;
    default: return op;
    }
}

class FilterParser {
public:
    FilterParser(std::string_view text, const PropertyResolver& resolve)
        : m_text(text), m_tokens(tokenize(text)), m_resolve(resolve)
    {}

    Filter parse()
    {
        Filter filter = parse_or();
        if (peek().kind != Token::Kind::end) {
            fail("unexpected '" + peek().text + "'");
        }
        return filter;
    }

private:
    const Token& peek() const { return m_tokens.at(m_next); }
    const Token& take() { return m_tokens.at(m_next++); }
    bool take_word(std::string_view word)
    {
        if (peek().kind == Token::Kind::word && peek().text == word) {
            ++m_next;
            return true;
        }
        return false;
    }
    void expect(Token::Kind kind, std::string_view what)
    {
        if (peek().kind != kind) {
            fail("expected " + std::string(what));
        }
        ++m_next;
    }
    [[noreturn]] void fail(const std::string& why) const
    {
        throw_bad_request("Syntax error in $filter '" + std::string(m_text) + "': " + why + ".");
    }

    Filter parse_or()
    {
        Filter left = parse_and();
        if (peek().kind != Token::Kind::word || peek().text != "or") {
            return left;
        }
        Filter any = filter_group(Filter::Kind::any, {});
        any.children.push_back(std::move(left));
        while (take_word("or")) {
            any.children.push_back(parse_and());
        }
        return any;
    }

    Filter parse_and()
    {
        Filter left = parse_unary();
        if (peek().kind != Token::Kind::word || peek().text != "and") {
            return left;
        }
        Filter all = filter_group(Filter::Kind::all, {});
        all.children.push_back(std::move(left));
        while (take_word("and")) {
            all.children.push_back(parse_unary());
        }
        return all;
    }

    Filter parse_unary()
    {
        if (take_word("not")) {
            return filter_group(Filter::Kind::negate, {parse_unary()});
        }
        if (peek().kind == Token::Kind::open) {
            take();
            Filter inner = parse_or();
            expect(Token::Kind::close, "')'");
            return inner;
        }
        return parse_test();
    }

    // An operand: a property (resolved to the row key) or a literal value.
    struct Operand {
        std::optional<std::string> column;
        nlohmann::json literal;
    };

    Operand parse_operand()
    {
        const Token& token = take();
        switch (token.kind) {
        case Token::Kind::string: return {std::nullopt, token.text};
        case Token::Kind::number: return {std::nullopt, token.literal};
        case Token::Kind::word:
            if (token.text == "null") {
                return {std::nullopt, nullptr};
            }
            if (token.text == "true" || token.text == "false") {
                return {std::nullopt, token.text == "true"};
            }
            if (is_guid(token.text)) {
                return {std::nullopt, normalise_guid(token.text)};
            }
            if (std::isdigit(static_cast<unsigned char>(token.text.front())) != 0) {
                return {std::nullopt, token.text}; // a date or a date and time, compared as text
            }
            return {m_resolve(token.text), nullptr};
        default: fail("expected a property or a value");
        }
    }

    Filter parse_test()
    {
        if (peek().kind == Token::Kind::word && m_tokens.at(m_next + 1).kind == Token::Kind::open) {
            std::string function = take().text;
            FilterOp op = FilterOp::eq;
            if (function == "contains") {
                op = FilterOp::contains;
            } else if (function == "startswith") {
                op = FilterOp::startswith;
            } else if (function == "endswith") {
                op = FilterOp::endswith;
            } else {
                throw_bad_request("The function '" + function + "' is not supported by the emulator's $filter.");
            }
            take();
            Operand subject = parse_operand();
            expect(Token::Kind::comma, "','");
            Operand value = parse_operand();
            expect(Token::Kind::close, "')'");
            if (!subject.column || value.column || !value.literal.is_string()) {
                fail(function + " takes a property and a string");
            }
            return filter_test(op, *subject.column, {value.literal});
        }
        Operand left = parse_operand();
        if (peek().kind != Token::Kind::word) {
            fail("expected a comparison operator");
        }
        auto op = comparison(take().text);
        if (!op) {
            fail("unknown operator '" + m_tokens.at(m_next - 1).text + "'");
        }
        Operand right = parse_operand();
        if (left.column.has_value() == right.column.has_value()) {
            fail("a comparison needs one property and one value");
        }
        if (!left.column) {
            std::swap(left, right);
            *op = mirrored(*op);
        }
        if (right.literal.is_null()) {
            if (*op != FilterOp::eq && *op != FilterOp::ne) {
                fail("null compares only with eq and ne");
            }
            Filter is_null = filter_test(FilterOp::is_null, *left.column, {});
            return *op == FilterOp::eq ? is_null : filter_group(Filter::Kind::negate, {std::move(is_null)});
        }
        return filter_test(*op, *left.column, {right.literal});
    }

    std::string_view m_text;
    std::vector<Token> m_tokens;
    const PropertyResolver& m_resolve;
    size_t m_next = 0;
};

std::string lowered(const std::string& text)
{
    std::string out = text;
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

// SQL LIKE: % any run, _ any one character, without regard to case.
bool like(const std::string& text, const std::string& pattern)
{
    std::string t = lowered(text);
    std::string p = lowered(pattern);
    size_t ti = 0;
    size_t pi = 0;
    size_t star = std::string::npos;
    size_t mark = 0;
    while (ti < t.size()) {
        if (pi < p.size() && (p[pi] == '_' || p[pi] == t[ti])) {
            ++ti;
            ++pi;
        } else if (pi < p.size() && p[pi] == '%') {
            star = pi++;
            mark = ti;
        } else if (star != std::string::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '%') {
        ++pi;
    }
    return pi == p.size();
}

// A test's outcome under SQL's three-valued logic: nullopt is UNKNOWN (a null compared).
std::optional<bool> test(const Filter& filter, const nlohmann::json& value)
{
    if (filter.op == FilterOp::is_null) {
        return value.is_null();
    }
    if (value.is_null()) {
        return std::nullopt;
    }
    if (filter.op == FilterOp::in) {
        return std::any_of(filter.values.begin(), filter.values.end(),
                           [&](const nlohmann::json& candidate) { return compare_values(value, candidate) == 0; });
    }
    const nlohmann::json& operand = filter.values.at(0);
    if (filter.op == FilterOp::contains || filter.op == FilterOp::startswith || filter.op == FilterOp::endswith ||
        filter.op == FilterOp::like) {
        if (!value.is_string() || !operand.is_string()) {
            return false;
        }
        std::string text = lowered(value.get<std::string>());
        std::string part = lowered(operand.get<std::string>());
        switch (filter.op) {
        case FilterOp::contains: return text.find(part) != std::string::npos;
        case FilterOp::startswith: return text.rfind(part, 0) == 0;
        case FilterOp::endswith:
            return text.size() >= part.size() && text.compare(text.size() - part.size(), part.size(), part) == 0;
        default: return like(text, part);
        }
    }
    auto order = compare_values(value, operand);
    if (!order) {
        return std::nullopt;
    }
    switch (filter.op) {
    case FilterOp::eq: return *order == 0;
    case FilterOp::ne: return *order != 0;
    case FilterOp::gt: return *order > 0;
    case FilterOp::ge: return *order >= 0;
    case FilterOp::lt: return *order < 0;
    case FilterOp::le: return *order <= 0;
    default: return false;
    }
}

// A filter's outcome under SQL's three-valued logic, as the org's database evaluates it: NOT of
// UNKNOWN stays UNKNOWN, so `not (x eq false)` does not pick rows where x is null.
std::optional<bool> evaluate(const Filter& filter, const nlohmann::json& row)
{
    switch (filter.kind) {
    case Filter::Kind::all:
    case Filter::Kind::any: {
        bool decisive = filter.kind == Filter::Kind::any; // true decides an `any`, false an `all`
        bool unknown = false;
        for (const auto& child : filter.children) {
            auto outcome = evaluate(child, row);
            if (!outcome) {
                unknown = true;
            } else if (*outcome == decisive) {
                return decisive;
            }
        }
        return unknown ? std::nullopt : std::optional<bool>(!decisive);
    }
    case Filter::Kind::negate: {
        auto outcome = evaluate(filter.children.at(0), row);
        return outcome ? std::optional<bool>(!*outcome) : std::nullopt;
    }
    case Filter::Kind::test: {
        auto it = row.find(filter.column);
        static const nlohmann::json k_null;
        return test(filter, it == row.end() ? k_null : *it);
    }
    }
    return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text)
{
    std::vector<std::string> items;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string_view item =
            text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        auto begin = item.find_first_not_of(' ');
        auto end = item.find_last_not_of(' ');
        items.emplace_back(begin == std::string_view::npos ? std::string_view() : item.substr(begin, end - begin + 1));
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return items;
}

} // namespace

Filter filter_group(Filter::Kind kind, std::vector<Filter> children)
{
    Filter filter;
    filter.kind = kind;
    filter.children = std::move(children);
    return filter;
}

Filter filter_test(FilterOp op, std::string column, std::vector<nlohmann::json> values)
{
    Filter filter;
    filter.kind = Filter::Kind::test;
    filter.op = op;
    filter.column = std::move(column);
    filter.values = std::move(values);
    return filter;
}

Filter parse_filter(std::string_view text, const PropertyResolver& resolve)
{
    return FilterParser(text, resolve).parse();
}

std::vector<SortKey> parse_orderby(std::string_view text, const PropertyResolver& resolve)
{
    std::vector<SortKey> keys;
    for (const auto& item : split_list(text)) {
        auto space = item.find(' ');
        std::string property = item.substr(0, space);
        std::string direction = space == std::string::npos ? "asc" : item.substr(item.find_first_not_of(' ', space));
        if (property.empty() || (direction != "asc" && direction != "desc")) {
            throw_bad_request("Syntax error in $orderby '" + std::string(text) + "'.");
        }
        keys.push_back({resolve(property), direction == "desc"});
    }
    return keys;
}

std::vector<std::string> parse_select(std::string_view text, const PropertyResolver& resolve)
{
    std::vector<std::string> columns;
    for (const auto& item : split_list(text)) {
        if (item.empty()) {
            throw_bad_request("Syntax error in $select '" + std::string(text) + "'.");
        }
        columns.push_back(resolve(item));
    }
    return columns;
}

bool matches(const Filter& filter, const nlohmann::json& row)
{
    return evaluate(filter, row).value_or(false);
}

bool sorts_before(const std::vector<SortKey>& keys, const nlohmann::json& a, const nlohmann::json& b)
{
    static const nlohmann::json k_null;
    for (const auto& key : keys) {
        auto left_it = a.find(key.column);
        auto right_it = b.find(key.column);
        const nlohmann::json& left = left_it == a.end() ? k_null : *left_it;
        const nlohmann::json& right = right_it == b.end() ? k_null : *right_it;
        int order = 0;
        if (left.is_null() != right.is_null()) {
            order = left.is_null() ? -1 : 1;
        } else {
            order = compare_values(left, right).value_or(0);
        }
        if (order != 0) {
            return key.descending ? order > 0 : order < 0;
        }
    }
    return false;
}

} // namespace escprov::emulator
