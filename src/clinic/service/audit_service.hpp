#pragma once

#include "clinic/common/result.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// The audit trail as admins read it over the API: browse it (GET /api/v1/audit) and check that
// it verifies (GET /api/v1/audit/verify). Only admins may (kPermissionDenied otherwise); reading
// is not itself audited, since it changes nothing and would otherwise add a row per page viewed.
// Thread-safe.
class AuditService {
 public:
  explicit AuditService(storage::Store& store) : store_(store) {}

  Result<domain::Page<domain::AuditEntry>> List(const domain::RequestContext& context,
                                                const storage::AuditFilter& filter,
                                                const domain::PageRequest& page);

  // Whether the trail verifies (VerifyAuditChain).
  Result<AuditVerification> Verify(const domain::RequestContext& context);

 private:
  storage::Store& store_;
};

}  // namespace clinic::service
