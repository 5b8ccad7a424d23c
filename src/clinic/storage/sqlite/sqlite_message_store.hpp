#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "clinic/common/result.hpp"
#include "clinic/storage/message_store.hpp"

namespace clinic::storage::sqlite {

// The embedded message store: each message is the seed's document as JSON in one row, beside the
// fields the queries filter and sort on as indexed columns (thread, creation time, participants,
// author, version). Read receipts are appended to the JSON with SQLite's JSON functions in single
// statements. Creates its table and indexes when missing (like MongoDB's createIndexes at
// start-up), so it can share the relational SQLite file or have its own.
Result<std::unique_ptr<MessageStore>> OpenSqliteMessageStore(const std::string& path,
                                                             std::size_t pool_size);

}  // namespace clinic::storage::sqlite
