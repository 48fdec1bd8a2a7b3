#pragma once
// A hardened, streaming XML reader on Xerces-C++ SAX2. It refuses any DOCTYPE (so no external
// entities and no entity expansion can happen), bounds nesting depth and the size of any single
// token, and reports events in UTF-8 together with whether an element was written as <x />.
// Namespace processing is off: prefixed names such as xsi:nil pass through as written.

#include "util/error.hpp"
#include "xml/source.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace escprov::xml {

struct Attribute {
    std::string name;
    std::string value;
};
using Attributes = std::vector<Attribute>;

// Returns the value of attribute `name`, or nullptr.
const std::string* find_attribute(const Attributes& attributes, std::string_view name);

// A place in a file. `file` points at a name that outlives every Location made from it
// (the Parser's source name, valid until its next parse(); or a path interned by the tree reader).
struct Location {
    uint64_t line = 0;
    uint64_t column = 0;
    const std::string* file = nullptr;
};

// Anything that produces parse events and can say where the current one came from: the
// Parser for one file, or the tree reader that stitches an unpacked folder together.
class LocationProvider {
public:
    virtual ~LocationProvider() = default;
    virtual Location location() const = 0;
};

// Safety limits; every hostile-input case maps to one of these or to the DOCTYPE ban.
struct Limits {
    size_t max_depth = 1000;                // element nesting; real exports stay under 40
    uint64_t max_token_bytes = 16ull << 20; // bytes between two markup characters '<' / '>'
};

// Receives parse events. Names and text are UTF-8 and valid only during the call.
class Handler {
public:
    virtual ~Handler() = default;
    // `empty_tag` is true for <x/> and false for <x></x>, so a writer can reproduce either.
    virtual void start_element(std::string_view name, const Attributes& attributes, bool empty_tag) = 0;
    virtual void end_element(std::string_view name) = 0;
    // Character data; may arrive in several pieces. `cdata` is true inside <![CDATA[...]]>.
    virtual void characters(std::string_view text, bool cdata) = 0;
    // Asked before each piece of character data: a handler that does not need the text where
    // the parse is now returns false, and the text is neither converted nor delivered. Most of
    // a solution's text is indentation and values a checker never looks at.
    virtual bool wants_characters() const { return true; }
    virtual void comment(std::string_view /*text*/) {}
    virtual void processing_instruction(std::string_view /*target*/, std::string_view /*data*/) {}
    // The XML declaration, when present (encoding as written, may be empty).
    virtual void xml_declaration(std::string_view /*version*/, std::string_view /*encoding*/) {}
};

// A well-formedness or safety failure at a place in a file.
class ParseError : public Error {
public:
    ParseError(ErrorKind kind, std::string file, Location where, std::string cause);
    const std::string& file() const { return m_file; }
    Location where() const { return m_where; }
    const std::string& cause() const { return m_cause; }

private:
    std::string m_file;
    Location m_where;
    std::string m_cause;
};

class Parser : public LocationProvider {
public:
    explicit Parser(Limits limits = {});
    ~Parser() override;
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;

    // Parses the whole source, calling `handler`. Throws ParseError of kind input for XML that is
    // not well-formed, unsafe for a DOCTYPE and limit for nesting too deep; Error(limit) for a token
    // over the limit, Error(memory) when Xerces runs out of memory, Error from the source, and
    // whatever the handler throws.
    void parse(ByteSource& source, Handler& handler);
    // The position of the event being reported; valid inside handler calls.
    Location location() const override;
    const Limits& limits() const { return m_limits; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    Limits m_limits;
};

} // namespace escprov::xml
