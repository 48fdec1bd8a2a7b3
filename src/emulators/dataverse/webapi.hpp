#pragma once
// The Web API front end (/api/data/vX.Y): the header and body checks a real org makes, and the
// operations of the plan's wire agreement: RetrieveVersion, WhoAmI, RetrieveUserPrivileges,
// EntityDefinitions, ExportSolution, ImportSolution(Async), RetrieveFormattedImportJobResults,
// PublishXml/PublishAllXml, DeleteAndPromote, DELETE solutions(id), $batch, and records
// (records.hpp) on every other entity set.

#include "emulators/dataverse/emulator.hpp"
#include "emulators/dataverse/http_types.hpp"

namespace escprov::emulator {

// Answers an authenticated Web API request; request.path is relative to the Web API base and
// request.base_url is that base.
HttpResponse serve_webapi(Emulator& emulator, const HttpRequest& request);

// The privileges the org grants its users: prv{Create,Read,…}<Entity> for every entity and the
// customisation privileges, less --deny-privilege.
std::vector<std::string> granted_privileges(Emulator& emulator);

} // namespace escprov::emulator
