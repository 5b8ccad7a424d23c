#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The idempotency-key port over `idempotency_keys`.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlIdempotencyRepository final : public IdempotencyRepository {
 public:
  explicit SqlIdempotencyRepository(Connection& c) : c_(c) {}
  Result<std::optional<IdempotencyRecord>> Find(domain::Role actor_role, Id actor_id,
                                                std::string_view operation,
                                                std::string_view key) override;
  Status Reserve(const IdempotencyRecord& record) override;
  Status Attach(domain::Role actor_role, Id actor_id, std::string_view operation,
                std::string_view key, const CreatedResource& made) override;
  Result<std::int64_t> Prune(Instant before) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
