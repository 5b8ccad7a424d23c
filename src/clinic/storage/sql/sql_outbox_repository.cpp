#include "clinic/storage/sql/sql_outbox_repository.hpp"

#include <array>

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

struct OutboxTable {
  using Record = OutboxEntry;
  static constexpr std::string_view kTable = "outbox";
  static constexpr std::string_view kColumns =
      "id, event, appointment_id, origin, actor_role, actor_id, system_message, read_up_to, "
      "created_at, attempts";
  static Record FromRow(const Row& r) {
    return {.id = r.Int(0),
            .event = r.Text(1),
            .appointment_id = r.Int(2),
            .origin = r.Text(3),
            .actor_role = domain::ParseRole(r.Text(4)).value_or(domain::Role::kSystem),
            .actor_id = r.Int(5),
            .system_message = r.OptText(6),
            .read_up_to = r.OptText(7),
            .created_at = InstantAt(r, 8),
            .attempts = static_cast<int>(r.Int(9))};
  }
};

}  // namespace

Result<Id> SqlOutboxRepository::Append(const OutboxEntry& entry) {
  // Nothing to apply: applied as written, so no relay ever claims it.
  const Value applied_at = entry.system_message ? Value{nullptr} : ToValue(entry.created_at);
  CLINIC_ASSIGN_OR_RETURN(
      auto inserted,
      c_.Execute("INSERT INTO outbox (event, appointment_id, origin, actor_role, actor_id, "
                 "system_message, read_up_to, created_at, applied_at, attempts, next_attempt_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                 {Value{entry.event}, Value{entry.appointment_id}, Value{entry.origin},
                  RoleValue(entry.actor_role), Value{entry.actor_id}, ToValue(entry.system_message),
                  ToValue(entry.read_up_to), ToValue(entry.created_at), applied_at,
                  ToValue(entry.created_at)}));
  return inserted.last_insert_id;
}

Result<std::vector<OutboxEntry>> SqlOutboxRepository::Claim(Instant now, Instant lease_until,
                                                            int limit) {
  const std::string_view skip_locked =
      c_.dialect() == Dialect::kMysql ? " FOR UPDATE SKIP LOCKED" : "";
  const std::array params{ToValue(now), Value{std::int64_t{limit}}};
  CLINIC_ASSIGN_OR_RETURN(
      auto claimed, QueryAll<OutboxTable>(c_,
                                          Select<OutboxTable>(fmt::format(
                                              "WHERE applied_at IS NULL AND next_attempt_at <= ? "
                                              "ORDER BY id LIMIT ?{}",
                                              skip_locked)),
                                          params));
  for (const auto& entry : claimed) {
    CLINIC_TRY_STATUS(c_.Execute("UPDATE outbox SET next_attempt_at = ? WHERE id = ?",
                                 {ToValue(lease_until), Value{entry.id}}));
  }
  return claimed;
}

Status SqlOutboxRepository::MarkApplied(Id id, Instant at) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE outbox SET applied_at = ? WHERE id = ?", {ToValue(at), Value{id}}));
  return Ok();
}

Status SqlOutboxRepository::Postpone(Id id, Instant retry_at) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                 {ToValue(retry_at), Value{id}}));
  return Ok();
}

Result<std::vector<OutboxEntry>> SqlOutboxRepository::ListCreatedSince(Instant since, int limit) {
  const std::array params{ToValue(since), Value{std::int64_t{limit}}};
  return QueryAll<OutboxTable>(c_, Select<OutboxTable>("WHERE created_at >= ? ORDER BY id LIMIT ?"),
                               params);
}

Result<std::int64_t> SqlOutboxRepository::CountPending() {
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          c_.Query("SELECT COUNT(*) FROM outbox WHERE applied_at IS NULL", {}));
  return rows.empty() ? 0 : rows.front().Int(0);
}

Result<std::int64_t> SqlOutboxRepository::Prune(Instant before) {
  CLINIC_ASSIGN_OR_RETURN(
      auto deleted, c_.Execute("DELETE FROM outbox WHERE applied_at IS NOT NULL AND created_at < ?",
                               {ToValue(before)}));
  return deleted.affected_rows;
}

}  // namespace clinic::storage::sql
