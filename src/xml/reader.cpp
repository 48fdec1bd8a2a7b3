#include "xml/reader.hpp"

#include "util/utf.hpp"

#include <xercesc/framework/XMLDocumentHandler.hpp>
#include <xercesc/framework/XMLElementDecl.hpp>
#include <xercesc/internal/XMLScanner.hpp>
#include <xercesc/parsers/SAX2XMLReaderImpl.hpp>
#include <xercesc/sax/ErrorHandler.hpp>
#include <xercesc/sax/InputSource.hpp>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/LexicalHandler.hpp>
#include <xercesc/util/BinInputStream.hpp>
#include <xercesc/util/OutOfMemoryException.hpp>
#include <xercesc/util/SecurityManager.hpp>
#include <xercesc/util/XMLUni.hpp>

#include <algorithm>
#include <cstring>
#include <exception>

namespace escprov::xml {

namespace x = xercesc;

const std::string* find_attribute(const Attributes& attributes, std::string_view name)
{
    for (const auto& attribute : attributes) {
        if (attribute.name == name) {
            return &attribute.value;
        }
    }
    return nullptr;
}

ParseError::ParseError(ErrorKind kind, std::string file, Location where, std::string cause)
    : Error(kind, file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": " + cause),
      m_file(std::move(file)), m_where(where), m_cause(std::move(cause))
{}

namespace {

const char16_t* u(const XMLCh* s)
{
    return reinterpret_cast<const char16_t*>(s);
}

// Feeds Xerces from a ByteSource, enforcing the token-size limit on the raw bytes. Exceptions
// from the source are stashed and reported after Xerces returns, never thrown through it.
class GuardedStream : public x::BinInputStream {
public:
    GuardedStream(ByteSource& source, uint64_t max_token, std::exception_ptr& failure)
        : m_source(source), m_max_token(max_token), m_failure(failure)
    {}
    XMLFilePos curPos() const override { return m_position; }
    XMLSize_t readBytes(XMLByte* const buffer, const XMLSize_t size) override
    {
        if (m_failure) {
            return 0;
        }
        size_t got = 0;
        try {
            got = m_source.read(reinterpret_cast<char*>(buffer), size);
        } catch (...) {
            m_failure = std::current_exception();
            return 0;
        }
        m_position += got;
        size_t first = first_markup(buffer, got);
        size_t last = first == got ? got : last_markup(buffer, got);
        if (first == got) {
            m_run += got;
        } else {
            m_run += first;
            check();
            m_run = got - last - 1;
        }
        check();
        return m_failure ? 0 : got;
    }
    const XMLCh* getContentType() const override { return nullptr; }

private:
    // Positions of the first and last '<' or '>' in the chunk (`size` when there is none).
    static size_t first_markup(const XMLByte* bytes, size_t size)
    {
        const void* lt = std::memchr(bytes, '<', size);
        const void* gt = std::memchr(bytes, '>', lt != nullptr ? static_cast<const XMLByte*>(lt) - bytes : size);
        const void* first = gt != nullptr ? gt : lt;
        return first != nullptr ? static_cast<size_t>(static_cast<const XMLByte*>(first) - bytes) : size;
    }
    static size_t last_markup(const XMLByte* bytes, size_t size)
    {
        const void* lt = ::memrchr(bytes, '<', size);
        const void* gt = ::memrchr(bytes, '>', size);
        const XMLByte* last = std::max(static_cast<const XMLByte*>(lt), static_cast<const XMLByte*>(gt));
        return static_cast<size_t>(last - bytes);
    }

