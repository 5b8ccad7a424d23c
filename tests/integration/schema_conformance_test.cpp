// The schema implements the seed's eight tables column for column, and the database itself
// enforces every constraint, on SQLite and on MariaDB.

#include <thread>
#include <vector>

#include "clinic/storage/sql/migrator.hpp"
#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using storage::sql::Dialect;
using storage::sql::Value;

struct SeedColumn {
  const char* table;
  const char* column;
  bool nullable;
};

// Every column of the seed document, with its nullability.
constexpr SeedColumn kSeedColumns[] = {
    {"patients", "id", false},
    {"patients", "first_name", false},
    {"patients", "last_name", false},
    {"patients", "email", false},
    {"patients", "phone", true},
    {"patients", "date_of_birth", true},
    {"patients", "gender", true},
    {"patients", "notes", true},
    {"patients", "created_at", false},
    {"patients", "updated_at", false},
    {"patients", "deleted_at", true},
    {"doctors", "id", false},
    {"doctors", "first_name", false},
    {"doctors", "last_name", false},
    {"doctors", "email", false},
    {"doctors", "phone", true},
    {"doctors", "specialization", false},
    {"doctors", "bio", true},
    {"doctors", "location_id", true},
    {"doctors", "password_hash", false},
    {"doctors", "is_active", false},
    {"doctors", "created_at", false},
    {"doctors", "updated_at", false},
    {"doctors", "deleted_at", true},
    {"admins", "id", false},
    {"admins", "username", false},
    {"admins", "email", false},
    {"admins", "password_hash", false},
    {"admins", "last_login_at", true},
    {"admins", "created_at", false},
    {"admins", "updated_at", false},
    {"admins", "deleted_at", true},
    {"clinic_locations", "id", false},
    {"clinic_locations", "name", false},
    {"clinic_locations", "address_line1", false},
    {"clinic_locations", "address_line2", true},
    {"clinic_locations", "city", false},
    {"clinic_locations", "state_region", true},
    {"clinic_locations", "postal_code", true},
    {"clinic_locations", "country", false},
    {"clinic_locations", "phone", true},
    {"clinic_locations", "timezone", false},
    {"clinic_locations", "created_at", false},
    {"clinic_locations", "updated_at", false},
    {"doctor_time_slots", "id", false},
    {"doctor_time_slots", "doctor_id", false},
    {"doctor_time_slots", "location_id", true},
    {"doctor_time_slots", "start_time_utc", false},
    {"doctor_time_slots", "end_time_utc", false},
    {"doctor_time_slots", "is_available", false},
    {"doctor_time_slots", "created_at", false},
    {"doctor_time_slots", "updated_at", false},
    {"appointments", "id", false},
    {"appointments", "slot_id", false},
    {"appointments", "doctor_id", false},
    {"appointments", "patient_id", false},
    {"appointments", "location_id", true},
    {"appointments", "status", false},
    {"appointments", "reason", true},
    {"appointments", "notes", true},
    {"appointments", "created_at", false},
    {"appointments", "updated_at", false},
    {"payments", "id", false},
    {"payments", "appointment_id", false},
    {"payments", "amount_cents", false},
    {"payments", "currency", false},
    {"payments", "method", false},
    {"payments", "status", false},
    {"payments", "transaction_ref", true},
    {"payments", "paid_at", true},
    {"payments", "created_at", false},
    {"payments", "updated_at", false},
    {"prescriptions", "id", false},
    {"prescriptions", "appointment_id", false},
    {"prescriptions", "doctor_id", false},
    {"prescriptions", "patient_id", false},
    {"prescriptions", "instructions", false},
    {"prescriptions", "issued_at", false},
    {"prescriptions", "created_at", false},
    {"prescriptions", "updated_at", false},
};

class SchemaConformanceTest : public StoreTest {
 protected:
  // column name → nullable, as the live database describes the table.
  std::map<std::string, bool> Columns(const std::string& table) {
    std::map<std::string, bool> columns;
    if (GetParam() == Dialect::kSqlite) {
      auto rows =
          raw().Query("SELECT name, \"notnull\", pk FROM pragma_table_info(?)", {Value{table}});
      for (const auto& row : rows.value()) {
        columns[row.Text(0)] = row.Int(1) == 0 && row.Int(2) == 0;
      }
    } else {
      auto rows = raw().Query(
          "SELECT COLUMN_NAME, IS_NULLABLE FROM information_schema.COLUMNS "
          "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
          {Value{table}});
      for (const auto& row : rows.value()) columns[row.Text(0)] = row.Text(1) == "YES";
    }
    return columns;
  }

