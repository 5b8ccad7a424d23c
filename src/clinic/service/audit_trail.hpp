#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// Writes audit rows inside the caller's transaction, so an action and its audit row commit or
// roll back together. `action` is "<entity>.<verb>" style ("patient.read", "login.failure").
// `tx` must be a write transaction (a MySQL read transaction is READ ONLY). The row records the
// context's actor (no actor id for Role::kSystem), client address and request id (each cut to
// 64 bytes, on a UTF-8 boundary, to fit its column) and occurred_at = clock.Now().
Status Audit(storage::Transaction& tx, const Clock& clock, const domain::RequestContext& context,
             std::string_view action, std::string_view entity, std::optional<Id> entity_id,
             std::optional<std::string> details = std::nullopt);

// The outcome of checking every audit chain.
struct AuditVerification {
  std::int64_t rows = 0;  // every row in the log, also those after a break
  int chains = 0;
  // Unset while every chain is intact. Otherwise the lowest id among each broken chain's first
  // bad row: one whose hash, link or position does not match; when only a chain's tail is gone
  // (its head names a row that is not there), the last row left in it, or 0 when none is left;
  // or a row that belongs to no chain.
  std::optional<Id> first_broken_id;
  std::string problem;  // what is wrong there, for people
};

// Walks each chain in chain_seq order: recomputes every row's hash, checks each links to its
// predecessor (the first to domain::kAuditGenesisHash) with no position skipped, and that the
// last is the one the chain's head names. Reads in pages, each in its own read transaction, so
// rows appended meanwhile are checked too.
Result<AuditVerification> VerifyAuditChain(storage::Store& store);

}  // namespace clinic::service
