#pragma once

#include <memory>
#include <string>

#include "clinic/common/result.hpp"
#include "clinic/storage/message_store.hpp"

namespace clinic::storage {

// The production message store: the `messages` collection of the URI's database ("clinic" when
// the URI names none) through a libmongoc client pool. Creates the indexes of DESIGN.md §5 when it
// opens. Every write is a single-document operation (or an update_many whose effect on each
// document stands alone), so nothing needs a MongoDB transaction. kUnavailable when the server
// cannot be reached.
Result<std::unique_ptr<MessageStore>> OpenMongoMessageStore(const std::string& uri);

}  // namespace clinic::storage
