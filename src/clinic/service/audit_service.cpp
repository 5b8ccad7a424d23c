#include "clinic/service/audit_service.hpp"

#include "clinic/domain/policy.hpp"

namespace clinic::service {

Result<domain::Page<domain::AuditEntry>> AuditService::List(const domain::RequestContext& context,
                                                            const storage::AuditFilter& filter,
                                                            const domain::PageRequest& page) {
  CLINIC_TRY_STATUS(domain::AuthorizeAuditTrail(context.actor));
  return storage::InTransaction(store_, storage::TxMode::kRead, [&](storage::Transaction& tx) {
    return tx.audit().List(filter, page);
  });
}

Result<AuditVerification> AuditService::Verify(const domain::RequestContext& context) {
  CLINIC_TRY_STATUS(domain::AuthorizeAuditTrail(context.actor));
  return VerifyAuditChain(store_);
}

}  // namespace clinic::service
