#pragma once

#include <cstddef>
#include <memory>

#include "clinic/app/config.hpp"
#include "clinic/service/backup_service.hpp"
#include "clinic/storage/attachment_store.hpp"
#include "clinic/storage/backup.hpp"
#include "clinic/storage/mongo/mongo_attachment_store.hpp"
#include "clinic/storage/sql/migrator.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::app {

// Brings the relational database named by `config.db_uri` to the newest schema this binary knows.
Result<storage::sql::MigrationReport> MigrateDatabase(const StorageConfig& config);

// Migrates, then opens the relational store with a pool of `pool_size` connections. The only place
// that chooses a storage adapter.
Result<std::unique_ptr<storage::Store>> OpenStore(const StorageConfig& config,
                                                  std::size_t pool_size);

// Opens the message and attachment stores named by `config.docs_uri`: MongoDB and GridFS for
// mongodb:// URIs (creating their indexes; with `server` kMayBeDown even when no server answers
// yet, see OpenMongoDocumentStores), otherwise the embedded SQLite store (creating its tables)
// with attachment bytes in `files_dir`. The only place that chooses a document-store adapter.
Result<storage::DocumentStores> OpenDocumentStores(
    const StorageConfig& config, std::size_t pool_size, const std::string& files_dir,
    storage::mongo::ServerAtOpen server = storage::mongo::ServerAtOpen::kMustAnswer);

// What `clinicctl backup` and `restore` work on: the relational database as it is (opening it
// does not migrate it), and the document side (its tables or indexes created when missing, so
// that a new target can take documents).
struct BackupStoreSet {
  std::unique_ptr<storage::RelationalBackup> relational;
  storage::DocumentStores documents;
  std::unique_ptr<storage::DocumentBackup> document_backup;

  service::BackupStores view() const {
    return {.relational = *relational,
            .documents = *document_backup,
            .attachments = *documents.attachments};
  }
};

// Opens the BackupStoreSet named by `config`, with attachment bytes in `files_dir` on the embedded
// document store.
Result<BackupStoreSet> OpenBackupStores(const StorageConfig& config, const std::string& files_dir);

}  // namespace clinic::app
