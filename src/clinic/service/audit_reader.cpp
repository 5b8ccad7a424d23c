#include "clinic/service/audit_reader.hpp"

#include "clinic/domain/policy.hpp"

namespace clinic::service {

Result<storage::Page<domain::AuditEntry>> ListAuditEntries(storage::Store& store,
                                                           const domain::RequestContext& context,
                                                           const storage::AuditFilter& filter,
                                                           const storage::PageRequest& page) {
  CLINIC_TRY_STATUS(domain::AuthorizeAuditTrail(context.actor));
  return storage::InTransaction(store, storage::TxMode::kRead, [&](storage::Transaction& tx) {
    return tx.audit().List(filter, page);
  });
}

Result<AuditVerification> VerifyAuditTrail(storage::Store& store,
                                           const domain::RequestContext& context) {
  CLINIC_TRY_STATUS(domain::AuthorizeAuditTrail(context.actor));
  return VerifyAuditChain(store);
}

}  // namespace clinic::service
