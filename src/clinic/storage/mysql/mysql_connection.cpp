#include "clinic/storage/mysql/mysql_connection.hpp"

#include <mysql.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace clinic::storage::mysql {
namespace {

using sql::ExecResult;
using sql::Row;
using sql::Value;

// Server and client error numbers this driver reacts to. Spelled out here rather than taken from
// mysqld_error.h because the MySQL-8-only numbers (3819, 4031) are missing from MariaDB's headers.
namespace code {
// A Galera node outside the cluster's primary component ("WSREP has not yet prepared node for
// application use"; the number is ER_UNKNOWN_COM_ERROR's).
constexpr unsigned kNodeNotReady = 1047;
constexpr unsigned kBadNull = 1048;
constexpr unsigned kServerShutdown = 1053;
constexpr unsigned kDuplicateEntry = 1062;
constexpr unsigned kLockWaitTimeout = 1205;
constexpr unsigned kDeadlock = 1213;
constexpr unsigned kNoReferencedRowOld = 1216;
constexpr unsigned kRowIsReferencedOld = 1217;
constexpr unsigned kDataTruncated = 1265;
constexpr unsigned kTruncatedWrongValue = 1292;
constexpr unsigned kNoDefaultForField = 1364;
constexpr unsigned kTruncatedWrongValueForField = 1366;
constexpr unsigned kDataTooLong = 1406;
constexpr unsigned kRowIsReferenced = 1451;
constexpr unsigned kNoReferencedRow = 1452;
constexpr unsigned kConnectionKilled = 1927;
constexpr unsigned kMysqlCheckViolated = 3819;
constexpr unsigned kMariadbCheckViolated = 4025;
constexpr unsigned kMysqlIdleDisconnect = 4031;
constexpr unsigned kCannotConnectSocket = 2002;
constexpr unsigned kCannotConnectHost = 2003;
constexpr unsigned kServerGone = 2006;
constexpr unsigned kServerLost = 2013;
constexpr unsigned kServerLostExtended = 2055;
}  // namespace code

constexpr unsigned kDefaultPort = 3306;
constexpr unsigned kConnectTimeoutSeconds = 5;
constexpr unsigned kReadWriteTimeoutSeconds = 30;
// Bounds the per-connection cache (and the server's prepared statements, which are limited by
// max_prepared_stmt_count) if callers generate SQL text, e.g. IN lists of varying length.
constexpr std::size_t kMaxCachedStatements = 256;
// Text cells are fetched into a buffer of about the column's declared size, capped here; longer
// values (TEXT, MEDIUMTEXT) are fetched again at their exact length.
constexpr unsigned long kMaxInitialTextBuffer = 4096;

constexpr std::array<std::string_view, 4> kSessionSetup = {
    "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_520_ci",
    "SET time_zone = '+00:00'",
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
    // Every statement sees what other transactions committed before it, also after waiting for a
    // row lock: the booking rules read the latest rows once they hold their locks, and no gap
    // locks are taken, which keeps concurrent inserts from deadlocking each other.
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
};

// The library must be initialised once per process before threads use it, and every thread that
// calls into it needs mysql_thread_init (paired with mysql_thread_end when the thread exits).
class ThreadRegistration {
 public:
  ThreadRegistration() { mysql_thread_init(); }
  ~ThreadRegistration() { mysql_thread_end(); }
  ThreadRegistration(const ThreadRegistration&) = delete;
  ThreadRegistration& operator=(const ThreadRegistration&) = delete;
};

void EnsureClientLibraryReady() {
  static std::once_flag library_initialised;
  std::call_once(library_initialised, [] { mysql_library_init(0, nullptr, nullptr); });
  thread_local ThreadRegistration registration;
}

// A failure as the driver reported it. `detail` is the server's text, which can quote user data
// (the duplicate value) or schema names, so it is logged and never handed to callers.
struct DriverError {
  unsigned code = 0;
  std::string sqlstate;
  std::string detail;
  // The server ended the open transaction without an error for it (see CheckStillInTransaction).
  bool transaction_lost = false;
};

template <typename T>
using DriverResult = tl::expected<T, DriverError>;

tl::unexpected<DriverError> DriverFailure(MYSQL* handle) {
  return tl::unexpected<DriverError>(
      DriverError{mysql_errno(handle), mysql_sqlstate(handle), mysql_error(handle)});
}

tl::unexpected<DriverError> DriverFailure(MYSQL_STMT* statement) {
  return tl::unexpected<DriverError>(DriverError{
      mysql_stmt_errno(statement), mysql_stmt_sqlstate(statement), mysql_stmt_error(statement)});
}

tl::unexpected<DriverError> ClientFailure(std::string detail) {
  return tl::unexpected<DriverError>(DriverError{0, "HY000", std::move(detail)});
}

tl::unexpected<DriverError> TransactionLost() {
  return tl::unexpected<DriverError>(
      DriverError{0, "40001", "the server no longer has the transaction open", true});
}

// What a retried transaction lost to, as counted in clinic_db_retries_total{reason}.
std::string_view AbortReason(const DriverError& error) {
  if (error.transaction_lost) return "transaction_lost";
  if (error.code == code::kLockWaitTimeout) return "lock_wait_timeout";
  return "deadlock";
}

// The connection died under a command: the server may have run it, so only reads and commands
// that never reached the server may be retried on a new connection.
bool IsConnectionLost(unsigned error_code) {
  switch (error_code) {
    case code::kServerGone:
    case code::kServerLost:
    case code::kServerLostExtended:
    case code::kConnectionKilled:
    case code::kMysqlIdleDisconnect:
      return true;
    default:
      return false;
  }
}

bool IsUnavailable(unsigned error_code) {
  return IsConnectionLost(error_code) || error_code == code::kCannotConnectSocket ||
         error_code == code::kCannotConnectHost || error_code == code::kServerShutdown ||
         error_code == code::kNodeNotReady;
}

Error ToError(const DriverError& error) {
  if (error.transaction_lost) {
    return Error::Aborted("the database ended the transaction (a conflicting write); retry it");
  }
  switch (error.code) {
    case code::kDuplicateEntry:
      return Error::AlreadyExists("a record with the same key already exists");
    case code::kRowIsReferenced:
    case code::kRowIsReferencedOld:
      return Error::FailedPrecondition("the record is still referenced by other records");
    case code::kNoReferencedRow:
    case code::kNoReferencedRowOld:
      return Error::FailedPrecondition("the record refers to a record that does not exist");
    case code::kMysqlCheckViolated:
    case code::kMariadbCheckViolated:
      return Error::FailedPrecondition("the record breaks a rule of the schema");
    case code::kBadNull:
    case code::kNoDefaultForField:
      return Error::FailedPrecondition("a required value is missing");
    case code::kDataTooLong:
    case code::kDataTruncated:
    case code::kTruncatedWrongValue:
    case code::kTruncatedWrongValueForField:
      return Error::FailedPrecondition("a value does not fit its column");
    case code::kDeadlock:
    case code::kLockWaitTimeout:
      return Error::Aborted("the transaction conflicted with a concurrent one; retry it");
    default:
      break;
  }
  if (IsUnavailable(error.code)) return Error::Unavailable("the database is unavailable");
  return Error::Internal("unexpected database error");
}

// Whether a statement only reads, so that running it twice is harmless.
bool IsReadOnlyStatement(std::string_view sql) {
  const auto first = std::find_if_not(sql.begin(), sql.end(),
                                      [](unsigned char c) { return std::isspace(c) != 0; });
  const std::string_view rest(first, sql.end());
  const auto starts_with_keyword = [&rest](std::string_view keyword) {
    return rest.size() >= keyword.size() &&
           std::equal(keyword.begin(), keyword.end(), rest.begin(), [](char k, char c) {
             return k == std::toupper(static_cast<unsigned char>(c));
           });
  };
  return starts_with_keyword("SELECT") || starts_with_keyword("SHOW");
}

// Splits a migration script on lines that end with ';', dropping whole-line `--` comments.
// Migrations are written that way; a ';' at the end of a line inside a string literal would
// split wrongly, which the schema scripts never need.
std::vector<std::string> SplitScript(std::string_view script) {
  std::vector<std::string> statements;
  std::string current;
  const auto flush = [&statements, &current] {
    const auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
    const bool blank = std::all_of(current.begin(), current.end(), is_space);
    if (!blank) statements.push_back(std::move(current));
    current.clear();
  };
  while (!script.empty()) {
    const std::size_t end = script.find('\n');
    std::string_view line = script.substr(0, end);
    script.remove_prefix(end == std::string_view::npos ? script.size() : end + 1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    const std::size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string_view::npos) continue;
    if (line.substr(indent).starts_with("--")) continue;
    const bool ends_statement = line.back() == ';';
    if (ends_statement) line.remove_suffix(1);
    current.append(line);
    current.push_back('\n');
    if (ends_statement) flush();
  }
  flush();
  return statements;
}

bool IsIntegerColumn(enum_field_types type) {
  switch (type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
      return true;
    default:
      return false;
  }
}

// Every statement text this process has prepared (up to a bound), so that a connection can prepare
// them before it opens a transaction. Preparing inside a transaction is where a Galera node can
// drop the transaction without reporting it (CheckStillInTransaction catches that; doing it
// beforehand keeps it from happening once the process has warmed up).
class KnownStatements {
 public:
  static constexpr std::size_t kMaxTexts = kMaxCachedStatements * 3 / 4;

