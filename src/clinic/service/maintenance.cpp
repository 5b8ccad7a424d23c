#include "clinic/service/maintenance.hpp"

#include "clinic/service/auth_service.hpp"

namespace clinic::service {

Result<PruneReport> PruneExpiredRecords(storage::Store& store, const Clock& clock) {
  const Instant now = clock.Now();
  return storage::InTransaction(
      store, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Result<PruneReport> {
        PruneReport report;
        CLINIC_ASSIGN_OR_RETURN(report.sessions,
                                tx.sessions().PruneExpired(now - kEndedSessionRetention));
        CLINIC_ASSIGN_OR_RETURN(report.idempotency_keys,
                                tx.idempotency().Prune(now - kIdempotencyKeyRetention));
        CLINIC_ASSIGN_OR_RETURN(
            report.throttle_rows,
            tx.auth_throttle().Prune(now - kIdleThrottleRetention, now - kKnownLoginAddressPeriod));
        return report;
      });
}

}  // namespace clinic::service
