#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/domain/enums.hpp"
#include "clinic/domain/ids.hpp"

namespace clinic::domain {

// A doctor–patient message: one document of the seed's `messages` collection, field for field
// (DESIGN.md §5). The relational rows stay authoritative; the document references them and keeps
// display snapshots (`denorm`) so that a thread reads without joins.
enum class MessageType { kChat, kSystem, kFile, kNote };

std::string_view Name(MessageType type);
std::optional<MessageType> ParseMessageType(std::string_view text);

// relationalRefs: the appointment the thread belongs to, and its people and place.
struct MessageRefs {
  Id appointment_id = 0;
  Id patient_id = 0;
  Id doctor_id = 0;
  std::optional<Id> location_id;
};

struct MessageAuthor {
  Role role = Role::kSystem;
  Id id = 0;  // 0 for the server's own system messages
  std::string display_name;
  std::optional<std::string> avatar_url;
};

// An attachment a message references; the bytes live in the attachment store under `sha256`.
struct MessageAttachment {
  std::string file_id;
  std::string file_name;
  std::string mime_type;
  std::int64_t size_bytes = 0;
  std::string sha256;
  std::string bucket;  // storage.bucket: where the bytes are ("local" or the GridFS bucket)
  std::string region;  // storage.region: "local" for a single-site installation
};

struct ReadReceipt {
  Role user_role = Role::kPatient;
  Id user_id = 0;
  Instant read_at{};
};

struct Message {
  std::string id;         // _id: 24 hexadecimal digits, an ObjectId on MongoDB
  std::string thread_id;  // "apt-<appointment id>": one thread per appointment
  MessageType type = MessageType::kChat;
  std::optional<std::string> text;
  std::optional<std::string> markdown;  // rich_text.markdown
  MessageRefs refs;
  MessageAuthor author;
  std::vector<MessageAttachment> attachments;
  std::vector<ReadReceipt> read_receipts;
  std::vector<std::string> tags;
  std::optional<std::string> patient_display_name;   // denorm.patient.display_name
  std::optional<std::string> doctor_specialization;  // denorm.doctor.specialization
  Instant created_at{};                              // meta.created_at
  Role created_by_role = Role::kSystem;              // meta.created_by
  Id created_by_id = 0;
  Instant updated_at{};                        // meta.updated_at
  std::optional<std::string> client_ua;        // meta.client.ua
  std::optional<std::string> client_platform;  // meta.client.platform
  std::int64_t version = 1;                    // meta.version: optimistic concurrency on edits
};

// The thread of an appointment.
std::string ThreadIdOf(Id appointment_id);

// Whether `id` has the form of a message id (an ObjectId: 24 lowercase hex digits). Ids from
// clients are checked with this before any store sees them.
bool IsMessageId(std::string_view id);

}  // namespace clinic::domain
