#include "clinic/app/stores.hpp"

#include "clinic/storage/mongo/mongo_attachment_store.hpp"
#include "clinic/storage/mongo/mongo_document_backup.hpp"
#include "clinic/storage/mysql/mysql_connection.hpp"
#include "clinic/storage/sql/sql_backup.hpp"
#include "clinic/storage/sql/sql_store.hpp"
#include "clinic/storage/sqlite/sqlite_attachment_store.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "clinic/storage/sqlite/sqlite_document_backup.hpp"

namespace clinic::app {
namespace {

Result<std::unique_ptr<storage::sql::ConnectionFactory>> MakeFactory(const StorageConfig& config) {
  if (config.db_uri.starts_with("mysql:")) {
    CLINIC_ASSIGN_OR_RETURN(auto options, storage::mysql::ParseMysqlUri(config.db_uri));
    if (!config.db_password.empty()) options.password = config.db_password;
    return storage::mysql::MakeMysqlConnectionFactory(std::move(options));
  }
  CLINIC_ASSIGN_OR_RETURN(auto path, storage::sqlite::ParseSqliteUri(config.db_uri));
  return storage::sqlite::MakeSqliteConnectionFactory(std::move(path));
}

}  // namespace

Result<storage::sql::MigrationReport> MigrateDatabase(const StorageConfig& config) {
  CLINIC_ASSIGN_OR_RETURN(auto factory, MakeFactory(config));
  CLINIC_ASSIGN_OR_RETURN(auto connection, factory->Open());
  return storage::sql::Migrate(*connection, storage::sql::EmbeddedMigrations(factory->dialect()));
}

Result<std::unique_ptr<storage::Store>> OpenStore(const StorageConfig& config,
                                                  std::size_t pool_size) {
  CLINIC_TRY_STATUS(MigrateDatabase(config));
  CLINIC_ASSIGN_OR_RETURN(auto factory, MakeFactory(config));
  return storage::sql::MakeSqlStore(std::move(factory), pool_size);
}

Result<storage::DocumentStores> OpenDocumentStores(const StorageConfig& config,
                                                   std::size_t pool_size,
                                                   const std::string& files_dir,
                                                   storage::mongo::ServerAtOpen server) {
  if (config.docs_uri.starts_with("mongodb"))
    return storage::mongo::OpenMongoDocumentStores(config.docs_uri, server);
  CLINIC_ASSIGN_OR_RETURN(auto path, storage::sqlite::ParseSqliteUri(config.docs_uri));
  return storage::sqlite::OpenSqliteDocumentStores(path, pool_size, files_dir);
}

Result<BackupStoreSet> OpenBackupStores(const StorageConfig& config, const std::string& files_dir) {
  BackupStoreSet set;
  CLINIC_ASSIGN_OR_RETURN(auto factory, MakeFactory(config));
  // A SQLite file may hold the embedded document store's tables too: they are the document
  // backup's, not the relational one's.
  auto documents_in_file = factory->dialect() == storage::sql::Dialect::kSqlite
                               ? storage::sqlite::DocumentTableNames()
                               : std::vector<std::string>{};
  set.relational =
      storage::sql::MakeSqlRelationalBackup(std::move(factory), std::move(documents_in_file));
  CLINIC_ASSIGN_OR_RETURN(set.documents, OpenDocumentStores(config, 1, files_dir));
  if (config.docs_uri.starts_with("mongodb")) {
    CLINIC_ASSIGN_OR_RETURN(set.document_backup,
                            storage::mongo::OpenMongoDocumentBackup(config.docs_uri));
  } else {
    CLINIC_ASSIGN_OR_RETURN(auto path, storage::sqlite::ParseSqliteUri(config.docs_uri));
    set.document_backup = storage::sqlite::MakeSqliteDocumentBackup(std::move(path));
  }
  return set;
}

}  // namespace clinic::app
