#include "clinic/storage/sql/audit_chain_leases.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "clinic/domain/audit.hpp"
#include "clinic/storage/sql/sql_values.hpp"

namespace clinic::storage::sql {
namespace {

// A held lease is claimed again this long before it runs out, so an append never relies on a
// lease whose end is near (the instances' clocks may differ by a few seconds).
constexpr std::chrono::seconds kReclaimMargin{15};

// How long a connection shares a chain before it looks for a free one again.
constexpr std::chrono::seconds kSharingRetry{10};

std::string NewInstanceToken() {
  std::random_device random;
  return fmt::format("{:08x}{:08x}", random(), random());
}

}  // namespace

AuditChainLeases::AuditChainLeases(const Clock& clock)
    : clock_(clock), instance_(NewInstanceToken()), random_(std::random_device{}()) {}

Result<AuditChainLease*> AuditChainLeases::ForWrite(Connection& connection) {
  AuditChainLease* lease = nullptr;
  {
    const std::lock_guard lock(mutex_);
    auto& slot = leases_[&connection];
    if (!slot) {
      slot = std::make_unique<AuditChainLease>();
      slot->holder = fmt::format("{}-{}", instance_, ++connections_seen_);
    }
    lease = slot.get();
  }
  const Instant now = clock_.Now();
  if (lease->chain == 0 || lease->lost || now >= lease->reclaim_after) {
    CLINIC_TRY_STATUS(Claim(connection, *lease));
  }
  lease->renew_until = now + kAuditChainLeaseLength;
  lease->renewed = false;
  return lease;
}

void AuditChainLeases::Committed(AuditChainLease& lease, Instant began) const {
  if (lease.renewed) lease.reclaim_after = began + kAuditChainLeaseLength - kReclaimMargin;
}

Status AuditChainLeases::Claim(Connection& connection, AuditChainLease& lease) {
  const Instant now = clock_.Now();
  // The chains free to claim as this node sees them now; the UPDATE below decides.
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          connection.Query("SELECT id FROM audit_chain_head "
                                           "WHERE holder IS NULL OR holder = ? OR held_until < ? "
                                           "ORDER BY id",
                                           {Value{lease.holder}, ToValue(now)}));
  std::vector<int> free;
  free.reserve(rows.size());
  for (const auto& row : rows) free.push_back(static_cast<int>(row.Int(0)));
  // The chain it had first, so a connection keeps its chain while no one else took it; then from
  // a random one on, so instances starting together spread out.
  if (!free.empty()) {
    const auto first = static_cast<std::ptrdiff_t>(RandomBelow(free.size()));
    std::rotate(free.begin(), free.begin() + first, free.end());
  }
  if (auto own = std::find(free.begin(), free.end(), lease.chain); own != free.end()) {
    std::rotate(free.begin(), own, own + 1);
  }
  for (const int chain : free) {
    CLINIC_ASSIGN_OR_RETURN(const bool won, TryClaim(connection, lease, chain));
    if (!won) continue;
    lease.chain = chain;
    lease.held = true;
    lease.lost = false;
    lease.reclaim_after = now + kAuditChainLeaseLength - kReclaimMargin;
    return Ok();
  }
  if (lease.held || lease.chain == 0) {
    spdlog::warn("every audit chain is held; sharing one until a chain is free");
  }
  lease.chain = 1 + static_cast<int>(RandomBelow(domain::kAuditChains));
  lease.held = false;
  lease.lost = false;
  lease.reclaim_after = now + kSharingRetry;
  return Ok();
}

Result<bool> AuditChainLeases::TryClaim(Connection& connection, const AuditChainLease& lease,
                                        int chain) {
  const Instant now = clock_.Now();
  CLINIC_ASSIGN_OR_RETURN(
      auto claimed,
      connection.Execute("UPDATE audit_chain_head SET holder = ?, held_until = ? "
                         "WHERE id = ? AND (holder IS NULL OR holder = ? OR held_until < ?)",
                         {Value{lease.holder}, ToValue(now + kAuditChainLeaseLength),
                          Value{std::int64_t{chain}}, Value{lease.holder}, ToValue(now)}));
  return claimed.affected_rows == 1;
}

std::size_t AuditChainLeases::RandomBelow(std::size_t bound) {
  const std::lock_guard lock(mutex_);
  return std::uniform_int_distribution<std::size_t>(0, bound - 1)(random_);
}

}  // namespace clinic::storage::sql
