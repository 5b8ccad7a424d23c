#include "clinic/service/audit_trail.hpp"

#include <fmt/format.h>

#include <utility>

#include "clinic/domain/audit.hpp"

namespace clinic::service {
namespace {

// audit_log.client_addr and request_id are VARCHAR(64). Both come from the request, so an
// oversized value is cut to fit rather than failing the action being recorded.
constexpr std::size_t kMaxContextLength = 64;

// Rows per read transaction while verifying: bounds memory and how long one snapshot is held.
constexpr int kVerifyPageSize = 1000;

// `text` cut to kMaxContextLength bytes, backing off to a UTF-8 character boundary so the result
// stays valid UTF-8 (MySQL rejects invalid utf8mb4).
std::optional<std::string> FitColumn(const std::optional<std::string>& text) {
  if (!text || text->size() <= kMaxContextLength) return text;
  std::size_t length = kMaxContextLength;
  while (length > 0 && (static_cast<unsigned char>((*text)[length]) & 0xC0) == 0x80) --length;
  return text->substr(0, length);
}

// One page of the chain, plus the head when the page is the last one: read in the same
// transaction, so rows appended meanwhile cannot make an intact tail look truncated.
struct ChainPage {
  storage::Page<domain::AuditEntry> rows;
  std::optional<std::string> head_hash;
};

Result<ChainPage> ReadChainPage(storage::Store& store, const storage::PageRequest& page) {
  return storage::InTransaction(
      store, storage::TxMode::kRead, [&](storage::Transaction& tx) -> Result<ChainPage> {
        ChainPage out;
        CLINIC_ASSIGN_OR_RETURN(out.rows, tx.audit().List(storage::AuditFilter{}, page));
        if (!out.rows.next_after_id) {
          CLINIC_ASSIGN_OR_RETURN(out.head_hash, tx.audit().HeadHash());
        }
        return out;
      });
}

// What is wrong with `row` given the hash of the row before it (and that row's id, when there
// is one), or nullopt when it is intact.
std::optional<std::string> RowProblem(const domain::AuditEntry& row,
                                      const std::string& previous_hash,
                                      std::optional<Id> previous_id) {
  if (row.prev_hash != previous_hash) {
    return previous_id ? fmt::format("prev_hash is not the hash of row {}", *previous_id)
                       : std::string("prev_hash is not the genesis hash of the first row");
  }
  if (domain::AuditChainHash(row, row.prev_hash) != row.hash) {
    return std::string("hash does not match the row's content");
  }
  return std::nullopt;
}

}  // namespace

Status Audit(storage::Transaction& tx, const Clock& clock, const domain::RequestContext& context,
             std::string_view action, std::string_view entity, std::optional<Id> entity_id,
             std::optional<std::string> details) {
  domain::AuditEntry entry;
  entry.occurred_at = clock.Now();
  entry.actor_role = context.actor.role;
  // The server acting on its own has no account id.
  if (context.actor.role != domain::Role::kSystem) entry.actor_id = context.actor.id;
  entry.action = std::string(action);
  entry.entity = std::string(entity);
  entry.entity_id = entity_id;
  entry.client_addr = FitColumn(context.client_addr);
  entry.request_id = FitColumn(context.request_id);
  entry.client_request_id = FitColumn(context.client_request_id);
  entry.details = std::move(details);
  CLINIC_TRY_STATUS(tx.audit().Append(entry));
  return Ok();
}

Result<AuditVerification> VerifyAuditChain(storage::Store& store) {
  AuditVerification report;
  std::string previous_hash(domain::kAuditGenesisHash);
  std::optional<Id> previous_id;
  storage::PageRequest page{.limit = kVerifyPageSize, .after_id = std::nullopt};
  while (true) {
    CLINIC_ASSIGN_OR_RETURN(auto chain, ReadChainPage(store, page));
    for (const auto& row : chain.rows.items) {
      ++report.rows;
      // After the first break, later rows are only counted: their links may be fine, but the
      // chain can no longer vouch for them.
      if (report.first_broken_id) continue;
      if (auto problem = RowProblem(row, previous_hash, previous_id)) {
        report.first_broken_id = row.id;
        report.problem = std::move(*problem);
        continue;
      }
      previous_hash = row.hash;
      previous_id = row.id;
    }
    if (chain.rows.next_after_id) {
      page.after_id = chain.rows.next_after_id;
      continue;
    }
    if (!report.first_broken_id && chain.head_hash != previous_hash) {
      report.first_broken_id = previous_id.value_or(0);
      report.problem = previous_id
                           ? "the chain head is not this last row's hash: later rows were removed"
                           : "the log is empty but the chain head names a row: rows were removed";
    }
    return report;
  }
}

}  // namespace clinic::service
