#pragma once

#include <memory>
#include <string>

#include "clinic/common/result.hpp"
#include "clinic/storage/attachment_store.hpp"

namespace clinic::storage::mongo {

class MongoPool;

// Attachments in GridFS: the bucket "attachments" of the pool's database holds each content once,
// as the GridFS file whose _id is its sha256; the upload records are the `attachments`
// collection. A duplicate upload of the same bytes collides on that _id and stores nothing.
Result<std::unique_ptr<AttachmentStore>> OpenGridFsAttachmentStore(std::shared_ptr<MongoPool> pool);

// The message store and the attachment store over one client pool for `uri` ("clinic" when it
// names no database). kUnavailable when the server cannot be reached.
Result<DocumentStores> OpenMongoDocumentStores(const std::string& uri);

}  // namespace clinic::storage::mongo
