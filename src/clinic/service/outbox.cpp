#include "clinic/service/outbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "clinic/service/message_service.hpp"
#include "clinic/service/system_messages.hpp"

namespace clinic::service {
namespace {

using storage::InTransaction;
using storage::OutboxEntry;
using storage::Transaction;
using storage::TxMode;

constexpr std::chrono::minutes kLongestRetryWait{5};

// 1 s after the first failure, doubling up to kLongestRetryWait.
std::chrono::seconds RetryWait(int attempts) {
  const int doublings = std::clamp(attempts, 0, 9);
  return std::min<std::chrono::seconds>(std::chrono::seconds(std::int64_t{1} << doublings),
                                        kLongestRetryWait);
}

// A failure the same post would meet again at once: reported and given up, not retried.
bool IsPermanent(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kAborted:
    case ErrorCode::kResourceExhausted:
    case ErrorCode::kInternal:
      return false;
    default:
      return true;
  }
}

}  // namespace

Status OutboxWriter::RecordAppointmentChange(storage::Transaction& tx,
                                             const domain::RequestContext& context,
                                             AppointmentEvent event,
                                             const domain::AppointmentListing& appointment) const {
  CLINIC_TRY_STATUS(tx.outbox().Append({.event = std::string(Name(event)),
                                        .appointment_id = appointment.appointment.id,
                                        .origin = origin_,
                                        .actor_role = context.actor.role,
                                        .actor_id = context.actor.id,
                                        .system_message = SystemMessageText(event, appointment),
                                        .created_at = clock_.Now()}));
  return Ok();
}

Status OutboxWriter::RecordRead(storage::Transaction& tx, const ReadEvent& read) const {
  CLINIC_TRY_STATUS(tx.outbox().Append({.event = "read",
                                        .appointment_id = read.appointment_id,
                                        .origin = origin_,
                                        .actor_role = read.reader.role,
                                        .actor_id = read.reader.id,
                                        .read_up_to = read.up_to,
                                        .created_at = read.read_at}));
  return Ok();
}

OutboxRelay::OutboxRelay(storage::Store& store, MessageService& messages, const Clock& clock,
                         OutboxRelayOptions options, bool run_in_background)
    : store_(store), messages_(messages), clock_(clock), options_(options) {
  if (!run_in_background) return;
  runner_.emplace(options_.interval, [this] {
    if (auto applied = ApplyDue(); !applied) {
      spdlog::warn("outbox: claiming entries failed: {}", applied.error().message);
    }
  });
}

void OutboxRelay::Changed(AppointmentEvent /*event*/,
                          const domain::AppointmentListing& /*appointment*/) {
  if (runner_) runner_->Wake();
}

Result<std::int64_t> OutboxRelay::ApplyDue() {
  std::int64_t applied_now = 0;
  while (true) {
    const Instant now = clock_.Now();
    CLINIC_ASSIGN_OR_RETURN(auto claimed,
                            InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) {
                              return tx.outbox().Claim(now, now + options_.lease, options_.batch);
                            }));
    if (claimed.empty()) return applied_now;
    // Posted outside any relational transaction: the document store may be the same SQLite file.
    std::vector<Id> done;
    std::vector<std::pair<Id, Instant>> postponed;
    for (const OutboxEntry& entry : claimed) {
      if (!postponed.empty()) {
        // The document store just failed: the rest of the batch waits as long, untried.
        postponed.emplace_back(entry.id, postponed.front().second);
        continue;
      }
      auto posted = messages_.PostSystem(entry.appointment_id, entry.system_message.value_or(""),
                                         entry.id, entry.created_at);
      if (posted || IsPermanent(posted.error())) {
        if (!posted) {
          spdlog::error("outbox: entry {} ({} of appointment {}) cannot be applied: {}", entry.id,
                        entry.event, entry.appointment_id, posted.error().message);
        }
        done.push_back(entry.id);
        continue;
      }
      ++failed_attempts_;
      const auto wait = RetryWait(entry.attempts);
      spdlog::warn("outbox: entry {} of appointment {} not applied, retrying in {} s: {}", entry.id,
                   entry.appointment_id, wait.count(), posted.error().message);
      postponed.emplace_back(entry.id, clock_.Now() + wait);
    }
    CLINIC_TRY_STATUS(store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
      const Instant at = clock_.Now();
      for (const Id id : done) CLINIC_TRY_STATUS(tx.outbox().MarkApplied(id, at));
      for (const auto& [id, retry_at] : postponed) {
        CLINIC_TRY_STATUS(tx.outbox().Postpone(id, retry_at));
      }
      return Ok();
    }));
    applied_ += done.size();
    applied_now += static_cast<std::int64_t>(done.size());
    // A batch with failures waits for the retry; a full one is followed by the next at once.
    if (!postponed.empty() || claimed.size() < static_cast<std::size_t>(options_.batch)) {
      return applied_now;
    }
  }
}

OutboxRelay::Counters OutboxRelay::counters() const {
  return {.applied = applied_.load(), .failed_attempts = failed_attempts_.load()};
}

}  // namespace clinic::service
