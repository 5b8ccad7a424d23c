#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::storage::sql {

enum class Dialect { kSqlite, kMysql };

// A bound parameter or a fetched cell. Instants travel as UTC text "YYYY-MM-DD HH:MM:SS" and
// booleans as 0/1, the same on both backends; there is no floating point (money is cents).
using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;

// One result row. Accessors assume the query's shape (a mismatch is a programming error and
// reads as 0 / empty); the *Opt forms map SQL NULL to nullopt.
class Row {
 public:
  explicit Row(std::vector<Value> cells) : cells_(std::move(cells)) {}

  std::size_t size() const { return cells_.size(); }
  // The cell as the driver gave it: for code that works on any table (backups).
  const Value& At(std::size_t i) const { return cells_[i]; }
  bool IsNull(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(cells_[i]); }
  std::int64_t Int(std::size_t i) const;
  bool Bool(std::size_t i) const { return Int(i) != 0; }
  std::string Text(std::size_t i) const;
  std::optional<std::int64_t> OptInt(std::size_t i) const;
  std::optional<std::string> OptText(std::size_t i) const;
  // The cells from `first` on, as a row of their own (the second table of a joined row).
  Row From(std::size_t first) const {
    return Row({cells_.begin() + static_cast<std::ptrdiff_t>(first), cells_.end()});
  }

 private:
  std::vector<Value> cells_;
};

struct ExecResult {
  std::int64_t affected_rows = 0;  // rows matched, also when an UPDATE left them unchanged
  std::int64_t last_insert_id = 0;
};

using storage::TxMode;

// One open database connection, driven with prepared statements only (`?` placeholders) and a
// per-connection statement cache. Not thread-safe: a connection is used by one thread at a time
// (the pool hands it out). Driver errors come back as clinic::Error with the canonical mapping:
// duplicate key → kAlreadyExists; FK, CHECK and NOT NULL violations → kFailedPrecondition;
// deadlock / lock timeout / busy → kAborted; lost or refused connection → kUnavailable.
class Connection {
 public:
  virtual ~Connection() = default;

  virtual Dialect dialect() const = 0;

  // Runs a statement that returns no rows.
  virtual Result<ExecResult> Execute(std::string_view sql, std::span<const Value> params) = 0;

  // Runs a statement and fetches every row.
  virtual Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params) = 0;

  // Runs a script of several statements (schema migrations only; never user data).
  virtual Status ExecuteScript(std::string_view script) = 0;

  virtual Status Begin(TxMode mode) = 0;
  virtual Status Commit() = 0;
  // Ok when no transaction is open, so every error path may call it.
  virtual Status Rollback() = 0;

  // False once the connection is known to be broken; the pool then discards it.
  virtual bool IsHealthy() const = 0;

  // What the last kAborted error on this connection lost to ("deadlock", "lock_wait_timeout",
  // "transaction_lost", "busy"), then forgets it; empty when no statement was aborted since.
  virtual std::string_view TakeAbortReason() = 0;

  Result<ExecResult> Execute(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Execute(sql, std::span<const Value>(params.begin(), params.size()));
  }
  Result<std::vector<Row>> Query(std::string_view sql, std::initializer_list<Value> params = {}) {
    return Query(sql, std::span<const Value>(params.begin(), params.size()));
  }
};

// Opens new connections for a pool.
class ConnectionFactory {
 public:
  virtual ~ConnectionFactory() = default;
  virtual Dialect dialect() const = 0;
  virtual Result<std::unique_ptr<Connection>> Open() = 0;
  // A read-only connection that sees the whole database as it was at one instant, for as long as
  // it stays open, without blocking writers: MySQL, a REPEATABLE READ transaction WITH
  // CONSISTENT SNAPSHOT (already begun; it ends with the connection); SQLite, a private
  // temporary copy taken with the online backup API (gone with the connection).
  virtual Result<std::unique_ptr<Connection>> OpenSnapshot() = 0;
};

}  // namespace clinic::storage::sql
