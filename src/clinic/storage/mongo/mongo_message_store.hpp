#pragma once

#include <memory>

#include "clinic/common/result.hpp"
#include "clinic/storage/message_store.hpp"

namespace clinic::storage::mongo {

class MongoPool;

// The production message store: the `messages` collection of the pool's database. Creates the
// indexes of DESIGN.md §5 when it opens. Every write is a single-document operation (or an
// update_many whose effect on each document stands alone), so nothing needs a MongoDB transaction.
Result<std::unique_ptr<MessageStore>> OpenMongoMessageStore(std::shared_ptr<MongoPool> pool);

}  // namespace clinic::storage::mongo
