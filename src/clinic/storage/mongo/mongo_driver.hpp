#pragma once

#include <mongoc/mongoc.h>

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"

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

// One libmongoc client pool and the database the URI names ("clinic" when it names none), shared
// by the stores of one server. The driver logs into spdlog. Thread-safe.
class MongoPool {
 public:
  // kInvalidArgument for a URI the driver refuses; kUnavailable when no server answers within
  // 5 seconds (unless the URI sets serverSelectionTimeoutMS).
  static Result<std::shared_ptr<MongoPool>> Open(const std::string& uri);
  MongoPool(mongoc_client_pool_t* pool, std::string database);
  ~MongoPool();
  MongoPool(const MongoPool&) = delete;
  MongoPool& operator=(const MongoPool&) = delete;

  mongoc_client_pool_t* get() const { return pool_; }
  const std::string& database() const { return database_; }

  Status Ping();
  // Runs a write command (createIndexes, …) on the database.
  Status WriteCommand(const boost::json::value& command, std::string_view what);

 private:
  mongoc_client_pool_t* pool_;
  std::string database_;
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

}  // namespace clinic::storage::mongo
