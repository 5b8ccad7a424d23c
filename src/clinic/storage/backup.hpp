#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/result.hpp"

namespace clinic::storage {

// One record of a backup: a table's row ({column: value}) or a collection's document, as JSON.
// How each backend spells its values is part of the backup format (docs/operations.md, "Backup
// and restore").
using BackupRecord = boost::json::object;

// Where an export writes: sections (one per table or collection) of records, in order.
class BackupSink {
 public:
  virtual ~BackupSink() = default;
  // Starts section `name` (a table's or a collection's name); the records added until the next
  // BeginSection belong to it. Each name is started once.
  virtual Status BeginSection(std::string_view name) = 0;
  virtual Status Add(const BackupRecord& record) = 0;
};

// What an import reads: the sections one export wrote, already checked against their checksums.
class BackupSource {
 public:
  virtual ~BackupSource() = default;
  // The sections' names, in the order they were written.
  virtual std::vector<std::string> Sections() const = 0;
  // Calls `each` with every record of section `name`, in order, and stops at the first error
  // (its own or one of `each`). kFailedPrecondition for a line that is not a JSON object.
  virtual Status Read(std::string_view name,
                      const std::function<Status(BackupRecord&& record)>& each) = 0;
};

// The relational database's side of `clinicctl backup` and `restore`: every table but the schema
// migrator's own bookkeeping, row by row. Implemented once over SQL for SQLite and MySQL.
class RelationalBackup {
 public:
  virtual ~RelationalBackup() = default;

  // "sqlite" or "mysql".
  virtual std::string_view backend() const = 0;

  // Writes every table's rows as they all were at one instant, a section per table, each table
  // before the tables that refer to it, and returns the schema version they belong to. Does not
  // stop or block writers. kFailedPrecondition for a database without Clinic's schema.
  virtual Result<int> Export(BackupSink& sink) = 0;

  // Ok when rows of schema version `schema_version` exported from `from_backend` can be restored
  // into this database: this binary knows that version, the database's schema is not newer, it
  // holds no record (only what its schema itself creates), and its tables have every column
  // the backend's have. kFailedPrecondition saying why not otherwise. Writes nothing.
  virtual Status CheckRestorable(int schema_version, std::string_view from_backend) = 0;

  // Migrates the schema to `schema_version`, then writes the rows of every section in one
  // transaction. The sections must be exactly the tables of that schema. On failure no row is
  // kept (the schema may have been migrated). Call CheckRestorable first.
  virtual Status Import(BackupSource& source, int schema_version) = 0;
};

// The document store's side: every collection (messages, attachment records, and whatever else
// the store keeps), document by document. Attachment bytes go through AttachmentStore.
class DocumentBackup {
 public:
  virtual ~DocumentBackup() = default;

  // "sqlite" or "mongodb".
  virtual std::string_view backend() const = 0;

  // Writes every collection, a section each, messages before attachment records (a message names
  // only uploads made before it), and returns the sha256 of every attachment content the written
  // records name, each once.
  virtual Result<std::vector<std::string>> Export(BackupSink& sink) = 0;

  // kFailedPrecondition, naming the collection, unless no collection holds a document.
  virtual Status CheckEmpty() = 0;

  // Writes every section's documents into its collection. Call CheckEmpty first.
  virtual Status Import(BackupSource& source) = 0;
};

}  // namespace clinic::storage
