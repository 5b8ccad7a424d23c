#include "clinic/storage/sql/sql_idempotency_repository.hpp"

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {

Result<std::optional<IdempotencyRecord>> SqlIdempotencyRepository::Find(domain::Role actor_role,
                                                                        Id actor_id,
                                                                        std::string_view operation,
                                                                        std::string_view key) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT request_hash, resource_id, document_id, created_at FROM idempotency_keys "
               "WHERE actor_role = ? AND actor_id = ? AND operation = ? AND idem_key = ?",
               {RoleValue(actor_role), Value{actor_id}, Value{std::string(operation)},
                Value{std::string(key)}}));
  if (rows.empty()) return std::optional<IdempotencyRecord>{};
  const auto& row = rows.front();
  return std::optional<IdempotencyRecord>{IdempotencyRecord{.actor_role = actor_role,
                                                            .actor_id = actor_id,
                                                            .operation = std::string(operation),
                                                            .key = std::string(key),
                                                            .request_hash = row.Text(0),
                                                            .resource_id = row.Int(1),
                                                            .document_id = row.OptText(2),
                                                            .created_at = InstantAt(row, 3)}};
}

Status SqlIdempotencyRepository::Reserve(const IdempotencyRecord& record) {
  CLINIC_TRY_STATUS(c_.Execute(
      "INSERT INTO idempotency_keys (actor_role, actor_id, operation, idem_key, request_hash, "
      "resource_id, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
      {RoleValue(record.actor_role), Value{record.actor_id}, Value{record.operation},
       Value{record.key}, Value{record.request_hash}, ToValue(record.created_at)}));
  return Ok();
}

Status SqlIdempotencyRepository::Attach(domain::Role actor_role, Id actor_id,
                                        std::string_view operation, std::string_view key,
                                        const CreatedResource& made) {
  const Id* row = std::get_if<Id>(&made);
  const std::string* document = std::get_if<std::string>(&made);
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE idempotency_keys SET resource_id = ?, document_id = ? "
                 "WHERE actor_role = ? AND actor_id = ? AND operation = ? AND idem_key = ?",
                 {Value{row ? *row : Id{0}}, document ? Value{*document} : Value{nullptr},
                  RoleValue(actor_role), Value{actor_id}, Value{std::string(operation)},
                  Value{std::string(key)}}));
  return Ok();
}

Result<std::int64_t> SqlIdempotencyRepository::Prune(Instant before) {
  CLINIC_ASSIGN_OR_RETURN(
      auto deleted,
      c_.Execute("DELETE FROM idempotency_keys WHERE created_at < ?", {ToValue(before)}));
  return deleted.affected_rows;
}

}  // namespace clinic::storage::sql
