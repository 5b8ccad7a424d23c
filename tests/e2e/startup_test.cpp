// Starting clinicd and running clinicctl as an operator would: wrong flags, unreachable or too new
// databases, MariaDB as the backend, and the demo data on both backends.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "clinic/app/stores.hpp"
#include "clinic/common/crypto.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "support/http_client.hpp"
#include "support/printers.hpp"
#include "support/private_mariadb.hpp"
#include "support/run_command.hpp"
#include "support/test_databases.hpp"
#include "support/unreadable_documents.hpp"
#include "testkit/clinicd_process.hpp"

namespace clinic::testing {
namespace {

using test_support::ClinicdProcess;
using test_support::HttpClient;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "clinic-e2e-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string Sqlite(const std::string& name) const {
    return "sqlite://" + (path_ / name).string();
  }
  std::filesystem::path File(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

TEST(ClinicdStartup, ABadValueStopsItWithOneLineAndExitCode2) {
  TempDir dir;
  const std::string db = dir.Sqlite("x.db");
  const std::vector<std::vector<std::string>> bad_flags{
      {"--db", db, "--listen", "nonsense"},
      {"--db", db, "--listen", "127.0.0.1:70000"},
      {"--db", "postgres://localhost/clinic"},
      {"--db", "mysql://root@127.0.0.1:3306/"},
      {"--db", "mysql://root@127.0.0.1:3306/clinic"},  // --docs is then required
      {"--db", db, "--docs", "redis://localhost"},
      {"--db", db, "--threads", "100000"},
      {"--db", db, "--log-level", "chatty"},
      {"--db", db, "--no-such-flag"},
      {"--db", db, "--slot-search-cache-ms", "60001"},
  };
  for (const auto& args : bad_flags) {
    const auto result = RunCommand(CLINICD_PATH, args);
    EXPECT_EQ(result.exit_code, 2) << args.back() << ": " << result.output;
    EXPECT_THAT(result.output, StartsWith("clinicd: ")) << args.back();
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
  }
}

TEST(ClinicdStartup, AnUnreachableDatabaseStopsItWithExitCode1) {
  TempDir dir;
  const auto result =
      RunCommand(CLINICD_PATH, {"--db", "mysql://nobody:x@127.0.0.1:1/clinic", "--docs",
                                dir.Sqlite("docs.db"), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("cannot open the database"));
}

TEST(ClinicdStartup, ServesHealthWithMessagesOnMongoDb) {
  const char* mongo = std::getenv("CLINIC_TEST_MONGO_URI");
  if (mongo == nullptr || *mongo == '\0') {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string_view(ci) == "true") FAIL() << "CI needs the MongoDB peer";
    GTEST_SKIP() << "CLINIC_TEST_MONGO_URI is not set";
  }
  TempDir dir;
  auto started = ClinicdProcess::Start(
      {.args = {"--db", dir.Sqlite("c.db"), "--docs", mongo, "--listen", "127.0.0.1:0"}});
  ASSERT_TRUE(started.has_value()) << started.error().message;
  HttpClient client((*started)->port());
  auto response = client.Get("/health");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->Json().at("checks").at("documents").at("status"), "ok");
  EXPECT_EQ((*started)->Terminate(), 0);
}

TEST(ClinicdStartup, MetricsCanBeServedOnAListenerOfTheirOwn) {
  TempDir dir;
  const auto metrics_port = FreePort();
  ASSERT_TRUE(metrics_port);
  auto started = ClinicdProcess::Start(
      {.args = {"--db", dir.Sqlite("c.db"), "--listen", "127.0.0.1:0", "--metrics-listen",
                "127.0.0.1:" + std::to_string(*metrics_port)}});
  ASSERT_TRUE(started.has_value()) << started.error().message;
  HttpClient clients((*started)->port());
  EXPECT_EQ(clients.Get("/metrics")->status, 404) << "not where clients connect";
  EXPECT_EQ(clients.Get("/health")->status, 200);
  // A request is counted once its response is written, which the client may see first; the
  // scrape on the other listener can therefore come an instant early, so it is asked again.
  const std::string health_counted = "clinic_http_requests_total{method=\"GET\",route=\"/health\"";
  HttpClient operators(*metrics_port);
  auto metrics = operators.Get("/metrics");
  for (int attempt = 0; attempt < 100 && metrics.has_value() &&
                        metrics->body.find(health_counted) == std::string::npos;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    metrics = operators.Get("/metrics");
  }
  ASSERT_TRUE(metrics.has_value()) << metrics.error().message;
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body, HasSubstr(health_counted))
      << "the main listener's requests are counted there";
  EXPECT_EQ((*started)->Terminate(), 0);