  static KnownStatements& Instance() {
    static KnownStatements instance;
    return instance;
  }

  void Remember(std::string_view sql) {
    const std::lock_guard lock(mutex_);
    if (texts_.size() >= kMaxTexts ||
        std::find(texts_.begin(), texts_.end(), sql) != texts_.end()) {
      return;
    }
    texts_.emplace_back(sql);
    size_.store(texts_.size());
  }

  std::size_t size() const { return size_.load(); }

  // The texts remembered after the first `known`.
  std::vector<std::string> Since(std::size_t known) const {
    const std::lock_guard lock(mutex_);
    if (known >= texts_.size()) return {};
    return {texts_.begin() + static_cast<std::ptrdiff_t>(known), texts_.end()};
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> texts_;
  std::atomic<std::size_t> size_{0};
};

struct MysqlCloser {
  void operator()(MYSQL* handle) const { mysql_close(handle); }
};
struct StatementCloser {
  void operator()(MYSQL_STMT* statement) const { mysql_stmt_close(statement); }
};
struct ResultFreer {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};

using MysqlHandle = std::unique_ptr<MYSQL, MysqlCloser>;
using StatementHandle = std::unique_ptr<MYSQL_STMT, StatementCloser>;
using ResultHandle = std::unique_ptr<MYSQL_RES, ResultFreer>;

// Readies a statement to run again whichever way reading its result set ends. A result read to
// the end only needs freeing. One that failed part-way (an error sent after some rows) must be
// reset on the server too: merely freed, the statement's next execution waits for rows that never
// come until the read timeout, with the transaction's locks held meanwhile.
class StatementResultGuard {
 public:
  explicit StatementResultGuard(MYSQL_STMT* statement) : statement_(statement) {}
  ~StatementResultGuard() {
    if (read_to_end_) {
      mysql_stmt_free_result(statement_);
    } else {
      mysql_stmt_reset(statement_);
    }
  }
  StatementResultGuard(const StatementResultGuard&) = delete;
  StatementResultGuard& operator=(const StatementResultGuard&) = delete;

