#include "clinic/storage/mongo/mongo_message_store.hpp"

#include <fmt/format.h>
#include <mongoc/mongoc.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <utility>

#include "clinic/storage/documents/message_document.hpp"

namespace clinic::storage {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr const char* kDefaultDatabase = "clinic";
constexpr const char* kCollection = "messages";
constexpr std::uint32_t kDuplicateKey = 11000;

// Owns a heap BSON document. (std::unique_ptr<bson_t> would drop bson_t's alignment attribute.)
class Bson {
 public:
  explicit Bson(bson_t* document) : document_(document) {}
  Bson(Bson&& other) noexcept : document_(std::exchange(other.document_, nullptr)) {}
  Bson& operator=(Bson&&) = delete;
  Bson(const Bson&) = delete;
  Bson& operator=(const Bson&) = delete;
  ~Bson() {
    if (document_ != nullptr) bson_destroy(document_);
  }
  const bson_t* get() const { return document_; }

 private:
  bson_t* document_;
};

// Canonical extended JSON → BSON.
Result<Bson> ToBson(const value& json) {
  const auto text = boost::json::serialize(json);
  bson_error_t error;
  bson_t* b = bson_new_from_json(reinterpret_cast<const std::uint8_t*>(text.data()),
                                 static_cast<ssize_t>(text.size()), &error);
  if (b == nullptr) return Fail(Error::Internal(fmt::format("bad BSON: {}", error.message)));
  return Bson(b);
}

Result<value> ToJson(const bson_t* b) {
  std::size_t length = 0;
  char* text = bson_as_canonical_extended_json(b, &length);
  if (text == nullptr) return Fail(Error::Internal("a BSON document could not be read"));
  boost::system::error_code error;
  auto json = boost::json::parse(std::string_view(text, length), error);
  bson_free(text);
  if (error) return Fail(Error::Internal("a BSON document could not be read"));
  return json;
}

// Driver errors stop here: unreachable servers become kUnavailable, duplicate keys
// kAlreadyExists, the rest kInternal.
Error FromDriver(const bson_error_t& error, std::string_view what) {
  const auto message = fmt::format("{}: {}", what, error.message);
  if (error.code == kDuplicateKey) return Error::AlreadyExists(message);
  if (error.domain == MONGOC_ERROR_STREAM || error.domain == MONGOC_ERROR_SERVER_SELECTION) {
    return Error::Unavailable(message);
  }
  return Error::Internal(message);
}

value Date(Instant t) {
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return object{{"$date", object{{"$numberLong", std::to_string(millis)}}}};
}

value Oid(const std::string& id) { return object{{"$oid", id}}; }

// Messages at or before (inclusive) / strictly before a position, newest-first order.
value PositionFilter(const MessagePosition& at, bool inclusive) {
  return object{{"$or", array{object{{"meta.created_at", object{{"$lt", Date(at.created_at)}}}},
                              object{{"meta.created_at", Date(at.created_at)},
                                     {"_id", object{{inclusive ? "$lte" : "$lt", Oid(at.id)}}}}}}};
}

// Not the reader's own and without a receipt from them.
void AddUnreadBy(object& filter, const MessageReader& reader) {
  const std::string role(domain::Name(reader.role));
  filter["$nor"] =
      array{object{{"author.role", role}, {"author.id", reader.id}},
            object{{"read_receipts",
                    object{{"$elemMatch", object{{"user_role", role}, {"user_id", reader.id}}}}}}};
}

void InitDriverOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    mongoc_init();
    // The driver's own log goes to ours: warnings and errors as such, its chatter as debug.
    mongoc_log_set_handler(
        [](mongoc_log_level_t level, const char* domain, const char* message, void*) {
          const auto spd = level <= MONGOC_LOG_LEVEL_ERROR     ? spdlog::level::err
                           : level == MONGOC_LOG_LEVEL_WARNING ? spdlog::level::warn
                           : level == MONGOC_LOG_LEVEL_MESSAGE ? spdlog::level::info
                                                               : spdlog::level::debug;
          spdlog::log(spd, "mongoc {}: {}", domain, message);
        },
        nullptr);
    // The driver is cleaned up by the process exit; mongoc_cleanup would race late users.
  });
}

class MongoMessageStore final : public MessageStore {
 public:
  MongoMessageStore(mongoc_client_pool_t* pool, std::string database)
      : pool_(pool), database_(std::move(database)) {}
  ~MongoMessageStore() override { mongoc_client_pool_destroy(pool_); }
  MongoMessageStore(const MongoMessageStore&) = delete;
  MongoMessageStore& operator=(const MongoMessageStore&) = delete;

  std::string_view backend() const override { return "mongodb"; }

  Status Ping() override {
    Client client(pool_);
    CLINIC_ASSIGN_OR_RETURN(auto command, ToBson(object{{"ping", 1}}));
    bson_error_t error;
    bson_t reply;
    const bool ok = mongoc_client_command_simple(client.get(), database_.c_str(), command.get(),
                                                 nullptr, &reply, &error);
    bson_destroy(&reply);
    if (!ok) return Fail(FromDriver(error, "the document store does not answer"));
    return Ok();
  }

