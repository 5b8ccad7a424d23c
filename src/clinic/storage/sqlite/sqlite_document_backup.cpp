#include "clinic/storage/sqlite/sqlite_document_backup.hpp"

#include <fmt/format.h>

#include "clinic/storage/sql/sql_backup.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"

namespace clinic::storage::sqlite {

// What sqlite_message_store.cpp and sqlite_attachment_store.cpp create, each table after the one
// its foreign key refers to.
std::vector<std::string> DocumentTableNames() {
  return {"messages", "message_files", "attachments"};
}

namespace {

class SqliteDocumentBackup final : public DocumentBackup {
 public:
  explicit SqliteDocumentBackup(std::string path)
      : factory_(MakeSqliteConnectionFactory(std::move(path))) {}

  std::string_view backend() const override { return "sqlite"; }

  Result<std::vector<std::string>> Export(BackupSink& sink) override {
    CLINIC_ASSIGN_OR_RETURN(auto snapshot, factory_->OpenSnapshot());
    CLINIC_TRY_STATUS(sql::ExportTables(*snapshot, DocumentTableNames(), sink));
    CLINIC_ASSIGN_OR_RETURN(
        auto rows, snapshot->Query("SELECT DISTINCT sha256 FROM attachments ORDER BY sha256", {}));
    std::vector<std::string> contents;
    contents.reserve(rows.size());
    for (const auto& row : rows) contents.push_back(row.Text(0));
    return contents;
  }

  Status CheckEmpty() override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, factory_->Open());
    CLINIC_ASSIGN_OR_RETURN(const auto filled,
                            sql::FirstTableWithRows(*connection, DocumentTableNames()));
    if (filled) {
      return Fail(Error::FailedPrecondition(
          fmt::format("the target document store is not empty (table {} has rows): restore into "
                      "a new, empty one",
                      *filled)));
    }
    return Ok();
  }

  Status Import(BackupSource& source) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, factory_->Open());
    CLINIC_TRY_STATUS(connection->Begin(TxMode::kWrite));
    auto written = [&]() -> Status {
      CLINIC_TRY_STATUS(sql::ImportTables(*connection, DocumentTableNames(), source));
      return connection->Commit();
    }();
    if (!written) CLINIC_TRY_STATUS(connection->Rollback());
    return written;
  }

 private:
  std::unique_ptr<sql::ConnectionFactory> factory_;
};

}  // namespace

std::unique_ptr<DocumentBackup> MakeSqliteDocumentBackup(std::string path) {
  return std::make_unique<SqliteDocumentBackup>(std::move(path));
}

}  // namespace clinic::storage::sqlite
