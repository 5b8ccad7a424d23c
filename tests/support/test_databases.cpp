#include "support/test_databases.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>
#include <system_error>
#include <utility>

#include "clinic/storage/sqlite/sqlite_connection.hpp"

namespace clinic::testing {
namespace {

using storage::sql::Dialect;

constexpr std::string_view kMysqlUriVariable = "CLINIC_TEST_MYSQL_URI";

// Tests never change their environment, so reading it cannot race with a setenv().
std::string Environment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
  return value == nullptr ? std::string() : std::string(value);
}

tl::unexpected<NoTestDatabase> MustFail(std::string reason) {
  return tl::unexpected<NoTestDatabase>(NoTestDatabase{true, std::move(reason)});
}

std::string RandomHex(std::size_t length) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::random_device entropy;
  std::uniform_int_distribution<std::size_t> digit(0, kDigits.size() - 1);
  std::string text;
  for (std::size_t i = 0; i < length; ++i) text.push_back(kDigits[digit(entropy)]);
  return text;
}

// The server URI with its path replaced by the database name (query options such as ?socket=
// are kept), so clinicd-style URIs for the new database can be handed to other processes.
std::string UriForDatabase(std::string_view server_uri, const std::string& database) {
  boost::urls::url url(*boost::urls::parse_uri(server_uri));
  url.set_path("/" + database);
  return std::string(url.buffer());
}

}  // namespace

TestDatabase::TestDatabase(Dialect dialect, std::string uri)
    : dialect_(dialect), uri_(std::move(uri)) {}

TestDatabase::TestDatabase(TestDatabase&& other) noexcept
    : dialect_(other.dialect_),
      uri_(std::move(other.uri_)),
      factory_(std::move(other.factory_)),
      sqlite_directory_(std::exchange(other.sqlite_directory_, {})),
      mysql_server_(std::exchange(other.mysql_server_, std::nullopt)),
      mysql_database_(std::exchange(other.mysql_database_, {})) {}

TestDatabase& TestDatabase::operator=(TestDatabase&& other) noexcept {
  if (this != &other) {
    Destroy();
    dialect_ = other.dialect_;
    uri_ = std::move(other.uri_);
    factory_ = std::move(other.factory_);
    sqlite_directory_ = std::exchange(other.sqlite_directory_, {});
    mysql_server_ = std::exchange(other.mysql_server_, std::nullopt);
    mysql_database_ = std::exchange(other.mysql_database_, {});
  }
  return *this;
}

TestDatabase::~TestDatabase() { Destroy(); }

std::unique_ptr<storage::sql::ConnectionFactory> TestDatabase::NewFactory() const {
  if (dialect_ == Dialect::kSqlite) {
    return storage::sqlite::MakeSqliteConnectionFactory((sqlite_directory_ / "test.db").string());
  }
  storage::mysql::MysqlOptions options = *mysql_server_;
  options.database = mysql_database_;
  return storage::mysql::MakeMysqlConnectionFactory(std::move(options));
}

std::vector<std::string> TestDatabase::PeerUris() const {
  std::vector<std::string> uris;
  if (dialect_ != Dialect::kMysql) return uris;
  const std::string peers = Environment("CLINIC_TEST_MYSQL_PEER_URIS");
  std::size_t begin = 0;
  while (begin < peers.size()) {
    const std::size_t end = std::min(peers.find(',', begin), peers.size());
    if (end > begin) uris.push_back(UriThrough(peers.substr(begin, end - begin)));
    begin = end + 1;
  }
  return uris;
}

std::string TestDatabase::UriThrough(std::string_view server_uri) const {
  return UriForDatabase(server_uri, mysql_database_);
}

