#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The sessions port over `sessions`; a revoked session keeps its first revocation time.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlSessionRepository final : public SessionRepository {
 public:
  explicit SqlSessionRepository(Connection& c) : c_(c) {}
  Result<domain::Session> Create(const domain::Session& session) override;
  Result<std::optional<domain::Session>> FindByTokenHash(const std::string& token_hash) override;
  Result<std::optional<SessionWithAccount>> FindWithAccountByTokenHash(
      const std::string& token_hash) override;
  Status Touch(Id id, Instant last_seen_at, Instant expires_at) override;
  Status Revoke(Id id, Instant at) override;
  Status RevokeAllForUser(domain::Role role, Id user_id, Instant at) override;
  Result<std::int64_t> PruneExpired(Instant before) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
