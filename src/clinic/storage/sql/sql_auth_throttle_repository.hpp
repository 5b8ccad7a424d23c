#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The throttle port over `auth_throttle` and `known_login_addresses`. Lock creates a missing
// counter and locks it until the transaction ends.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlAuthThrottleRepository final : public AuthThrottleRepository {
 public:
  explicit SqlAuthThrottleRepository(Connection& c) : c_(c) {}
  Result<domain::ThrottleCounter> Lock(ThrottleSubject kind, const std::string& subject,
                                       Instant now) override;
  Status Save(ThrottleSubject kind, const std::string& subject,
              const domain::ThrottleCounter& counter, Instant now) override;
  Result<bool> IsKnownAddress(const std::string& account, const std::string& address,
                              Instant since) override;
  Status RememberAddress(const std::string& account, const std::string& address,
                         Instant at) override;
  Result<std::int64_t> Prune(Instant idle_before, Instant known_before) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
