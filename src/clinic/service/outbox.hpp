#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/common/periodic_task.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/appointment_events.hpp"
#include "clinic/service/message_events.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

class MessageService;

// Records, in the transaction of a change, what must follow it once it commits
// (docs/decisions.md "Outbox"): the system message a booking change posts on the thread, and the
// change itself for the live connections of other instances. What the transaction wrote and what
// follows it commit together, so a crash between the commit and the document store loses
// nothing. Thread-safe.
class OutboxWriter {
 public:
  // `origin` names this instance in the entries it writes, so its own live delivery (at once, in
  // process) is not repeated when it reads the outbox.
  OutboxWriter(const Clock& clock, std::string origin)
      : clock_(clock), origin_(std::move(origin)) {}

  const std::string& origin() const { return origin_; }

  Status RecordAppointmentChange(storage::Transaction& tx, const domain::RequestContext& context,
                                 AppointmentEvent event,
                                 const domain::AppointmentListing& appointment) const;
  Status RecordRead(storage::Transaction& tx, const ReadEvent& read) const;

 private:
  const Clock& clock_;
  std::string origin_;
};

struct OutboxRelayOptions {
  // How often the outbox is looked at without being woken (entries of other instances, retries).
  std::chrono::milliseconds interval{1000};
  // How long a claimed entry is left to its claimant before another relay may apply it (an
  // instance that died while applying).
  std::chrono::seconds lease{10};
  // Entries claimed at once.
  int batch = 64;
};

// Applies the outbox: posts each entry's system message on its thread, at least once, and marks
// it applied. The post is keyed by the entry's id (a client_msg_id), so a repeat after a crash or
// a lost lease stores nothing twice: each message is applied exactly once. Several instances share
// the work (storage::OutboxRepository::Claim). An entry whose post fails (document store
// unreachable) is tried again later, waiting longer each time up to five minutes; nothing a
// booking request waits for. Woken at once by a change committed on this instance
// (AppointmentEvents), otherwise every `interval`. Thread-safe.
class OutboxRelay final : public AppointmentEvents {
 public:
  // Without `run_in_background` nothing runs until ApplyDue is called.
  OutboxRelay(storage::Store& store, MessageService& messages, const Clock& clock,
              OutboxRelayOptions options, bool run_in_background = true);

  void Changed(AppointmentEvent event, const domain::AppointmentListing& appointment) override;

  // Applies every entry due now; returns how many were applied. Stops at the first claim that
  // fails (the relational store) and reports it.
  Result<std::int64_t> ApplyDue();

  struct Counters {
    std::uint64_t applied = 0;
    std::uint64_t failed_attempts = 0;
  };
  Counters counters() const;

 private:
  storage::Store& store_;
  MessageService& messages_;
  const Clock& clock_;
  OutboxRelayOptions options_;
  std::atomic<std::uint64_t> applied_{0};
  std::atomic<std::uint64_t> failed_attempts_{0};
  std::optional<PeriodicTask> runner_;  // last: stops before anything it uses goes
};

}  // namespace clinic::service
