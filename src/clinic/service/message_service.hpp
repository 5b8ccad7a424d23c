#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/message.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/attachment_service.hpp"
#include "clinic/service/message_events.hpp"
#include "clinic/service/outbox.hpp"
#include "clinic/storage/message_store.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// A message as its author writes it. The server fills in everything else: the author and the
// denorm snapshots come from the session and the relational rows, never from the client.
struct NewMessage {
  std::optional<std::string> text;
  std::optional<std::string> markdown;
  std::vector<std::string> tags;
  // file_ids of the author's own uploads (AttachmentService).
  std::vector<std::string> attachments;
  // A retried post with the same id (per author and thread) returns the first message.
  std::optional<std::string> client_msg_id;
  std::optional<std::string> client_ua;
  std::optional<std::string> client_platform;
};

struct PostedMessage {
  domain::Message message;
  bool existing = false;  // an earlier post with the same client_msg_id made it
};

struct MessagePage {
  std::vector<domain::Message> items;
  std::optional<std::string> next_cursor;  // pass as `before` for the next (older) page
};

// Doctor–patient messaging on one thread per appointment (DESIGN.md §6). Only the appointment's
// patient and doctor and admins see a thread; everyone else gets kNotFound. A deleted patient's
// thread is the admins' alone, to read: a post or an edit there is kFailedPrecondition
// (domain::AuthorizeAppointment). Thread-safe.
class MessageService {
 public:
  // `events` (may be null) hears of every stored message and read receipt; `outbox` (may be
  // null) records each read receipt for the live connections of other instances.
  MessageService(storage::Store& store, storage::MessageStore& messages,
                 AttachmentService& attachments, const Clock& clock,
                 MessageEvents* events = nullptr, const OutboxWriter* outbox = nullptr);

  // Posts to the appointment's thread. Rules (kInvalidArgument naming each field): text up to
  // 4000 characters and markdown up to 8000 (several lines allowed), at least one of them or an
  // attachment (a message of attachments only has type "file"); up to 10 of the author's own
  // uploads as attachments; up to
  // 10 tags of 1–32 characters a–z, 0–9 and '-', lower-cased and de-duplicated; client_msg_id
  // 1–64 visible ASCII characters. A client_msg_id the author already posted to the thread
  // answers that message with `existing` when the content is the same (a retry) and is
  // kAlreadyExists (409) on the field when it is not; either way nothing is stored.
  Result<PostedMessage> Post(const domain::RequestContext& context, Id appointment_id,
                             const NewMessage& message);
  // The thread newest first; `before` is a next_cursor this service issued.
  Result<MessagePage> List(const domain::RequestContext& context, Id appointment_id,
                           const std::optional<std::string>& before, int limit);
  // Marks every message of the thread up to and including `up_to` as read by the caller;
  // returns how many were newly marked.
  Result<std::int64_t> MarkRead(const domain::RequestContext& context, Id appointment_id,
                                const std::string& up_to);
  // The caller's unread messages per thread, of the threads the caller may read now.
  Result<std::vector<storage::ThreadUnread>> Unread(const domain::RequestContext& context);
  // The author changes the text of their message within 15 minutes of posting it, naming the
  // version they saw: kFailedPrecondition (409) when it is stale or the 15 minutes have passed,
  // kPermissionDenied for anyone but the author.
  Result<domain::Message> Edit(const domain::RequestContext& context, const std::string& id,
                               const std::optional<std::string>& text, std::int64_t version);
  // `markdown` rendered exactly as a posted message's `html` would be, for the author's preview;
  // the same rules as Post (up to 8000 characters). Stores nothing.
  Result<std::string> PreviewMarkdown(const std::string& markdown) const;
  // A `type: system` message the server writes on the appointment's thread for the booking change
  // of outbox entry `outbox_id`, made at `changed_at` (its time in the thread). Posting it again
  // for the same entry stores nothing.
  Status PostSystem(Id appointment_id, const std::string& text, Id outbox_id, Instant changed_at);

 private:
  // Where a message the server writes goes: its id and its time, fixed by what it tells of.
  struct FixedPlace {
    std::string id;
    Instant at{};
  };

  // Post, for the caller (`trusted` false) or for the server itself (no visibility check, and a
  // fixed `place`).
  Result<PostedMessage> PostAs(const domain::RequestContext& context, Id appointment_id,
                               const NewMessage& message, bool trusted,
                               const std::optional<FixedPlace>& place = std::nullopt);

  storage::Store& store_;
  storage::MessageStore& messages_;
  AttachmentService& attachments_;
  const Clock& clock_;
  MessageEvents* events_;
  const OutboxWriter* outbox_;
};

}  // namespace clinic::service