    void check()
    {
        if (m_run > m_max_token && !m_failure) {
            m_failure = std::make_exception_ptr(
                Error(ErrorKind::limit, "read '" + m_source.name() +
                                            "': a single text or attribute value is longer than the limit of " +
                                            std::to_string(m_max_token) + " bytes (--max-token); refusing to load it"));
        }
    }
    ByteSource& m_source;
    uint64_t m_max_token;
    std::exception_ptr& m_failure;
    uint64_t m_position = 0;
    uint64_t m_run = 0;
};

class GuardedInputSource : public x::InputSource {
public:
    GuardedInputSource(ByteSource& source, uint64_t max_token, std::exception_ptr& failure)
        : m_source(source), m_max_token(max_token), m_failure(failure)
    {
        std::u16string id = to_utf16(source.name());
        setSystemId(reinterpret_cast<const XMLCh*>(id.c_str()));
    }
    // Xerces takes the stream and deletes it when the parse ends: its API hands back a raw pointer.
    x::BinInputStream* makeStream() const override
    {
        auto stream = std::make_unique<GuardedStream>(m_source, m_max_token, m_failure);
        return stream.release();
    }

private:
    ByteSource& m_source;
    uint64_t m_max_token;
    std::exception_ptr& m_failure;
};

// A handler failure carried through Xerces as the one exception type it is documented to let pass.
struct Abort {};

} // namespace

// Only there to receive the document locator, which SAX2 hands to content handlers alone.
class LocatorCatcher : public x::DefaultHandler {
public:
    void setDocumentLocator(const x::Locator* const locator) override { this->locator = locator; }
    const x::Locator* locator = nullptr;
};

struct Parser::Impl : public x::XMLDocumentHandler, public x::ErrorHandler, public x::LexicalHandler {
    explicit Impl(const Limits& limits) : limits(limits)
    {
        reader = std::make_unique<x::SAX2XMLReaderImpl>();
        reader->setContentHandler(&locator_catcher);
        reader->setFeature(x::XMLUni::fgSAX2CoreNameSpaces, false);
        reader->setFeature(x::XMLUni::fgSAX2CoreValidation, false);
        reader->setFeature(x::XMLUni::fgXercesSchema, false);
        reader->setFeature(x::XMLUni::fgXercesLoadExternalDTD, false);
        reader->setFeature(x::XMLUni::fgXercesDisableDefaultEntityResolution, true);
        security.setEntityExpansionLimit(16);
        reader->setProperty(x::XMLUni::fgXercesSecurityManager, &security);
        reader->setErrorHandler(this);
        reader->setLexicalHandler(this);
        reader->installAdvDocHandler(this);
    }

    Location location() const
    {
        const x::Locator* locator = locator_catcher.locator;
        if (locator == nullptr) {
            return {};
        }
        auto line = locator->getLineNumber();
        auto column = locator->getColumnNumber();
        return {line > 0 ? static_cast<uint64_t>(line) : 0, column > 0 ? static_cast<uint64_t>(column) : 0, &name};
    }

    // Runs a handler callback; any exception is stashed and Xerces is unwound with Abort.
    template <typename F> void guarded(F&& f)
    {
        if (failure) {
            throw Abort{};
        }
        try {
            f();
        } catch (...) {
            failure = std::current_exception();
            throw Abort{};
        }
    }

    [[noreturn]] void fail(ErrorKind kind, const std::string& cause)
    {
        failure = std::make_exception_ptr(ParseError(kind, name, location(), cause));
        throw Abort{};
    }

    // XMLDocumentHandler
    void docCharacters(const XMLCh* const chars, const XMLSize_t length, const bool cdataSection) override
    {
        if (!failure && !handler->wants_characters()) {
            return;
        }
        guarded([&] {
            text.clear();
            append_utf8(text, u(chars), length);
            handler->characters(text, cdataSection);
        });
    }
    void docComment(const XMLCh* const comment) override
    {
        guarded([&] { handler->comment(to_utf8(u(comment))); });
    }
    void docPI(const XMLCh* const target, const XMLCh* const data) override
    {
        guarded([&] { handler->processing_instruction(to_utf8(u(target)), to_utf8(u(data))); });
    }
    void endDocument() override {}
    void endElement(const x::XMLElementDecl& decl, const unsigned int, const bool, const XMLCh* const) override
    {
        guarded([&] {
            --depth;
            element_name.clear();
            append_utf8(element_name, u(decl.getFullName()));
            handler->end_element(element_name);
        });
    }
    void endEntityReference(const x::XMLEntityDecl&) override {}
    void ignorableWhitespace(const XMLCh* const chars, const XMLSize_t length, const bool cdataSection) override
    {
        docCharacters(chars, length, cdataSection);
    }
    void resetDocument() override {}
    void startDocument() override {}
    void startElement(const x::XMLElementDecl& decl, const unsigned int, const XMLCh* const,
                      const x::RefVectorOf<x::XMLAttr>& list, const XMLSize_t count, const bool isEmpty,
                      const bool) override
    {
        if (++depth > limits.max_depth) {
            fail(ErrorKind::limit,
                 "elements nest deeper than the limit of " + std::to_string(limits.max_depth) + " (--max-depth)");
        }
        guarded([&] {
            element_name.clear();
            append_utf8(element_name, u(decl.getFullName()));
            attributes.resize(count);
            for (XMLSize_t i = 0; i < count; ++i) {
                const x::XMLAttr* attribute = list.elementAt(i);
                attributes[i].name.clear();
                append_utf8(attributes[i].name, u(attribute->getQName()));
                attributes[i].value.clear();
                append_utf8(attributes[i].value, u(attribute->getValue()));
            }
            handler->start_element(element_name, attributes, isEmpty);
            if (isEmpty) {
                // Xerces reports no endElement for <x/>; keep the handler's view symmetric.
                --depth;
                handler->end_element(element_name);
            }
        });
    }
    void startEntityReference(const x::XMLEntityDecl&) override {}
    void XMLDecl(const XMLCh* const version, const XMLCh* const encoding, const XMLCh* const,
                 const XMLCh* const) override
    {
        guarded([&] { handler->xml_declaration(to_utf8(u(version)), to_utf8(u(encoding))); });
    }

