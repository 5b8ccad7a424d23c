#include "clinic/storage/mongo/mongo_attachment_store.hpp"

#include <fmt/format.h>
#include <mongoc/mongoc.h>

#include <algorithm>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "clinic/storage/message_document.hpp"
#include "clinic/storage/mongo/mongo_collections.hpp"
#include "clinic/storage/mongo/mongo_driver.hpp"
#include "clinic/storage/mongo/mongo_message_store.hpp"

namespace clinic::storage::mongo {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr std::int32_t kStreamTimeoutMs = 30000;

// A GridFS bucket on a borrowed client, with the content's sha256 as a BSON string for its _id.
class Bucket {
 public:
  explicit Bucket(const MongoPool& pool)
      : client_(pool),
        database_(mongoc_client_get_database(client_.get(), pool.database().c_str())) {}
  ~Bucket() {
    if (bucket_ != nullptr) mongoc_gridfs_bucket_destroy(bucket_);
    mongoc_database_destroy(database_);
  }
  Bucket(const Bucket&) = delete;
  Bucket& operator=(const Bucket&) = delete;

  Status Open() {
    CLINIC_ASSIGN_OR_RETURN(auto opts, ToBson(object{{"bucketName", kAttachmentBucket}}));
    bson_error_t error;
    bucket_ = mongoc_gridfs_bucket_new(database_, opts.get(), nullptr, &error);
    if (bucket_ == nullptr) return Fail(FromDriver(error, "cannot open the attachment bucket"));
    return Ok();
  }
  mongoc_gridfs_bucket_t* get() const { return bucket_; }
  const PooledClient& client() const { return client_; }

 private:
  PooledClient client_;
  mongoc_database_t* database_;
  mongoc_gridfs_bucket_t* bucket_ = nullptr;
};

bson_value_t StringValue(const std::string& text) {
  bson_value_t v{};
  v.value_type = BSON_TYPE_UTF8;
  v.value.v_utf8.str = const_cast<char*>(text.c_str());
  v.value.v_utf8.len = static_cast<std::uint32_t>(text.size());
  return v;
}

// Calls `use` with the first document (a const bson_t&) of `collection` that matches `query`,
// when there is one; a driver error is reported as `what`.
template <typename Use>
Status FindFirst(const MongoPool& pool, const char* collection, const object& query,
                 const object& opts, std::string_view what, const Use& use) {
  CLINIC_ASSIGN_OR_RETURN(auto query_bson, ToBson(query));
  CLINIC_ASSIGN_OR_RETURN(auto opts_bson, ToBson(opts));
  PooledClient client(pool);
  Collection documents(client, pool.database(), collection);
  mongoc_cursor_t* cursor =
      mongoc_collection_find_with_opts(documents.get(), query_bson.get(), opts_bson.get(), nullptr);
  const bson_t* document = nullptr;
  if (mongoc_cursor_next(cursor, &document)) use(*document);
  bson_error_t error;
  const bool failed = mongoc_cursor_error(cursor, &error);
  mongoc_cursor_destroy(cursor);
  if (failed) return Fail(FromDriver(error, what));
  return Ok();
}

// A whole number field of a GridFS document (drivers write lengths as int32 or int64).
std::optional<std::int64_t> NumberField(const bson_t& document, const char* key) {
  bson_iter_t field;
  if (!bson_iter_init_find(&field, &document, key) || !BSON_ITER_HOLDS_INT(&field)) {
    return std::nullopt;
  }
  return bson_iter_as_int64(&field);
}

// A GridFS file read chunk by chunk, each chunk fetched once the previous one has been handed out,
// with a client borrowed for that one query: a download holds one chunk (255 KiB as uploads
// write them) and no connection between reads. The driver's download stream would keep a cursor,
// and so a client, for the whole download, and the server may fill a cursor's first batch with
// up to 16 MiB of chunks.
class GridFsReader final : public ByteReader {
 public:
  GridFsReader(std::shared_ptr<MongoPool> pool, std::string sha256, std::int64_t length,
               std::int64_t chunk_size)
      : pool_(std::move(pool)),
        sha256_(std::move(sha256)),
        length_(length),
        chunk_size_(chunk_size) {}

