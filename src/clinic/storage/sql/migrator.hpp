#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// One versioned schema change: migrations/<dialect>/NNNN_name.sql.
struct Migration {
  int version = 0;
  std::string name;
  std::string_view script;
};

// The migrations compiled into this binary for `dialect`, ordered by version.
std::vector<Migration> EmbeddedMigrations(Dialect dialect);

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;  // "0001_initial", ...
};

// Brings the schema up to the newest of `migrations`, recording each in schema_migrations with a
// checksum of its text. Safe to run from several processes at once, also on several nodes of a
// Galera cluster (MySQL: a lease row in schema_migration_lock; SQLite: the write lock). Refuses —
// kFailedPrecondition, changing nothing — a database whose schema is newer than this binary knows,
// or whose recorded migration text differs from the binary's. On SQLite each migration is atomic;
// on MySQL DDL commits implicitly, so a failed migration can leave its earlier statements applied
// (the version row is only written after all succeed).
Result<MigrationReport> Migrate(Connection& connection, std::span<const Migration> migrations);

// The newest applied version (0 for an empty database).
Result<int> SchemaVersion(Connection& connection);

}  // namespace clinic::storage::sql
