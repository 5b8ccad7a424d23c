// `clinicctl backup` and `clinicctl restore` as an operator runs them, beside a running clinicd:
// every table, document and attachment comes back as it was into an empty database and document
// store (SQLite with its documents in the same file; MariaDB with MongoDB, the wire peer), the
// audit trail verifies there, and a damaged backup, a target that holds anything or a folder that
// is not a backup is refused before anything is written.

#include <fmt/format.h>
#include <gmock/gmock.h>

#include <boost/json/array.hpp>
#include <fstream>
#include <optional>
#include <set>
#include <tuple>

#include "clinic/common/crypto.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "clinic/storage/sqlite/sqlite_document_backup.hpp"
#include "support/backup_comparison.hpp"
#include "support/booking_fixture.hpp"
#include "support/matchers.hpp"
#include "support/run_command.hpp"

namespace clinic::testing {
namespace {

namespace fs = std::filesystem;
using boost::json::object;
using storage::sql::Dialect;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::string_literals;

const std::string kPng = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0"s;

// Each database records when its own migrations ran; restore leaves these to the migrator.
const std::set<std::string> kMigratorTables = {"schema_migrations", "schema_migration_lock"};

// What clinicctl printed was one line: a refusal an operator reads at a glance.
bool IsOneLine(const std::string& output) {
  return !output.empty() && output.find('\n') == output.size() - 1;
}

// Where a restore goes: an empty database, a document store (the database's SQLite file, a
// SQLite file of its own, or a MongoDB database of its own) and an attachment folder.
struct Target {
  std::optional<TestDatabase> database;
  std::string docs_uri;
  fs::path files;

  std::vector<std::string> Command(const std::string& command, const fs::path& folder) const {
    return {"--db",  database->uri(), "--docs",  docs_uri,
            command, folder.string(), "--files", files.string()};
  }
};

class BackupRestoreTest : public BookingApiTest {
 protected:
  // The SQLite run: clinicd's default, relational rows and documents in one file. The MariaDB
  // run: the production pairing, with MongoDB (the wire peer) when it is there.
  std::string DocsUri(const fs::path& directory) const override {
    if (GetParam() == Dialect::kSqlite) return "";
    if (auto mongo = TestMongoUri("clinic_backup_" + directory.filename().string())) return *mongo;
    return BookingApiTest::DocsUri(directory);
  }

