#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/storage/backup.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// Tables as backup records, the same on both dialects, whatever the schema: what the database's
// catalog lists is what is written, so a table added by a migration is backed up without a line
// of code here. A row is a record {column: value} of its stored columns (generated ones are left
// out: the database computes them again), in the table's column order. An integer is a JSON
// integer, text a JSON string, SQL NULL null, and bytes that are not UTF-8 text MongoDB Extended
// JSON's {"$binary": {"base64": …, "subType": "00"}}.

// Every table of the database, each after the tables its foreign keys refer to (by name
// otherwise), so that rows written in this order never refer to one not yet written. SQLite's own
// tables (sqlite_*) are not listed.
Result<std::vector<std::string>> TablesInDependencyOrder(Connection& connection);

// Writes each of `tables` as a section named after it, its rows in primary-key order (so that a
// row referring to an earlier row of its own table comes after it), read in batches.
Status ExportTables(Connection& connection, std::span<const std::string> tables, BackupSink& sink);

// The first of `tables` that holds a row; nullopt when all are empty.
Result<std::optional<std::string>> FirstTableWithRows(Connection& connection,
                                                      std::span<const std::string> tables);

// Inserts the rows of `source`'s sections into the tables of the same names, in the order of
// `tables`, within the caller's transaction. The sections must be exactly `tables`; every record
// of a section must have the same columns, each one of its table's (a column of the table that
// the backup lacks takes its default). Anything else is kFailedPrecondition naming the table.
Status ImportTables(Connection& connection, std::span<const std::string> tables,
                    BackupSource& source);

// The RelationalBackup of the database `factory` opens. Every table but the migrator's own
// (schema_migrations, schema_migration_lock) and `excluded_tables` (which share the database
// without being the relational store's: the embedded document store's, in a SQLite file both
// use). Exports through a snapshot (ConnectionFactory::OpenSnapshot); imports after migrating
// with this binary's migrations up to the backup's version.
std::unique_ptr<RelationalBackup> MakeSqlRelationalBackup(
    std::unique_ptr<ConnectionFactory> factory, std::vector<std::string> excluded_tables);

}  // namespace clinic::storage::sql
