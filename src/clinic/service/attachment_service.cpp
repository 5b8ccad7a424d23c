#include "clinic/service/attachment_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "clinic/common/crypto.hpp"
#include "clinic/domain/attachment_rules.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/domain/validator.hpp"

namespace clinic::service {
namespace {

using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

constexpr std::size_t kMaxFileNameBytes = 255;
constexpr std::size_t kMaxAttachmentsPerMessage = 10;
constexpr std::chrono::hours kUploadQuotaWindow{24};
// When to try again after the quota is used up: an hour frees what was uploaded an hour earlier
// the day before, which is as good a guess as any without reading every upload's time.
constexpr int kQuotaRetryAfterSeconds = 3600;
// Where attachments are: a single-site installation has one region.
constexpr std::string_view kRegion = "local";

// The operation an upload's Idempotency-Key is kept for.
constexpr std::string_view kUploadOperation = "attachment.upload";

constexpr std::string_view kFileIdPrefix = "f_";
constexpr std::size_t kFileIdHexDigits = 32;

std::string NewFileId() {
  return std::string(kFileIdPrefix) + Sha256Hex(RandomToken(24)).substr(0, kFileIdHexDigits);
}

// True for what NewFileId makes; anything else names no file and is not looked up.
bool IsFileId(std::string_view id) {
  if (id.size() != kFileIdPrefix.size() + kFileIdHexDigits || !id.starts_with(kFileIdPrefix)) {
    return false;
  }
  return std::all_of(id.begin() + static_cast<std::ptrdiff_t>(kFileIdPrefix.size()), id.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsUploader(const domain::Principal& caller, const storage::StoredAttachment& attachment) {
  return caller.role == attachment.uploaded_by_role && caller.id == attachment.uploaded_by_id;
}

}  // namespace

AttachmentService::AttachmentService(storage::Store& store, storage::MessageStore& messages,
                                     storage::AttachmentStore& attachments, const Clock& clock,
                                     std::int64_t upload_quota_bytes)
    : store_(store),
      messages_(messages),
      attachments_(attachments),
      clock_(clock),
      upload_quota_bytes_(upload_quota_bytes) {}

Result<Created<storage::StoredAttachment>> AttachmentService::Upload(
    const domain::RequestContext& context, std::string_view declared_type,
    std::string_view file_name, std::string_view content) {
  if (content.empty()) return Fail(Error::InvalidArgument("the file is empty"));
  if (file_name.size() > kMaxFileNameBytes) {
    return Fail(Error::InvalidField("file_name", "at most 255 bytes"));
  }
  if (!domain::IsAllowedMediaType(declared_type)) {
    return Fail(Error{ErrorCode::kUnsupportedMediaType,
                      "attachments are PDF, PNG, JPEG or plain text (Content-Type "
                      "application/pdf, image/png, image/jpeg or text/plain)",
                      {}});
  }
  const auto type = domain::DetectMediaType(content);
  if (!type) {
    return Fail(Error{ErrorCode::kUnsupportedMediaType,
                      "the content is not a PDF, PNG, JPEG or plain-text file",
                      {}});
  }
  const auto load = [this](Transaction&,
                           const std::string& file_id) -> Result<storage::StoredAttachment> {
    CLINIC_ASSIGN_OR_RETURN(auto found, attachments_.Find(file_id));
    if (!found) {
      return Fail(Error::Internal(
          fmt::format("the upload {} that an Idempotency-Key names is gone", file_id)));
    }
    return std::move(*found);
  };
  if (context.idempotency) {
    // A retry is answered before anything is stored or charged to the quota.
    CLINIC_ASSIGN_OR_RETURN(auto replay, InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
                              return ReplayEarlier<std::string>(tx, context, kUploadOperation,
                                                                load);
                            }));
    if (replay) return std::move(*replay);
  }
  const Instant now = clock_.Now();
  CLINIC_ASSIGN_OR_RETURN(const std::int64_t uploaded,
                          attachments_.BytesUploadedSince(context.actor.role, context.actor.id,
                                                          now - kUploadQuotaWindow));
  if (uploaded + static_cast<std::int64_t>(content.size()) > upload_quota_bytes_) {
    return Fail(Error::ResourceExhausted(
        fmt::format("this account has used its upload quota of {} bytes per 24 hours",
                    upload_quota_bytes_),
        kQuotaRetryAfterSeconds));
  }
  storage::StoredAttachment attachment{.file_id = NewFileId(),
                                       .file_name = domain::SanitizeFileName(file_name, *type),
                                       .mime_type = std::string(type->mime_type),
                                       .size_bytes = static_cast<std::int64_t>(content.size()),
                                       .sha256 = Sha256Hex(content),
                                       .uploaded_by_role = context.actor.role,
                                       .uploaded_by_id = context.actor.id,
                                       .uploaded_at = now};
  CLINIC_TRY_STATUS(attachments_.Save(attachment, content));
  if (!context.idempotency) return Created<storage::StoredAttachment>{.value = attachment};
  // The document store takes no part in a relational transaction, so the upload is stored first
  // and the key then names it. When a concurrent retry got there first, this one's record stays
  // unnamed (its bytes are the first's, stored once) and the answer is the first upload.
  return CreateOnce(
      store_, clock_, context, kUploadOperation,
      [&](Transaction&) -> Result<std::string> { return attachment.file_id; },
      [&](Transaction& tx, const std::string& file_id) -> Result<storage::StoredAttachment> {
        if (file_id == attachment.file_id) return attachment;  // just stored: nothing to read
        return load(tx, file_id);
      });
}

Result<AttachmentDownload> AttachmentService::Download(const domain::RequestContext& context,
                                                       const std::string& file_id) {
  const auto hidden = [&] {
    return Fail(Error::NotFound(fmt::format("attachment {} not found", file_id)));
  };
  if (!IsFileId(file_id)) return hidden();
  CLINIC_ASSIGN_OR_RETURN(auto found, attachments_.Find(file_id));
  if (!found) return hidden();
  if (!IsUploader(context.actor, *found)) {
    CLINIC_ASSIGN_OR_RETURN(auto appointment_ids, messages_.AppointmentsWithFile(file_id));
    CLINIC_ASSIGN_OR_RETURN(
        const bool readable,
        InTransaction(store_, TxMode::kRead, [&](Transaction& tx) -> Result<bool> {
          for (const Id id : appointment_ids) {
            CLINIC_ASSIGN_OR_RETURN(auto appointment, tx.appointments().GetListing(id));
            if (domain::AuthorizeAppointment(context.actor, domain::AppointmentAction::kRead,
                                             appointment)) {
              return true;
            }
          }
          return false;
        }));
    if (!readable) return hidden();
  }
  CLINIC_ASSIGN_OR_RETURN(auto content, attachments_.OpenContent(found->sha256));
  return AttachmentDownload{.attachment = std::move(*found), .content = std::move(content)};
}

Result<std::vector<domain::MessageAttachment>> AttachmentService::ForMessage(
    const domain::Principal& author, const std::vector<std::string>& file_ids) {
  domain::Validator check;
  if (file_ids.size() > kMaxAttachmentsPerMessage) {
    check.Add("attachments", fmt::format("at most {} files", kMaxAttachmentsPerMessage));
    CLINIC_TRY_STATUS(check.Finish("the message is not valid"));
  }
  std::vector<domain::MessageAttachment> attachments;
  attachments.reserve(file_ids.size());
  for (std::size_t i = 0; i < file_ids.size(); ++i) {
    const auto field = fmt::format("attachments[{}]", i);
    if (std::find(file_ids.begin(), file_ids.begin() + static_cast<std::ptrdiff_t>(i),
                  file_ids[i]) != file_ids.begin() + static_cast<std::ptrdiff_t>(i)) {
      check.Add(field, "is listed twice");
      continue;
    }
    std::optional<storage::StoredAttachment> found;
    if (IsFileId(file_ids[i])) {
      CLINIC_ASSIGN_OR_RETURN(found, attachments_.Find(file_ids[i]));
    }
    if (!found || !IsUploader(author, *found)) {
      check.Add(field, "is not a file you uploaded");
      continue;
    }
    attachments.push_back({.file_id = found->file_id,
                           .file_name = found->file_name,
                           .mime_type = found->mime_type,
                           .size_bytes = found->size_bytes,
                           .sha256 = found->sha256,
                           .bucket = std::string(attachments_.bucket()),
                           .region = std::string(kRegion)});
  }
  CLINIC_TRY_STATUS(check.Finish("the message is not valid"));
  return attachments;
}

}  // namespace clinic::service
