#pragma once

#include <mysql.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "clinic/storage/mysql/mysql_driver_error.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::mysql {

// Bounds the per-connection cache (and the server's prepared statements, which are limited by
// max_prepared_stmt_count) if callers generate SQL text, e.g. IN lists of varying length.
constexpr std::size_t kMaxCachedStatements = 256;

// Frees a result set the library allocated.
struct ResultFreer {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
using ResultHandle = std::unique_ptr<MYSQL_RES, ResultFreer>;

// The prepared statements of one connection, by their text, at most kMaxCachedStatements (all are
// dropped when one more would not fit). They belong to the connection's handle: Clear them before
// the handle closes.
class PreparedStatements {
 public:
  // The statement prepared for `sql`, or nullptr when there is none yet.
  MYSQL_STMT* Find(std::string_view sql) const;
  // Prepares `sql` on `handle`, keeps it and has the process remember its text (KnownStatements).
  DriverResult<MYSQL_STMT*> Prepare(MYSQL* handle, std::string_view sql);
  void Clear() { statements_.clear(); }

 private:
  struct StatementCloser {
    void operator()(MYSQL_STMT* statement) const { mysql_stmt_close(statement); }
  };

  struct TransparentStringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  std::unordered_map<std::string, std::unique_ptr<MYSQL_STMT, StatementCloser>,
                     TransparentStringHash, std::equal_to<>>
      statements_;
};

// Every statement text this process has prepared (up to a bound), so that a connection can prepare
// them before it opens a transaction. Preparing inside a transaction is where a Galera node can
// drop the transaction without reporting it (CheckStillInTransaction catches that; doing it
// beforehand keeps it from happening once the process has warmed up).
class KnownStatements {
 public:
  static constexpr std::size_t kMaxTexts = kMaxCachedStatements * 3 / 4;

  static KnownStatements& Instance();

  void Remember(std::string_view sql);

  std::size_t size() const { return size_.load(); }

  // The texts remembered after the first `known`.
  std::vector<std::string> Since(std::size_t known) const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> texts_;
  std::atomic<std::size_t> size_{0};
};

// Binds `params` to the prepared `statement` and runs it for its effect; rows it returns are
// drained, so the statement can run again.
DriverResult<sql::ExecResult> RunStatement(MYSQL_STMT* statement,
                                           std::span<const sql::Value> params);

// Binds `params` to the prepared `statement`, runs it and reads every row: integer columns as
// integers, everything else (dates, text, decimals) as text; an unsigned value above INT64_MAX
// fails. Whichever way the read ends, the statement can run again.
DriverResult<std::vector<sql::Row>> FetchAll(MYSQL_STMT* statement,
                                             std::span<const sql::Value> params);

}  // namespace clinic::storage::mysql
