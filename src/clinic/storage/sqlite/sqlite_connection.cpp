#include "clinic/storage/sqlite/sqlite_connection.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace clinic::storage::sqlite {
namespace {

using sql::Dialect;
using sql::ExecResult;
using sql::Row;
using sql::TxMode;
using sql::Value;

// How long a writer waits for the database lock before the request fails (kAborted, retried by
// the store). Writers queue on BEGIN IMMEDIATE, so this bounds queueing, not normal latency.
constexpr int kBusyTimeoutMs = 10000;

Error MapError(sqlite3* db, int rc, std::string_view what) {
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  spdlog::debug("sqlite: {} failed: {} ({})", what, detail, extended);
  switch (extended) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Error::AlreadyExists("a record with the same key already exists");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error::FailedPrecondition("the record is referenced by, or refers to, another record");
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_CONSTRAINT_TRIGGER:
      return Error::FailedPrecondition("the data breaks a rule of the schema");
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::Aborted("the database is busy; try again");
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      spdlog::error("sqlite: {} failed: {}", what, detail);
      return Error::Unavailable("the database cannot be written");
    default:
      spdlog::error("sqlite: {} failed: {} ({})", what, detail, extended);
      return Error::Internal("database error");
  }
}

// Finalizes a cached statement when the connection closes.
struct StatementDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

class SqliteConnection final : public sql::Connection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    statements_.clear();  // statements must be finalized before the handle closes
    sqlite3_close_v2(db_);
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  // A SQLite handle does not break the way a network connection does.
  bool IsHealthy() const override { return true; }
  std::string_view TakeAbortReason() override { return std::exchange(abort_reason_, {}); }

  Result<ExecResult> Execute(std::string_view sql, std::span<const Value> params) override {
    CLINIC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    auto outcome =
        rc == SQLITE_DONE
            ? Result<ExecResult>(ExecResult{sqlite3_changes64(db_), sqlite3_last_insert_rowid(db_)})
            : Fail(Map(rc, "execute"));
    sqlite3_reset(stmt);
    return outcome;
  }

  Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params) override {
    CLINIC_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    std::vector<Row> rows;
    const int columns = sqlite3_column_count(stmt);
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<Value> cells;
      cells.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) cells.push_back(ReadCell(stmt, c));
      rows.emplace_back(std::move(cells));
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) return Fail(Map(rc, "query"));
    return rows;
  }

  Status ExecuteScript(std::string_view script) override {
    const std::string text(script);
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK) return Fail(Map(rc, "script"));
    return Ok();
  }

  Status Begin(TxMode mode) override {
    // IMMEDIATE takes the write lock now: two writers can never both read and then both try to
    // upgrade, which is how SQLite deadlocks (SQLITE_BUSY) under concurrent booking.
    return Simple(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  }
  Status Commit() override { return Simple("COMMIT"); }
  // Harmless without an open transaction, so every error path may call it.
  Status Rollback() override {
    if (sqlite3_get_autocommit(db_) != 0) return Ok();
    return Simple("ROLLBACK");
  }

 private:
  Error Map(int rc, std::string_view what) {
    Error error = MapError(db_, rc, what);
    if (error.code == ErrorCode::kAborted) abort_reason_ = "busy";
    return error;
  }

  Status Simple(std::string_view sql) {
    CLINIC_TRY_STATUS(Execute(sql, std::span<const Value>{}));
    return Ok();
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql, std::span<const Value> params) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
      sqlite3_stmt* raw = nullptr;
      const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
      if (rc != SQLITE_OK) return Fail(Map(rc, "prepare"));
      it = statements_.emplace(std::string(sql), StatementPtr(raw)).first;
    }
    sqlite3_stmt* stmt = it->second.get();
    sqlite3_clear_bindings(stmt);
    if (static_cast<std::size_t>(sqlite3_bind_parameter_count(stmt)) != params.size()) {
      return Fail(Error::Internal("statement parameter count mismatch"));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
        rc = sqlite3_bind_int64(stmt, index, *n);
      } else if (const auto* s = std::get_if<std::string>(&params[i])) {
        rc = sqlite3_bind_text64(stmt, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      } else {
        rc = sqlite3_bind_null(stmt, index);
      }
      if (rc != SQLITE_OK) return Fail(Map(rc, "bind"));
    }
    return stmt;
  }

  static Value ReadCell(sqlite3_stmt* stmt, int c) {
    switch (sqlite3_column_type(stmt, c)) {
      case SQLITE_NULL:
        return nullptr;
      case SQLITE_INTEGER:
        return static_cast<std::int64_t>(sqlite3_column_int64(stmt, c));
      default: {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
      }
    }
  }

  sqlite3* db_;
  std::unordered_map<std::string, StatementPtr> statements_;
  std::string_view abort_reason_;
};

