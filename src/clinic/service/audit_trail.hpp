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

// The outcome of checking the whole audit chain.
struct AuditVerification {
  std::int64_t rows = 0;  // every row in the log, also those after a break
  // Unset while the chain is intact. Otherwise the first row whose hash or link does not match;
  // when only the tail is gone (the chain head names a hash no row has), the last row that is
  // left, or 0 when no row is left.
  std::optional<Id> first_broken_id;
  std::string problem;  // what is wrong there, for people
};

// Recomputes every row's hash in id order, checks each links to its predecessor (the first to
// domain::kAuditGenesisHash) and the last to the chain head. Reads in pages, each in its own read
// transaction, so rows appended meanwhile are checked too.
Result<AuditVerification> VerifyAuditChain(storage::Store& store);

}  // namespace clinic::service
