#pragma once

#include <string>
#include <vector>

#include "clinic/domain/message.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/storage/message_store.hpp"

namespace clinic::service {

// A read receipt as it happened: who read which thread up to which message, and who is told
// (domain::LiveAudience of the thread's appointment).
struct ReadEvent {
  Id appointment_id = 0;
  std::vector<domain::Principal> audience;
  storage::MessageReader reader;
  std::string up_to;  // the message id
  Instant read_at{};
};

// Told about a thread's changes once they are stored: the hook for live delivery. A listener must
// not fail the change that already happened; it handles its own errors. Thread-safe.
class MessageEvents {
 public:
  virtual ~MessageEvents() = default;
  // A new message (also a system message) or an edited one, as stored.
  virtual void MessageStored(const domain::Message& message) = 0;
  virtual void MessagesRead(const ReadEvent& event) = 0;
};

}  // namespace clinic::service
