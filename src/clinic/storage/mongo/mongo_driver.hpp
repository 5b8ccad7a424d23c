#pragma once

#include <mongoc/mongoc.h>

#include <boost/json/value.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/storage/message_store.hpp"
#include "clinic/storage/mongo/mongo_attachment_store.hpp"

namespace clinic::storage::mongo {

// Owns a heap BSON document. (std::unique_ptr<bson_t> would drop bson_t's alignment attribute.)
class Bson {
 public:
  explicit Bson(bson_t* document) : document_(document) {}
  Bson(Bson&& other) noexcept;
  Bson& operator=(Bson&&) = delete;
  Bson(const Bson&) = delete;
  Bson& operator=(const Bson&) = delete;
  ~Bson();
  const bson_t* get() const { return document_; }
  bson_t* get() { return document_; }

 private:
  bson_t* document_;
};

// Canonical extended JSON ↔ BSON.
Result<Bson> ToBson(const boost::json::value& json);
Result<boost::json::value> ToJson(const bson_t* document);

// Driver errors stop here: unreachable servers become kUnavailable, duplicate keys
// kAlreadyExists, the rest kInternal.
Error FromDriver(const bson_error_t& error, std::string_view what);

// Extended JSON values.
boost::json::value Date(Instant t);
boost::json::value Oid(const std::string& id);

// Destroys a cursor that has been read to its end and returns `status`, or, when that is Ok, the
// driver's error if the reading stopped on one.
Status EndCursor(mongoc_cursor_t* cursor, Status status, std::string_view what);

// The document's _id for a log line or a report: the hex digits of an ObjectId, anything else as
// extended JSON.
std::string DocumentId(const bson_t* document);

// One libmongoc client pool and the database the URI names ("clinic" when it names none), shared
// by the stores of one server, and a client of its own for Ping. The driver logs into spdlog.
// Thread-safe.
class MongoPool {
 public:
  // kInvalidArgument for a URI the driver refuses; kUnavailable when no server answers and
  // `server` is kMustAnswer.
  static Result<std::shared_ptr<MongoPool>> Open(const std::string& uri,
                                                 ServerAtOpen server = ServerAtOpen::kMustAnswer);
  MongoPool(mongoc_client_pool_t* pool, mongoc_client_t* ping_client, std::string database);
  ~MongoPool();
  MongoPool(const MongoPool&) = delete;
  MongoPool& operator=(const MongoPool&) = delete;

  mongoc_client_pool_t* get() const { return pool_; }
  const std::string& database() const { return database_; }

  // Whether a server answers, for /health: at once when it refuses connections, within a second
  // when it does not answer (an operation through the pool waits for a server up to the URI's
  // serverSelectionTimeoutMS, 5 s by default, which would leave a health probe stuck). Once one
  // answers, runs the set-up commands that were waiting for it.
  Status Ping();
  // Runs a command a store needs once (its indexes: they make queries fast, not right) now, or,
  // when no server has answered yet, after the first Ping that reaches one.
  Status SetUp(boost::json::value command, std::string what);

 private:
  Status WriteCommand(const boost::json::value& command, std::string_view what);
  Status RunWaitingSetUp();

  mongoc_client_pool_t* pool_;
  std::string database_;
  std::mutex ping_mutex_;
  mongoc_client_t* ping_client_;  // a single-threaded client: used under ping_mutex_ only
  bool answered_ = false;         // whether the latest Ping reached a server
  std::vector<std::pair<boost::json::value, std::string>> waiting_set_up_;
};

// A client borrowed from the pool for one operation.
class PooledClient {
 public:
  explicit PooledClient(const MongoPool& pool)
      : pool_(pool.get()), client_(mongoc_client_pool_pop(pool_)) {}
  ~PooledClient() { mongoc_client_pool_push(pool_, client_); }
  PooledClient(const PooledClient&) = delete;
  PooledClient& operator=(const PooledClient&) = delete;
  mongoc_client_t* get() const { return client_; }

 private:
  mongoc_client_pool_t* pool_;
  mongoc_client_t* client_;
};

// A collection handle of a borrowed client.
class Collection {
 public:
  Collection(const PooledClient& client, const std::string& database, const char* name)
      : collection_(mongoc_client_get_collection(client.get(), database.c_str(), name)) {}
  ~Collection() { mongoc_collection_destroy(collection_); }
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;
  mongoc_collection_t* get() const { return collection_; }

 private:
  mongoc_collection_t* collection_;
};

// Whether a string of the document (at any depth) is not strict UTF-8 (RFC 3629: libbson's own
// check lets UTF-16 surrogates through, which its JSON writer then refuses).
bool HoldsInvalidUtf8(const bson_t* document);

// Rewrites each document of `collection` that `readable` refuses with every byte of its strings
// that is not strict UTF-8 replaced by U+FFFD (MessageStore and AttachmentStore's
// RepairUnreadable). A document still unreadable after that is left as it is and named in
// `unrepairable`; readable ones are not touched.
Result<RepairReport> RepairStrings(const MongoPool& pool, const char* collection,
                                   bool (*readable)(const bson_t*));

}  // namespace clinic::storage::mongo