  Status CreateIndexes() {
    Client client(pool_);
    const auto index = [](const char* name, object keys) {
      return object{{"name", name}, {"key", std::move(keys)}};
    };
    CLINIC_ASSIGN_OR_RETURN(
        auto command,
        ToBson(
            object{{"createIndexes", kCollection},
                   {"indexes",
                    array{index("thread_created", object{{"thread_id", 1}, {"meta.created_at", 1}}),
                          index("patient_created",
                                object{{"relationalRefs.patient_id", 1}, {"meta.created_at", -1}}),
                          index("doctor_created",
                                object{{"relationalRefs.doctor_id", 1}, {"meta.created_at", -1}}),
                          index("tags", object{{"tags", 1}})}}}));
    bson_error_t error;
    bson_t reply;
    const bool ok = mongoc_client_write_command_with_opts(client.get(), database_.c_str(),
                                                          command.get(), nullptr, &reply, &error);
    bson_destroy(&reply);
    if (!ok) return Fail(FromDriver(error, "could not create the message indexes"));
    return Ok();
  }

  Status Insert(const domain::Message& message) override {
    Client client(pool_);
    Collection messages(client.get(), database_);
    CLINIC_ASSIGN_OR_RETURN(auto document,
                            ToBson(MessageToDocument(message, DocumentDialect::kExtended)));
    bson_error_t error;
    if (!mongoc_collection_insert_one(messages.get(), document.get(), nullptr, nullptr, &error)) {
      return Fail(FromDriver(error, "could not store the message"));
    }
    return Ok();
  }

  Result<std::optional<domain::Message>> Get(const std::string& id) override {
    CLINIC_ASSIGN_OR_RETURN(auto found, Find(object{{"_id", Oid(id)}}, object{{"limit", 1}}));
    if (found.empty()) return std::optional<domain::Message>{};
    return std::optional<domain::Message>{std::move(found.front())};
  }

  Result<std::vector<domain::Message>> ListThread(const std::string& thread_id,
                                                  const std::optional<MessagePosition>& before,
                                                  int limit) override {
    object filter{{"thread_id", thread_id}};
    if (before) filter["$and"] = array{PositionFilter(*before, /*inclusive=*/false)};
    return Find(filter, object{{"sort", object{{"meta.created_at", -1}, {"_id", -1}}},
                               {"limit", std::max(limit, 1) + 1}});
  }

  Result<std::int64_t> MarkRead(const std::string& thread_id, const MessagePosition& up_to,
                                const MessageReader& reader, Instant at) override {
    object filter{{"thread_id", thread_id},
                  {"$and", array{PositionFilter(up_to, /*inclusive=*/true)}}};
    AddUnreadBy(filter, reader);
    const object update{
        {"$push", object{{"read_receipts", object{{"user_role", domain::Name(reader.role)},
                                                  {"user_id", reader.id},
                                                  {"read_at", Date(at)}}}}}};
    return UpdateMany(filter, update);
  }

  Result<std::vector<ThreadUnread>> UnreadCounts(const MessageReader& reader) override {
    const char* participant = reader.role == domain::Role::kPatient  ? "relationalRefs.patient_id"
                              : reader.role == domain::Role::kDoctor ? "relationalRefs.doctor_id"
                                                                     : nullptr;
    if (participant == nullptr) return std::vector<ThreadUnread>{};
    object match{{participant, reader.id}};
    AddUnreadBy(match, reader);
    CLINIC_ASSIGN_OR_RETURN(
        auto pipeline,
        ToBson(object{
            {"pipeline",
             array{object{{"$match", std::move(match)}},
                   object{{"$group", object{{"_id", "$thread_id"},
                                            {"appointment_id",
                                             object{{"$first", "$relationalRefs.appointment_id"}}},
                                            {"unread", object{{"$sum", 1}}}}}},
                   object{{"$sort", object{{"_id", 1}}}}}}}));
    Client client(pool_);
    Collection messages(client.get(), database_);
    mongoc_cursor_t* cursor = mongoc_collection_aggregate(messages.get(), MONGOC_QUERY_NONE,
                                                          pipeline.get(), nullptr, nullptr);
    std::vector<ThreadUnread> counts;
    const bson_t* row = nullptr;
    Status status = Ok();
    while (status && mongoc_cursor_next(cursor, &row)) {
      auto json = ToJson(row);
      if (!json) {
        status = Fail(json.error());
        break;
      }
      const auto& group = json->as_object();
      const auto number = [&](std::string_view key) {
        return ExtendedJsonInt(group.at(key)).value_or(0);
      };
      counts.push_back(
          {std::string(group.at("_id").as_string()), number("appointment_id"), number("unread")});
    }
    bson_error_t error;
    if (status && mongoc_cursor_error(cursor, &error)) {
      status = Fail(FromDriver(error, "could not count unread messages"));
    }
    mongoc_cursor_destroy(cursor);
    CLINIC_TRY_STATUS(status);
    return counts;
  }

