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

// What is wrong with `row` given the row before it in its chain (none for the first), or nullopt
// when it is intact.
std::optional<std::string> RowProblem(const domain::AuditEntry& row,
                                      const std::optional<domain::AuditEntry>& previous) {
  const std::int64_t expected_seq = previous ? previous->chain_seq + 1 : 1;
  if (row.chain_seq != expected_seq) {
    return previous ? fmt::format("chain {} skips from position {} (row {}) to {}", row.chain,
                                  previous->chain_seq, previous->id, row.chain_seq)
                    : fmt::format("chain {} starts at position {}: its first rows were removed",
                                  row.chain, row.chain_seq);
  }
  const std::string_view previous_hash =
      previous ? std::string_view(previous->hash) : domain::kAuditGenesisHash;
  if (row.prev_hash != previous_hash) {
    return previous ? fmt::format("prev_hash is not the hash of row {}", previous->id)
                    : std::string("prev_hash is not the genesis hash of the first row");
  }
  if (domain::AuditChainHash(row, row.prev_hash) != row.hash) {
    return std::string("hash does not match the row's content");
  }
  return std::nullopt;
}

// One page of a chain, plus its head when the page is the last one: read in the same
// transaction, so rows appended meanwhile cannot make an intact tail look truncated.
struct ChainPage {
  std::vector<domain::AuditEntry> rows;
  bool last = false;
  std::optional<storage::AuditChainHead> head;  // on the last page; unset if its row is gone
};

Result<ChainPage> ReadChainPage(storage::Store& store, int chain, std::int64_t after_seq) {
  return storage::InTransaction(
      store, storage::TxMode::kRead, [&](storage::Transaction& tx) -> Result<ChainPage> {
        ChainPage out;
        CLINIC_ASSIGN_OR_RETURN(out.rows, tx.audit().ListChain(chain, after_seq, kVerifyPageSize));
        out.last = out.rows.size() < static_cast<std::size_t>(kVerifyPageSize);
        if (out.last) {
          CLINIC_ASSIGN_OR_RETURN(auto heads, tx.audit().Heads());
          for (auto& head : heads) {
            if (head.chain == chain) out.head = std::move(head);
          }
        }
        return out;
      });
}

// Keeps the lowest id among the chains' first breaks (0: a chain left with no row).
void RecordBreak(AuditVerification& report, Id id, std::string problem) {
  if (report.first_broken_id && *report.first_broken_id <= id) return;
  report.first_broken_id = id;
  report.problem = std::move(problem);
}

// Checks one chain from its first row to its head, counting its rows into `report`.
Status VerifyChain(storage::Store& store, int chain, AuditVerification& report) {
  std::optional<domain::AuditEntry> previous;
  bool broken = false;
  std::int64_t read_up_to = 0;  // the chain_seq of the last row read
  while (true) {
    CLINIC_ASSIGN_OR_RETURN(auto page, ReadChainPage(store, chain, read_up_to));
    for (auto& row : page.rows) {
      ++report.rows;
      read_up_to = row.chain_seq;
      // After a break, later rows are only counted: their links may be fine, but the chain can no
      // longer vouch for them.
      if (broken) continue;
      if (auto problem = RowProblem(row, previous)) {
        broken = true;
        RecordBreak(report, row.id, std::move(*problem));
        continue;
      }
      previous = std::move(row);
    }
    if (!page.last) continue;  // a full page: there may be more
    if (broken) return Ok();
    const Id last_id = previous ? previous->id : 0;
    if (!page.head) {
      RecordBreak(report, last_id, fmt::format("the head row of chain {} was removed", chain));
      return Ok();
    }
    const std::string_view last_hash =
        previous ? std::string_view(previous->hash) : domain::kAuditGenesisHash;
    const std::int64_t last_seq = previous ? previous->chain_seq : 0;
    if (page.head->last_hash != last_hash || page.head->last_seq != last_seq) {
      RecordBreak(report, last_id,
                  previous ? fmt::format("the head of chain {} is not this last row's hash: "
                                         "later rows were removed",
                                         chain)
                           : fmt::format("chain {} is empty but its head names a row: rows were "
                                         "removed",
                                         chain));
    }
    return Ok();
  }
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
  CLINIC_ASSIGN_OR_RETURN(auto heads, storage::InTransaction(store, storage::TxMode::kRead,
                                                             [](storage::Transaction& tx) {
                                                               return tx.audit().Heads();
                                                             }));
  for (const auto& head : heads) CLINIC_TRY_STATUS(VerifyChain(store, head.chain, report));
  report.chains = static_cast<int>(heads.size());
  CLINIC_ASSIGN_OR_RETURN(
      auto stray,
      storage::InTransaction(store, storage::TxMode::kRead, [](storage::Transaction& tx) {
        return tx.audit().FirstRowOutsideTheChains();
      }));
  if (stray) RecordBreak(report, *stray, "the row belongs to no chain");
  return report;
}

}  // namespace clinic::service
