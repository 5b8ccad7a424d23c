#include "clinic/service/maintenance.hpp"

#include <fmt/format.h>

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
        CLINIC_ASSIGN_OR_RETURN(report.outbox_entries,
                                tx.outbox().Prune(now - kAppliedOutboxRetention));
        return report;
      });
}

std::string PruneReport::Describe() const {
  return fmt::format(
      "pruned {} expired sessions, {} idempotency keys, {} throttle rows and {} outbox entries",
      sessions, idempotency_keys, throttle_rows, outbox_entries);
}

}  // namespace clinic::service
