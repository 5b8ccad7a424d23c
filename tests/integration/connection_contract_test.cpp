// The contract every SQL driver keeps behind storage::sql::Connection: values round-trip exactly,
// transactions isolate, constraint violations map to the canonical error codes, and the pool
// bounds and heals its connections. Runs on SQLite and on MySQL (see support/test_databases.hpp);
// a MySQL-only suite covers what only a networked server can do: lose a connection.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "clinic/storage/mysql/mysql_connection.hpp"
#include "clinic/storage/sql/connection.hpp"
#include "clinic/storage/sql/connection_pool.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "support/matchers.hpp"
#include "support/test_databases.hpp"

namespace clinic::storage::sql {

using ::clinic::testing::IsOk;
using ::clinic::testing::StatusIs;
namespace {

using ::clinic::testing::TestDatabase;
using ::testing::HasSubstr;
using ::testing::Not;

// The same two tables per dialect: a unique key, a foreign key, a CHECK, a NOT NULL column, a
// long-text column, and instants stored as text on SQLite and as DATETIME/DATE on MySQL.
constexpr std::string_view kSqliteSchema = R"sql(
-- owners are referenced by items
CREATE TABLE owners (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE
);
CREATE TABLE items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id INTEGER REFERENCES owners(id) ON DELETE RESTRICT,
  name TEXT NOT NULL,
  quantity INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
  note TEXT,
  due_at TEXT,
  due_on TEXT
);
)sql";

constexpr std::string_view kMysqlSchema = R"sql(
-- owners are referenced by items
CREATE TABLE owners (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  email VARCHAR(255) NOT NULL UNIQUE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
-- note is MEDIUMTEXT: TEXT holds only 64 KB
CREATE TABLE items (
  id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  owner_id INT UNSIGNED NULL,
  name VARCHAR(255) NOT NULL,
  quantity INT NOT NULL DEFAULT 0,
  note MEDIUMTEXT NULL,
  due_at DATETIME NULL,
  due_on DATE NULL,
  CONSTRAINT fk_items_owner FOREIGN KEY (owner_id) REFERENCES owners(id) ON DELETE RESTRICT,
  CONSTRAINT chk_items_quantity CHECK (quantity >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
)sql";

constexpr std::string_view kInsertOwner = "INSERT INTO owners (email) VALUES (?)";
constexpr std::string_view kInsertItem =
    "INSERT INTO items (owner_id, name, quantity, note) VALUES (?, ?, ?, ?)";
constexpr std::string_view kCountItems = "SELECT COUNT(*) FROM items";

template <typename T>
std::string Describe(const Result<T>& result) {
  if (result) return "ok";
  return std::string(ErrorCodeName(result.error().code)) + ": " + result.error().message;
}

// Opens a connection or records why not; callers ASSERT_NE(nullptr, ...).
std::unique_ptr<Connection> OpenConnection(ConnectionFactory& factory) {
  auto opened = factory.Open();
  EXPECT_TRUE(opened) << Describe(opened);
  return opened ? std::move(*opened) : nullptr;
}

std::int64_t CountItems(Connection& connection) {
  auto rows = connection.Query(kCountItems);
  EXPECT_TRUE(rows) << Describe(rows);
  return rows && rows->size() == 1 ? rows->front().Int(0) : -1;
}

// Counts Open() calls, so a test can tell a reused pooled connection from a newly opened one.
class CountingFactory final : public ConnectionFactory {
 public:
  CountingFactory(std::unique_ptr<ConnectionFactory> inner, std::atomic<int>* opened)
      : inner_(std::move(inner)), opened_(opened) {}

  Dialect dialect() const override { return inner_->dialect(); }
  Result<std::unique_ptr<Connection>> Open() override {
    ++*opened_;
    return inner_->Open();
  }
  Result<std::unique_ptr<Connection>> OpenSnapshot() override { return inner_->OpenSnapshot(); }

 private:
  std::unique_ptr<ConnectionFactory> inner_;
  std::atomic<int>* opened_;
};

class ConnectionContractTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    CLINIC_SET_UP_TEST_DATABASE(database_, GetParam());
    connection_ = OpenConnection(database_->factory());
    ASSERT_NE(connection_, nullptr);
    const Status created =
        connection_->ExecuteScript(GetParam() == Dialect::kSqlite ? kSqliteSchema : kMysqlSchema);
    ASSERT_TRUE(created) << Describe(created);
  }

  std::int64_t InsertOwner(const std::string& email) {
    auto inserted = connection_->Execute(kInsertOwner, {email});
    EXPECT_TRUE(inserted) << Describe(inserted);
    return inserted ? inserted->last_insert_id : -1;
  }

  std::optional<TestDatabase> database_;
  std::unique_ptr<Connection> connection_;
};

