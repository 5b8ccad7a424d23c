#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// Idempotency keys are remembered this long: a retry is a matter of seconds or minutes, and a
// day covers a client that retries after coming back online.
inline constexpr std::chrono::hours kIdempotencyKeyRetention{24};
// Sessions stay this long after they expired (or were revoked and then reached their expiry),
// for an operator looking into one; after that nothing reads them.
inline constexpr std::chrono::hours kEndedSessionRetention{24};
// A throttle counter untouched this long (and not blocking) has nothing left to say.
inline constexpr std::chrono::hours kIdleThrottleRetention{24};
// Applied outbox entries stay this long, for an operator tracing what a change caused.
inline constexpr std::chrono::hours kAppliedOutboxRetention{24};

// What PruneExpiredRecords removed.
struct PruneReport {
  std::int64_t sessions = 0;
  std::int64_t idempotency_keys = 0;
  std::int64_t throttle_rows = 0;  // idle throttle counters and addresses no longer known
  std::int64_t outbox_entries = 0;

  bool empty() const {
    return sessions == 0 && idempotency_keys == 0 && throttle_rows == 0 && outbox_entries == 0;
  }
  // "pruned 3 expired sessions, 0 idempotency keys, 1 throttle rows and 0 outbox entries"
  std::string Describe() const;
};

// Deletes the rows the server no longer needs and would otherwise keep forever: sessions a day
// after they expired, idempotency keys after kIdempotencyKeyRetention, throttle counters idle for
// kIdleThrottleRetention, login addresses older than kKnownLoginAddressPeriod and outbox entries
// applied kAppliedOutboxRetention ago. clinicd runs it
// every hour; `clinicctl prune` runs it once.
// Safe on several instances at once: each delete is idempotent.
Result<PruneReport> PruneExpiredRecords(storage::Store& store, const Clock& clock);

}  // namespace clinic::service
