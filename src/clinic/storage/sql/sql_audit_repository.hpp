#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// How many audit chains there are: the rows of audit_chain_head (migration 0009).
constexpr int kAuditChains = 16;

// The audit port over `audit_log` and its chain heads in `audit_chain_head`. Append locks the
// chain head with SELECT ... FOR UPDATE on MySQL; on SQLite the write transaction (BEGIN
// IMMEDIATE) already holds the database's only write lock.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlAuditRepository final : public AuditRepository {
 public:
  // Appends to `chain`, one of 1..kAuditChains.
  SqlAuditRepository(Connection& c, int chain) : c_(c), chain_(chain) {}
  Result<domain::AuditEntry> Append(const domain::AuditEntry& entry) override;
  Result<domain::Page<domain::AuditEntry>> List(const AuditFilter& filter,
                                                const domain::PageRequest& page) override;
  Result<std::vector<domain::AuditEntry>> ListChain(int chain, std::int64_t after_seq,
                                                    int limit) override;
  Result<std::vector<AuditChainHead>> Heads() override;
  Result<std::optional<Id>> FirstRowOutsideTheChains() override;

 private:
  Connection& c_;
  int chain_;
};

}  // namespace clinic::storage::sql
