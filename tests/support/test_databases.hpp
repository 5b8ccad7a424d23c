#pragma once

// Throwaway databases for tests that run against every SQL backend.
//
// A value-parameterized suite runs each test once per dialect:
//
//   class MyStoreTest : public ::testing::TestWithParam<clinic::storage::sql::Dialect> {
//    protected:
//     void SetUp() override { CLINIC_SET_UP_TEST_DATABASE(database_, GetParam()); }
//     std::optional<clinic::testing::TestDatabase> database_;
//   };
//   TEST_P(MyStoreTest, Works) { auto connection = database_->factory().Open(); ... }
//   CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(MyStoreTest);
//
// The tests are then named Backends/MyStoreTest.Works/Sqlite and .../Mysql. SQLite always runs;
// MySQL runs when CLINIC_TEST_MYSQL_URI names a server (e.g. mysql://root@127.0.0.1:33306/) and
// is skipped with a printed reason otherwise, except under CI=true, where a missing server fails.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "clinic/storage/mysql/mysql_connection.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::testing {

// Why no database was made, and whether the test should be skipped or fail.
struct NoTestDatabase {
  bool must_fail = false;
  std::string reason;
};

// An empty database that exists for the lifetime of this object and is deleted with it: a file in
// a fresh temporary directory for SQLite, a uniquely named database on the test server for MySQL.
// Move-only; each instance owns its database.
class TestDatabase {
 public:
  TestDatabase(TestDatabase&& other) noexcept;
  TestDatabase& operator=(TestDatabase&& other) noexcept;
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  ~TestDatabase();

  storage::sql::Dialect dialect() const { return dialect_; }
  // The URI a clinicd process would be given for this database (sqlite:///… or mysql://…/name).
  const std::string& uri() const { return uri_; }
  // Opens connections to this database.
  storage::sql::ConnectionFactory& factory() { return *factory_; }
  // A separate factory for this database, for owners such as ConnectionPool.
  std::unique_ptr<storage::sql::ConnectionFactory> NewFactory() const;
  // URIs of this database through the other nodes of a cluster (CLINIC_TEST_MYSQL_PEER_URIS,
  // comma-separated server URIs beside CLINIC_TEST_MYSQL_URI); empty for SQLite and a lone server.
  std::vector<std::string> PeerUris() const;
  // The URI of this database through another server of its cluster (a server URI such as
  // mysql://root@127.0.0.1:24307/).
  std::string UriThrough(std::string_view server_uri) const;

 private:
  friend tl::expected<TestDatabase, NoTestDatabase> MakeTestDatabase(storage::sql::Dialect);
  friend tl::expected<TestDatabase, NoTestDatabase> MakeMysqlTestDatabase(
      const std::string& server_uri);
  static tl::expected<TestDatabase, NoTestDatabase> MakeSqlite();
  static tl::expected<TestDatabase, NoTestDatabase> MakeMysql(const std::string& server_uri);
  TestDatabase(storage::sql::Dialect dialect, std::string uri);
  void Destroy() noexcept;

  storage::sql::Dialect dialect_;
  std::string uri_;
  std::unique_ptr<storage::sql::ConnectionFactory> factory_;
  std::filesystem::path sqlite_directory_;                    // kSqlite: removed with its file
  std::optional<storage::mysql::MysqlOptions> mysql_server_;  // kMysql: where to DROP from
  std::string mysql_database_;
};

// Creates an empty database of the given dialect. See the file comment for when MySQL is
// skipped rather than failed.
tl::expected<TestDatabase, NoTestDatabase> MakeTestDatabase(storage::sql::Dialect dialect);

// Creates an empty database on the MySQL server `server_uri` names (a server the test started
// itself); a server that cannot be reached fails the test.
tl::expected<TestDatabase, NoTestDatabase> MakeMysqlTestDatabase(const std::string& server_uri);

// CLINIC_TEST_MONGO_URI with its path naming `database` (so that each test has a database of its
// own), or nullopt when the variable is not set.
std::optional<std::string> TestMongoUri(const std::string& database);

// "Sqlite" / "Mysql", for test names.
std::string DialectName(storage::sql::Dialect dialect);
std::string DialectTestName(const ::testing::TestParamInfo<storage::sql::Dialect>& info);

}  // namespace clinic::testing

namespace clinic::storage::sql {
// Lets GoogleTest print a Dialect in failure messages ("GetParam() = Mysql").
void PrintTo(Dialect dialect, std::ostream* out);
}  // namespace clinic::storage::sql

// Stores a new test database for `dialect` in `target` (a std::optional<TestDatabase>), or skips
// or fails the current test. For SetUp() or a test body: it returns from the enclosing function.
#define CLINIC_SET_UP_TEST_DATABASE(target, dialect)                           \
  do {                                                                         \
    auto clinic_test_database_ = ::clinic::testing::MakeTestDatabase(dialect); \
    if (!clinic_test_database_) {                                              \
      if (clinic_test_database_.error().must_fail) {                           \
        FAIL() << clinic_test_database_.error().reason;                        \
      }                                                                        \
      GTEST_SKIP() << clinic_test_database_.error().reason;                    \
    }                                                                          \
    (target).emplace(std::move(*clinic_test_database_));                       \
  } while (false)

// Runs a TestWithParam<Dialect> suite once per SQL backend, named .../Sqlite and .../Mysql.
#define CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(suite)                                     \
  INSTANTIATE_TEST_SUITE_P(Backends, suite,                                            \
                           ::testing::Values(::clinic::storage::sql::Dialect::kSqlite, \
                                             ::clinic::storage::sql::Dialect::kMysql), \
                           ::clinic::testing::DialectTestName)
