#include "clinic/storage/sql/sql_auth_throttle_repository.hpp"

#include <fmt/format.h>

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

// The auth_throttle.subject_kind spelling.
Value SubjectKindValue(ThrottleSubject kind) {
  switch (kind) {
    case ThrottleSubject::kAccount:
      return Value{std::string("account")};
    case ThrottleSubject::kAddress:
      return Value{std::string("address")};
    case ThrottleSubject::kAccountAtAddress:
      return Value{std::string("account_address")};
    case ThrottleSubject::kRegistration:
      return Value{std::string("registration")};
  }
  return Value{std::string("account")};
}

}  // namespace

Result<domain::ThrottleCounter> SqlAuthThrottleRepository::Lock(ThrottleSubject kind,
                                                                const std::string& subject,
                                                                Instant now) {
  // The no-op update of a duplicate takes the row's exclusive lock at once (INSERT IGNORE would
  // take a shared one, and two racers upgrading it would deadlock).
  CLINIC_TRY_STATUS(c_.Execute(
      c_.dialect() == Dialect::kMysql
          ? "INSERT INTO auth_throttle (subject_kind, subject, window_started_at, attempts, "
            "strikes, blocked_until, updated_at) VALUES (?, ?, ?, 0, 0, NULL, ?) "
            "ON DUPLICATE KEY UPDATE attempts = attempts"
          : "INSERT INTO auth_throttle (subject_kind, subject, window_started_at, attempts, "
            "strikes, blocked_until, updated_at) VALUES (?, ?, ?, 0, 0, NULL, ?) "
            "ON CONFLICT (subject_kind, subject) DO NOTHING",
      {SubjectKindValue(kind), Value{subject}, ToValue(now), ToValue(now)}));
  CLINIC_ASSIGN_OR_RETURN(
      auto rows, c_.Query(fmt::format("SELECT window_started_at, attempts, strikes, blocked_until "
                                      "FROM auth_throttle WHERE subject_kind = ? AND subject = ?{}",
                                      RowLockSuffix(c_)),
                          {SubjectKindValue(kind), Value{subject}}));
  if (rows.empty()) return Fail(Error::Internal("a throttle counter vanished while locked"));
  const auto& row = rows.front();
  return domain::ThrottleCounter{.attempts = static_cast<int>(row.Int(1)),
                                 .window_started_at = InstantAt(row, 0),
                                 .strikes = static_cast<int>(row.Int(2)),
                                 .blocked_until = OptInstantAt(row, 3)};
}

Status SqlAuthThrottleRepository::Save(ThrottleSubject kind, const std::string& subject,
                                       const domain::ThrottleCounter& counter, Instant now) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE auth_throttle SET window_started_at = ?, attempts = ?, strikes = ?, "
                 "blocked_until = ?, updated_at = ? WHERE subject_kind = ? AND subject = ?",
                 {ToValue(counter.window_started_at), Value{std::int64_t{counter.attempts}},
                  Value{std::int64_t{counter.strikes}}, ToValue(counter.blocked_until),
                  ToValue(now), SubjectKindValue(kind), Value{subject}}));
  return Ok();
}

Result<bool> SqlAuthThrottleRepository::IsKnownAddress(const std::string& account,
                                                       const std::string& address, Instant since) {
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          c_.Query("SELECT 1 FROM known_login_addresses "
                                   "WHERE account = ? AND address = ? AND last_success_at >= ?",
                                   {Value{account}, Value{address}, ToValue(since)}));
  return !rows.empty();
}

Status SqlAuthThrottleRepository::RememberAddress(const std::string& account,
                                                  const std::string& address, Instant at) {
  CLINIC_TRY_STATUS(c_.Execute(
      c_.dialect() == Dialect::kMysql
          ? "INSERT INTO known_login_addresses (account, address, last_success_at) "
            "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE last_success_at = VALUES(last_success_at)"
          : "INSERT INTO known_login_addresses (account, address, last_success_at) "
            "VALUES (?, ?, ?) ON CONFLICT (account, address) "
            "DO UPDATE SET last_success_at = excluded.last_success_at",
      {Value{account}, Value{address}, ToValue(at)}));
  return Ok();
}

Result<std::int64_t> SqlAuthThrottleRepository::Prune(Instant idle_before, Instant known_before) {
  CLINIC_ASSIGN_OR_RETURN(auto counters,
                          c_.Execute("DELETE FROM auth_throttle WHERE updated_at < ? AND "
                                     "(blocked_until IS NULL OR blocked_until < ?)",
                                     {ToValue(idle_before), ToValue(idle_before)}));
  CLINIC_ASSIGN_OR_RETURN(auto addresses,
                          c_.Execute("DELETE FROM known_login_addresses WHERE last_success_at < ?",
                                     {ToValue(known_before)}));
  return counters.affected_rows + addresses.affected_rows;
}

}  // namespace clinic::storage::sql
