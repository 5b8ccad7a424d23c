#include "clinic/service/audit_service.hpp"

#include "clinic/domain/policy.hpp"
#include "clinic/domain/validator.hpp"

namespace clinic::service {
namespace {

// audit_log.entity and audit_log.action are VARCHAR(64).
constexpr std::size_t kAuditNameMaxChars = 64;

}  // namespace

Result<domain::Page<domain::AuditEntry>> AuditService::List(const domain::RequestContext& context,
                                                            const storage::AuditFilter& filter,
                                                            const domain::PageRequest& page) {
  CLINIC_TRY_STATUS(domain::AuthorizeAuditTrail(context.actor));
  domain::Validator check;
  storage::AuditFilter cleaned = filter;
  cleaned.entity = check.OptionalText("entity", filter.entity, kAuditNameMaxChars);
  cleaned.action = check.OptionalText("action", filter.action, kAuditNameMaxChars);
  CLINIC_TRY_STATUS(check.Finish("the filter is not valid"));
  return storage::InTransaction(store_, storage::TxMode::kRead, [&](storage::Transaction& tx) {
    return tx.audit().List(cleaned, page);
  });
}

Result<AuditVerification> AuditService::Verify(const domain::RequestContext& context) {
  CLINIC_TRY_STATUS(domain::AuthorizeAuditTrail(context.actor));
  return VerifyAuditChain(store_);
}

}  // namespace clinic::service
