#include "xml/platform.hpp"

#include "util/error.hpp"

#include <xercesc/util/PlatformUtils.hpp>
#include <xercesc/util/XMLException.hpp>

namespace escprov::xml {

XercesPlatform::XercesPlatform()
{
    try {
        xercesc::XMLPlatformUtils::Initialize();
    } catch (const xercesc::XMLException&) {
        throw Error(ErrorKind::internal, "cannot initialise the XML library (Xerces-C++)");
    }
}

XercesPlatform::~XercesPlatform()
{
    xercesc::XMLPlatformUtils::Terminate();
}

} // namespace escprov::xml
