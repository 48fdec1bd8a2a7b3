#include "emulators/dataverse/http_types.hpp"

#include <nlohmann/json.hpp>

namespace escprov::emulator {

HttpResponse odata_error(int status, const std::string& code, const std::string& message)
{
    HttpResponse response;
    response.status = status;
    response.headers.emplace_back("Content-Type", "application/json; odata.metadata=minimal");
    response.headers.emplace_back("OData-Version", "4.0");
    nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
    response.body = body.dump();
    return response;
}

} // namespace escprov::emulator