  Result<std::size_t> Read(std::span<char> buffer) override {
    if (buffer.empty() || handed_out_ == length_) return std::size_t{0};
    if (taken_ == chunk_.size()) CLINIC_TRY_STATUS(FetchNextChunk());
    const std::size_t n = std::min(buffer.size(), chunk_.size() - taken_);
    std::copy_n(chunk_.begin() + static_cast<std::ptrdiff_t>(taken_), n, buffer.begin());
    taken_ += n;
    handed_out_ += static_cast<std::int64_t>(n);
    return n;
  }

 private:
  // Chunk n holds bytes [n × chunkSize, (n + 1) × chunkSize), the last one what remains.
  Status FetchNextChunk() {
    const std::int64_t number = handed_out_ / chunk_size_;
    const auto expected = static_cast<std::uint32_t>(std::min(chunk_size_, length_ - handed_out_));
    bool complete = false;
    CLINIC_TRY_STATUS(FindFirst(
        *pool_, kAttachmentBucketChunks, object{{"files_id", sha256_}, {"n", number}},
        object{{"projection", object{{"data", 1}}}, {"limit", 1}}, "cannot read an attachment",
        [&](const bson_t& chunk) {
          bson_iter_t field;
          if (!bson_iter_init_find(&field, &chunk, "data") || !BSON_ITER_HOLDS_BINARY(&field)) {
            return;
          }
          bson_subtype_t subtype{};
          std::uint32_t size = 0;
          const std::uint8_t* data = nullptr;
          bson_iter_binary(&field, &subtype, &size, &data);
          if (size != expected) return;
          chunk_.assign(data, data + size);
          complete = true;
        }));
    if (!complete) {
      return Fail(Error::Internal(
          fmt::format("chunk {} of the stored content {} is missing or damaged", number, sha256_)));
    }
    taken_ = 0;
    return Ok();
  }

  std::shared_ptr<MongoPool> pool_;
  std::string sha256_;
  std::int64_t length_;
  std::int64_t chunk_size_;
  std::vector<char> chunk_;  // the chunk being handed out
  std::size_t taken_ = 0;    // of chunk_
  std::int64_t handed_out_ = 0;
};

class GridFsAttachmentStore final : public AttachmentStore {
 public:
  explicit GridFsAttachmentStore(std::shared_ptr<MongoPool> pool) : pool_(std::move(pool)) {}

  std::string_view bucket() const override { return kAttachmentBucket; }

  Status Save(const StoredAttachment& a, std::string_view content) override {
    CLINIC_TRY_STATUS(SaveContent(a.sha256, content));
    const object record{
        {"_id", a.file_id},
        {"file_name", a.file_name},
        {"mime_type", a.mime_type},
        {"size_bytes", object{{"$numberLong", std::to_string(a.size_bytes)}}},
        {"sha256", a.sha256},
        {"uploaded_by", object{{"role", domain::Name(a.uploaded_by_role)},
                               {"id", object{{"$numberLong", std::to_string(a.uploaded_by_id)}}}}},
        {"uploaded_at", Date(a.uploaded_at)}};
    CLINIC_ASSIGN_OR_RETURN(auto document, ToBson(record));
    PooledClient client(*pool_);
    Collection records(client, pool_->database(), kAttachmentRecordsCollection);
    bson_error_t error;
    if (!mongoc_collection_insert_one(records.get(), document.get(), nullptr, nullptr, &error)) {
      return Fail(FromDriver(error, "could not store the attachment record"));
    }
    return Ok();
  }

  Result<std::optional<StoredAttachment>> Find(const std::string& file_id) override {
    std::optional<value> found;
    CLINIC_TRY_STATUS(FindFirst(*pool_, kAttachmentRecordsCollection, object{{"_id", file_id}},
                                object{}, "could not read an attachment record",
                                [&](const bson_t& record) {
                                  auto json = ToJson(&record);
                                  if (json) found = std::move(*json);
                                }));
    if (!found) return std::optional<StoredAttachment>{};
    return Parse(*found);
  }