  // Runs raw SQL and answers its error code, or nullopt when it succeeded.
  std::optional<ErrorCode> Exec(const std::string& sql, std::initializer_list<Value> params = {}) {
    auto outcome = raw().Execute(sql, params);
    if (outcome) return std::nullopt;
    return outcome.error().code;
  }

  void SeedRows() {
    ASSERT_EQ(Exec("INSERT INTO clinic_locations (id, name, address_line1, city, country) "
                   "VALUES (1, 'L', 'a', 'c', 'x')"),
              std::nullopt);
    ASSERT_EQ(Exec("INSERT INTO doctors (id, first_name, last_name, email, specialization, "
                   "password_hash, location_id) VALUES (1, 'A', 'B', 'a@x.org', 'GP', 'h', 1)"),
              std::nullopt);
    ASSERT_EQ(Exec("INSERT INTO patients (id, first_name, last_name, email) "
                   "VALUES (1, 'P', 'Q', 'p@x.org'), (2, 'R', 'S', 'r@x.org')"),
              std::nullopt);
    ASSERT_EQ(Exec("INSERT INTO doctor_time_slots (id, doctor_id, location_id, start_time_utc, "
                   "end_time_utc) VALUES (1, 1, 1, '2030-01-07 09:00:00', '2030-01-07 09:30:00')"),
              std::nullopt);
  }
};

TEST_P(SchemaConformanceTest, EverySeedColumnExistsWithItsNullability) {
  std::map<std::string, std::map<std::string, bool>> tables;
  for (const auto& expected : kSeedColumns) {
    if (!tables.contains(expected.table)) tables[expected.table] = Columns(expected.table);
    const auto& columns = tables[expected.table];
    auto it = columns.find(expected.column);
    ASSERT_NE(it, columns.end()) << expected.table << "." << expected.column << " is missing";
    EXPECT_EQ(it->second, expected.nullable)
        << expected.table << "." << expected.column << " nullability";
  }
}

TEST_P(SchemaConformanceTest, PasswordHashesFitArgon2idAndPatientsMayHaveNone) {
  EXPECT_TRUE(Columns("patients").at("password_hash"));
  SeedRows();
  const std::string argon2id_hash =
      "$argon2id$v=19$m=19456,t=2,p=1$" + std::string(22, 's') + "$" + std::string(43, 'h');
  EXPECT_EQ(Exec("UPDATE doctors SET password_hash = ? WHERE id = 1", {Value{argon2id_hash}}),
            std::nullopt);
}

TEST_P(SchemaConformanceTest, SlotEndMustFollowStart) {
  SeedRows();
  EXPECT_EQ(Exec("INSERT INTO doctor_time_slots (doctor_id, start_time_utc, end_time_utc) "
                 "VALUES (1, '2030-01-07 10:00:00', '2030-01-07 10:00:00')"),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Exec("INSERT INTO doctor_time_slots (doctor_id, start_time_utc, end_time_utc) "
                 "VALUES (1, '2030-01-07 10:00:00', '2030-01-07 09:00:00')"),
            ErrorCode::kFailedPrecondition);
}

TEST_P(SchemaConformanceTest, EmailsAndUsernamesAreUnique) {
  SeedRows();
  EXPECT_EQ(
      Exec("INSERT INTO patients (first_name, last_name, email) VALUES ('X', 'Y', 'p@x.org')"),
      ErrorCode::kAlreadyExists);
  EXPECT_EQ(Exec("INSERT INTO doctors (first_name, last_name, email, specialization, "
                 "password_hash) VALUES ('X', 'Y', 'a@x.org', 'GP', 'h')"),
            ErrorCode::kAlreadyExists);
  ASSERT_EQ(
      Exec("INSERT INTO admins (username, email, password_hash) VALUES ('root', 'r@x.org', 'h')"),
      std::nullopt);
  EXPECT_EQ(
      Exec("INSERT INTO admins (username, email, password_hash) VALUES ('root', 'o@x.org', 'h')"),
      ErrorCode::kAlreadyExists);
  EXPECT_EQ(
      Exec("INSERT INTO admins (username, email, password_hash) VALUES ('other', 'r@x.org', 'h')"),
      ErrorCode::kAlreadyExists);
}

TEST_P(SchemaConformanceTest, ADoctorCannotHaveTheSameSlotTwice) {
  SeedRows();
  EXPECT_EQ(Exec("INSERT INTO doctor_time_slots (doctor_id, start_time_utc, end_time_utc) "
                 "VALUES (1, '2030-01-07 09:00:00', '2030-01-07 09:30:00')"),
            ErrorCode::kAlreadyExists);
}

