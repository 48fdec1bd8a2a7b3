#include "emulators/dataverse/soap.hpp"

namespace escprov::emulator {

HttpResponse serve_soap(Emulator& /*emulator*/, const HttpRequest& /*request*/)
{
    HttpResponse response;
    response.status = 500;
    return response;
}

} // namespace escprov::emulator
