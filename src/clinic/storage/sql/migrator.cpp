#include "clinic/storage/sql/migrator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

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

constexpr std::string_view kCreateLockTableMysql =
    "CREATE TABLE IF NOT EXISTS schema_migration_lock ("
    " id TINYINT UNSIGNED PRIMARY KEY,"
    " owner VARCHAR(64) NOT NULL,"
    " expires_at DATETIME NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci";

// How long a MySQL migrator waits for another to finish, and how long its lease lasts without
// renewal (it renews after each migration; a crashed migrator's lease expires and is taken over).
constexpr auto kLockWait = std::chrono::seconds(120);
constexpr auto kLockRetryPause = std::chrono::milliseconds(200);
constexpr int kLeaseMinutes = 10;

// Serialises migrators across processes and makes a SQLite migration run atomic: SQLite holds its
// write transaction for the whole run (DDL is transactional there). On MySQL, whose DDL commits
// implicitly, the migrator holds a lease: the one row of schema_migration_lock. A row, unlike
// GET_LOCK (which each Galera node grants on its own), is one for the whole cluster: a second
// migrator's INSERT fails on the primary key, on any node.
class MigrationGuard {
 public:
  explicit MigrationGuard(Connection& connection)
      : connection_(connection), owner_(RandomToken(16)) {}
  MigrationGuard(const MigrationGuard&) = delete;
  MigrationGuard& operator=(const MigrationGuard&) = delete;
  ~MigrationGuard() { (void)Finish(false); }

  Status Acquire() {
    if (connection_.dialect() == Dialect::kSqlite) {
      CLINIC_TRY_STATUS(connection_.Begin(TxMode::kWrite));
      held_ = true;
      return Ok();
    }
    CLINIC_TRY_STATUS(connection_.Execute(kCreateLockTableMysql));
    const auto deadline = std::chrono::steady_clock::now() + kLockWait;
    while (true) {
      CLINIC_TRY_STATUS(connection_.Execute(
          "DELETE FROM schema_migration_lock WHERE id = 1 AND expires_at < UTC_TIMESTAMP()"));
      auto taken = connection_.Execute(
          fmt::format("INSERT INTO schema_migration_lock (id, owner, expires_at) "
                      "VALUES (1, ?, UTC_TIMESTAMP() + INTERVAL {} MINUTE)",
                      kLeaseMinutes),
          {Value{owner_}});
      if (taken) break;
      // Taken by another migrator (kAlreadyExists), or lost a race for it on another node.
      const ErrorCode code = taken.error().code;
      if (code != ErrorCode::kAlreadyExists && code != ErrorCode::kAborted) {
        return Fail(std::move(taken).error());
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return Fail(Error::Unavailable("another process is migrating the schema; try again"));
      }
      std::this_thread::sleep_for(kLockRetryPause);
    }
    held_ = true;
    return Ok();
  }

  // Extends a MySQL lease for another kLeaseMinutes; called between migrations.
  Status Renew() {
    if (!held_ || connection_.dialect() == Dialect::kSqlite) return Ok();
    CLINIC_ASSIGN_OR_RETURN(
        auto renewed,
        connection_.Execute(fmt::format("UPDATE schema_migration_lock SET expires_at = "
                                        "UTC_TIMESTAMP() + INTERVAL {} MINUTE "
                                        "WHERE id = 1 AND owner = ?",
                                        kLeaseMinutes),
                            {Value{owner_}}));
    if (renewed.affected_rows != 1) {
      return Fail(Error::Internal("the schema migration lease expired while migrating"));
    }
    return Ok();
  }

  // Ends the run: commits (SQLite) when `success`, otherwise rolls back; releases the lock.
  Status Finish(bool success) {
    if (!held_) return Ok();
    held_ = false;
    if (connection_.dialect() == Dialect::kSqlite) {
      return success ? connection_.Commit() : connection_.Rollback();
    }
    CLINIC_TRY_STATUS(connection_.Execute(
        "DELETE FROM schema_migration_lock WHERE id = 1 AND owner = ?", {Value{owner_}}));
    return Ok();
  }

 private:
  Connection& connection_;
  const std::string owner_;
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
    CLINIC_TRY_STATUS(guard.Renew());
    report.applied.push_back(migration.name);
    report.to_version = std::max(report.to_version, migration.version);
  }
  CLINIC_TRY_STATUS(guard.Finish(true));
  return report;
}

}  // namespace clinic::storage::sql