  Result<bool> Edit(const std::string& id, std::int64_t expected_version,
                    const std::optional<std::string>& text,
                    const std::optional<std::string>& markdown, Instant at) override {
    const auto nullable = [](const std::optional<std::string>& v) {
      return v ? value(*v) : value(nullptr);
    };
    const object filter{{"_id", Oid(id)}, {"meta.version", expected_version}};
    const object update{{"$set", object{{"text", nullable(text)},
                                        {"rich_text.markdown", nullable(markdown)},
                                        {"meta.updated_at", Date(at)}}},
                        {"$inc", object{{"meta.version", 1}}}};
    CLINIC_ASSIGN_OR_RETURN(const auto matched, UpdateMany(filter, update));
    return matched == 1;
  }

 private:
  // A client borrowed from the pool for one operation.
  class Client {
   public:
    explicit Client(mongoc_client_pool_t* pool)
        : pool_(pool), client_(mongoc_client_pool_pop(pool)) {}
    ~Client() { mongoc_client_pool_push(pool_, client_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    mongoc_client_t* get() const { return client_; }

   private:
    mongoc_client_pool_t* pool_;
    mongoc_client_t* client_;
  };

  class Collection {
   public:
    Collection(mongoc_client_t* client, const std::string& database)
        : collection_(mongoc_client_get_collection(client, database.c_str(), kCollection)) {}
    ~Collection() { mongoc_collection_destroy(collection_); }
    Collection(const Collection&) = delete;
    Collection& operator=(const Collection&) = delete;
    mongoc_collection_t* get() const { return collection_; }

   private:
    mongoc_collection_t* collection_;
  };

  Result<std::vector<domain::Message>> Find(const object& filter, const object& options) {
    CLINIC_ASSIGN_OR_RETURN(auto query, ToBson(filter));
    CLINIC_ASSIGN_OR_RETURN(auto opts, ToBson(options));
    Client client(pool_);
    Collection messages(client.get(), database_);
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(messages.get(), query.get(), opts.get(), nullptr);
    std::vector<domain::Message> found;
    const bson_t* document = nullptr;
    Status status = Ok();
    while (mongoc_cursor_next(cursor, &document)) {
      auto message = ToJson(document).and_then(
          [](const value& json) { return MessageFromDocument(json, DocumentDialect::kExtended); });
      if (!message) {
        status = Fail(message.error());
        break;
      }
      found.push_back(std::move(*message));
    }
    bson_error_t error;
    if (status && mongoc_cursor_error(cursor, &error)) {
      status = Fail(FromDriver(error, "could not read messages"));
    }
    mongoc_cursor_destroy(cursor);
    CLINIC_TRY_STATUS(status);
    return found;
  }

  // Returns the number of documents the filter matched.
  Result<std::int64_t> UpdateMany(const object& filter, const object& update) {
    CLINIC_ASSIGN_OR_RETURN(auto selector, ToBson(filter));
    CLINIC_ASSIGN_OR_RETURN(auto changes, ToBson(update));
    Client client(pool_);
    Collection messages(client.get(), database_);
    bson_t reply;
    bson_error_t error;
    const bool ok = mongoc_collection_update_many(messages.get(), selector.get(), changes.get(),
                                                  nullptr, &reply, &error);
    std::int64_t matched = 0;
    bson_iter_t it;
    if (ok && bson_iter_init_find(&it, &reply, "matchedCount")) matched = bson_iter_as_int64(&it);
    bson_destroy(&reply);
    if (!ok) return Fail(FromDriver(error, "could not update messages"));
    return matched;
  }

  mongoc_client_pool_t* pool_;
  std::string database_;
};

}  // namespace

Result<std::unique_ptr<MessageStore>> OpenMongoMessageStore(const std::string& uri_text) {
  InitDriverOnce();
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(uri_text.c_str(), &error);
  if (uri == nullptr) {
    return Fail(Error::InvalidField("--docs", fmt::format("not a MongoDB URI: {}", error.message)));
  }
  // Fail fast when the server is unreachable: the driver would otherwise wait 30 s.
  if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS)) {
    mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 5000);
  }
  const char* named = mongoc_uri_get_database(uri);
  std::string database = named != nullptr ? named : kDefaultDatabase;
  mongoc_client_pool_t* pool = mongoc_client_pool_new(uri);
  mongoc_uri_destroy(uri);
  if (pool == nullptr) return Fail(Error::InvalidField("--docs", "the MongoDB URI is not usable"));
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
  auto store = std::make_unique<MongoMessageStore>(pool, std::move(database));
  CLINIC_TRY_STATUS(store->Ping());
  CLINIC_TRY_STATUS(store->CreateIndexes());
  return std::unique_ptr<MessageStore>(std::move(store));
}

}  // namespace clinic::storage
