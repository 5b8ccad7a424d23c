#include "clinic/service/audit_reader.hpp"

namespace clinic::service {

Result<storage::Page<domain::AuditEntry>> ListAuditEntries(storage::Store& store,
                                                           const domain::RequestContext& context,
                                                           const storage::AuditFilter& filter,
                                                           const storage::PageRequest& page) {
  if (!context.actor.Is(domain::Role::kAdmin)) {
    return Fail(Error::PermissionDenied("only admins may read the audit trail"));
  }
  return storage::InTransaction(store, storage::TxMode::kRead, [&](storage::Transaction& tx) {
    return tx.audit().List(filter, page);
  });
}

}  // namespace clinic::service