  Result<RepairReport> RepairUnreadable() override {
    return RepairStrings(*pool_, kAttachmentRecordsCollection, [](const bson_t* record) {
      auto json = ToJson(record);
      return json && Parse(*json).has_value();
    });
  }

  Result<std::int64_t> BytesUploadedSince(domain::Role role, Id id, Instant since) override {
    CLINIC_ASSIGN_OR_RETURN(
        auto query, ToBson(object{{"uploaded_by.role", domain::Name(role)},
                                  {"uploaded_by.id", object{{"$numberLong", std::to_string(id)}}},
                                  {"uploaded_at", object{{"$gte", Date(since)}}}}));
    CLINIC_ASSIGN_OR_RETURN(auto opts, ToBson(object{{"projection", object{{"size_bytes", 1}}}}));
    PooledClient client(*pool_);
    Collection records(client, pool_->database(), kAttachmentRecordsCollection);
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(records.get(), query.get(), opts.get(), nullptr);
    const bson_t* document = nullptr;
    std::int64_t total = 0;
    bool readable = true;
    while (mongoc_cursor_next(cursor, &document)) {
      auto json = ToJson(document);
      const auto* size =
          json && json->is_object() ? json->get_object().if_contains("size_bytes") : nullptr;
      const auto bytes = size != nullptr ? ExtendedJsonInt(*size) : std::nullopt;
      readable = readable && bytes.has_value();
      total += bytes.value_or(0);
    }
    bson_error_t error;
    const bool failed = mongoc_cursor_error(cursor, &error);
    mongoc_cursor_destroy(cursor);
    if (failed) return Fail(FromDriver(error, "could not sum an account's uploads"));
    if (!readable) return Fail(Error::Internal("a stored attachment record is not readable"));
    return total;
  }

  Result<std::unique_ptr<ByteReader>> OpenContent(const std::string& sha256) override {
    bool exists = false;
    std::optional<std::int64_t> length;
    std::optional<std::int64_t> chunk_size;
    CLINIC_TRY_STATUS(
        FindFirst(*pool_, kAttachmentBucketFiles, object{{"_id", sha256}},
                  object{{"projection", object{{"length", 1}, {"chunkSize", 1}}}, {"limit", 1}},
                  "cannot read an attachment", [&](const bson_t& file) {
                    exists = true;
                    length = NumberField(file, "length");
                    chunk_size = NumberField(file, "chunkSize");
                  }));
    if (!exists) return Fail(Error::NotFound(fmt::format("no stored content {}", sha256)));
    if (!length || *length < 0 || !chunk_size || *chunk_size <= 0) {
      return Fail(Error::Internal(fmt::format("the stored content {} is not readable", sha256)));
    }
    return std::unique_ptr<ByteReader>(
        std::make_unique<GridFsReader>(pool_, sha256, *length, *chunk_size));
  }

  Status SaveContent(const std::string& sha256, std::string_view content) override {
    CLINIC_ASSIGN_OR_RETURN(const bool exists, ContentExists(sha256));
    if (exists) return Ok();
    Bucket bucket(*pool_);
    CLINIC_TRY_STATUS(bucket.Open());
    const bson_value_t id = StringValue(sha256);
    bson_error_t error;
    mongoc_stream_t* stream = mongoc_gridfs_bucket_open_upload_stream_with_id(
        bucket.get(), &id, sha256.c_str(), nullptr, &error);
    if (stream == nullptr) return Fail(FromDriver(error, "cannot store an attachment"));
    std::size_t written = 0;
    bool failed = false;
    while (!failed && written < content.size()) {
      const ssize_t n = mongoc_stream_write(stream, const_cast<char*>(content.data() + written),
                                            content.size() - written, kStreamTimeoutMs);
      failed = n <= 0;
      if (!failed) written += static_cast<std::size_t>(n);
    }
    // Closing writes the last chunk and the files document.
    failed = mongoc_stream_close(stream) != 0 || failed;
    if (failed) mongoc_gridfs_bucket_stream_error(stream, &error);
    mongoc_stream_destroy(stream);
    if (!failed) return Ok();
    // The same bytes uploaded at the same moment: the other upload stored them.
    CLINIC_ASSIGN_OR_RETURN(const bool stored_by_another, ContentExists(sha256));
    if (stored_by_another) return Ok();
    return Fail(FromDriver(error, "cannot store an attachment"));
  }

