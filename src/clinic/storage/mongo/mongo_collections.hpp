#pragma once

namespace clinic::storage::mongo {

// The collections the MongoDB document store keeps in its database.
inline constexpr const char* kMessagesCollection = "messages";
inline constexpr const char* kAttachmentRecordsCollection = "attachments";
// The GridFS bucket of attachment contents: its collections are <bucket>.files and
// <bucket>.chunks.
inline constexpr const char* kAttachmentBucket = "attachments";
inline constexpr const char* kAttachmentBucketFiles = "attachments.files";
inline constexpr const char* kAttachmentBucketChunks = "attachments.chunks";

}  // namespace clinic::storage::mongo
