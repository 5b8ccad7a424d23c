#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/common/result.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::mysql {

// Where a MySQL-protocol server is and who to log in as; parsed from
// mysql://user:pass@host:port/db[?socket=/path]. Works with MySQL 8 and MariaDB 10.11.
struct MysqlOptions {
  std::string host = "127.0.0.1";
  unsigned port = 3306;
  std::string user;
  std::string password;
  std::string database;  // may be empty (tests connect without one to create databases)
  std::optional<std::string> socket;
};

// Parses a mysql:// URI; percent-escapes in user and password are decoded. kInvalidArgument
// names what is wrong.
Result<MysqlOptions> ParseMysqlUri(std::string_view uri);

// Opens connections through the MySQL C API (libmariadb). Every connection uses utf8mb4 with
// utf8mb4_unicode_520_ci, time_zone '+00:00' and autocommit; statements are prepared once per
// connection and cached.
std::unique_ptr<sql::ConnectionFactory> MakeMysqlConnectionFactory(MysqlOptions options);

}  // namespace clinic::storage::mysql