TEST_P(ConnectionContractTest, ReportsItsDialect) {
  EXPECT_EQ(connection_->dialect(), GetParam());
  EXPECT_EQ(database_->factory().dialect(), GetParam());
  EXPECT_TRUE(connection_->IsHealthy());
}

TEST_P(ConnectionContractTest, RoundTripsIntegersTextInstantsAndNull) {
  const std::int64_t owner = InsertOwner("zoe@example.com");
  const std::string name = "Zoë 東京 🩺";
  auto inserted = connection_->Execute(
      "INSERT INTO items (owner_id, name, quantity, note, due_at, due_on) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {owner, name, std::int64_t{7}, nullptr, "2024-03-01 09:30:00", "2024-03-01"});
  ASSERT_TRUE(inserted) << Describe(inserted);

  auto rows = connection_->Query(
      "SELECT id, owner_id, name, quantity, note, due_at, due_on FROM items WHERE name = ?",
      {name});
  ASSERT_TRUE(rows) << Describe(rows);
  ASSERT_EQ(rows->size(), 1u);
  const Row& row = rows->front();
  ASSERT_EQ(row.size(), 7u);
  EXPECT_EQ(row.Int(0), inserted->last_insert_id);
  EXPECT_EQ(row.Int(1), owner);
  EXPECT_EQ(row.Text(2), name);
  EXPECT_EQ(row.Int(3), 7);
  EXPECT_TRUE(row.IsNull(4));
  EXPECT_EQ(row.OptText(4), std::nullopt);
  EXPECT_EQ(row.Text(5), "2024-03-01 09:30:00");
  EXPECT_EQ(row.Text(6), "2024-03-01");
}

TEST_P(ConnectionContractTest, RoundTripsBoundParametersOfEveryKind) {
  constexpr std::int64_t kLargest = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kSmallest = std::numeric_limits<std::int64_t>::min();
  auto rows =
      connection_->Query("SELECT ?, ?, ?, ?, ?", {kLargest, kSmallest, "", "Zoë 東京", nullptr});
  ASSERT_TRUE(rows) << Describe(rows);
  ASSERT_EQ(rows->size(), 1u);
  const Row& row = rows->front();
  EXPECT_EQ(row.Int(0), kLargest);
  EXPECT_EQ(row.Int(1), kSmallest);
  EXPECT_EQ(row.OptText(2), "");
  EXPECT_EQ(row.Text(3), "Zoë 東京");
  EXPECT_TRUE(row.IsNull(4));
}

TEST_P(ConnectionContractTest, StoresLongAndHostileTextVerbatim) {
  constexpr std::size_t kLongTextBytes = std::size_t{100} * 1024;
  std::string long_text;
  while (long_text.size() < kLongTextBytes) {
    long_text += "Zoë 東京 line " + std::to_string(long_text.size()) + "\n";
  }
  const std::string injection = "Robert'); DROP TABLE items; -- \\' OR '1'='1\" `x`";

  ASSERT_TRUE(connection_->Execute(kInsertItem, {nullptr, "long", std::int64_t{0}, long_text}));
  ASSERT_TRUE(connection_->Execute(kInsertItem, {nullptr, injection, std::int64_t{0}, injection}));

  auto long_rows = connection_->Query("SELECT note FROM items WHERE name = ?", {"long"});
  ASSERT_TRUE(long_rows) << Describe(long_rows);
  ASSERT_EQ(long_rows->size(), 1u);
  EXPECT_EQ(long_rows->front().Text(0).size(), long_text.size());
  EXPECT_EQ(long_rows->front().Text(0), long_text);

  auto hostile_rows =
      connection_->Query("SELECT name, note FROM items WHERE name = ?", {injection});
  ASSERT_TRUE(hostile_rows) << Describe(hostile_rows);
  ASSERT_EQ(hostile_rows->size(), 1u);
  EXPECT_EQ(hostile_rows->front().Text(0), injection);
  EXPECT_EQ(hostile_rows->front().Text(1), injection);
  EXPECT_EQ(CountItems(*connection_), 2);
}

TEST_P(ConnectionContractTest, ReportsAffectedRowsAndLastInsertId) {
  auto first = connection_->Execute(kInsertOwner, {"first@example.com"});
  auto second = connection_->Execute(kInsertOwner, {"second@example.com"});
  ASSERT_TRUE(first) << Describe(first);
  ASSERT_TRUE(second) << Describe(second);
  EXPECT_EQ(first->affected_rows, 1);
  EXPECT_GT(first->last_insert_id, 0);
  EXPECT_GT(second->last_insert_id, first->last_insert_id);

  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(connection_->Execute(
        kInsertItem,
        {first->last_insert_id, "item " + std::to_string(i), std::int64_t{1}, nullptr}));
  }
  auto bumped = connection_->Execute("UPDATE items SET quantity = quantity + 1 WHERE owner_id = ?",
                                     {first->last_insert_id});
  ASSERT_TRUE(bumped) << Describe(bumped);
  EXPECT_EQ(bumped->affected_rows, 3);

  // Rows matched but left unchanged still count, so "0 affected" reliably means "no such row".
  auto unchanged = connection_->Execute("UPDATE items SET quantity = 2 WHERE owner_id = ?",
                                        {first->last_insert_id});
  ASSERT_TRUE(unchanged) << Describe(unchanged);
  EXPECT_EQ(unchanged->affected_rows, 3);

  auto missing = connection_->Execute("DELETE FROM items WHERE id = ?", {std::int64_t{424242}});
  ASSERT_TRUE(missing) << Describe(missing);
  EXPECT_EQ(missing->affected_rows, 0);
}

