#pragma once
// The Organization service's SOAP endpoint (/XRMServices/2011/Organization.svc/web), the only
// API of CRM 2011-2015 and still served by later versions: Execute with WhoAmI, RetrieveVersion,
// RetrieveUserPrivileges, RetrieveMultiple (FetchXML on solution or importjob), ExportSolution,
// ImportSolution, PublishAllXml, PublishXml, RetrieveAllEntities,
// RetrieveFormattedImportJobResults and Delete of a solution. Failures are s:Fault with an
// OrganizationServiceFault.

#include "emulators/dataverse/emulator.hpp"
#include "emulators/dataverse/http_types.hpp"

namespace escprov::emulator {

// Answers an authenticated SOAP request.
HttpResponse serve_soap(Emulator& emulator, const HttpRequest& request);

} // namespace escprov::emulator
