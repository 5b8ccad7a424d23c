#include "clinic/storage/mongo/mongo_message_store.hpp"

#include <fmt/format.h>
#include <mongoc/mongoc.h>

#include <boost/json/serialize.hpp>
#include <set>
#include <utility>

#include "clinic/common/utf8.hpp"
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

// Destroys a cursor that has been read to its end and returns `status`, or, when that is Ok, the
// driver's error if the reading stopped on one.
Status EndCursor(mongoc_cursor_t* cursor, Status status, std::string_view what) {
  bson_error_t error;
  if (status && mongoc_cursor_error(cursor, &error)) status = Fail(FromDriver(error, what));
  mongoc_cursor_destroy(cursor);
  return status;
}

// Copies `source` into `target`, replacing the bytes of every string that are not strict UTF-8
// by U+FFFD (RepairUnreadable).
void CopyWithValidUtf8(const bson_t* source, bson_t* target) {
  bson_iter_t it;
  if (!bson_iter_init(&it, source)) return;
  while (bson_iter_next(&it)) {
    const char* key = bson_iter_key(&it);
    const auto type = bson_iter_type(&it);
    if (type == BSON_TYPE_UTF8) {
      std::uint32_t length = 0;
      const char* text = bson_iter_utf8(&it, &length);
      const auto clean = SanitizeUtf8(std::string_view(text, length), std::size_t{length} * 3);
      bson_append_utf8(target, key, -1, clean.data(), static_cast<int>(clean.size()));
    } else if (type == BSON_TYPE_DOCUMENT || type == BSON_TYPE_ARRAY) {
      std::uint32_t length = 0;
      const std::uint8_t* data = nullptr;
      if (type == BSON_TYPE_DOCUMENT) {
        bson_iter_document(&it, &length, &data);
      } else {
        bson_iter_array(&it, &length, &data);
      }
      bson_t child;
      bson_t copy;
      if (!bson_init_static(&child, data, length)) continue;
      if (type == BSON_TYPE_DOCUMENT) {
        bson_append_document_begin(target, key, -1, &copy);
        CopyWithValidUtf8(&child, &copy);
        bson_append_document_end(target, &copy);
      } else {
        bson_append_array_begin(target, key, -1, &copy);
        CopyWithValidUtf8(&child, &copy);
        bson_append_array_end(target, &copy);
      }
    } else {
      bson_append_iter(target, key, -1, &it);
    }
  }
}

Result<domain::Message> ReadMessage(const bson_t* document) {
  CLINIC_ASSIGN_OR_RETURN(auto json, ToJson(document));
  return MessageFromDocument(json, DocumentDialect::kExtended);
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
    return pool_->WriteCommand(
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

  Result<MessageRepair> RepairUnreadable() override {
    PooledClient client(*pool_);
    Collection messages(client, pool_->database(), kMessagesCollection);
    const Bson everything(bson_new());
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(messages.get(), everything.get(), nullptr, nullptr);
    MessageRepair repair;
    Status status = Ok();
    const bson_t* document = nullptr;
    while (status && mongoc_cursor_next(cursor, &document)) {
      ++repair.scanned;
      if (ReadMessage(document)) continue;
      bson_iter_t id;
      if (!bson_iter_init_find(&id, document, "_id")) continue;
      Bson selector(bson_new());
      bson_append_iter(selector.get(), "_id", -1, &id);
      Bson replacement(bson_new());
      CopyWithValidUtf8(document, replacement.get());
      if (!ReadMessage(replacement.get())) {
        auto json = ToJson(selector.get());
        repair.unrepairable.push_back(json ? boost::json::serialize(*json) : "?");
        continue;
      }
      bson_error_t error;
      if (!mongoc_collection_replace_one(messages.get(), selector.get(), replacement.get(), nullptr,
                                         nullptr, &error)) {
        status = Fail(FromDriver(error, "could not repair a message"));
        break;
      }
      ++repair.repaired;
    }
    CLINIC_TRY_STATUS(EndCursor(cursor, std::move(status), "could not read messages"));
    return repair;
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
        LogUnreadableMessage(message.error());
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