 private:
  Result<bool> ContentExists(const std::string& sha256) {
    CLINIC_ASSIGN_OR_RETURN(auto query, ToBson(object{{"_id", sha256}}));
    PooledClient client(*pool_);
    Collection files(client, pool_->database(), kAttachmentBucketFiles);
    bson_error_t error;
    const std::int64_t count = mongoc_collection_count_documents(files.get(), query.get(), nullptr,
                                                                 nullptr, nullptr, &error);
    if (count < 0) return Fail(FromDriver(error, "cannot look up an attachment"));
    return count > 0;
  }

  // A record as Save wrote it, in canonical extended JSON.
  static Result<std::optional<StoredAttachment>> Parse(const value& json) {
    static const object kNone;
    const object& record = json.is_object() ? json.get_object() : kNone;
    const auto field = [](const object& o, std::string_view key) -> const value& {
      static const value kNull;
      const auto* found = o.if_contains(key);
      return found != nullptr ? *found : kNull;
    };
    const auto text = [&](std::string_view key) {
      const auto& v = field(record, key);
      return v.is_string() ? std::string(v.get_string()) : std::string();
    };
    const auto& by = field(record, "uploaded_by");
    const object& uploader = by.is_object() ? by.get_object() : kNone;
    const auto& role_name = field(uploader, "role");
    const auto role =
        role_name.is_string() ? domain::ParseRole(role_name.get_string()) : std::nullopt;
    const auto uploader_id = ExtendedJsonInt(field(uploader, "id"));
    const auto bytes = ExtendedJsonInt(field(record, "size_bytes"));
    const auto& at = field(record, "uploaded_at");
    const auto millis =
        at.is_object() ? ExtendedJsonInt(field(at.get_object(), "$date")) : std::nullopt;
    if (!role || !uploader_id || !bytes || !millis) {
      return Fail(Error::Internal("a stored attachment record is not readable"));
    }
    return std::optional<StoredAttachment>{StoredAttachment{
        .file_id = text("_id"),
        .file_name = text("file_name"),
        .mime_type = text("mime_type"),
        .size_bytes = *bytes,
        .sha256 = text("sha256"),
        .uploaded_by_role = *role,
        .uploaded_by_id = *uploader_id,
        .uploaded_at =
            Instant{std::chrono::floor<std::chrono::seconds>(std::chrono::milliseconds(*millis))}}};
  }

  std::shared_ptr<MongoPool> pool_;
};

}  // namespace

Result<std::unique_ptr<AttachmentStore>> OpenGridFsAttachmentStore(
    std::shared_ptr<MongoPool> pool) {
  // What an account uploaded lately is summed at every upload (the quota).
  const object uploader_index{
      {"name", "uploader_uploaded"},
      {"key", object{{"uploaded_by.role", 1}, {"uploaded_by.id", 1}, {"uploaded_at", 1}}}};
  CLINIC_TRY_STATUS(pool->SetUp(
      object{{"createIndexes", kAttachmentRecordsCollection}, {"indexes", array{uploader_index}}},
      "could not create the attachment indexes"));
  return std::unique_ptr<AttachmentStore>(std::make_unique<GridFsAttachmentStore>(std::move(pool)));
}

Result<DocumentStores> OpenMongoDocumentStores(const std::string& uri, ServerAtOpen server) {
  CLINIC_ASSIGN_OR_RETURN(auto pool, MongoPool::Open(uri, server));
  CLINIC_ASSIGN_OR_RETURN(auto messages, OpenMongoMessageStore(pool));
  CLINIC_ASSIGN_OR_RETURN(auto attachments, OpenGridFsAttachmentStore(std::move(pool)));
  return DocumentStores{.messages = std::move(messages), .attachments = std::move(attachments)};
}

}  // namespace clinic::storage::mongo
