#include "clinic/storage/mongo/mongo_document_backup.hpp"

#include <fmt/format.h>
#include <mongoc/mongoc.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "clinic/storage/mongo/mongo_collections.hpp"
#include "clinic/storage/mongo/mongo_driver.hpp"

namespace clinic::storage::mongo {
namespace {

using boost::json::object;
using boost::json::value;

// Documents written per insert_many when importing.
constexpr std::size_t kImportBatch = 500;

// Whether collection `name` holds documents a backup carries.
bool IsDocumentCollection(std::string_view name) {
  return !name.starts_with("system.") && name != kAttachmentBucketFiles &&
         name != kAttachmentBucketChunks;
}

// A database handle of a borrowed client.
class Database {
 public:
  explicit Database(const MongoPool& pool)
      : client_(pool),
        database_(mongoc_client_get_database(client_.get(), pool.database().c_str())) {}
  ~Database() { mongoc_database_destroy(database_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  mongoc_database_t* get() const { return database_; }

 private:
  PooledClient client_;
  mongoc_database_t* database_;
};

// Inserts documents into one collection kImportBatch at a time.
class BulkInsert {
 public:
  BulkInsert(const Collection& collection, std::string name)
      : collection_(collection), name_(std::move(name)) {}
  BulkInsert(const BulkInsert&) = delete;
  BulkInsert& operator=(const BulkInsert&) = delete;
  ~BulkInsert() {
    if (bulk_ != nullptr) mongoc_bulk_operation_destroy(bulk_);
  }

  Status Add(const Bson& document) {
    if (bulk_ == nullptr) {
      bulk_ = mongoc_collection_create_bulk_operation_with_opts(collection_.get(), nullptr);
    }
    bson_error_t error;
    if (!mongoc_bulk_operation_insert_with_opts(bulk_, document.get(), nullptr, &error)) {
      return Fail(FromDriver(error, fmt::format("could not restore collection {}", name_)));
    }
    if (++pending_ == kImportBatch) return Flush();
    return Ok();
  }

  Status Flush() {
    if (bulk_ == nullptr) return Ok();
    bson_t reply;
    bson_error_t error;
    const bool inserted = mongoc_bulk_operation_execute(bulk_, &reply, &error) != 0;
    bson_destroy(&reply);
    mongoc_bulk_operation_destroy(std::exchange(bulk_, nullptr));
    pending_ = 0;
    if (!inserted) {
      return Fail(FromDriver(error, fmt::format("could not restore collection {}", name_)));
    }
    return Ok();
  }

 private:
  const Collection& collection_;
  std::string name_;
  mongoc_bulk_operation_t* bulk_ = nullptr;
  std::size_t pending_ = 0;
};

class MongoDocumentBackup final : public DocumentBackup {
 public:
  explicit MongoDocumentBackup(std::shared_ptr<MongoPool> pool) : pool_(std::move(pool)) {}

  std::string_view backend() const override { return "mongodb"; }

  Result<std::vector<std::string>> Export(BackupSink& sink) override {
    CLINIC_ASSIGN_OR_RETURN(const auto names, CollectionNames());
    std::set<std::string> contents;
    for (const auto& name : names) {
      CLINIC_TRY_STATUS(sink.BeginSection(name));
      CLINIC_TRY_STATUS(EachDocument(name, [&](object&& document) -> Status {
        if (name == kAttachmentRecordsCollection) {
          const value* sha256 = document.if_contains("sha256");
          if (sha256 == nullptr || !sha256->is_string()) {
            return Fail(Error::Internal("an attachment record has no sha256"));
          }
          contents.emplace(sha256->get_string());
        }
        return sink.Add(document);
      }));
    }
    return std::vector<std::string>(contents.begin(), contents.end());
  }

  Status CheckEmpty() override {
    CLINIC_ASSIGN_OR_RETURN(const auto names, CollectionNames());
    for (const auto& name : names) {
      PooledClient client(*pool_);
      Collection collection(client, pool_->database(), name.c_str());
      CLINIC_ASSIGN_OR_RETURN(auto opts, ToBson(object{{"limit", 1}}));
      const Bson everything(bson_new());
      bson_error_t error;
      const std::int64_t count = mongoc_collection_count_documents(
          collection.get(), everything.get(), opts.get(), nullptr, nullptr, &error);
      if (count < 0) return Fail(FromDriver(error, "could not count documents"));
      if (count > 0) {
        return Fail(Error::FailedPrecondition(
            fmt::format("the target document store is not empty (collection {} has documents): "
                        "restore into a new, empty database",
                        name)));
      }
    }
    return Ok();
  }

  Status Import(BackupSource& source) override {
    for (const auto& name : source.Sections()) {
      if (!IsDocumentCollection(name)) {
        return Fail(Error::FailedPrecondition(
            fmt::format("the backup has a collection {}, which a backup never holds", name)));
      }
      PooledClient client(*pool_);
      Collection collection(client, pool_->database(), name.c_str());
      BulkInsert insert(collection, name);
      CLINIC_TRY_STATUS(source.Read(name, [&](BackupRecord&& record) -> Status {
        auto document = ToBson(record);
        if (!document) {
          return Fail(Error::FailedPrecondition(
              fmt::format("collection {}: a document is not Extended JSON", name)));
        }
        return insert.Add(*document);
      }));
      CLINIC_TRY_STATUS(insert.Flush());
    }
    return Ok();
  }

 private:
  // The collections a backup carries: messages, then attachment records, then the rest by name.
  Result<std::vector<std::string>> CollectionNames() {
    Database database(*pool_);
    bson_error_t error;
    char** listed = mongoc_database_get_collection_names_with_opts(database.get(), nullptr, &error);
    if (listed == nullptr) return Fail(FromDriver(error, "could not list the collections"));
    std::vector<std::string> names;
    for (char** name = listed; *name != nullptr; ++name) {
      if (IsDocumentCollection(*name)) names.emplace_back(*name);
    }
    bson_strfreev(listed);
    const auto rank = [](const std::string& name) {
      return name == kMessagesCollection ? 0 : name == kAttachmentRecordsCollection ? 1 : 2;
    };
    std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
      return std::pair(rank(a), a) < std::pair(rank(b), b);
    });
    return names;
  }