TEST_P(ConnectionContractTest, CommittedTransactionBecomesVisibleToOtherConnections) {
  auto other = OpenConnection(database_->factory());
  ASSERT_NE(other, nullptr);

  ASSERT_TRUE(connection_->Begin(TxMode::kWrite));
  ASSERT_TRUE(connection_->Execute(kInsertItem, {nullptr, "pending", std::int64_t{1}, nullptr}));
  EXPECT_EQ(CountItems(*connection_), 1);
  EXPECT_EQ(CountItems(*other), 0);
  const Status committed = connection_->Commit();
  ASSERT_TRUE(committed) << Describe(committed);

  EXPECT_EQ(CountItems(*other), 1);
}

TEST_P(ConnectionContractTest, RolledBackTransactionLeavesNoTrace) {
  auto other = OpenConnection(database_->factory());
  ASSERT_NE(other, nullptr);

  ASSERT_TRUE(connection_->Begin(TxMode::kWrite));
  ASSERT_TRUE(connection_->Execute(kInsertItem, {nullptr, "doomed", std::int64_t{1}, nullptr}));
  EXPECT_EQ(CountItems(*connection_), 1);
  const Status rolled_back = connection_->Rollback();
  ASSERT_TRUE(rolled_back) << Describe(rolled_back);

  EXPECT_EQ(CountItems(*connection_), 0);
  EXPECT_EQ(CountItems(*other), 0);
}

TEST_P(ConnectionContractTest, ReadTransactionSeesCommittedRows) {
  ASSERT_TRUE(connection_->Execute(kInsertItem, {nullptr, "stable", std::int64_t{1}, nullptr}));
  const Status begun = connection_->Begin(TxMode::kRead);
  ASSERT_TRUE(begun) << Describe(begun);
  EXPECT_EQ(CountItems(*connection_), 1);
  const Status committed = connection_->Commit();
  EXPECT_TRUE(committed) << Describe(committed);
}

// What a backup reads from: every table as of one instant, however long the reading takes and
// whatever is committed meanwhile (on MySQL the session otherwise reads committed rows, so a
// later statement would see later commits).
TEST_P(ConnectionContractTest, ASnapshotSeesTheDatabaseAsItWasWhenTaken) {
  InsertOwner("before@example.com");
  ASSERT_TRUE(connection_->Execute(kInsertItem, {nullptr, "before", std::int64_t{1}, nullptr}));
  auto snapshot = database_->factory().OpenSnapshot();
  ASSERT_TRUE(snapshot) << Describe(snapshot);
  EXPECT_EQ(CountItems(**snapshot), 1);

  ASSERT_TRUE(connection_->Execute(kInsertItem, {nullptr, "after", std::int64_t{1}, nullptr}));
  InsertOwner("after@example.com");
  EXPECT_EQ(CountItems(*connection_), 2);
  EXPECT_EQ(CountItems(**snapshot), 1);
  auto owners = (*snapshot)->Query("SELECT email FROM owners");
  ASSERT_TRUE(owners) << Describe(owners);
  ASSERT_EQ(owners->size(), 1u);
  EXPECT_EQ(owners->front().Text(0), "before@example.com");
}

