#pragma once

#include <memory>
#include <string>

#include "clinic/common/result.hpp"
#include "clinic/storage/attachment_store.hpp"
#include "clinic/storage/message_store.hpp"

namespace clinic::storage {

namespace mongo {
class MongoPool;
}

// The production message store: the `messages` collection of the pool's database. Creates the
// indexes of DESIGN.md §5 when it opens. Every write is a single-document operation (or an
// update_many whose effect on each document stands alone), so nothing needs a MongoDB transaction.
Result<std::unique_ptr<MessageStore>> OpenMongoMessageStore(std::shared_ptr<mongo::MongoPool> pool);

// Attachments in GridFS: the bucket "attachments" of the pool's database holds each content once,
// as the GridFS file whose _id is its sha256; the upload records are the `attachments`
// collection. A duplicate upload of the same bytes collides on that _id and stores nothing.
Result<std::unique_ptr<AttachmentStore>> OpenGridFsAttachmentStore(
    std::shared_ptr<mongo::MongoPool> pool);

// Both stores over one client pool for `uri` ("clinic" when it names no database). kUnavailable
// when the server cannot be reached.
Result<DocumentStores> OpenMongoDocumentStores(const std::string& uri);

}  // namespace clinic::storage