    // ErrorHandler: every error is fatal; well-formedness is all we ask of Xerces.
    void warning(const x::SAXParseException&) override {}
    void error(const x::SAXParseException& e) override { fatalError(e); }
    void fatalError(const x::SAXParseException& e) override
    {
        if (failure) {
            throw Abort{};
        }
        Location where{static_cast<uint64_t>(e.getLineNumber()), static_cast<uint64_t>(e.getColumnNumber()), &name};
        std::string cause = to_utf8(u(e.getMessage()));
        failure = std::make_exception_ptr(ParseError(ErrorKind::input, name, where, cause));
        throw Abort{};
    }
    void resetErrors() override {}

    // LexicalHandler: a DOCTYPE is refused before its internal subset is read.
    void startDTD(const XMLCh* const, const XMLCh* const, const XMLCh* const) override
    {
        fail(ErrorKind::unsafe, "a DOCTYPE is not allowed (solution XML never has one; DTDs enable external-entity "
                                "and entity-expansion attacks)");
    }
    void endDTD() override {}
    void startEntity(const XMLCh* const) override {}
    void endEntity(const XMLCh* const) override {}
    void startCDATA() override {}
    void endCDATA() override {}
    void comment(const XMLCh* const, const XMLSize_t) override {}

    Limits limits;
    LocatorCatcher locator_catcher;
    x::SecurityManager security;
    // Declared after what it points at (the locator catcher, the security manager), so it is
    // destroyed first.
    std::unique_ptr<x::SAX2XMLReaderImpl> reader;
    Handler* handler = nullptr;
    std::string name;
    std::exception_ptr failure;
    size_t depth = 0;
    std::string text;
    std::string element_name;
    Attributes attributes;
};

Parser::Parser(Limits limits) : m_impl(std::make_unique<Impl>(limits)), m_limits(limits) {}
Parser::~Parser() = default;

Location Parser::location() const
{
    return m_impl->location();
}

void Parser::parse(ByteSource& source, Handler& handler)
{
    Impl& impl = *m_impl;
    impl.handler = &handler;
    impl.name = source.name();
    impl.failure = nullptr;
    impl.depth = 0;
    GuardedInputSource input(source, m_limits.max_token_bytes, impl.failure);
    try {
        impl.reader->parse(input);
    } catch (const Abort&) {
    } catch (const x::SAXParseException& e) {
        if (!impl.failure) {
            impl.fatalError(e);
        }
    } catch (const x::OutOfMemoryException&) {
        impl.failure = std::make_exception_ptr(
            Error(ErrorKind::memory, "read '" + impl.name + "': the XML library ran out of memory"));
    } catch (const x::XMLException& e) {
        if (!impl.failure) {
            impl.failure = std::make_exception_ptr(
                ParseError(ErrorKind::input, impl.name, impl.location(), to_utf8(u(e.getMessage()))));
        }
    }
    impl.handler = nullptr;
    if (impl.failure) {
        std::exception_ptr failure = impl.failure;
        impl.failure = nullptr;
        std::rethrow_exception(failure);
    }
}

} // namespace escprov::xml