  void ReadToEnd() { read_to_end_ = true; }

 private:
  MYSQL_STMT* statement_;
  bool read_to_end_ = false;
};

struct TransparentStringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

// Where one result column is fetched to. Integer columns land in `integer`, everything else
// (dates, text, decimals) as text in `text`; the library converts DATETIME/TIMESTAMP to
// "YYYY-MM-DD HH:MM:SS" and DATE to "YYYY-MM-DD" when asked for a string.
struct ColumnBuffer {
  bool is_integer = false;
  bool is_unsigned = false;
  std::int64_t integer = 0;
  std::vector<char> text;
  unsigned long length = 0;
  my_bool is_null = 0;
  my_bool truncated = 0;
};

// A sql::Connection over one MySQL C API session. Lost connections are survived only where
// that cannot run a statement twice or lose transaction state: a read outside a transaction, a
// statement whose preparation failed outside a transaction, and Begin. Everything else reports
// kUnavailable and leaves the connection unhealthy until it reconnects outside a transaction.
class MysqlConnection final : public sql::Connection {
 public:
  using sql::Connection::Execute;
  using sql::Connection::Query;

  explicit MysqlConnection(MysqlOptions options) : options_(std::move(options)) {}
  // The pool may destroy a connection on any thread; closing it calls into the library.
  ~MysqlConnection() override { EnsureClientLibraryReady(); }
  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;

  // Connects and prepares the session; kUnavailable when the server cannot be reached or refuses.
  Status Connect() {
    if (auto connected = OpenSession(); !connected) {
      return Fail(ReportConnectFailure(connected.error()));
    }
    return Ok();
  }

  sql::Dialect dialect() const override { return sql::Dialect::kMysql; }

