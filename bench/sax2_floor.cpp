// escprov_sax2_floor FILE: parses FILE with the plainest Xerces-C++ SAX2 reader (the factory
// defaults, namespaces on, a handler that does nothing) and prints the elapsed seconds.
// This is the floor: no validator that reads every byte through Xerces can be faster, so
// `escprov validate` is reported as a ratio to it (docs/performance.md).

#include <xercesc/framework/LocalFileInputSource.hpp>
#include <xercesc/sax/SAXParseException.hpp>
#include <xercesc/sax2/DefaultHandler.hpp>
#include <xercesc/sax2/SAX2XMLReader.hpp>
#include <xercesc/sax2/XMLReaderFactory.hpp>
#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLString.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

namespace {

namespace xc = xercesc;

// Transcodes a Xerces string for a message and releases it.
std::string narrow(const XMLCh* text)
{
    char* bytes = xc::XMLString::transcode(text);
    std::string out = bytes != nullptr ? bytes : "";
    xc::XMLString::release(&bytes);
    return out;
}

// Parses `path` and returns the elapsed seconds; returns a negative value after printing the
// parse error. The reader is destroyed before returning, so Terminate() can follow.
double parse_seconds(const char* path)
{
    std::unique_ptr<xc::SAX2XMLReader> reader(xc::XMLReaderFactory::createXMLReader());
    xc::DefaultHandler handler; // DefaultHandler's error handlers throw on fatal errors
    reader->setContentHandler(&handler);
    reader->setErrorHandler(&handler);
    auto start = std::chrono::steady_clock::now();
    try {
        XMLCh* wide_path = xc::XMLString::transcode(path);
        std::unique_ptr<xc::LocalFileInputSource> source;
        try {
            source = std::make_unique<xc::LocalFileInputSource>(wide_path);
        } catch (...) {
            xc::XMLString::release(&wide_path);
            throw;
        }
        xc::XMLString::release(&wide_path);
        reader->parse(*source);
    } catch (const xc::SAXParseException& error) {
        std::fprintf(stderr, "escprov_sax2_floor: error: parse '%s': line %llu: %s\n", path,
                     static_cast<unsigned long long>(error.getLineNumber()), narrow(error.getMessage()).c_str());
        return -1.0;
    } catch (const xc::XMLException& error) {
        std::fprintf(stderr, "escprov_sax2_floor: error: parse '%s': %s\n", path, narrow(error.getMessage()).c_str());
        return -1.0;
    }
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    return elapsed.count();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "Usage: escprov_sax2_floor FILE\n");
        return 2;
    }
    try {
        xc::XMLPlatformUtils::Initialize();
    } catch (const xc::XMLException& error) {
        std::fprintf(stderr, "escprov_sax2_floor: error: start Xerces: %s\n", narrow(error.getMessage()).c_str());
        return 2;
    }
    double seconds = parse_seconds(argv[1]);
    xc::XMLPlatformUtils::Terminate();
    if (seconds < 0) {
        return 1;
    }
    std::printf("%.3f\n", seconds);
    return 0;
}