TEST_P(ConnectionContractTest, DuplicateUniqueKeyIsAlreadyExistsWithoutLeakingTheValue) {
  InsertOwner("dup@example.com");
  auto duplicate = connection_->Execute(kInsertOwner, {"dup@example.com"});
  ASSERT_THAT(duplicate, StatusIs(ErrorCode::kAlreadyExists));
  EXPECT_THAT(duplicate.error().message, Not(HasSubstr("dup@example.com")));
  EXPECT_THAT(duplicate.error().message, Not(HasSubstr("owners")));
  EXPECT_TRUE(connection_->IsHealthy());
}

TEST_P(ConnectionContractTest, ForeignKeyViolationsAreFailedPrecondition) {
  auto orphan =
      connection_->Execute(kInsertItem, {std::int64_t{4242}, "orphan", std::int64_t{1}, nullptr});
  ASSERT_THAT(orphan, StatusIs(ErrorCode::kFailedPrecondition)) << Describe(orphan);

  const std::int64_t owner = InsertOwner("owner@example.com");
  ASSERT_TRUE(connection_->Execute(kInsertItem, {owner, "owned", std::int64_t{1}, nullptr}));
  auto still_referenced = connection_->Execute("DELETE FROM owners WHERE id = ?", {owner});
  ASSERT_THAT(still_referenced, StatusIs(ErrorCode::kFailedPrecondition))
      << Describe(still_referenced);
}

TEST_P(ConnectionContractTest, CheckViolationIsFailedPrecondition) {
  auto negative =
      connection_->Execute(kInsertItem, {nullptr, "negative", std::int64_t{-1}, nullptr});
  ASSERT_THAT(negative, StatusIs(ErrorCode::kFailedPrecondition)) << Describe(negative);
}

TEST_P(ConnectionContractTest, NotNullViolationIsFailedPrecondition) {
  auto nameless = connection_->Execute(kInsertItem, {nullptr, nullptr, std::int64_t{1}, nullptr});
  ASSERT_THAT(nameless, StatusIs(ErrorCode::kFailedPrecondition)) << Describe(nameless);
}

TEST_P(ConnectionContractTest, WrongNumberOfParametersIsAnError) {
  auto short_of_one = connection_->Execute(kInsertOwner, std::span<const Value>{});
  ASSERT_THAT(short_of_one, StatusIs(ErrorCode::kInternal)) << Describe(short_of_one);
}

TEST_P(ConnectionContractTest, CachedStatementRunsAgainWithNewParameters) {
  for (const char* email : {"a@example.com", "b@example.com", "c@example.com"}) {
    auto inserted = connection_->Execute(kInsertOwner, {email});
    ASSERT_TRUE(inserted) << Describe(inserted);
  }
  // A failed run must not poison the cached statement.
  ASSERT_FALSE(connection_->Execute(kInsertOwner, {"b@example.com"}));
  ASSERT_TRUE(connection_->Execute(kInsertOwner, {"d@example.com"}));

  constexpr std::string_view kFindOwner = "SELECT email FROM owners WHERE email = ?";
  for (const char* email : {"a@example.com", "d@example.com", "a@example.com"}) {
    auto rows = connection_->Query(kFindOwner, {email});
    ASSERT_TRUE(rows) << Describe(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->front().Text(0), email);
  }
  auto none = connection_->Query(kFindOwner, {"nobody@example.com"});
  ASSERT_TRUE(none) << Describe(none);
  EXPECT_TRUE(none->empty());
}

TEST_P(ConnectionContractTest, ScriptRunsEveryStatementAndSkipsComments) {
  const Status ran = connection_->ExecuteScript(
      "-- two owners\n"
      "INSERT INTO owners (email) VALUES ('one@example.com');\n"
      "  -- an indented comment\n"
      "INSERT INTO owners (email)\n"
      "  VALUES ('two@example.com');\n");
  ASSERT_TRUE(ran) << Describe(ran);
  auto rows = connection_->Query("SELECT email FROM owners ORDER BY email");
  ASSERT_TRUE(rows) << Describe(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].Text(0), "one@example.com");
  EXPECT_EQ((*rows)[1].Text(0), "two@example.com");
}

