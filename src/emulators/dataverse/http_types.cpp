#include "emulators/dataverse/http_types.hpp"

#include <nlohmann/json.hpp>

namespace escprov::emulator {

HttpResponse odata_error(int status, const std::string& code, const std::string& message)
{
    nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
    HttpResponse response;
    response.status = status;
    response.headers = {{"Content-Type", "application/json; odata.metadata=minimal"}, {"OData-Version", "4.0"}};
    response.body = body.dump();
    return response;
}

} // namespace escprov::emulator