  const auto bad = RunCommand(CLINICD_PATH, {"--db", dir.Sqlite("c.db"), "--metrics-listen", "x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.output, HasSubstr("--metrics-listen"));
}

TEST(ClinicdStartup, RefusesADatabaseWithANewerSchema) {
  TempDir dir;
  ASSERT_EQ(RunCommand(CLINICCTL_PATH, {"--db", dir.Sqlite("c.db"), "migrate"}).exit_code, 0);
  auto db = storage::sqlite::MakeSqliteConnectionFactory(dir.Sqlite("c.db").substr(9))->Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE((*db)->Execute(
      "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')"));
  const auto result =
      RunCommand(CLINICD_PATH, {"--db", dir.Sqlite("c.db"), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, HasSubstr("999"));
}

// Each run keeps its documents where production would: the embedded store beside SQLite, MongoDB
// (the wire peer, when CLINIC_TEST_MONGO_URI names one) beside MariaDB.
class BackendTest : public ::testing::TestWithParam<storage::sql::Dialect> {
 protected:
  void SetUp() override {
    CLINIC_SET_UP_TEST_DATABASE(database_, GetParam());
    docs_uri_ = docs_.Sqlite("docs.db");
    if (GetParam() == storage::sql::Dialect::kMysql) {
      if (auto mongo = TestMongoUri("clinic_e2e_" + RandomToken(6))) docs_uri_ = *mongo;
    }
  }
  std::vector<std::string> StorageFlags() const {
    return {"--db", database_->uri(), "--docs", docs_uri_};
  }
  std::optional<TestDatabase> database_;
  TempDir docs_;
  std::string docs_uri_;
};

TEST_P(BackendTest, ClinicdServesHealthFromThisBackend) {
  auto args = StorageFlags();
  args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  auto started = ClinicdProcess::Start({.args = args});
  ASSERT_TRUE(started.has_value()) << started.error().message;
  HttpClient client((*started)->port());
  auto response = client.Get("/health");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Json().at("checks").at("database").at("status"), "ok");
  EXPECT_EQ((*started)->Terminate(), 0);
}

TEST_P(BackendTest, ClinicctlMigratesSeedsOnceAndCreatesAdmins) {
  auto run = [&](std::vector<std::string> command, const std::string& input = "") {
    auto args = StorageFlags();
    args.insert(args.begin(), "--insecure-fast-password-hashing");
    args.insert(args.end(), command.begin(), command.end());
    return RunCommand(CLINICCTL_PATH, args, input);
  };
  auto migrated = run({"migrate"});
  EXPECT_EQ(migrated.exit_code, 0) << migrated.output;
  EXPECT_THAT(migrated.output, HasSubstr("applied 0001_initial"));
  EXPECT_THAT(run({"migrate"}).output, HasSubstr("up to date"));

  auto seeded = run({"seed-demo"});
  EXPECT_EQ(seeded.exit_code, 0) << seeded.output;
  EXPECT_THAT(seeded.output, HasSubstr("2 locations, 6 doctors, 20 patients"));
  EXPECT_THAT(seeded.output, HasSubstr("admin"));
  auto again = run({"seed-demo"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.output, HasSubstr("already has data"));

  auto connection = database_->factory().Open();
  ASSERT_TRUE(connection);
  auto zones = (*connection)->Query("SELECT DISTINCT timezone FROM clinic_locations ORDER BY 1");
  ASSERT_TRUE(zones);
  ASSERT_EQ(zones->size(), 2u);
  EXPECT_EQ(zones->at(0).Text(0), "America/New_York");
  EXPECT_EQ(zones->at(1).Text(0), "Asia/Singapore");
  auto specializations = (*connection)->Query("SELECT COUNT(DISTINCT specialization) FROM doctors");
  EXPECT_EQ(specializations->at(0).Int(0), 3);
  for (const char* table : {"appointments", "payments", "prescriptions"}) {
    auto rows = (*connection)->Query(std::string("SELECT COUNT(*) FROM ") + table);
    EXPECT_GT(rows->at(0).Int(0), 0) << table;
  }

  auto created = run({"create-admin", "--username", "frontdesk", "--email", "Desk@Example.org"},
                     "a-long-enough-password\n");
  EXPECT_EQ(created.exit_code, 0) << created.output;
  auto duplicate = run({"create-admin", "--username", "frontdesk", "--email", "x@example.org"},
                       "a-long-enough-password\n");
  EXPECT_EQ(duplicate.exit_code, 1) << duplicate.output;
  EXPECT_THAT(duplicate.output, HasSubstr("already exists"));
  auto weak = run({"create-admin", "--username", "other", "--email", "o@example.org"}, "short\n");
  EXPECT_EQ(weak.exit_code, 2) << weak.output;
  EXPECT_THAT(weak.output, HasSubstr("password"));
  auto stored = (*connection)->Query("SELECT email FROM admins WHERE username = 'frontdesk'");
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->at(0).Text(0), "desk@example.org");
}

TEST_P(BackendTest, AMysqlPasswordComesFromAFileOrTheEnvironmentNotTheCommandLine) {
  if (GetParam() != storage::sql::Dialect::kMysql) GTEST_SKIP() << "MariaDB only";
  auto admin = database_->factory().Open();
  ASSERT_TRUE(admin);
  const std::string uri = database_->uri();  // mysql://root@host:port/database
  const std::string database = uri.substr(uri.rfind('/') + 1);
  ASSERT_TRUE(
      (*admin)->Execute("CREATE USER IF NOT EXISTS 'clinic_pw'@'%' IDENTIFIED BY "
                        "'from-a-file-1'"));
  ASSERT_TRUE((*admin)->Execute("GRANT ALL ON `" + database + "`.* TO 'clinic_pw'@'%'"));
  const std::string without_password = "mysql://clinic_pw@" + uri.substr(uri.find('@') + 1);
  {
    std::ofstream file(docs_.File("db-password"));
    file << "from-a-file-1\n";
  }
  const auto serves = [&](std::vector<std::string> args,
                          std::vector<std::pair<std::string, std::string>> env) {
    args.insert(args.end(), {"--docs", docs_.Sqlite("docs.db"), "--listen", "127.0.0.1:0"});
    auto started = ClinicdProcess::Start({.args = args, .env = env});
    if (!started) return false;
    HttpClient client((*started)->port());
    auto health = client.Get("/health/ready");
    return health && health->status == 200;
  };
  EXPECT_TRUE(serves(
      {"--db", without_password, "--db-password-file", docs_.File("db-password").string()}, {}));
  EXPECT_TRUE(serves({"--db", without_password}, {{"CLINIC_DB_PASSWORD", "from-a-file-1"}}));
  EXPECT_FALSE(serves({"--db", without_password}, {})) << "no password at all";
  const auto twice =
      RunCommand(CLINICD_PATH, {"--db", "mysql://clinic_pw:x@" + uri.substr(uri.find('@') + 1),
                                "--db-password-file", docs_.File("db-password").string(), "--docs",
                                docs_.Sqlite("docs.db")});
  EXPECT_EQ(twice.exit_code, 2) << twice.output;
  EXPECT_THAT(twice.output, HasSubstr("give it in one place only"));
  (void)(*admin)->Execute("DROP USER 'clinic_pw'@'%'");
}

TEST_P(BackendTest, ClinicctlRepairsStoredMessagesThatCannotBeRead) {
  const auto files = docs_.File("files").string();
  auto repair = [&] {
    auto args = StorageFlags();
    args.insert(args.end(), {"repair-messages", "--files", files});
    return RunCommand(CLINICCTL_PATH, args);
  };
  const auto empty = repair();
  ASSERT_EQ(empty.exit_code, 0) << empty.output;
  EXPECT_THAT(empty.output, HasSubstr("0 messages checked, 0 repaired, 0 unrepairable"));
  EXPECT_THAT(empty.output, HasSubstr("0 upload records checked, 0 repaired, 0 unrepairable"));

  auto stores =
      app::OpenDocumentStores({.db_uri = database_->uri(), .docs_uri = docs_uri_}, 1, files);
  ASSERT_TRUE(stores) << stores.error().message;
  domain::Message message;
  message.id = "66ff1a7f8f1b2c3456700001";
  message.thread_id = "apt-1";
  message.text = fmt::format("bad {} bytes", kSpoiledMark);
  message.refs = {.appointment_id = 1, .patient_id = 2, .doctor_id = 3};
  message.author = {.role = domain::Role::kPatient, .id = 2, .display_name = "Pat"};
  ASSERT_TRUE(stores->messages->Insert(message));
  const std::string content = "%PDF-1.7 lab report";
  ASSERT_TRUE(stores->attachments->Save({.file_id = "f_0123456789abcdef0123456789abcdef",
                                         .file_name = fmt::format("lab {}.pdf", kSpoiledMark),
                                         .mime_type = "application/pdf",
                                         .size_bytes = static_cast<std::int64_t>(content.size()),
                                         .sha256 = Sha256Hex(content),
                                         .uploaded_by_role = domain::Role::kPatient,
                                         .uploaded_by_id = 2},
                                        content));
  ASSERT_TRUE(SpoilStoredDocument(docs_uri_, StoredDocument::kMessage, message.id));
  ASSERT_TRUE(SpoilStoredDocument(docs_uri_, StoredDocument::kUploadRecord,
                                  "f_0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(stores->messages->ListThread("apt-1", std::nullopt, 10)->empty()) << "unreadable";

  const auto repaired = repair();
  EXPECT_EQ(repaired.exit_code, 0) << repaired.output;
  EXPECT_THAT(repaired.output, HasSubstr("1 messages checked, 1 repaired, 0 unrepairable"));
  EXPECT_THAT(repaired.output, HasSubstr("1 upload records checked, 1 repaired, 0 unrepairable"));
  const std::string replaced = "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD";
  auto listed = stores->messages->ListThread("apt-1", std::nullopt, 10);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().text, "bad " + replaced + " bytes");
  auto record = stores->attachments->Find("f_0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(record && *record);
  EXPECT_EQ((*record)->file_name, "lab " + replaced + ".pdf");
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(BackendTest);

}  // namespace
}  // namespace clinic::testing
