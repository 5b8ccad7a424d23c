#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/common/byte_reader.hpp"
#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/enums.hpp"
#include "clinic/domain/ids.hpp"
#include "clinic/storage/message_store.hpp"

namespace clinic::storage {

// One upload: its own id and name, and the content it names by sha256. Two uploads of the same
// bytes are two records over one stored copy.
struct StoredAttachment {
  std::string file_id;    // "f_" and 32 hexadecimal digits
  std::string file_name;  // already sanitized
  std::string mime_type;  // detected from the content, never the client's claim
  std::int64_t size_bytes = 0;
  std::string sha256;  // lower-case hex of the content
  domain::Role uploaded_by_role = domain::Role::kPatient;
  Id uploaded_by_id = 0;
  Instant uploaded_at{};
};

// Where message attachments live (DESIGN.md §5): the bytes content-addressed by sha256 (a local
// folder beside the embedded store, GridFS on MongoDB), the upload records beside the messages.
// Thread-safe.
class AttachmentStore {
 public:
  virtual ~AttachmentStore() = default;

  // storage.bucket of the attachments in messages: "local" or the GridFS bucket's name.
  virtual std::string_view bucket() const = 0;

  // Stores the record, and the content unless a copy with this sha256 is already stored. The
  // content is complete in the store before the record names it, so a record never points at a
  // partial file.
  virtual Status Save(const StoredAttachment& attachment, std::string_view content) = 0;
  virtual Result<std::optional<StoredAttachment>> Find(const std::string& file_id) = 0;
  // The stored bytes with this sha256, opened for reading a piece at a time (a download holds
  // one piece, never the whole file); kNotFound when there are none. The reader holds no
  // database connection between reads; it must not outlive the store.
  virtual Result<std::unique_ptr<ByteReader>> OpenContent(const std::string& sha256) = 0;
  // Stores `content` under `sha256` (which the caller has checked is its SHA-256) unless a copy
  // is there already, without a record: how a restore puts back a backup's bytes before the
  // records that name them (Save does both).
  virtual Status SaveContent(const std::string& sha256, std::string_view content) = 0;
  // The size of the uploads this account made at or after `since`, summed (an upload of bytes
  // already stored counts too: what is measured is what the account sent).
  virtual Result<std::int64_t> BytesUploadedSince(domain::Role role, Id id, Instant since) = 0;
  // Finds the upload records whose file name is not strict UTF-8 (stored before names were
  // checked as they are now: such a record cannot be found on MongoDB, and on SQLite it passes its
  // name on to every message that attaches it, which then cannot be read) and rewrites the name
  // with its bad bytes replaced by U+FFFD. Other records are not touched.
  virtual Result<RepairReport> RepairUnreadable() = 0;
};

// The two stores of the document side, opened together because they share a connection (pool).
struct DocumentStores {
  std::unique_ptr<MessageStore> messages;
  std::unique_ptr<AttachmentStore> attachments;
};

}  // namespace clinic::storage
