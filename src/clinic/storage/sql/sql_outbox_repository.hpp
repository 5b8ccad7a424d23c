#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The outbox port over `outbox`. Runs on a connection that is inside an open transaction; Claim
// skips rows other transactions hold on MySQL (FOR UPDATE SKIP LOCKED) and relies on SQLite's
// write transactions excluding each other.
class SqlOutboxRepository final : public OutboxRepository {
 public:
  explicit SqlOutboxRepository(Connection& c) : c_(c) {}
  Result<Id> Append(const OutboxEntry& entry) override;
  Result<std::vector<OutboxEntry>> Claim(Instant now, Instant lease_until, int limit) override;
  Status MarkApplied(Id id, Instant at) override;
  Status Postpone(Id id, Instant retry_at) override;
  Result<std::vector<OutboxEntry>> ListCreatedSince(Instant since, int limit) override;
  Result<std::int64_t> CountPending() override;
  Result<std::int64_t> Prune(Instant before) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
