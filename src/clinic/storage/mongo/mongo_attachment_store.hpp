#pragma once

#include <memory>
#include <string>

#include "clinic/common/result.hpp"
#include "clinic/storage/attachment_store.hpp"

namespace clinic::storage::mongo {

class MongoPool;

// Whether opening waits for a server that answers (every clinicctl command, which has nothing to
// do without one) or opens anyway (clinicd, which books without messages; docs/decisions.md
// "Operations").
enum class ServerAtOpen { kMustAnswer, kMayBeDown };

// Attachments in GridFS: the bucket "attachments" of the pool's database holds each content once,
// as the GridFS file whose _id is its sha256; the upload records are the `attachments`
// collection. A duplicate upload of the same bytes collides on that _id and stores nothing.
Result<std::unique_ptr<AttachmentStore>> OpenGridFsAttachmentStore(std::shared_ptr<MongoPool> pool);

// The message store and the attachment store over one client pool for `uri` ("clinic" when it
// names no database). kUnavailable when the server cannot be reached and `server` is kMustAnswer;
// with kMayBeDown the stores open anyway, their operations fail with kUnavailable until a server
// answers, and their indexes are created once one does (MongoPool::SetUp).
Result<DocumentStores> OpenMongoDocumentStores(const std::string& uri,
                                               ServerAtOpen server = ServerAtOpen::kMustAnswer);

}  // namespace clinic::storage::mongo
