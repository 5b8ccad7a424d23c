#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/common/result.hpp"
#include "clinic/storage/message_store.hpp"
#include "clinic/storage/sql/connection_pool.hpp"

namespace clinic::storage::sqlite {

// The embedded message store: each message is the seed's document as JSON in one row, beside the
// fields the queries filter and sort on as indexed columns (thread, creation time, participants,
// author, version). Read receipts are appended to the JSON with SQLite's JSON functions in single
// statements. Creates its table and indexes when missing (like MongoDB's createIndexes at
// start-up), so it can share the relational SQLite file or have its own.
Result<std::unique_ptr<MessageStore>> OpenSqliteMessageStore(const std::string& path,
                                                             std::size_t pool_size);

// One text column of a table of the embedded document store, for RepairUnreadable.
struct RepairedColumn {
  std::string_view table;
  std::string_view key;  // the table's text primary key: rows are read in its order, 500 at a time
  std::string_view column;
  // Whether a stored value can be read as it is.
  std::function<bool(const std::string&)> readable;
  // What an unreadable value becomes; nullopt when it cannot be repaired (it is left as it is and
  // its row's key reported in RepairReport::unrepairable).
  std::function<std::optional<std::string>(const std::string&)> repaired;
};

// Rewrites each value of the column that is not `readable` with what `repaired` makes of it.
Result<RepairReport> RepairColumn(sql::ConnectionPool& pool, const RepairedColumn& what);

}  // namespace clinic::storage::sqlite