TEST_P(SchemaConformanceTest, TransactionRefIsUnique) {
  SeedRows();
  ASSERT_EQ(
      Exec("INSERT INTO appointments (id, slot_id, doctor_id, patient_id) VALUES (1, 1, 1, 1)"),
      std::nullopt);
  const std::string insert =
      "INSERT INTO payments (appointment_id, amount_cents, method, transaction_ref) "
      "VALUES (1, 100, 'card', ?)";
  ASSERT_EQ(Exec(insert, {Value{"ext-1"}}), std::nullopt);
  EXPECT_EQ(Exec(insert, {Value{"ext-1"}}), ErrorCode::kAlreadyExists);
  EXPECT_EQ(Exec(insert, {Value{nullptr}}), std::nullopt);
  EXPECT_EQ(Exec(insert, {Value{nullptr}}), std::nullopt) << "NULL refs never collide";
}

TEST_P(SchemaConformanceTest, EnumsRejectUnknownValues) {
  SeedRows();
  EXPECT_EQ(Exec("INSERT INTO appointments (slot_id, doctor_id, patient_id, status) "
                 "VALUES (1, 1, 1, 'maybe')"),
            ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Exec("UPDATE patients SET gender = 'unknown' WHERE id = 1"),
            ErrorCode::kFailedPrecondition);
}

TEST_P(SchemaConformanceTest, ForeignKeysRestrictDeletesAndRejectDanglingReferences) {
  SeedRows();
  EXPECT_EQ(Exec("DELETE FROM doctors WHERE id = 1"), ErrorCode::kFailedPrecondition)
      << "a doctor with slots cannot be deleted";
  EXPECT_EQ(Exec("DELETE FROM clinic_locations WHERE id = 1"), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Exec("INSERT INTO doctor_time_slots (doctor_id, start_time_utc, end_time_utc) "
                 "VALUES (99, '2030-01-07 11:00:00', '2030-01-07 11:30:00')"),
            ErrorCode::kFailedPrecondition);
  ASSERT_EQ(
      Exec("INSERT INTO appointments (id, slot_id, doctor_id, patient_id) VALUES (1, 1, 1, 1)"),
      std::nullopt);
  EXPECT_EQ(Exec("DELETE FROM doctor_time_slots WHERE id = 1"), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Exec("DELETE FROM patients WHERE id = 1"), ErrorCode::kFailedPrecondition);
}

TEST_P(SchemaConformanceTest, OneActiveAppointmentPerSlotAndRebookingAfterCancel) {
  SeedRows();
  ASSERT_EQ(
      Exec("INSERT INTO appointments (id, slot_id, doctor_id, patient_id) VALUES (1, 1, 1, 1)"),
      std::nullopt);
  EXPECT_EQ(Exec("INSERT INTO appointments (slot_id, doctor_id, patient_id) VALUES (1, 1, 2)"),
            ErrorCode::kAlreadyExists);
  ASSERT_EQ(Exec("UPDATE appointments SET status = 'cancelled' WHERE id = 1"), std::nullopt);
  EXPECT_EQ(
      Exec("INSERT INTO appointments (id, slot_id, doctor_id, patient_id) VALUES (2, 1, 1, 2)"),
      std::nullopt);
  EXPECT_EQ(Exec("UPDATE appointments SET status = 'scheduled' WHERE id = 1"),
            ErrorCode::kAlreadyExists)
      << "reviving the cancelled one would make two active appointments";
  EXPECT_EQ(Exec("UPDATE appointments SET status = 'completed' WHERE id = 2"), std::nullopt);
  EXPECT_EQ(Exec("INSERT INTO appointments (slot_id, doctor_id, patient_id) VALUES (1, 1, 1)"),
            ErrorCode::kAlreadyExists)
      << "a completed appointment still holds its slot";
}

TEST_P(SchemaConformanceTest, UpdatedAtMovesOnUpdate) {
  SeedRows();
  ASSERT_EQ(Exec("UPDATE patients SET updated_at = '2020-01-01 00:00:00' WHERE id = 1"),
            std::nullopt);
  ASSERT_EQ(Exec("UPDATE patients SET notes = 'allergic to penicillin' WHERE id = 1"),
            std::nullopt);
  auto rows = raw().Query("SELECT updated_at FROM patients WHERE id = 1");
  EXPECT_GT(rows->at(0).Text(0), "2020-01-01 00:00:00");
}

