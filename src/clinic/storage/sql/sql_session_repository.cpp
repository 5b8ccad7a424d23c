#include "clinic/storage/sql/sql_session_repository.hpp"

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

using domain::Session;

struct SessionTable {
  using Record = Session;
  static constexpr std::string_view kTable = "sessions";
  static constexpr std::string_view kNoun = "session";
  static constexpr std::string_view kColumns =
      "id, token_hash, role, user_id, created_at, expires_at, last_seen_at, revoked_at, "
      "client_addr";
  static Session FromRow(const Row& r) {
    return Session{r.Int(0),
                   r.Text(1),
                   domain::ParseRole(r.Text(2)).value_or(domain::Role::kPatient),
                   r.Int(3),
                   InstantAt(r, 4),
                   InstantAt(r, 5),
                   InstantAt(r, 6),
                   OptInstantAt(r, 7),
                   r.OptText(8)};
  }
};

// The session's columns (qualified), then its account's standing from whichever account table its
// role names.
struct SessionWithAccountTable {
  using Record = SessionWithAccount;
  static constexpr std::string_view kColumns =
      "s.id, s.token_hash, s.role, s.user_id, s.created_at, s.expires_at, s.last_seen_at, "
      "s.revoked_at, s.client_addr, "
      "COALESCE(p.id, d.id, a.id) IS NOT NULL, "
      "COALESCE(p.deleted_at, d.deleted_at, a.deleted_at) IS NOT NULL, "
      "COALESCE(d.is_active, 1)";
  static constexpr std::string_view kFrom =
      "sessions s "
      "LEFT JOIN patients p ON s.role = 'patient' AND p.id = s.user_id "
      "LEFT JOIN doctors d ON s.role = 'doctor' AND d.id = s.user_id "
      "LEFT JOIN admins a ON s.role = 'admin' AND a.id = s.user_id";
  static SessionWithAccount FromRow(const Row& r) {
    return SessionWithAccount{
        .session = SessionTable::FromRow(r),
        .account = {.exists = r.Bool(9), .deleted = r.Bool(10), .active = r.Bool(11)}};
  }
};

}  // namespace

Result<Session> SqlSessionRepository::Create(const Session& s) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO sessions (token_hash, role, user_id, expires_at, last_seen_at, "
                 "revoked_at, client_addr) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {Value{s.token_hash}, RoleValue(s.role), Value{s.user_id}, ToValue(s.expires_at),
                  ToValue(s.last_seen_at), ToValue(s.revoked_at), ToValue(s.client_addr)}));
  return GetById<SessionTable>(c_, result.last_insert_id);
}

Result<std::optional<Session>> SqlSessionRepository::FindByTokenHash(
    const std::string& token_hash) {
  return QueryOne<SessionTable>(c_, Select<SessionTable>("WHERE token_hash = ?"),
                                {Value{token_hash}});
}

Result<std::optional<SessionWithAccount>> SqlSessionRepository::FindWithAccountByTokenHash(
    const std::string& token_hash) {
  static const std::string sql =
      fmt::format("SELECT {} FROM {} WHERE s.token_hash = ?", SessionWithAccountTable::kColumns,
                  SessionWithAccountTable::kFrom);
  return QueryOne<SessionWithAccountTable>(c_, sql, {Value{token_hash}});
}

Status SqlSessionRepository::Touch(Id id, Instant last_seen_at, Instant expires_at) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result, c_.Execute("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
                              {ToValue(last_seen_at), ToValue(expires_at), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(GetById<SessionTable>(c_, id));
  return Ok();
}

Status SqlSessionRepository::Revoke(Id id, Instant at) {
  // Only an open session changes, so a repeated logout keeps the first revocation time.
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                 {ToValue(at), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(GetById<SessionTable>(c_, id));
  return Ok();
}

Status SqlSessionRepository::RevokeAllForUser(domain::Role role, Id user_id, Instant at) {
  CLINIC_TRY_STATUS(c_.Execute(
      "UPDATE sessions SET revoked_at = ? WHERE role = ? AND user_id = ? AND revoked_at IS NULL",
      {ToValue(at), RoleValue(role), Value{user_id}}));
  return Ok();
}

Result<std::int64_t> SqlSessionRepository::PruneExpired(Instant before) {
  CLINIC_ASSIGN_OR_RETURN(
      auto deleted, c_.Execute("DELETE FROM sessions WHERE expires_at < ?", {ToValue(before)}));
  return deleted.affected_rows;
}

}  // namespace clinic::storage::sql
