#include "clinic/app/stores.hpp"

#include "clinic/storage/mongo/mongo_attachment_store.hpp"
#include "clinic/storage/mysql/mysql_connection.hpp"
#include "clinic/storage/sql/sql_store.hpp"
#include "clinic/storage/sqlite/sqlite_attachment_store.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"

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
                                                   const std::string& files_dir) {
  if (config.docs_uri.starts_with("mongodb"))
    return storage::mongo::OpenMongoDocumentStores(config.docs_uri);
  CLINIC_ASSIGN_OR_RETURN(auto path, storage::sqlite::ParseSqliteUri(config.docs_uri));
  return storage::sqlite::OpenSqliteDocumentStores(path, pool_size, files_dir);
}

}  // namespace clinic::app