TEST_P(ConnectionContractTest, PoolNeverOpensMoreThanMaxSize) {
  std::atomic<int> opened = 0;
  ConnectionPool pool(std::make_unique<CountingFactory>(database_->NewFactory(), &opened), 2);
  std::atomic<int> in_use = 0;
  std::atomic<int> most_in_use = 0;
  std::atomic<int> failures = 0;

  constexpr int kWorkers = 4;
  std::vector<std::thread> workers;
  workers.reserve(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto lease = pool.Acquire();
        if (!lease) {
          ++failures;
          continue;
        }
        const int now = ++in_use;
        int seen = most_in_use.load();
        while (now > seen && !most_in_use.compare_exchange_weak(seen, now)) {
        }
        if (auto rows = (*lease)->Query("SELECT 1"); !rows) ++failures;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        --in_use;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most_in_use.load(), 2);
  EXPECT_LE(opened.load(), 2);
}

TEST_P(ConnectionContractTest, PoolWaiterTimesOutWithUnavailable) {
  constexpr auto kWait = std::chrono::milliseconds(100);
  ConnectionPool pool(database_->NewFactory(), 1, kWait);
  {
    auto held = pool.Acquire();
    ASSERT_TRUE(held) << Describe(held);

    const auto started = std::chrono::steady_clock::now();
    auto waiter = pool.Acquire();
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_THAT(waiter, StatusIs(ErrorCode::kUnavailable));
    EXPECT_GE(waited, kWait);
  }
  auto after_return = pool.Acquire();
  EXPECT_TRUE(after_return) << Describe(after_return);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(ConnectionContractTest);

// What only a networked server can do to a connection. Runs when CLINIC_TEST_MYSQL_URI is set.
TEST(SqliteFileTest, TheDatabaseAndItsJournalFilesAreOnlyTheServersToRead) {
  namespace fs = std::filesystem;
  const fs::path directory =
      fs::temp_directory_path() / ("clinic-perms-" + std::to_string(::getpid()));
  fs::create_directories(directory);
  const fs::path file = directory / "clinic.db";
  {
    auto factory = clinic::storage::sqlite::MakeSqliteConnectionFactory(file.string());
    auto connection = factory->Open();
    ASSERT_THAT(connection, IsOk());
    ASSERT_TRUE(
        (*connection)->ExecuteScript("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);"));
    for (const auto* suffix : {"", "-wal", "-shm"}) {
      const fs::path path = file.string() + suffix;
      ASSERT_TRUE(fs::exists(path)) << path;
      const auto others = fs::perms::group_all | fs::perms::others_all;
      EXPECT_EQ(fs::status(path).permissions() & others, fs::perms::none) << path;
    }
  }
  fs::remove_all(directory);
}

class MysqlConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CLINIC_SET_UP_TEST_DATABASE(database_, Dialect::kMysql);
    admin_ = OpenConnection(database_->factory());
    ASSERT_NE(admin_, nullptr);
    const Status created = admin_->ExecuteScript(kMysqlSchema);
    ASSERT_TRUE(created) << Describe(created);
  }

  static std::int64_t ConnectionId(Connection& connection) {
    auto rows = connection.Query("SELECT CONNECTION_ID()");
    EXPECT_TRUE(rows) << Describe(rows);
    return rows && rows->size() == 1 ? rows->front().Int(0) : -1;
  }

  // Has the server drop `victim`'s connection, as a restart or a network failure would, and
  // waits until the server has let go of it.
  void Kill(Connection& victim) {
    const std::int64_t id = ConnectionId(victim);
    const Status killed = admin_->ExecuteScript("KILL CONNECTION " + std::to_string(id));
    ASSERT_TRUE(killed) << Describe(killed);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      auto rows =
          admin_->Query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", {id});
      ASSERT_TRUE(rows) << Describe(rows);
      if (rows->front().Int(0) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the server did not drop connection " << id;
  }

  std::int64_t InsertOwnerRow(const std::string& email) {
    auto inserted = admin_->Execute(kInsertOwner, {email});
    EXPECT_TRUE(inserted) << Describe(inserted);
    return inserted ? inserted->last_insert_id : -1;
  }

  std::optional<TestDatabase> database_;
  std::unique_ptr<Connection> admin_;
};

TEST_F(MysqlConnectionTest, SessionIsUtcUtf8mb4AndStrict) {
  auto rows = admin_->Query(
      "SELECT @@session.time_zone, @@character_set_connection, @@collation_connection, "
      "@@session.sql_mode");
  ASSERT_TRUE(rows) << Describe(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().Text(0), "+00:00");
  EXPECT_EQ(rows->front().Text(1), "utf8mb4");
  EXPECT_EQ(rows->front().Text(2), "utf8mb4_unicode_520_ci");
  EXPECT_THAT(rows->front().Text(3), HasSubstr("STRICT_ALL_TABLES"));
}