  Result<ExecResult> Execute(std::string_view sql, std::span<const Value> params) override {
    EnsureClientLibraryReady();
    CLINIC_TRY_STATUS(ReconnectIfClosed());
    auto statement = PrepareCached(sql);
    // A statement that failed to prepare never ran, so outside a transaction (whose state would
    // be lost with the connection) it is safe to run on a fresh connection.
    if (!statement && IsConnectionLost(statement.error().code) && !in_transaction_) {
      LogReconnect(statement.error(), sql);
      CLINIC_TRY_STATUS(Reconnect());
      statement = PrepareCached(sql);
    }
    if (!statement) return Fail(Report(statement.error(), sql));
    auto executed = RunStatement(*statement, params);
    if (!executed) return Fail(Report(executed.error(), sql));
    if (auto open = CheckStillInTransaction(); !open) return Fail(Report(open.error(), sql));
    return *executed;
  }

  Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params) override {
    EnsureClientLibraryReady();
    CLINIC_TRY_STATUS(ReconnectIfClosed());
    auto rows = PrepareAndFetch(sql, params);
    if (!rows && IsConnectionLost(rows.error().code) && !in_transaction_ &&
        IsReadOnlyStatement(sql)) {
      LogReconnect(rows.error(), sql);
      CLINIC_TRY_STATUS(Reconnect());
      rows = PrepareAndFetch(sql, params);
    }
    if (!rows) return Fail(Report(rows.error(), sql));
    if (auto open = CheckStillInTransaction(); !open) return Fail(Report(open.error(), sql));
    return std::move(*rows);
  }

  Status ExecuteScript(std::string_view script) override {
    EnsureClientLibraryReady();
    CLINIC_TRY_STATUS(ReconnectIfClosed());
    for (const std::string& statement : SplitScript(script)) {
      if (auto ran = RunText(statement); !ran) return Fail(Report(ran.error(), statement));
    }
    return Ok();
  }

  Status Begin(sql::TxMode mode) override {
    EnsureClientLibraryReady();
    if (in_transaction_) return Fail(Error::Internal("Begin called inside a transaction"));
    CLINIC_TRY_STATUS(ReconnectIfClosed());
    PrepareKnownStatements();
    // Read transactions are declared READ ONLY so InnoDB skips assigning a transaction id.
    const std::string_view start =
        mode == sql::TxMode::kRead ? "START TRANSACTION READ ONLY" : "START TRANSACTION";
    auto started = RunText(start);
    // Nothing has happened in the transaction yet, so a dead connection may be replaced.
    if (!started && IsConnectionLost(started.error().code)) {
      LogReconnect(started.error(), start);
      CLINIC_TRY_STATUS(Reconnect());
      started = RunText(start);
    }
    if (!started) return Fail(Report(started.error(), start));
    in_transaction_ = true;
    return Ok();
  }

  Status Commit() override {
    EnsureClientLibraryReady();
    if (!in_transaction_) return Fail(Error::Internal("Commit called outside a transaction"));
    // Whatever the outcome, the transaction is over: committed, or rolled back by the server.
    in_transaction_ = false;
    if (auto committed = RunText("COMMIT"); !committed) {
      return Fail(Report(committed.error(), "COMMIT"));
    }
    return Ok();
  }

  // Rolling back without an open transaction is a no-op, so error paths may always call it.
  Status Rollback() override {
    EnsureClientLibraryReady();
    if (!in_transaction_) return Ok();
    in_transaction_ = false;
    if (auto rolled_back = RunText("ROLLBACK"); !rolled_back) {
      return Fail(Report(rolled_back.error(), "ROLLBACK"));
    }
    return Ok();
  }

  bool IsHealthy() const override { return healthy_; }

  std::string_view TakeAbortReason() override { return std::exchange(abort_reason_, {}); }