class SqliteConnectionFactory final : public sql::ConnectionFactory {
 public:
  explicit SqliteConnectionFactory(std::string path) : path_(std::move(path)) {
    // The file holds patients' records: readable by the server's own user only. SQLite gives its
    // -wal and -shm files the database file's permissions, so creating it 0600 covers them too.
    // O_EXCL: a file that exists is never opened here, because closing any descriptor of a file
    // drops every POSIX lock this process holds on it, SQLite's own included.
    if (const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        fd >= 0) {
      ::close(fd);
    }
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::unique_ptr<sql::Connection>> OpenSnapshot() override {
    // The live file, opened without SQLITE_OPEN_CREATE: taking a snapshot never makes a database.
    sqlite3* live = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &live, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      spdlog::error("sqlite: cannot open {}: {}", path_,
                    live != nullptr ? sqlite3_errmsg(live) : "out of memory");
      sqlite3_close_v2(live);
      return Fail(Error::Unavailable("cannot open the SQLite database"));
    }
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> source(live, &sqlite3_close_v2);
    sqlite3_busy_timeout(live, kBusyTimeoutMs);
    // "": a private temporary database, which SQLite unlinks as soon as it has created it (in
    // SQLITE_TMPDIR or TMPDIR) and which goes when its connection closes.
    sqlite3* copy = nullptr;
    const int opened = sqlite3_open_v2(
        "", &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    auto connection = std::make_unique<SqliteConnection>(copy);
    if (opened != SQLITE_OK) return Fail(MapError(copy, opened, "open a temporary database"));
    sqlite3_extended_result_codes(copy, 1);
    // One step copies every page inside one read transaction of the live file, so the copy is
    // the database as of one commit; in WAL mode writers go on meanwhile.
    sqlite3_backup* backup = sqlite3_backup_init(copy, "main", live, "main");
    if (backup == nullptr) {
      return Fail(MapError(copy, sqlite3_errcode(copy), "start an online backup"));
    }
    const int stepped = sqlite3_backup_step(backup, -1);
    const int finished = sqlite3_backup_finish(backup);
    if (stepped != SQLITE_DONE) return Fail(MapError(live, stepped, "copy the database"));
    if (finished != SQLITE_OK) return Fail(MapError(copy, finished, "finish an online backup"));
    return std::unique_ptr<sql::Connection>(std::move(connection));
  }

  Result<std::unique_ptr<sql::Connection>> Open() override {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path_.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      spdlog::error("sqlite: cannot open {}: {}", path_, db ? sqlite3_errmsg(db) : "out of memory");
      sqlite3_close_v2(db);
      return Fail(Error::Unavailable("cannot open the SQLite database"));
    }
    auto connection = std::make_unique<SqliteConnection>(db);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db, 1);
    // WAL lets readers run beside the single writer; NORMAL syncs the WAL at checkpoints, which
    // keeps every committed transaction across a crash of the process (not of the OS). Each
    // pooled connection keeps a page cache of its own on top of the OS's; 512 KiB each instead
    // of the default 2 MiB took 12 MB off clinicd's RSS with its 8 connections and no measurable
    // speed (clinic-bench's search without the answer cache).
    CLINIC_TRY_STATUS(connection->ExecuteScript(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
        "PRAGMA cache_size = -512;"));
    return std::unique_ptr<sql::Connection>(std::move(connection));
  }

 private:
  std::string path_;
};

}  // namespace

Result<std::string> ParseSqliteUri(std::string_view uri) {
  constexpr std::string_view kScheme = "sqlite://";
  if (!uri.starts_with(kScheme)) {
    return Fail(
        Error::InvalidArgument("expected sqlite:///absolute/path.db or sqlite://relative.db"));
  }
  std::string path(uri.substr(kScheme.size()));
  if (path.empty() || path == "/") {
    return Fail(Error::InvalidArgument("the sqlite URI names no file"));
  }
  if (path.find('?') != std::string::npos || path.find('\0') != std::string::npos) {
    return Fail(Error::InvalidArgument("the sqlite URI takes no options"));
  }
  return path;
}

std::unique_ptr<sql::ConnectionFactory> MakeSqliteConnectionFactory(std::string path) {
  return std::make_unique<SqliteConnectionFactory>(std::move(path));
}

}  // namespace clinic::storage::sqlite