TEST_F(MysqlConnectionTest, CachedReadAfterKillReconnectsAndSucceeds) {
  auto victim = OpenConnection(database_->factory());
  ASSERT_NE(victim, nullptr);
  const std::int64_t before = ConnectionId(*victim);  // also caches the statement
  Kill(*victim);

  auto rows = victim->Query("SELECT CONNECTION_ID()");
  ASSERT_TRUE(rows) << Describe(rows);
  EXPECT_NE(rows->front().Int(0), before);
  EXPECT_TRUE(victim->IsHealthy());
}

TEST_F(MysqlConnectionTest, FirstReadAfterKillReconnectsAndSucceeds) {
  auto victim = OpenConnection(database_->factory());
  ASSERT_NE(victim, nullptr);
  Kill(*victim);

  EXPECT_EQ(CountItems(*victim), 0);
  EXPECT_TRUE(victim->IsHealthy());
}

TEST_F(MysqlConnectionTest, BeginAfterKillReconnectsAndTheTransactionWorks) {
  auto victim = OpenConnection(database_->factory());
  ASSERT_NE(victim, nullptr);
  Kill(*victim);

  const Status begun = victim->Begin(TxMode::kWrite);
  ASSERT_TRUE(begun) << Describe(begun);
  ASSERT_TRUE(victim->Execute(kInsertItem, {nullptr, "after kill", std::int64_t{1}, nullptr}));
  ASSERT_TRUE(victim->Commit());
  EXPECT_EQ(CountItems(*admin_), 1);
}

TEST_F(MysqlConnectionTest, WriteInsideTransactionAfterKillIsUnavailable) {
  auto victim = OpenConnection(database_->factory());
  ASSERT_NE(victim, nullptr);
  ASSERT_TRUE(victim->Begin(TxMode::kWrite));
  ASSERT_TRUE(victim->Execute(kInsertItem, {nullptr, "lost", std::int64_t{1}, nullptr}));
  Kill(*victim);

  auto write = victim->Execute(kInsertItem, {nullptr, "after kill", std::int64_t{1}, nullptr});
  ASSERT_THAT(write, StatusIs(ErrorCode::kUnavailable));
  EXPECT_FALSE(victim->IsHealthy());
  EXPECT_FALSE(victim->Commit());
  EXPECT_EQ(CountItems(*admin_), 0);

  // Once the transaction is over, the connection heals on its next read.
  EXPECT_EQ(CountItems(*victim), 0);
  EXPECT_TRUE(victim->IsHealthy());
}

TEST_F(MysqlConnectionTest, WriteAfterKillIsRetriedOnlyIfItNeverReachedTheServer) {
  auto victim = OpenConnection(database_->factory());
  ASSERT_NE(victim, nullptr);
  Kill(*victim);
  // Not prepared yet: preparing fails, nothing ran, so it runs again on a new connection.
  auto first = victim->Execute(kInsertItem, {nullptr, "first", std::int64_t{1}, nullptr});
  ASSERT_TRUE(first) << Describe(first);

  Kill(*victim);
  // Prepared already: the write was sent, the driver cannot know whether it ran.
  auto second = victim->Execute(kInsertItem, {nullptr, "second", std::int64_t{1}, nullptr});
  ASSERT_THAT(second, StatusIs(ErrorCode::kUnavailable));
  EXPECT_FALSE(victim->IsHealthy());
  EXPECT_EQ(CountItems(*admin_), 1);
}

TEST_F(MysqlConnectionTest, PoolDropsKilledConnection) {
  std::atomic<int> opened = 0;
  ConnectionPool pool(std::make_unique<CountingFactory>(database_->NewFactory(), &opened), 1);
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease) << Describe(lease);
    ASSERT_TRUE((*lease)->Begin(TxMode::kWrite));
    Kill(**lease);
    EXPECT_FALSE((*lease)->Execute(kInsertItem, {nullptr, "lost", std::int64_t{1}, nullptr}));
    EXPECT_FALSE((*lease)->IsHealthy());
  }
  auto fresh = pool.Acquire();
  ASSERT_TRUE(fresh) << Describe(fresh);
  EXPECT_EQ(opened.load(), 2);
  EXPECT_EQ(CountItems(**fresh), 0);
}

