#include "support/unreadable_documents.hpp"

#include <mongoc/mongoc.h>

#include <algorithm>
#include <boost/json/value.hpp>
#include <vector>

#include "clinic/storage/mongo/mongo_collections.hpp"
#include "clinic/storage/mongo/mongo_driver.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"

namespace clinic::testing {
namespace {

using storage::mongo::Bson;

Status SpoilSqliteRow(const std::string& docs_uri, StoredDocument kind, const std::string& id) {
  CLINIC_ASSIGN_OR_RETURN(auto path, storage::sqlite::ParseSqliteUri(docs_uri));
  CLINIC_ASSIGN_OR_RETURN(auto connection,
                          storage::sqlite::MakeSqliteConnectionFactory(path)->Open());
  const std::string statement =
      kind == StoredDocument::kMessage
          ? "UPDATE messages SET doc = replace(doc, ?, ?) WHERE id = ?"
          : "UPDATE attachments SET file_name = replace(file_name, ?, ?) WHERE file_id = ?";
  CLINIC_TRY_STATUS(connection->Execute(
      statement, {storage::sql::Value{std::string(kSpoiledMark)},
                  storage::sql::Value{std::string(kSurrogateBytes)}, storage::sql::Value{id}}));
  return Ok();
}

Status SpoilMongoDocument(const std::string& docs_uri, StoredDocument kind, const std::string& id) {
  using namespace storage::mongo;
  CLINIC_ASSIGN_OR_RETURN(auto pool, MongoPool::Open(docs_uri));
  const bool message = kind == StoredDocument::kMessage;
  CLINIC_ASSIGN_OR_RETURN(
      auto selector,
      ToBson(boost::json::object{{"_id", message ? Oid(id) : boost::json::value(id)}}));
  const PooledClient client(*pool);
  const Collection documents(client, pool->database(),
                             message ? kMessagesCollection : kAttachmentRecordsCollection);
  mongoc_cursor_t* cursor =
      mongoc_collection_find_with_opts(documents.get(), selector.get(), nullptr, nullptr);
  const bson_t* found = nullptr;
  std::vector<std::uint8_t> bytes;
  if (mongoc_cursor_next(cursor, &found)) {
    bytes.assign(bson_get_data(found), bson_get_data(found) + found->len);
  }
  CLINIC_TRY_STATUS(EndCursor(cursor, Ok(), "could not read the document to spoil"));
  // The mark and the bytes replacing it are as long as each other, so every length in the BSON
  // stays right.
  const auto mark =
      std::search(bytes.begin(), bytes.end(), kSpoiledMark.begin(), kSpoiledMark.end());
  if (mark == bytes.end()) return Fail(Error::NotFound("no document " + id + " with the mark"));
  std::copy(kSurrogateBytes.begin(), kSurrogateBytes.end(), mark);
  const Bson spoiled(bson_new_from_data(bytes.data(), bytes.size()));
  CLINIC_ASSIGN_OR_RETURN(auto unchecked, ToBson(boost::json::object{{"validate", false}}));
  bson_error_t error;
  if (!mongoc_collection_replace_one(documents.get(), selector.get(), spoiled.get(),
                                     unchecked.get(), nullptr, &error)) {
    return Fail(FromDriver(error, "could not store the spoiled document"));
  }
  return Ok();
}

}  // namespace

Status SpoilStoredDocument(const std::string& docs_uri, StoredDocument kind,
                           const std::string& id) {
  if (docs_uri.starts_with("mongodb")) return SpoilMongoDocument(docs_uri, kind, id);
  return SpoilSqliteRow(docs_uri, kind, id);
}

}  // namespace clinic::testing
