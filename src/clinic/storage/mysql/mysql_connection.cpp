#include "clinic/storage/mysql/mysql_connection.hpp"

#include <mysql.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/storage/mysql/mysql_driver_error.hpp"
#include "clinic/storage/mysql/mysql_statement.hpp"

namespace clinic::storage::mysql {
namespace {

using sql::ExecResult;
using sql::Row;
using sql::Value;

constexpr unsigned kDefaultPort = 3306;
constexpr unsigned kConnectTimeoutSeconds = 5;
constexpr unsigned kReadWriteTimeoutSeconds = 30;

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

struct MysqlCloser {
  void operator()(MYSQL* handle) const { mysql_close(handle); }
};
using MysqlHandle = std::unique_ptr<MYSQL, MysqlCloser>;

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

  // Starts the transaction ConnectionFactory::OpenSnapshot promises, on a connection that has
  // just connected: REPEATABLE READ for this transaction alone (the session reads committed rows
  // otherwise), every read as of its start.
  Status BeginSnapshot() {
    EnsureClientLibraryReady();
    for (const std::string_view statement :
         {"SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
          "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"}) {
      if (auto ran = RunText(statement); !ran) return Fail(Report(ran.error(), statement));
    }
    in_transaction_ = true;
    return Ok();
  }

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
    statements_.Clear();  // statements belong to the handle and go first
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
    if (MYSQL_STMT* cached = statements_.Find(sql); cached != nullptr) return cached;
    auto prepared = statements_.Prepare(handle_.get(), sql);
    if (!prepared) return prepared;
    // The prepare reply carries no status flags, so the server is asked (a statement the process
    // has not prepared before: rare once it has warmed up).
    if (in_transaction_) {
      if (auto open = AskServerStillInTransaction(); !open) return tl::unexpected(open.error());
    }
    return prepared;
  }

  DriverResult<std::vector<Row>> PrepareAndFetch(std::string_view sql,
                                                 std::span<const Value> params) {
    auto statement = PrepareCached(sql);
    if (!statement) return tl::unexpected(std::move(statement).error());
    return FetchAll(*statement, params);
  }

  MysqlOptions options_;
  MysqlHandle handle_;
  PreparedStatements statements_;
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

  Result<std::unique_ptr<sql::Connection>> OpenSnapshot() override {
    EnsureClientLibraryReady();
    auto connection = std::make_unique<MysqlConnection>(options_);
    CLINIC_TRY_STATUS(connection->Connect());
    CLINIC_TRY_STATUS(connection->BeginSnapshot());
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
