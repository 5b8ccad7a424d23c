#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "clinic/common/clock.hpp"
#include "clinic/common/periodic_task.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/ids.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// The sliding expiry of sessions in use, written back together (docs/decisions.md "Accounts and
// sessions"): Note keeps a session's newest use in memory, and every `period` one write
// transaction stores every use noted since, so authenticating stays a read and a thousand
// sessions in use cost one commit a period, not one each. A crash forgets at most one period of
// uses, which only makes those sessions end that much earlier. Flush runs once more on
// destruction. Thread-safe.
class SessionTouches {
 public:
  SessionTouches(storage::Store& store, std::chrono::milliseconds period);
  ~SessionTouches();
  SessionTouches(const SessionTouches&) = delete;
  SessionTouches& operator=(const SessionTouches&) = delete;

  // Session `id` was used at `last_seen_at` and now expires at `expires_at`.
  void Note(Id id, Instant last_seen_at, Instant expires_at);

  // Writes every use noted so far in one transaction. A session removed meanwhile is skipped; on
  // failure the uses are kept for the next flush (unless newer ones were noted meanwhile).
  Status Flush();

 private:
  struct Use {
    Instant last_seen_at;
    Instant expires_at;
  };

  storage::Store& store_;
  std::mutex mutex_;
  std::unordered_map<Id, Use> pending_;
  std::optional<PeriodicTask> flusher_;  // last: stops before anything it uses goes
};

}  // namespace clinic::service
