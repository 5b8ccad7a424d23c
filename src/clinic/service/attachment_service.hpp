#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/byte_reader.hpp"
#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/message.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/storage/attachment_store.hpp"
#include "clinic/storage/message_store.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// An attachment and its bytes, opened for reading a piece at a time, for a download.
struct AttachmentDownload {
  storage::StoredAttachment attachment;
  std::unique_ptr<ByteReader> content;
};

// What an account may upload in any 24 hours unless configured otherwise (`--upload-quota`).
inline constexpr std::int64_t kDefaultUploadQuotaBytes = std::int64_t{100} * 1024 * 1024;

// Files for messages (DESIGN.md §6). Anyone logged in uploads, up to `upload_quota_bytes` in any
// 24 hours; the type is read from the bytes (PDF, PNG, JPEG or plain text) and the name sanitized.
// A file is downloaded by its uploader and by whoever may read a thread with a message that
// references it; everyone else gets kNotFound. Thread-safe.
class AttachmentService {
 public:
  AttachmentService(storage::Store& store, storage::MessageStore& messages,
                    storage::AttachmentStore& attachments, const Clock& clock,
                    std::int64_t upload_quota_bytes = kDefaultUploadQuotaBytes);

  // kUnsupportedMediaType when the declared type or the detected one is not allow-listed (a
  // declared type that disagrees with the bytes is overruled by them), kInvalidArgument for an
  // empty body or a file name of more than 255 bytes, kResourceExhausted when the upload would
  // take the account past its quota (concurrent uploads may overshoot it by what they carry).
  // Once per Idempotency-Key (CreateOnce): a retry with the same bytes and name answers the first
  // upload, stores nothing and is not charged to the quota; the key with other bytes or another
  // name is kInvalidArgument naming Idempotency-Key.
  Result<Created<storage::StoredAttachment>> Upload(const domain::RequestContext& context,
                                                    std::string_view declared_type,
                                                    std::string_view file_name,
                                                    std::string_view content);

  Result<AttachmentDownload> Download(const domain::RequestContext& context,
                                      const std::string& file_id);

  // The attachments of a message `author` is posting, as the message stores them: each one must
  // be the author's own upload (kInvalidArgument naming `attachments[i]` otherwise, the same for
  // an unknown id, so ids of others' files reveal nothing). At most 10, no repeats.
  Result<std::vector<domain::MessageAttachment>> ForMessage(
      const domain::Principal& author, const std::vector<std::string>& file_ids);

 private:
  storage::Store& store_;
  storage::MessageStore& messages_;
  storage::AttachmentStore& attachments_;
  const Clock& clock_;
  const std::int64_t upload_quota_bytes_;
};

}  // namespace clinic::service
