#pragma once

#include "clinic/common/result.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// The audit trail as admins browse it (GET /api/v1/audit). Only admins may read it
// (kPermissionDenied otherwise); reading it is not itself audited, since it changes nothing and
// would otherwise add a row per page viewed.
Result<storage::Page<domain::AuditEntry>> ListAuditEntries(storage::Store& store,
                                                           const domain::RequestContext& context,
                                                           const storage::AuditFilter& filter,
                                                           const storage::PageRequest& page);

// Whether the trail verifies (VerifyAuditChain), for admins (kPermissionDenied otherwise).
Result<AuditVerification> VerifyAuditTrail(storage::Store& store,
                                           const domain::RequestContext& context);

}  // namespace clinic::service