TEST_F(MysqlConnectionTest, LockWaitTimeoutIsAborted) {
  auto holder = OpenConnection(database_->factory());
  auto waiter = OpenConnection(database_->factory());
  ASSERT_NE(holder, nullptr);
  ASSERT_NE(waiter, nullptr);
  ASSERT_TRUE(admin_->Execute(kInsertItem, {nullptr, "contended", std::int64_t{1}, nullptr}));
  ASSERT_TRUE(waiter->ExecuteScript("SET SESSION innodb_lock_wait_timeout = 1"));

  ASSERT_TRUE(holder->Begin(TxMode::kWrite));
  ASSERT_TRUE(holder->Execute("UPDATE items SET quantity = 2"));
  ASSERT_TRUE(waiter->Begin(TxMode::kWrite));
  auto blocked = waiter->Execute("UPDATE items SET quantity = 3");
  ASSERT_THAT(blocked, StatusIs(ErrorCode::kAborted)) << Describe(blocked);
  EXPECT_EQ(waiter->TakeAbortReason(), "lock_wait_timeout");
  EXPECT_EQ(waiter->TakeAbortReason(), "");
  EXPECT_TRUE(waiter->IsHealthy());
  EXPECT_TRUE(waiter->Rollback());
  EXPECT_TRUE(holder->Rollback());
}

TEST_F(MysqlConnectionTest, AStatementThatFailedHalfwayThroughItsRowsRunsAgain) {
  const std::int64_t first = InsertOwnerRow("first@example.org");
  const std::int64_t second = InsertOwnerRow("second@example.org");
  ASSERT_TRUE(admin_->Execute(kInsertItem, {first, "one", std::int64_t{1}, nullptr}));
  ASSERT_TRUE(admin_->Execute(kInsertItem, {second, "two", std::int64_t{1}, nullptr}));
  ASSERT_TRUE(admin_->Execute(kInsertItem, {second, "three", std::int64_t{1}, nullptr}));
  // The second owner's row fails ("subquery returns more than 1 row") after the first row has
  // been sent, so the error arrives in the middle of the result set.
  constexpr std::string_view kItemPerOwner =
      "SELECT o.id, (SELECT i.name FROM items i WHERE i.owner_id = o.id) FROM owners o "
      "WHERE o.id <= ? ORDER BY o.id";
  // Inside a transaction, where a connection lost meanwhile could not be replaced.
  ASSERT_TRUE(admin_->Begin(TxMode::kRead));
  auto failed = admin_->Query(kItemPerOwner, {second});
  ASSERT_FALSE(failed);
  EXPECT_TRUE(admin_->IsHealthy());

  auto again = admin_->Query(kItemPerOwner, {first});
  ASSERT_TRUE(again) << Describe(again);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().Text(1), "one");
  EXPECT_TRUE(admin_->Commit());
}

// The server ends the transaction behind the driver's back (as a Galera node does to the loser of
// a conflict while the client prepares a statement): nothing more may run as if it were still
// open, or each statement would autocommit on its own.
TEST_F(MysqlConnectionTest, ANewStatementDoesNotRunOnceTheServerHasEndedTheTransaction) {
  ASSERT_TRUE(admin_->Begin(TxMode::kWrite));
  ASSERT_TRUE(admin_->Execute(kInsertItem, {nullptr, "first", std::int64_t{1}, nullptr}));
  ASSERT_TRUE(admin_->ExecuteScript("COMMIT"));

  // A text no other test prepares, so it is prepared here, inside the transaction.
  auto write =
      admin_->Execute("INSERT INTO items /* ended transaction */ (name, quantity) VALUES (?, ?)",
                      {"second", std::int64_t{1}});
  ASSERT_THAT(write, StatusIs(ErrorCode::kAborted)) << Describe(write);
  EXPECT_EQ(admin_->TakeAbortReason(), "transaction_lost");
  EXPECT_TRUE(admin_->Rollback());
  EXPECT_EQ(CountItems(*admin_), 1);
  EXPECT_TRUE(admin_->IsHealthy());
}

TEST_F(MysqlConnectionTest, APreparedStatementReportsTheTransactionTheServerEnded) {
  EXPECT_EQ(CountItems(*admin_), 0);  // prepared before the transaction
  ASSERT_TRUE(admin_->Begin(TxMode::kWrite));
  ASSERT_TRUE(admin_->ExecuteScript("COMMIT"));

  auto read = admin_->Query(kCountItems);
  ASSERT_THAT(read, StatusIs(ErrorCode::kAborted)) << Describe(read);
  EXPECT_EQ(admin_->TakeAbortReason(), "transaction_lost");
  EXPECT_TRUE(admin_->Rollback());
  ASSERT_TRUE(admin_->Begin(TxMode::kWrite));
  EXPECT_EQ(CountItems(*admin_), 0);
  EXPECT_TRUE(admin_->Commit());
}

