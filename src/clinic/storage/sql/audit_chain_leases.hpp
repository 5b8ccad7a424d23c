#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/storage/sql/connection.hpp"
#include "clinic/storage/sql/sql_audit_repository.hpp"

namespace clinic::storage::sql {

// How long a chain stays with its connection after its last claim or append. Long enough that a
// busy connection renews it many times over (every audited write does) and an idle one re-claims
// it at most about once a minute; short enough that the chains of an instance that died are free
// again within a minute, while the other instances meanwhile append to the chains still free.
inline constexpr std::chrono::seconds kAuditChainLeaseLength{60};

// Hands out the audit chains to the connections of one store, each chain to one connection
// cluster-wide at a time (docs/decisions.md "Audit chain leases"). A connection claims a free or
// expired chain with a conditional UPDATE of its head row in a short transaction of its own (a
// cluster certifies it, so two instances never both win one chain), starting from a random
// chain so instances spread out, and keeps it while its appends renew the lease. When every
// chain is held it shares one unleased, which is correct (the head row serialises appends) but
// slower, and tries again later.
// Thread-safe; one connection is used by one thread at a time.
class AuditChainLeases {
 public:
  explicit AuditChainLeases(const Clock& clock);

  // The lease `connection` appends under in the write transaction it is about to begin: claimed
  // first, outside any transaction, when it has none, lost it, or it may have run out.
  Result<AuditChainLease*> ForWrite(Connection& connection);

  // Records that the write transaction begun at `began` under `lease` committed.
  void Committed(AuditChainLease& lease, Instant began) const;

 private:
  Status Claim(Connection& connection, AuditChainLease& lease);
  // Tries to take `chain` for `lease.holder`; false when another holder has a live lease on it.
  // Fails with kAborted when another node's claim of the chain won certification (the store
  // then runs the whole attempt again).
  Result<bool> TryClaim(Connection& connection, const AuditChainLease& lease, int chain);
  std::size_t RandomBelow(std::size_t bound);

  const Clock& clock_;
  const std::string instance_;  // names this store's connections apart from other instances'
  std::mutex mutex_;
  // Keyed by address: a connection opened where a closed one was takes over its lease.
  std::unordered_map<const Connection*, std::unique_ptr<AuditChainLease>> leases_;
  std::uint64_t connections_seen_ = 0;
  std::minstd_rand random_;
};

}  // namespace clinic::storage::sql
