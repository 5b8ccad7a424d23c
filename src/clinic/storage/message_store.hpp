#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/domain/message.hpp"

namespace clinic::storage {

// Where a message sits in its thread's order: newest first by (meta.created_at, _id), both
// descending. A cursor at this position is stable while others insert.
struct MessagePosition {
  Instant created_at{};
  std::string id;
};

// Whose reading or unread counts an operation is about.
struct MessageReader {
  domain::Role role = domain::Role::kPatient;
  Id id = 0;
};

// Unread messages of one thread for one reader.
struct ThreadUnread {
  std::string thread_id;
  Id appointment_id = 0;
  std::int64_t unread = 0;
};

// What a repair of stored messages or upload records did (`clinicctl repair-messages`).
struct RepairReport {
  std::int64_t scanned = 0;
  // Rewritten with every byte that was not strict UTF-8 replaced by U+FFFD.
  std::int64_t repaired = 0;
  // The ids of those still unreadable after that (not a document this server writes at all):
  // left as they are.
  std::vector<std::string> unrepairable;
};

// The document store of doctor–patient messages (DESIGN.md §5), one adapter per backend (SQLite
// by default, MongoDB in production). Every operation is a single-document write or a plain
// query, so nothing depends on multi-document transactions. Thread-safe.
class MessageStore {
 public:
  virtual ~MessageStore() = default;

  // "sqlite" or "mongodb", for health reports and logs.
  virtual std::string_view backend() const = 0;
  // Cheap reachability check for /health.
  virtual Status Ping() = 0;

  // Stores a new message; kAlreadyExists when a message with its id exists (a retried post).
  virtual Status Insert(const domain::Message& message) = 0;
  virtual Result<std::optional<domain::Message>> Get(const std::string& id) = 0;
  // The thread newest first, only messages before `before` when set; up to `limit` + 1 (the
  // extra one tells the caller another page follows).
  virtual Result<std::vector<domain::Message>> ListThread(
      const std::string& thread_id, const std::optional<MessagePosition>& before, int limit) = 0;
  // Adds a receipt (`reader`, `at`) to every message of the thread at or before `up_to` that is
  // not the reader's own and has no receipt from them yet, so marking twice changes nothing.
  // Returns how many messages got one.
  virtual Result<std::int64_t> MarkRead(const std::string& thread_id, const MessagePosition& up_to,
                                        const MessageReader& reader, Instant at) = 0;
  // For a patient or doctor reader: per thread they take part in (relationalRefs), the messages
  // of others without a receipt from them, for threads with any. Empty for other roles.
  virtual Result<std::vector<ThreadUnread>> UnreadCounts(const MessageReader& reader) = 0;
  // Messages of every thread created at or after `since`, oldest first (by meta.created_at, then
  // _id), at most `limit`: what other server instances posted lately, for live delivery.
  virtual Result<std::vector<domain::Message>> ListCreatedSince(Instant since, int limit) = 0;
  // The appointments whose threads hold a message referencing attachment `file_id`, ascending:
  // whoever may read one of them may download the file.
  virtual Result<std::vector<Id>> AppointmentsWithFile(const std::string& file_id) = 0;
  // Replaces text and markdown, sets meta.updated_at and increments meta.version, only when the
  // stored version is `expected_version`; false when it is not (a stale edit) or the message is
  // gone.
  virtual Result<bool> Edit(const std::string& id, std::int64_t expected_version,
                            const std::optional<std::string>& text,
                            const std::optional<std::string>& markdown, Instant at) = 0;
  // Finds the stored messages a listing cannot read and leaves out (text that is not strict
  // UTF-8, stored before input was checked as it is now) and rewrites each string of them with
  // its bad bytes replaced by U+FFFD. Readable messages are not touched.
  virtual Result<RepairReport> RepairUnreadable() = 0;
};

}  // namespace clinic::storage
