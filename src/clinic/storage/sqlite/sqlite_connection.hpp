#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "clinic/common/result.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sqlite {

// Parses sqlite:///abs/path.db or sqlite://relative/path.db into a file path.
Result<std::string> ParseSqliteUri(std::string_view uri);

// Opens connections to one SQLite file with WAL journaling, synchronous=NORMAL (an acknowledged
// commit survives a crash of the process), busy_timeout and foreign_keys=ON. Write transactions
// start with BEGIN IMMEDIATE, so writers queue on the database lock instead of failing late.
std::unique_ptr<sql::ConnectionFactory> MakeSqliteConnectionFactory(std::string path);

}  // namespace clinic::storage::sqlite