TEST_P(SchemaConformanceTest, AuditLogIsAppendOnly) {
  const std::string zeros(64, '0');
  ASSERT_EQ(
      Exec("INSERT INTO audit_log (occurred_at, actor_role, action, entity, prev_hash, hash, "
           "chain, chain_seq) VALUES ('2030-01-01 00:00:00', 'system', 'test', 'x', ?, ?, 1, 1)",
           {Value{zeros}, Value{std::string(64, 'a')}}),
      std::nullopt);
  EXPECT_TRUE(Exec("UPDATE audit_log SET action = 'forged'").has_value());
  EXPECT_TRUE(Exec("DELETE FROM audit_log").has_value());
}

TEST_P(SchemaConformanceTest, MigratingTwiceChangesNothing) {
  auto again = storage::sql::Migrate(raw(), storage::sql::EmbeddedMigrations(GetParam()));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->applied.empty());
  EXPECT_EQ(again->from_version, again->to_version);
}

TEST_P(SchemaConformanceTest, RefusesADatabaseNewerThanTheBinary) {
  ASSERT_EQ(Exec("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, "
                 "'9999_future', 'x')"),
            std::nullopt);
  auto refused = storage::sql::Migrate(raw(), storage::sql::EmbeddedMigrations(GetParam()));
  ASSERT_THAT(refused, StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_NE(refused.error().message.find("9999"), std::string::npos);
}

TEST_P(SchemaConformanceTest, RefusesAMigrationEditedAfterItWasApplied) {
  ASSERT_EQ(Exec("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1"),
            std::nullopt);
  auto refused = storage::sql::Migrate(raw(), storage::sql::EmbeddedMigrations(GetParam()));
  ASSERT_THAT(refused, StatusIs(ErrorCode::kFailedPrecondition));
}

// Instances started together each migrate on start; on a cluster each may talk to another node.
TEST(MigrationLockTest, MigratorsStartedTogetherOnAnEmptyDatabaseAllSucceed) {
  for (const Dialect dialect : {Dialect::kSqlite, Dialect::kMysql}) {
    auto database = MakeTestDatabase(dialect);
    if (!database) {
      ASSERT_FALSE(database.error().must_fail) << database.error().reason;
      continue;
    }
    const auto migrations = storage::sql::EmbeddedMigrations(dialect);
    std::vector<std::unique_ptr<storage::sql::Connection>> connections;
    for (int i = 0; i < 3; ++i) {
      auto opened = database->factory().Open();
      ASSERT_THAT(opened, IsOk());
      connections.push_back(std::move(*opened));
    }
    std::vector<Result<storage::sql::MigrationReport>> reports(connections.size());
    std::vector<std::thread> migrators;
    for (std::size_t i = 0; i < connections.size(); ++i) {
      migrators.emplace_back(
          [&, i] { reports[i] = storage::sql::Migrate(*connections[i], migrations); });
    }
    for (auto& migrator : migrators) migrator.join();
    std::size_t applied = 0;
    for (const auto& report : reports) {
      ASSERT_THAT(report, IsOk());
      applied += report->applied.size();
    }
    EXPECT_EQ(applied, migrations.size()) << "each migration runs exactly once";
  }
}

TEST(MigrationLockTest, ALeaseLeftByACrashedMigratorIsTakenOverOnceItExpires) {
  auto database = MakeTestDatabase(Dialect::kMysql);
  if (!database) {
    if (database.error().must_fail) FAIL() << database.error().reason;
    GTEST_SKIP() << database.error().reason;
  }
  auto connection = database->factory().Open();
  ASSERT_THAT(connection, IsOk());
  const auto migrations = storage::sql::EmbeddedMigrations(Dialect::kMysql);
  ASSERT_TRUE(storage::sql::Migrate(**connection, migrations));
  ASSERT_TRUE((*connection)
                  ->Execute("INSERT INTO schema_migration_lock (id, owner, expires_at) "
                            "VALUES (1, 'crashed', UTC_TIMESTAMP() - INTERVAL 1 MINUTE)"));

  auto again = storage::sql::Migrate(**connection, migrations);
  ASSERT_THAT(again, IsOk());
  auto left = (*connection)->Query("SELECT COUNT(*) FROM schema_migration_lock");
  ASSERT_TRUE(left);
  EXPECT_EQ(left->front().Int(0), 0) << "the lease is released after the run";
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(SchemaConformanceTest);

}  // namespace
}  // namespace clinic::testing
