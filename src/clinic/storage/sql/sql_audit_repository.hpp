#pragma once

#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The audit chain one connection appends to, and the lease it holds on it (the `holder` and
// `held_until` of the chain's head row; docs/decisions.md "Audit chain leases").
struct AuditChainLease {
  int chain = 0;       // 1..domain::kAuditChains; 0 in read-only transactions, which never append
  std::string holder;  // this connection's name in audit_chain_head.holder
  bool held = false;   // false: sharing `chain`, because every chain was held when it looked
  Instant renew_until{};    // what an append in the running transaction sets held_until to
  Instant reclaim_after{};  // from then on the lease may have run out (or sharing may end)
  bool renewed = false;     // an append in the running transaction renewed the lease
  bool lost = false;        // an append found the chain taken over by another holder
};

// The audit port over `audit_log` and its chain heads in `audit_chain_head`. Append locks the
// chain head with SELECT ... FOR UPDATE on MySQL; on SQLite the write transaction (BEGIN
// IMMEDIATE) already holds the database's only write lock.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlAuditRepository final : public AuditRepository {
 public:
  // Appends to `lease.chain`, renewing the lease when it is held.
  SqlAuditRepository(Connection& c, AuditChainLease& lease) : c_(c), lease_(lease) {}
  Result<domain::AuditEntry> Append(const domain::AuditEntry& entry) override;
  Result<domain::Page<domain::AuditEntry>> List(const AuditFilter& filter,
                                                const domain::PageRequest& page) override;
  Result<std::vector<domain::AuditEntry>> ListChain(int chain, std::int64_t after_seq,
                                                    int limit) override;
  Result<std::vector<AuditChainHead>> Heads() override;
  Result<std::optional<Id>> FirstRowOutsideTheChains() override;

 private:
  // Sets the chain's head to `row`; when the lease is held, only while this connection still
  // holds it, and then extends it.
  Status AdvanceHead(const domain::AuditEntry& row);

  Connection& c_;
  AuditChainLease& lease_;
};

}  // namespace clinic::storage::sql