  void SetUp() override {
    BookingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    std::string pattern = (fs::temp_directory_path() / "clinic-backup-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    scratch_ = pattern;
  }

  void TearDown() override {
    for (const auto& uri : mongo_databases_) DropMongoDatabase(uri);
    if (docs_uri().starts_with("mongodb")) DropMongoDatabase(docs_uri());
    if (!scratch_.empty()) fs::remove_all(scratch_);
    BookingApiTest::TearDown();
  }

  bool DocumentsInMongo() const { return docs_uri().starts_with("mongodb"); }

  // clinicctl over the server's own stores.
  CommandResult Source(const std::string& command, const fs::path& folder) {
    return RunCommand(CLINICCTL_PATH, {"--db", database().uri(), "--docs", docs_uri(), command,
                                       folder.string(), "--files", files_dir().string()});
  }

  // Records of every kind, made through the code that makes them in use: the demo clinic group
  // (clinicctl seed-demo), then over HTTP a booking, three uploads (two of the same bytes: two
  // records over one stored content), messages with attachments, a read receipt and an edit.
  void FillWithRecords() {
    const auto seeded =
        RunCommand(CLINICCTL_PATH, {"--db", database().uri(), "--docs", docs_uri(),
                                    "--insecure-fast-password-hashing", "seed-demo"});
    ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
    const auto location = CreateLocation();
    const auto doctor = CreateDoctor("backup.doctor@clinic.example");
    const auto doctor_token = Login("backup.doctor@clinic.example", kDoctorPassword);
    const auto [patient, patient_token] = RegisterPatient("backup.patient@example.com");
    const auto booked = Call(
        "POST", "/api/v1/appointments",
        object{{"slot_id", CreateSlot(doctor, location, On2030(9), On2030(10))}}, patient_token);
    ASSERT_EQ(booked.status, 201) << booked.body;
    const std::string thread =
        fmt::format("/api/v1/appointments/{}/messages", booked.Json().at("id").as_int64());
    boost::json::array files;
    for (const auto& [content, type, name] :
         {std::tuple{kPng, "image/png", "scan.png"}, std::tuple{kPng, "image/png", "again.png"},
          std::tuple{"Blood pressure 120/80\n"s, "text/plain; charset=utf-8", "bp.txt"}}) {
      const auto uploaded = Send({.method = "POST",
                                  .target = std::string("/api/v1/attachments?file_name=") + name,
                                  .body = content,
                                  .headers = {{"Content-Type", type}}},
                                 patient_token);
      ASSERT_EQ(uploaded.status, 201) << uploaded.body;
      files.push_back(uploaded.Json().at("file_id"));
    }
    const auto question =
        Call("POST", thread,
             object{{"text", "My results"}, {"markdown", "**My** results"}, {"attachments", files}},
             patient_token);
    ASSERT_EQ(question.status, 201) << question.body;
    const auto answer = Call("POST", thread, object{{"text", "All normal"}}, doctor_token);
    ASSERT_EQ(answer.status, 201) << answer.body;
    const auto read =
        Call("POST", thread + "/read", object{{"up_to", question.Json().at("_id")}}, doctor_token);
    ASSERT_EQ(read.status, 200) << read.body;
    const auto edited =
        Call("PATCH", "/api/v1/messages/" + std::string(answer.Json().at("_id").as_string()),
             object{{"text", "All normal: see you in a year"}, {"version", 1}}, doctor_token);
    ASSERT_EQ(edited.status, 200) << edited.body;
  }

  // A new, empty target of `dialect`; its documents in the same kind of store as the server's
  // (or, with `documents_in_mongo` given, in MongoDB or SQLite as it says).
  void MakeTarget(Dialect dialect, Target& target,
                  std::optional<bool> documents_in_mongo = std::nullopt) {
    CLINIC_SET_UP_TEST_DATABASE(target.database, dialect);
    const std::string name = "t" + std::to_string(++targets_);
    target.files = scratch_ / (name + "-files");
    if (documents_in_mongo.value_or(DocumentsInMongo())) {
      const auto uri = TestMongoUri("clinic_restored_" + scratch_.filename().string() + name);
      if (!uri) GTEST_SKIP() << "CLINIC_TEST_MONGO_URI is not set";
      mongo_databases_.push_back(*uri);
      target.docs_uri = *uri;
    } else if (dialect == Dialect::kSqlite) {
      target.docs_uri = target.database->uri();
    } else {
      target.docs_uri = "sqlite://" + (scratch_ / (name + "-docs.db")).string();
    }
  }

  // A backup of the server's stores in a new folder.
  fs::path TakeBackup() {
    const fs::path folder = scratch_ / "backup";
    const auto backup = Source("backup", folder);
    EXPECT_EQ(backup.exit_code, 0) << backup.output;
    return folder;
  }

  // FillWithRecords, then BackupAndATarget.
  fs::path BackupOfRecordsAndATarget(Target& target, Dialect dialect,
                                     std::optional<bool> documents_in_mongo = std::nullopt) {
    FillWithRecords();
    if (HasFatalFailure()) return {};
    return BackupAndATarget(target, dialect, documents_in_mongo);
  }

  // TakeBackup, and a target to restore it into (MakeTarget's arguments).
  fs::path BackupAndATarget(Target& target, Dialect dialect,
                            std::optional<bool> documents_in_mongo = std::nullopt) {
    const fs::path folder = TakeBackup();
    MakeTarget(dialect, target, documents_in_mongo);
    return folder;
  }

  static CommandResult Restore(const Target& target, const fs::path& folder) {
    return RunCommand(CLINICCTL_PATH, target.Command("restore", folder));
  }

  // Every table of the server's database, every document and every attachment, in the target.
  void ExpectRestoredAsItWas(Target& target) {
    auto source = database().factory().Open();
    auto restored = target.database->factory().Open();
    ASSERT_THAT(source, IsOk());
    ASSERT_THAT(restored, IsOk());
    if (GetParam() == target.database->dialect()) {
      auto without_migrator = [](std::vector<std::string> tables) {
        std::erase_if(tables, [](const auto& table) { return kMigratorTables.contains(table); });
        return tables;
      };
      EXPECT_EQ(without_migrator(TableNames(**source)), without_migrator(TableNames(**restored)));
    }
    const bool documents_in_source = docs_uri() == database().uri();
    const bool documents_in_target = target.docs_uri == target.database->uri();
    auto skip = kMigratorTables;
    if (documents_in_source && !documents_in_target) {
      for (const auto& table : storage::sqlite::DocumentTableNames()) skip.insert(table);
    }
    ExpectSameRows(**source, **restored, skip);
    if (DocumentsInMongo()) {
      const auto documents = MongoDocuments(docs_uri());
      EXPECT_THAT(documents.at("messages"), Not(IsEmpty()));
      EXPECT_EQ(documents, MongoDocuments(target.docs_uri));
      const auto contents = GridFsContents(docs_uri());
      EXPECT_EQ(contents.size(), 2u) << "the scan and the text, the scan stored once";
      EXPECT_EQ(contents, GridFsContents(target.docs_uri));
      return;
    }
    if (!documents_in_source || !documents_in_target) {
      auto source_documents = OpenSqlite(docs_uri());
      auto restored_documents = OpenSqlite(target.docs_uri);
      ASSERT_NE(source_documents, nullptr);
      ASSERT_NE(restored_documents, nullptr);
      std::set<std::string> not_documents;
      for (const auto& table : TableNames(*source_documents)) not_documents.insert(table);
      for (const auto& table : storage::sqlite::DocumentTableNames()) not_documents.erase(table);
      ExpectSameRows(*source_documents, *restored_documents, not_documents);
    }
    const auto files = FolderContents(files_dir());
    EXPECT_EQ(files.size(), 2u) << "the scan and the text, the scan stored once";
    EXPECT_EQ(files, FolderContents(target.files));
  }

  static std::unique_ptr<storage::sql::Connection> OpenSqlite(const std::string& uri) {
    const auto path = storage::sqlite::ParseSqliteUri(uri);
    EXPECT_THAT(path, IsOk());
    if (!path) return nullptr;
    auto connection = storage::sqlite::MakeSqliteConnectionFactory(*path)->Open();
    EXPECT_THAT(connection, IsOk());
    return connection ? std::move(*connection) : nullptr;
  }

  // `clinicctl audit verify` answers the same, and intact, on the server's and the target's.
  void ExpectTheAuditTrailVerifies(const Target& target) {
    const auto original = RunCommand(
        CLINICCTL_PATH, {"--db", database().uri(), "--docs", docs_uri(), "audit", "verify"});
    const auto restored = RunCommand(CLINICCTL_PATH, {"--db", target.database->uri(), "--docs",
                                                      target.docs_uri, "audit", "verify"});
    EXPECT_EQ(restored.exit_code, 0) << restored.output;
    EXPECT_THAT(restored.output, StartsWith("audit trail intact: "));
    EXPECT_EQ(restored.output, original.output);
    EXPECT_THAT(original.output, Not(HasSubstr(": 0 rows"))) << "nothing was audited";
  }

  // `command` refused, exit code 1 and one line saying `why`.
  static void ExpectRefused(const CommandResult& command, const std::string& why) {
    EXPECT_EQ(command.exit_code, 1) << command.output;
    EXPECT_TRUE(IsOneLine(command.output)) << command.output;
    EXPECT_THAT(command.output, HasSubstr(why));
  }

  // The relational tables of the target's database; none when nothing was restored.
  static std::vector<std::string> RelationalTables(Target& target) {
    auto connection = target.database->factory().Open();
    EXPECT_THAT(connection, IsOk());
    if (!connection) return {};
    auto tables = TableNames(**connection);
    // (Opening a SQLite document store in the database's file made its tables.)
    for (const auto& table : storage::sqlite::DocumentTableNames()) std::erase(tables, table);
    return tables;
  }

  fs::path scratch_;
  std::vector<std::string> mongo_databases_;
  int targets_ = 0;
};

TEST_P(BackupRestoreTest, RestoresEveryTableDocumentAndAttachmentIntoAnEmptyTarget) {
  FillWithRecords();
  if (HasFatalFailure()) return;
  const fs::path folder = scratch_ / "backup";
  const auto backup = Source("backup", folder);
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  EXPECT_THAT(backup.output, StartsWith("backup written to " + folder.string() + ": "));
  EXPECT_THAT(backup.output, HasSubstr(", 2 attachments ("));
  for (const auto& [path, permissions] : Permissions(folder)) {
    const bool is_folder = fs::is_directory(folder / path);
    EXPECT_EQ(permissions,
              is_folder ? fs::perms::owner_all : (fs::perms::owner_read | fs::perms::owner_write))
        << path << " holds medical records: its owner's alone";
  }

  Target target;
  MakeTarget(GetParam(), target);
  if (HasFatalFailure() || IsSkipped()) return;
  const auto restored = Restore(target, folder);
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_THAT(restored.output, StartsWith("restored " + folder.string() + ": "));

  ExpectRestoredAsItWas(target);
  ExpectTheAuditTrailVerifies(target);
}

TEST_P(BackupRestoreTest, ASqliteBackupRestoresIntoMariaDbButNotTheOtherWay) {
  Target target;
  const Dialect other = GetParam() == Dialect::kSqlite ? Dialect::kMysql : Dialect::kSqlite;
  const auto folder =
      BackupOfRecordsAndATarget(target, other, /*documents_in_mongo=*/DocumentsInMongo());
  if (HasFatalFailure() || IsSkipped()) return;
  const auto restored = Restore(target, folder);
  if (GetParam() == Dialect::kMysql) {
    ExpectRefused(restored, "cannot be restored into SQLite");
    EXPECT_THAT(RelationalTables(target), IsEmpty());
    return;
  }
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_THAT(restored.output, HasSubstr(" into mysql, "));
  ExpectRestoredAsItWas(target);
  ExpectTheAuditTrailVerifies(target);
}

TEST_P(BackupRestoreTest, RefusesADamagedBackupBeforeWritingAnything) {
  Target target;
  const auto folder = BackupOfRecordsAndATarget(target, GetParam());
  if (HasFatalFailure() || IsSkipped()) return;
  const auto expect_refused = [&](const fs::path& altered) {
    const auto refused = Restore(target, folder);
    ExpectRefused(refused, altered.string());
    EXPECT_THAT(refused.output, HasSubstr("the backup is damaged or was altered"));
    EXPECT_THAT(RelationalTables(target), IsEmpty());
    auto database = target.database->factory().Open();
    ASSERT_THAT(database, IsOk());
    EXPECT_THAT(TableNames(**database), IsEmpty()) << "not even the document store's";
    if (DocumentsInMongo()) {
      EXPECT_THAT(MongoDocuments(target.docs_uri), IsEmpty());
    }
    EXPECT_FALSE(fs::exists(target.files));
  };

  // One patient's name changed, keeping the file's length.
  const fs::path patients = folder / "relational" / "patients.jsonl";
  std::string text;
  {
    std::ifstream in(patients, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const auto original = text;
  const auto at = text.find("\"first_name\":\"") + 14;
  text[at] = text[at] == 'X' ? 'Y' : 'X';
  std::ofstream(patients, std::ios::binary | std::ios::trunc) << text;
  expect_refused(patients);

  std::ofstream(patients, std::ios::binary | std::ios::trunc) << original;
  const fs::path scan = folder / "attachments" / Sha256Hex(kPng);
  std::ofstream(scan, std::ios::binary | std::ios::app) << "!";
  expect_refused(scan);
}

TEST_P(BackupRestoreTest, RefusesATargetThatHoldsAnything) {
  Target target;
  const auto folder = BackupOfRecordsAndATarget(target, GetParam());
  if (HasFatalFailure() || IsSkipped()) return;
  const auto patients = QueryCount("SELECT COUNT(*) FROM patients");

  // The server's own stores.
  ExpectRefused(Source("restore", folder), "the target database is not empty");
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM patients"), patients);

  // An empty database beside the server's document store.
  target.docs_uri = docs_uri();
  ExpectRefused(Restore(target, folder), "the target document store is not empty");
  EXPECT_THAT(RelationalTables(target), IsEmpty());
}

TEST_P(BackupRestoreTest, RefusesATargetWhoseSchemaIsNewerThanTheBackup) {
  Target target;
  const auto folder = BackupAndATarget(target, GetParam());
  if (HasFatalFailure() || IsSkipped()) return;
  const auto migrated = RunCommand(
      CLINICCTL_PATH, {"--db", target.database->uri(), "--docs", target.docs_uri, "migrate"});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  auto connection = target.database->factory().Open();
  ASSERT_THAT(connection, IsOk());
  ASSERT_THAT(
      (*connection)
          ->Execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                    {storage::sql::Value{std::int64_t{9999}}, storage::sql::Value{"9999_later"},
                     storage::sql::Value{std::string(64, '0')}}),
      IsOk());

  ExpectRefused(Restore(target, folder), "(version 9999) is newer than the backup's");
}

TEST_P(BackupRestoreTest, RefusesAFolderThatIsNotEmptyOrNotABackup) {
  const fs::path used = scratch_ / "used";
  fs::create_directories(used);
  std::ofstream(used / "keep.txt") << "an operator's file\n";
  ExpectRefused(Source("backup", used),
                used.string() + " is not empty: a backup goes into a new or empty folder");
  EXPECT_EQ(FolderContents(used),
            (std::map<std::string, std::string>{{"keep.txt", "an operator's file\n"}}));

  Target target;
  MakeTarget(GetParam(), target);
  if (HasFatalFailure() || IsSkipped()) return;
  ExpectRefused(Restore(target, scratch_ / "nowhere"), "is not a folder that can be read");
  ExpectRefused(Restore(target, used), "has no readable manifest.json");
  EXPECT_THAT(RelationalTables(target), IsEmpty());
}

TEST_P(BackupRestoreTest, RefusesDocumentsOfAnotherKindOfStore) {
  Target target;
  const auto folder =
      BackupAndATarget(target, GetParam(), /*documents_in_mongo=*/!DocumentsInMongo());
  if (HasFatalFailure() || IsSkipped()) return;
  ExpectRefused(Restore(target, folder),
                fmt::format("the backup's documents come from a {} document store",
                            DocumentsInMongo() ? "mongodb" : "sqlite"));
  EXPECT_THAT(RelationalTables(target), IsEmpty());
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(BackupRestoreTest);

}  // namespace
}  // namespace clinic::testing
