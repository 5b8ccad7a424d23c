#include "clinic/storage/sql/migrator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "clinic/common/crypto.hpp"
#include "clinic_migrations.hpp"

namespace clinic::storage::sql {
namespace {

constexpr std::string_view kCreateTableSqlite =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " checksum TEXT NOT NULL,"
    " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)";
constexpr std::string_view kCreateTableMysql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT UNSIGNED PRIMARY KEY,"
    " name VARCHAR(255) NOT NULL,"
    " checksum CHAR(64) NOT NULL,"
    " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci";

// Serialises migrators across processes and makes a SQLite migration run atomic: SQLite holds its
// write transaction for the whole run (DDL is transactional there); MySQL takes a named lock,
// because its DDL commits implicitly and cannot be wrapped in one transaction.
class MigrationGuard {
 public:
  explicit MigrationGuard(Connection& connection) : connection_(connection) {}
  MigrationGuard(const MigrationGuard&) = delete;
  MigrationGuard& operator=(const MigrationGuard&) = delete;
  ~MigrationGuard() { (void)Finish(false); }

  Status Acquire() {
    if (connection_.dialect() == Dialect::kSqlite) {
      CLINIC_TRY_STATUS(connection_.Begin(TxMode::kWrite));
    } else {
      CLINIC_ASSIGN_OR_RETURN(
          auto rows, connection_.Query("SELECT GET_LOCK('clinic_schema_migrations', 120)"));
      if (rows.empty() || rows[0].IsNull(0) || rows[0].Int(0) != 1) {
        return Fail(Error::Unavailable("another process is migrating the schema; try again"));
      }
    }
    held_ = true;
    return Ok();
  }

  // Ends the run: commits (SQLite) when `success`, otherwise rolls back; releases the lock.
  Status Finish(bool success) {
    if (!held_) return Ok();
    held_ = false;
    if (connection_.dialect() == Dialect::kSqlite) {
      return success ? connection_.Commit() : connection_.Rollback();
    }
    CLINIC_TRY_STATUS(connection_.Query("SELECT RELEASE_LOCK('clinic_schema_migrations')"));
    return Ok();
  }

 private:
  Connection& connection_;
  bool held_ = false;
};

struct AppliedMigration {
  int version;
  std::string checksum;
};

Result<std::vector<AppliedMigration>> ReadApplied(Connection& connection) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      connection.Query("SELECT version, checksum FROM schema_migrations ORDER BY version"));
  std::vector<AppliedMigration> applied;
  applied.reserve(rows.size());
  for (const auto& row : rows) {
    applied.push_back({static_cast<int>(row.Int(0)), row.Text(1)});
  }
  return applied;
}

Status CheckApplied(std::span<const AppliedMigration> applied,
                    std::span<const Migration> migrations) {
  for (const auto& done : applied) {
    auto known = std::find_if(migrations.begin(), migrations.end(),
                              [&](const Migration& m) { return m.version == done.version; });
    if (known == migrations.end()) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "the database has schema version {}, which this binary does not know; run a newer "
          "clinic",
          done.version)));
    }
    if (Sha256Hex(known->script) != done.checksum) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "migration {} was changed after it was applied to this database", known->name)));
    }
  }
  return Ok();
}

Status ApplyOne(Connection& connection, const Migration& migration) {
  auto applied = [&]() -> Status {
    CLINIC_TRY_STATUS(connection.ExecuteScript(migration.script));
    CLINIC_TRY_STATUS(connection.Execute(
        "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
        {Value{static_cast<std::int64_t>(migration.version)}, Value{migration.name},
         Value{Sha256Hex(migration.script)}}));
    return Ok();
  }();
  if (!applied) {
    return Fail(Error::Internal(
        fmt::format("migration {} failed: {}", migration.name, applied.error().message)));
  }
  return Ok();
}

}  // namespace

std::vector<Migration> EmbeddedMigrations(Dialect dialect) {
  const std::string_view folder = dialect == Dialect::kSqlite ? "sqlite/" : "mysql/";
  std::vector<Migration> migrations;
  for (const auto& file : embedded::Files()) {
    if (!file.name.starts_with(folder)) continue;
    std::string_view base = file.name.substr(folder.size());  // "0001_initial.sql"
    int version = 0;
    std::from_chars(base.data(), base.data() + base.size(), version);
    base.remove_suffix(std::string_view(".sql").size());
    migrations.push_back({version, std::string(base), file.contents});
  }
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return migrations;
}

Result<int> SchemaVersion(Connection& connection) {
  CLINIC_TRY_STATUS(connection.Execute(
      connection.dialect() == Dialect::kSqlite ? kCreateTableSqlite : kCreateTableMysql));
  CLINIC_ASSIGN_OR_RETURN(
      auto rows, connection.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  return static_cast<int>(rows.at(0).Int(0));
}

Result<MigrationReport> Migrate(Connection& connection, std::span<const Migration> migrations) {
  MigrationGuard guard(connection);
  CLINIC_TRY_STATUS(guard.Acquire());
  CLINIC_ASSIGN_OR_RETURN(const int from_version, SchemaVersion(connection));
  CLINIC_ASSIGN_OR_RETURN(auto applied, ReadApplied(connection));
  CLINIC_TRY_STATUS(CheckApplied(applied, migrations));

  MigrationReport report{from_version, from_version, {}};
  for (const auto& migration : migrations) {
    const bool done = std::any_of(applied.begin(), applied.end(), [&](const AppliedMigration& a) {
      return a.version == migration.version;
    });
    if (done) continue;
    CLINIC_TRY_STATUS(ApplyOne(connection, migration));
    report.applied.push_back(migration.name);
    report.to_version = std::max(report.to_version, migration.version);
  }
  CLINIC_TRY_STATUS(guard.Finish(true));
  return report;
}

}  // namespace clinic::storage::sql