 private:
  DriverResult<void> OpenSession() {
    Disconnect();
    MysqlHandle handle(mysql_init(nullptr));
    if (!handle) return ClientFailure("mysql_init failed (out of memory)");
    const unsigned connect_timeout = kConnectTimeoutSeconds;
    const unsigned read_write_timeout = kReadWriteTimeoutSeconds;
    // LOAD DATA LOCAL would let a hostile server read client files; nothing here needs it.
    const my_bool local_infile = 0;
    mysql_options(handle.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(handle.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_options(handle.get(), MYSQL_OPT_READ_TIMEOUT, &read_write_timeout);
    mysql_options(handle.get(), MYSQL_OPT_WRITE_TIMEOUT, &read_write_timeout);
    mysql_options(handle.get(), MYSQL_OPT_LOCAL_INFILE, &local_infile);
    if (options_.socket) {
      const unsigned protocol = MYSQL_PROTOCOL_SOCKET;
      mysql_options(handle.get(), MYSQL_OPT_PROTOCOL, &protocol);
    }
    const char* database = options_.database.empty() ? nullptr : options_.database.c_str();
    const char* socket = options_.socket ? options_.socket->c_str() : nullptr;
    const char* host = options_.socket ? "localhost" : options_.host.c_str();
    // CLIENT_FOUND_ROWS makes UPDATE report matched rather than changed rows, as SQLite does, so
    // "0 affected" means "no such row" on both backends.
    if (mysql_real_connect(handle.get(), host, options_.user.c_str(), options_.password.c_str(),
                           database, options_.port, socket, CLIENT_FOUND_ROWS) == nullptr) {
      return DriverFailure(handle.get());
    }
    for (const std::string_view setup : kSessionSetup) {
      if (mysql_real_query(handle.get(), setup.data(), setup.size()) != 0) {
        return DriverFailure(handle.get());
      }
    }
    if (auto causal = ReadCausallyOnGalera(handle.get()); !causal) return causal;
    handle_ = std::move(handle);
    healthy_ = true;
    return {};
  }

  // On a Galera node, every read first waits until the node has applied what the cluster
  // committed before it (wsrep_sync_wait = 1), so a request answered by any node sees what an
  // earlier request wrote through another: a login right after registering, a booking's own
  // appointment. Asked with SHOW VARIABLES, which MySQL without wsrep also answers (no row).
  static DriverResult<void> ReadCausallyOnGalera(MYSQL* handle) {
    constexpr std::string_view kAsk = "SHOW VARIABLES LIKE 'wsrep_on'";
    if (mysql_real_query(handle, kAsk.data(), kAsk.size()) != 0) return DriverFailure(handle);
    ResultHandle result(mysql_store_result(handle));
    if (!result) return DriverFailure(handle);
    const MYSQL_ROW row = mysql_fetch_row(result.get());
    const bool galera = row != nullptr && row[1] != nullptr && std::string_view(row[1]) == "ON";
    if (!galera) return {};
    constexpr std::string_view kCausal = "SET SESSION wsrep_sync_wait = 1";
    if (mysql_real_query(handle, kCausal.data(), kCausal.size()) != 0) {
      return DriverFailure(handle);
    }
    return {};
  }

  void Disconnect() {
    statements_.clear();  // statements belong to the handle and go first
    known_statements_tried_ = 0;
    handle_.reset();
    in_transaction_ = false;
  }

  // Prepares, outside any transaction, the statements other connections have prepared since this
  // one last looked. A text that does not prepare here (another schema's, in tests) is skipped:
  // preparing it later reports the error to whoever runs it.
  void PrepareKnownStatements() {
    const KnownStatements& known = KnownStatements::Instance();
    if (known.size() == known_statements_tried_) return;
    for (const std::string& sql : known.Since(known_statements_tried_)) {
      ++known_statements_tried_;
      if (auto prepared = PrepareCached(sql); !prepared) {
        if (IsConnectionLost(prepared.error().code)) return;  // Begin reconnects and goes on
        spdlog::debug("mysql: not preparing '{}' ahead: {}", sql, prepared.error().detail);
      }
    }
  }

  // Whether the server still has our transaction open. Galera can abort a transaction (a
  // conflicting write replicated from another node) while this client prepares a statement, and
  // the server then ends it without an error: later statements would autocommit one by one and
  // COMMIT would answer OK. Asked of the server after preparing inside a transaction, and read
  // from the status flags every reply carries after running a statement.
  DriverResult<void> CheckStillInTransaction() {
    if (!in_transaction_) return {};
    unsigned int status = 0;
    mariadb_get_infov(handle_.get(), MARIADB_CONNECTION_SERVER_STATUS, &status);
    if ((status & SERVER_STATUS_IN_TRANS) != 0) return {};
    in_transaction_ = false;
    return TransactionLost();
  }

  Status Reconnect() {
    if (auto reopened = OpenSession(); !reopened) {
      return Fail(ReportConnectFailure(reopened.error()));
    }
    return Ok();
  }

  // Whatever stopped the session from opening (refused, bad login, unknown database), the
  // database is unusable from here, which callers see as kUnavailable.
  Error ReportConnectFailure(const DriverError& error) {
    healthy_ = false;
    spdlog::warn(
        "mysql: cannot connect to {}: error {} (SQLSTATE {}): {}",
        options_.socket ? *options_.socket : options_.host + ":" + std::to_string(options_.port),
        error.code, error.sqlstate, error.detail);
    return Error::Unavailable("cannot connect to the database");
  }

  // A failed reconnect leaves no handle; the next call outside a transaction tries again.
  Status ReconnectIfClosed() {
    if (handle_) return Ok();
    return Reconnect();
  }

  void LogReconnect(const DriverError& error, std::string_view sql) const {
    spdlog::info("mysql: connection lost (error {}: {}); reconnecting to run '{}' again",
                 error.code, error.detail, sql);
  }

  // Turns a driver failure into the caller's Error, logging the driver's own words. Errors that
  // mean the connection is gone mark it unhealthy so the pool discards it.
  Error Report(const DriverError& error, std::string_view sql) {
    Error mapped = ToError(error);
    if (mapped.code == ErrorCode::kUnavailable) healthy_ = false;
    if (mapped.code == ErrorCode::kAborted) abort_reason_ = AbortReason(error);
    const bool expected = mapped.code == ErrorCode::kAlreadyExists ||
                          mapped.code == ErrorCode::kFailedPrecondition ||
                          mapped.code == ErrorCode::kAborted;
    spdlog::log(expected ? spdlog::level::debug : spdlog::level::warn,
                "mysql: error {} (SQLSTATE {}): {}; statement: {}", error.code, error.sqlstate,
                error.detail, sql);
    return mapped;
  }

  DriverResult<void> AskServerStillInTransaction() {
    constexpr std::string_view kAsk = "SELECT @@in_transaction";
    if (mysql_real_query(handle_.get(), kAsk.data(), kAsk.size()) != 0) {
      return DriverFailure(handle_.get());
    }
    ResultHandle result(mysql_store_result(handle_.get()));
    if (!result) return DriverFailure(handle_.get());
    const MYSQL_ROW row = mysql_fetch_row(result.get());
    if (row != nullptr && row[0] != nullptr && std::string_view(row[0]) == "1") return {};
    in_transaction_ = false;
    return TransactionLost();
  }

  DriverResult<void> RunText(std::string_view text) {
    if (mysql_real_query(handle_.get(), text.data(), text.size()) != 0) {
      return DriverFailure(handle_.get());
    }
    // A script may contain a statement that returns rows; they must be read before the next one.
    if (mysql_field_count(handle_.get()) > 0) {
      ResultHandle discarded(mysql_store_result(handle_.get()));
      if (!discarded) return DriverFailure(handle_.get());
    }
    return {};
  }

  DriverResult<MYSQL_STMT*> PrepareCached(std::string_view sql) {
    if (const auto cached = statements_.find(sql); cached != statements_.end()) {
      return cached->second.get();
    }
    StatementHandle statement(mysql_stmt_init(handle_.get()));
    if (!statement) return DriverFailure(handle_.get());
    if (mysql_stmt_prepare(statement.get(), sql.data(), sql.size()) != 0) {
      return DriverFailure(statement.get());
    }
    if (statements_.size() >= kMaxCachedStatements) statements_.clear();
    MYSQL_STMT* prepared = statement.get();
    statements_.emplace(std::string(sql), std::move(statement));
    KnownStatements::Instance().Remember(sql);
    // The prepare reply carries no status flags, so the server is asked (a statement the process
    // has not prepared before: rare once it has warmed up).
    if (in_transaction_) {
      if (auto open = AskServerStillInTransaction(); !open) return tl::unexpected(open.error());
    }
    return prepared;
  }

  static DriverResult<void> BindAndExecute(MYSQL_STMT* statement, std::span<const Value> params) {
    const unsigned long expected = mysql_stmt_param_count(statement);
    if (expected != params.size()) {
      return ClientFailure("statement has " + std::to_string(expected) + " placeholders but " +
                           std::to_string(params.size()) + " parameters were given");
    }
    std::vector<MYSQL_BIND> binds(params.size());
    std::vector<unsigned long> lengths(params.size(), 0);
    for (std::size_t i = 0; i < params.size(); ++i) {
      MYSQL_BIND& bind = binds[i];
      // The library only reads input buffers; the API is not const-correct.
      if (const auto* integer = std::get_if<std::int64_t>(&params[i])) {
        bind.buffer_type = MYSQL_TYPE_LONGLONG;
        bind.buffer = const_cast<std::int64_t*>(integer);
      } else if (const auto* text = std::get_if<std::string>(&params[i])) {
        lengths[i] = text->size();
        bind.buffer_type = MYSQL_TYPE_STRING;
        bind.buffer = const_cast<char*>(text->data());
        bind.buffer_length = text->size();
        bind.length = &lengths[i];
      } else {
        bind.buffer_type = MYSQL_TYPE_NULL;
      }
    }
    if (!binds.empty() && mysql_stmt_bind_param(statement, binds.data()) != 0) {
      return DriverFailure(statement);
    }
    if (mysql_stmt_execute(statement) != 0) return DriverFailure(statement);
    return {};
  }

  static DriverResult<ExecResult> RunStatement(MYSQL_STMT* statement,
                                               std::span<const Value> params) {
    if (auto executed = BindAndExecute(statement, params); !executed) {
      return tl::unexpected(std::move(executed).error());
    }
    ExecResult result;
    result.affected_rows = static_cast<std::int64_t>(mysql_stmt_affected_rows(statement));
    result.last_insert_id = static_cast<std::int64_t>(mysql_stmt_insert_id(statement));
    // Rows of a statement run for its side effects are drained so the statement can run again.
    if (mysql_stmt_field_count(statement) > 0) {
      StatementResultGuard release(statement);
      if (mysql_stmt_store_result(statement) != 0) return DriverFailure(statement);
      release.ReadToEnd();
    }
    return result;
  }

  DriverResult<std::vector<Row>> PrepareAndFetch(std::string_view sql,
                                                 std::span<const Value> params) {
    auto statement = PrepareCached(sql);
    if (!statement) return tl::unexpected(std::move(statement).error());
    return FetchAll(*statement, params);
  }

  static DriverResult<std::vector<Row>> FetchAll(MYSQL_STMT* statement,
                                                 std::span<const Value> params) {
    if (auto executed = BindAndExecute(statement, params); !executed) {
      return tl::unexpected(std::move(executed).error());
    }
    ResultHandle metadata(mysql_stmt_result_metadata(statement));
    if (!metadata) {
      if (mysql_stmt_errno(statement) != 0) return DriverFailure(statement);
      return std::vector<Row>{};  // the statement returns no result set
    }
    StatementResultGuard release(statement);
    if (mysql_stmt_store_result(statement) != 0) return DriverFailure(statement);

    const unsigned column_count = mysql_num_fields(metadata.get());
    const MYSQL_FIELD* fields = mysql_fetch_fields(metadata.get());
    std::vector<ColumnBuffer> columns(column_count);
    std::vector<MYSQL_BIND> binds(column_count);
    for (unsigned i = 0; i < column_count; ++i) {
      ColumnBuffer& column = columns[i];
      MYSQL_BIND& bind = binds[i];
      column.is_integer = IsIntegerColumn(fields[i].type);
      column.is_unsigned = (fields[i].flags & UNSIGNED_FLAG) != 0;
      if (column.is_integer) {
        bind.buffer_type = MYSQL_TYPE_LONGLONG;
        bind.buffer = &column.integer;
        bind.is_unsigned = static_cast<my_bool>(column.is_unsigned);
      } else {
        column.text.resize(
            std::clamp<unsigned long>(fields[i].length + 1, 64, kMaxInitialTextBuffer));
        bind.buffer_type = MYSQL_TYPE_STRING;
        bind.buffer = column.text.data();
        bind.buffer_length = column.text.size();
      }
      bind.length = &column.length;
      bind.is_null = &column.is_null;
      bind.error = &column.truncated;
    }
    if (mysql_stmt_bind_result(statement, binds.data()) != 0) return DriverFailure(statement);

    std::vector<Row> rows;
    rows.reserve(mysql_stmt_num_rows(statement));
    while (true) {
      const int fetched = mysql_stmt_fetch(statement);
      if (fetched == MYSQL_NO_DATA) break;
      if (fetched == 1) return DriverFailure(statement);
      std::vector<Value> cells;
      cells.reserve(column_count);
      for (unsigned i = 0; i < column_count; ++i) {
        auto cell = ReadCell(statement, i, columns[i]);
        if (!cell) return tl::unexpected(std::move(cell).error());
        cells.push_back(std::move(*cell));
      }
      rows.emplace_back(std::move(cells));
    }
    release.ReadToEnd();
    return rows;
  }

  static DriverResult<Value> ReadCell(MYSQL_STMT* statement, unsigned index,
                                      const ColumnBuffer& column) {
    if (column.is_null) return Value(nullptr);
    if (column.is_integer) {
      // An unsigned value above INT64_MAX shows up as a negative signed one.
      if (column.is_unsigned && column.integer < 0) {
        return ClientFailure("an unsigned column value does not fit in a signed 64-bit integer");
      }
      return Value(column.integer);
    }
    if (column.length <= column.text.size()) {
      return Value(std::string(column.text.data(), column.length));
    }
    std::string whole(column.length, '\0');
    unsigned long fetched_length = 0;
    MYSQL_BIND bind{};
    bind.buffer_type = MYSQL_TYPE_STRING;
    bind.buffer = whole.data();
    bind.buffer_length = whole.size();
    bind.length = &fetched_length;
    if (mysql_stmt_fetch_column(statement, &bind, index, 0) != 0) return DriverFailure(statement);
    whole.resize(std::min<unsigned long>(fetched_length, whole.size()));
    return Value(std::move(whole));
  }

  MysqlOptions options_;
  MysqlHandle handle_;
  std::unordered_map<std::string, StatementHandle, TransparentStringHash, std::equal_to<>>
      statements_;
  std::size_t known_statements_tried_ = 0;
  std::string_view abort_reason_;
  bool in_transaction_ = false;
  bool healthy_ = true;
};

class MysqlConnectionFactory final : public sql::ConnectionFactory {
 public:
  explicit MysqlConnectionFactory(MysqlOptions options) : options_(std::move(options)) {}

  sql::Dialect dialect() const override { return sql::Dialect::kMysql; }

  Result<std::unique_ptr<sql::Connection>> Open() override {
    EnsureClientLibraryReady();
    auto connection = std::make_unique<MysqlConnection>(options_);
    CLINIC_TRY_STATUS(connection->Connect());
    return std::unique_ptr<sql::Connection>(std::move(connection));
  }

 private:
  const MysqlOptions options_;
};

}  // namespace

Result<MysqlOptions> ParseMysqlUri(std::string_view uri) {
  // Error messages never quote the URI: it may carry a password.
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed) return Fail(Error::InvalidArgument("the MySQL URI is not a valid URI"));
  const boost::urls::url_view& url = *parsed;
  if (url.scheme() != "mysql") {
    return Fail(Error::InvalidArgument("the MySQL URI must use the mysql:// scheme"));
  }
  if (!url.has_authority()) {
    return Fail(Error::InvalidArgument("the MySQL URI needs a host: mysql://user@host/db"));
  }
  if (url.has_fragment()) {
    return Fail(Error::InvalidArgument("the MySQL URI must not have a #fragment"));
  }

