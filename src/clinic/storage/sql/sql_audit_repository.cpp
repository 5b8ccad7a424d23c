#include "clinic/storage/sql/sql_audit_repository.hpp"

#include <fmt/format.h>

#include <array>

#include "clinic/domain/audit.hpp"
#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

using domain::AuditEntry;

struct AuditTable {
  using Record = AuditEntry;
  static constexpr std::string_view kTable = "audit_log";
  static constexpr std::string_view kColumns =
      "id, occurred_at, actor_role, actor_id, action, entity, entity_id, client_addr, request_id, "
      "details, prev_hash, hash, client_request_id, chain, chain_seq";
  static AuditEntry FromRow(const Row& r) {
    AuditEntry e;
    e.id = r.Int(0);
    e.occurred_at = InstantAt(r, 1);
    e.actor_role = domain::ParseRole(r.Text(2)).value_or(domain::Role::kSystem);
    e.actor_id = r.OptInt(3);
    e.action = r.Text(4);
    e.entity = r.Text(5);
    e.entity_id = r.OptInt(6);
    e.client_addr = r.OptText(7);
    e.request_id = r.OptText(8);
    e.details = r.OptText(9);
    e.prev_hash = r.Text(10);
    e.hash = r.Text(11);
    e.client_request_id = r.OptText(12);
    e.chain = static_cast<int>(r.Int(13));
    e.chain_seq = r.Int(14);
    return e;
  }
};

}  // namespace

Result<AuditEntry> SqlAuditRepository::Append(const AuditEntry& entry) {
  if (lease_.chain == 0) {
    return Fail(Error::Internal("audit rows are appended only in write transactions"));
  }
  // The lock on the chain's head row serialises the appenders of one chain on MySQL: the second
  // waits here until the first commits, then chains to the row the first added. Writers on other
  // chains do not wait. On a Galera cluster two nodes appending to one chain both update the head
  // row and insert the same (chain, chain_seq), so certification lets only one commit; the chain
  // leases keep that rare.
  CLINIC_ASSIGN_OR_RETURN(
      auto head,
      c_.Query(fmt::format("SELECT last_hash, last_seq FROM audit_chain_head WHERE id = ?{}",
                           RowLockSuffix(c_)),
               {Value{std::int64_t{lease_.chain}}}));
  if (head.empty()) return Fail(Error::Internal("an audit chain head row is missing"));
  AuditEntry row = entry;
  row.prev_hash = head.front().Text(0);
  row.chain = lease_.chain;
  row.chain_seq = head.front().Int(1) + 1;
  row.hash = domain::AuditChainHash(row, row.prev_hash);
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO audit_log (occurred_at, actor_role, actor_id, action, entity, "
                 "entity_id, client_addr, request_id, client_request_id, details, prev_hash, hash, "
                 "chain, chain_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {ToValue(row.occurred_at), RoleValue(row.actor_role), ToValue(row.actor_id),
                  Value{row.action}, Value{row.entity}, ToValue(row.entity_id),
                  ToValue(row.client_addr), ToValue(row.request_id), ToValue(row.client_request_id),
                  ToValue(row.details), Value{row.prev_hash}, Value{row.hash},
                  Value{std::int64_t{row.chain}}, Value{row.chain_seq}}));
  CLINIC_TRY_STATUS(AdvanceHead(row));
  row.id = result.last_insert_id;
  return row;
}

Status SqlAuditRepository::AdvanceHead(const AuditEntry& row) {
  const Value chain{std::int64_t{row.chain}};
  if (!lease_.held) {
    CLINIC_TRY_STATUS(
        c_.Execute("UPDATE audit_chain_head SET last_hash = ?, last_seq = ? WHERE id = ?",
                   {Value{row.hash}, Value{row.chain_seq}, chain}));
    return Ok();
  }
  CLINIC_ASSIGN_OR_RETURN(
      auto advanced,
      c_.Execute("UPDATE audit_chain_head SET last_hash = ?, last_seq = ?, held_until = ? "
                 "WHERE id = ? AND holder = ?",
                 {Value{row.hash}, Value{row.chain_seq}, ToValue(lease_.renew_until), chain,
                  Value{lease_.holder}}));
  if (advanced.affected_rows == 0) {
    // The lease ran out and another connection claimed the chain. The head row lock made this
    // append correct anyway, but on a cluster it would keep conflicting with the new holder's:
    // the transaction runs again, on a chain claimed afresh.
    lease_.lost = true;
    return Fail(
        Error::Aborted(fmt::format("audit chain {} was taken over by another holder", row.chain)));
  }
  lease_.renewed = true;
  return Ok();
}

Result<domain::Page<AuditEntry>> SqlAuditRepository::List(const AuditFilter& filter,
                                                          const domain::PageRequest& page) {
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  const auto add = [&](std::string_view condition, Value value) {
    where += condition;
    params.push_back(std::move(value));
  };
  if (filter.actor_role) add(" AND actor_role = ?", RoleValue(*filter.actor_role));
  if (filter.actor_id) add(" AND actor_id = ?", Value{*filter.actor_id});
  if (filter.entity) add(" AND entity = ?", Value{*filter.entity});
  if (filter.entity_id) add(" AND entity_id = ?", Value{*filter.entity_id});
  if (filter.action) add(" AND action = ?", Value{*filter.action});
  if (filter.from) add(" AND occurred_at >= ?", ToValue(*filter.from));
  if (filter.to) add(" AND occurred_at < ?", ToValue(*filter.to));
  return QueryPage<AuditTable>(c_, std::move(where), std::move(params), page);
}

Result<std::vector<AuditEntry>> SqlAuditRepository::ListChain(int chain, std::int64_t after_seq,
                                                              int limit) {
  const std::array<Value, 3> params{Value{std::int64_t{chain}}, Value{after_seq},
                                    Value{std::int64_t{limit}}};
  return QueryAll<AuditTable>(
      c_, Select<AuditTable>("WHERE chain = ? AND chain_seq > ? ORDER BY chain_seq LIMIT ?"),
      params);
}

Result<std::vector<AuditChainHead>> SqlAuditRepository::Heads() {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows, c_.Query("SELECT id, last_hash, last_seq FROM audit_chain_head ORDER BY id"));
  std::vector<AuditChainHead> heads;
  heads.reserve(rows.size());
  for (const auto& row : rows) {
    heads.push_back({static_cast<int>(row.Int(0)), row.Text(1), row.Int(2)});
  }
  return heads;
}

Result<std::optional<Id>> SqlAuditRepository::FirstRowOutsideTheChains() {
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          c_.Query("SELECT MIN(id) FROM audit_log "
                                   "WHERE chain NOT IN (SELECT id FROM audit_chain_head)"));
  if (rows.empty() || rows.front().IsNull(0)) return std::optional<Id>();
  return std::optional<Id>(rows.front().Int(0));
}

}  // namespace clinic::storage::sql