TEST_F(MysqlConnectionTest, ConnectsThroughUnixSocket) {
  auto rows = admin_->Query("SELECT @@socket");
  ASSERT_TRUE(rows) << Describe(rows);
  const std::string socket = rows->front().Text(0);
  if (socket.empty() || !std::filesystem::exists(socket)) {
    GTEST_SKIP() << "the test server's socket is not on this machine";
  }
  auto options = mysql::ParseMysqlUri(database_->uri());
  ASSERT_TRUE(options) << Describe(options);
  options->socket = socket;

  auto connection = OpenConnection(*mysql::MakeMysqlConnectionFactory(*options));
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(CountItems(*connection), 0);
}

TEST_F(MysqlConnectionTest, OpenReportsUnreachableServerAsUnavailable) {
  auto options = mysql::ParseMysqlUri("mysql://root@127.0.0.1:1/");
  ASSERT_TRUE(options) << Describe(options);
  auto refused = mysql::MakeMysqlConnectionFactory(*options)->Open();
  ASSERT_THAT(refused, StatusIs(ErrorCode::kUnavailable));
}

TEST_F(MysqlConnectionTest, OpenReportsRejectedLoginAsUnavailable) {
  auto options = mysql::ParseMysqlUri(database_->uri());
  ASSERT_TRUE(options) << Describe(options);
  options->user = "no_such_user_for_clinic_tests";
  options->password = "wrong";
  auto rejected = mysql::MakeMysqlConnectionFactory(*options)->Open();
  ASSERT_THAT(rejected, StatusIs(ErrorCode::kUnavailable));
  EXPECT_THAT(rejected.error().message, Not(HasSubstr("wrong")));
}

TEST(MysqlUriTest, ParsesEveryPartAndDecodesCredentials) {
  auto options = mysql::ParseMysqlUri("mysql://us%40er:p%3As%2Fs@db.example:3307/clinic");
  ASSERT_TRUE(options) << Describe(options);
  EXPECT_EQ(options->user, "us@er");
  EXPECT_EQ(options->password, "p:s/s");
  EXPECT_EQ(options->host, "db.example");
  EXPECT_EQ(options->port, 3307u);
  EXPECT_EQ(options->database, "clinic");
  EXPECT_EQ(options->socket, std::nullopt);
}

TEST(MysqlUriTest, DefaultsPortAndAllowsNoDatabase) {
  auto options = mysql::ParseMysqlUri("mysql://root@127.0.0.1/");
  ASSERT_TRUE(options) << Describe(options);
  EXPECT_EQ(options->port, 3306u);
  EXPECT_EQ(options->database, "");
  EXPECT_EQ(options->password, "");
}

TEST(MysqlUriTest, AcceptsSocketInsteadOfHost) {
  auto options = mysql::ParseMysqlUri("mysql://root@/clinic?socket=/tmp/mdb/mysqld.sock");
  ASSERT_TRUE(options) << Describe(options);
  EXPECT_EQ(options->socket, "/tmp/mdb/mysqld.sock");
  EXPECT_EQ(options->database, "clinic");
}

TEST(MysqlUriTest, RejectsWhatItCannotHonourWithoutEchoingThePassword) {
  const auto rejection = [](std::string_view uri) {
    auto options = mysql::ParseMysqlUri(uri);
    EXPECT_FALSE(options) << uri;
    if (options) return std::string();
    EXPECT_THAT(options, StatusIs(ErrorCode::kInvalidArgument));
    EXPECT_THAT(options.error().message, Not(HasSubstr("secret")));
    return options.error().message;
  };
  EXPECT_THAT(rejection("postgres://u:secret@h/db"), HasSubstr("mysql://"));
  EXPECT_THAT(rejection("mysql://u:secret@h/db?sslmode=require"), HasSubstr("sslmode"));
  EXPECT_THAT(rejection("mysql://u:secret@h/a/b"), HasSubstr("database"));
  EXPECT_THAT(rejection("mysql://u:secret@/db"), HasSubstr("host"));
  EXPECT_THAT(rejection("mysql://u:secret@h:99999/db"), Not(HasSubstr("secret")));
  EXPECT_THAT(rejection("not a uri secret"), HasSubstr("URI"));
}

}  // namespace
}  // namespace clinic::storage::sql