  MysqlOptions options;
  options.user = url.user();
  options.password = url.password();
  options.port = kDefaultPort;
  if (url.has_port()) {
    // port_number() wraps values above 65535, so the digits are checked here.
    const std::string_view digits = url.port();
    unsigned port = 0;
    const auto [end, parse_error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (parse_error != std::errc() || end != digits.data() + digits.size() || port == 0 ||
        port > std::numeric_limits<std::uint16_t>::max()) {
      return Fail(Error::InvalidArgument("the MySQL URI port must be between 1 and 65535"));
    }
    options.port = port;
  }

  std::string path = url.path();
  if (path.starts_with('/')) path.erase(0, 1);
  if (path.find('/') != std::string::npos) {
    return Fail(Error::InvalidArgument("the MySQL URI path must be a single database name"));
  }
  options.database = std::move(path);

  for (const auto& param : url.params()) {
    if (param.key != "socket") {
      return Fail(Error::InvalidArgument("unknown MySQL URI option '" + std::string(param.key) +
                                         "' (supported: socket)"));
    }
    if (!param.has_value || param.value.empty()) {
      return Fail(Error::InvalidArgument("the MySQL URI option 'socket' needs a path"));
    }
    options.socket = std::string(param.value);
  }

  const std::string host = url.host_address();
  if (!host.empty()) {
    options.host = host;
  } else if (!options.socket) {
    return Fail(Error::InvalidArgument("the MySQL URI needs a host or a ?socket= path"));
  }
  return options;
}

std::unique_ptr<sql::ConnectionFactory> MakeMysqlConnectionFactory(MysqlOptions options) {
  return std::make_unique<MysqlConnectionFactory>(std::move(options));
}

}  // namespace clinic::storage::mysql