// Cleanup failures are reported but cannot fail the test: the test's own verdict is already in.
void TestDatabase::Destroy() noexcept {
  factory_.reset();
  if (!sqlite_directory_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(sqlite_directory_, ignored);
    sqlite_directory_.clear();
  }
  if (mysql_server_) {
    auto admin = storage::mysql::MakeMysqlConnectionFactory(*mysql_server_)->Open();
    const Status dropped =
        admin ? (*admin)->ExecuteScript("DROP DATABASE IF EXISTS " + mysql_database_)
              : Status(Fail(admin.error()));
    if (!dropped) {
      std::fprintf(stderr, "warning: test database %s was not dropped: %s\n",
                   mysql_database_.c_str(), dropped.error().message.c_str());
    }
    mysql_server_.reset();
  }
}

tl::expected<TestDatabase, NoTestDatabase> TestDatabase::MakeSqlite() {
  std::string pattern = (std::filesystem::temp_directory_path() / "clinic-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return MustFail("cannot create a temporary directory for the SQLite test database");
  }
  const std::filesystem::path directory(pattern);
  TestDatabase database(Dialect::kSqlite, "sqlite://" + (directory / "test.db").string());
  database.sqlite_directory_ = directory;
  database.factory_ = database.NewFactory();
  return database;
}

tl::expected<TestDatabase, NoTestDatabase> TestDatabase::MakeMysql(const std::string& server_uri) {
  if (server_uri.empty()) {
    if (Environment("CI") == "true") {
      return MustFail("CLINIC_TEST_MYSQL_URI is not set; CI requires MariaDB");
    }
    return tl::unexpected<NoTestDatabase>(
        NoTestDatabase{false,
                       "MySQL backend skipped: set CLINIC_TEST_MYSQL_URI (e.g. "
                       "mysql://root@127.0.0.1:33306/) to run it"});
  }
  auto server = storage::mysql::ParseMysqlUri(server_uri);
  if (!server) return MustFail("CLINIC_TEST_MYSQL_URI is invalid: " + server.error().message);
  server->database.clear();

  auto admin = storage::mysql::MakeMysqlConnectionFactory(*server)->Open();
  if (!admin) {
    return MustFail("cannot connect to the server in CLINIC_TEST_MYSQL_URI: " +
                    admin.error().message);
  }
  const std::string name = "clinic_t_" + RandomHex(16);
  const Status created = (*admin)->ExecuteScript(
      "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci");
  if (!created) return MustFail("cannot create test database: " + created.error().message);

  TestDatabase database(Dialect::kMysql, UriForDatabase(server_uri, name));
  database.mysql_server_ = std::move(*server);
  database.mysql_database_ = name;
  database.factory_ = database.NewFactory();
  return database;
}

tl::expected<TestDatabase, NoTestDatabase> MakeTestDatabase(Dialect dialect) {
  return dialect == Dialect::kSqlite ? TestDatabase::MakeSqlite()
                                     : TestDatabase::MakeMysql(Environment(kMysqlUriVariable));
}

tl::expected<TestDatabase, NoTestDatabase> MakeMysqlTestDatabase(const std::string& server_uri) {
  return TestDatabase::MakeMysql(server_uri);
}

std::string DialectName(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "Sqlite" : "Mysql";
}

std::optional<std::string> TestMongoUri(const std::string& database) {
  const char* uri = std::getenv("CLINIC_TEST_MONGO_URI");
  if (uri == nullptr || *uri == '\0') return std::nullopt;
  const std::string text = uri;
  const auto query = text.find('?');
  const auto host_end = text.find('/', std::string_view("mongodb://").size());
  const std::string base = text.substr(0, std::min(host_end, query));
  const std::string options = query == std::string::npos ? "" : text.substr(query);
  return base + "/" + database + options;
}

std::string DialectTestName(const ::testing::TestParamInfo<Dialect>& info) {
  return DialectName(info.param);
}

}  // namespace clinic::testing

namespace clinic::storage::sql {

void PrintTo(Dialect dialect, std::ostream* out) {
  *out << ::clinic::testing::DialectName(dialect);
}

}  // namespace clinic::storage::sql
