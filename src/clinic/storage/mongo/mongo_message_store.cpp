#include "clinic/storage/mongo/mongo_message_store.hpp"

#include <fmt/format.h>
#include <mongoc/mongoc.h>

#include <set>
#include <utility>

#include "clinic/storage/message_document.hpp"
#include "clinic/storage/mongo/mongo_collections.hpp"
#include "clinic/storage/mongo/mongo_driver.hpp"

namespace clinic::storage::mongo {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

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

Result<domain::Message> ReadMessage(const bson_t* document) {
  auto json = ToJson(document);
  if (!json && HoldsInvalidUtf8(document)) {
    return Fail(Error::Internal("a stored message is not valid UTF-8"));
  }
  if (!json) return Fail(json.error());
  return MessageFromDocument(*json, DocumentDialect::kExtended);
}

class MongoMessageStore final : public MessageStore {
 public:
  explicit MongoMessageStore(std::shared_ptr<MongoPool> pool) : pool_(std::move(pool)) {}

  std::string_view backend() const override { return "mongodb"; }

  Status Ping() override { return pool_->Ping(); }

  Status CreateIndexes() {
    const auto index = [](const char* name, object keys) {
      return object{{"name", name}, {"key", std::move(keys)}};
    };
    return pool_->SetUp(
        object{{"createIndexes", kMessagesCollection},
               {"indexes",
                array{index("thread_created", object{{"thread_id", 1}, {"meta.created_at", 1}}),
                      index("patient_created",
                            object{{"relationalRefs.patient_id", 1}, {"meta.created_at", -1}}),
                      index("doctor_created",
                            object{{"relationalRefs.doctor_id", 1}, {"meta.created_at", -1}}),
                      index("tags", object{{"tags", 1}}),
                      index("created", object{{"meta.created_at", 1}, {"_id", 1}}),
                      index("attachment_files", object{{"attachments.file_id", 1}})}}},
        "could not create the message indexes");
  }

  Status Insert(const domain::Message& message) override {
    PooledClient client(*pool_);
    Collection messages(client, pool_->database(), kMessagesCollection);
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
    PooledClient client(*pool_);
    Collection messages(client, pool_->database(), kMessagesCollection);
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
    CLINIC_TRY_STATUS(EndCursor(cursor, std::move(status), "could not count unread messages"));
    return counts;
  }

  Result<std::vector<domain::Message>> ListCreatedSince(Instant since, int limit) override {
    return Find(object{{"meta.created_at", object{{"$gte", Date(since)}}}},
                object{{"sort", object{{"meta.created_at", 1}, {"_id", 1}}},
                       {"limit", std::max(limit, 1)}});
  }

  Result<std::vector<Id>> AppointmentsWithFile(const std::string& file_id) override {
    CLINIC_ASSIGN_OR_RETURN(auto query, ToBson(object{{"attachments.file_id", file_id}}));
    CLINIC_ASSIGN_OR_RETURN(
        auto opts, ToBson(object{{"projection", object{{"relationalRefs.appointment_id", 1}}}}));
    PooledClient client(*pool_);
    Collection messages(client, pool_->database(), kMessagesCollection);
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(messages.get(), query.get(), opts.get(), nullptr);
    std::set<Id> appointments;
    const bson_t* document = nullptr;
    while (mongoc_cursor_next(cursor, &document)) {
      bson_iter_t it;
      if (bson_iter_init(&it, document) &&
          bson_iter_find_descendant(&it, "relationalRefs.appointment_id", &it)) {
        appointments.insert(bson_iter_as_int64(&it));
      }
    }
    CLINIC_TRY_STATUS(EndCursor(cursor, Ok(), "could not find the messages of an attachment"));
    return std::vector<Id>(appointments.begin(), appointments.end());
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

  Result<RepairReport> RepairUnreadable() override {
    return RepairStrings(*pool_, kMessagesCollection,
                         [](const bson_t* document) { return ReadMessage(document).has_value(); });
  }

 private:
  Result<std::vector<domain::Message>> Find(const object& filter, const object& options) {
    CLINIC_ASSIGN_OR_RETURN(auto query, ToBson(filter));
    CLINIC_ASSIGN_OR_RETURN(auto opts, ToBson(options));
    PooledClient client(*pool_);
    Collection messages(client, pool_->database(), kMessagesCollection);
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(messages.get(), query.get(), opts.get(), nullptr);
    std::vector<domain::Message> found;
    const bson_t* document = nullptr;
    while (mongoc_cursor_next(cursor, &document)) {
      auto message = ReadMessage(document);
      if (!message) {
        LogUnreadableMessage(DocumentId(document), message.error());
        continue;
      }
      found.push_back(std::move(*message));
    }
    CLINIC_TRY_STATUS(EndCursor(cursor, Ok(), "could not read messages"));
    return found;
  }

  // Returns the number of documents the filter matched.
  Result<std::int64_t> UpdateMany(const object& filter, const object& update) {
    CLINIC_ASSIGN_OR_RETURN(auto selector, ToBson(filter));
    CLINIC_ASSIGN_OR_RETURN(auto changes, ToBson(update));
    PooledClient client(*pool_);
    Collection messages(client, pool_->database(), kMessagesCollection);
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

  std::shared_ptr<MongoPool> pool_;
};

}  // namespace

Result<std::unique_ptr<MessageStore>> OpenMongoMessageStore(std::shared_ptr<MongoPool> pool) {
  auto store = std::make_unique<MongoMessageStore>(std::move(pool));
  CLINIC_TRY_STATUS(store->CreateIndexes());
  return std::unique_ptr<MessageStore>(std::move(store));
}

}  // namespace clinic::storage::mongo