  // Calls `each` with every document of the collection, in _id order, as canonical Extended JSON.
  Status EachDocument(const std::string& name, const std::function<Status(object&&)>& each) {
    CLINIC_ASSIGN_OR_RETURN(auto opts, ToBson(object{{"sort", object{{"_id", 1}}}}));
    const Bson everything(bson_new());
    PooledClient client(*pool_);
    Collection collection(client, pool_->database(), name.c_str());
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(collection.get(), everything.get(), opts.get(), nullptr);
    Status status = Ok();
    const bson_t* document = nullptr;
    while (status && mongoc_cursor_next(cursor, &document)) {
      auto json = ToJson(document);
      if (!json || !json->is_object()) {
        status = Fail(Error::Internal(fmt::format("a document of {} could not be read", name)));
        break;
      }
      status = each(std::move(json->get_object()));
    }
    bson_error_t error;
    if (status && mongoc_cursor_error(cursor, &error)) {
      status = Fail(FromDriver(error, fmt::format("could not read collection {}", name)));
    }
    mongoc_cursor_destroy(cursor);
    return status;
  }

  std::shared_ptr<MongoPool> pool_;
};

}  // namespace

Result<std::unique_ptr<DocumentBackup>> OpenMongoDocumentBackup(const std::string& uri) {
  CLINIC_ASSIGN_OR_RETURN(auto pool, MongoPool::Open(uri));
  return std::unique_ptr<DocumentBackup>(std::make_unique<MongoDocumentBackup>(std::move(pool)));
}

}  // namespace clinic::storage::mongo
