#include "clinic/storage/mongo/mongo_driver.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <utility>

#include "clinic/common/utf8.hpp"

namespace clinic::storage::mongo {
namespace {

using boost::json::object;
using boost::json::value;

constexpr const char* kDefaultDatabase = "clinic";
constexpr std::uint32_t kDuplicateKey = 11000;
constexpr std::int32_t kServerSelectionTimeoutMs = 5000;
constexpr std::int32_t kPingTimeoutMs = 1000;

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

// Copies `source` into `target`, replacing the bytes of every string that are not strict UTF-8
// by U+FFFD.
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

}  // namespace

Bson::Bson(Bson&& other) noexcept : document_(std::exchange(other.document_, nullptr)) {}

Bson::~Bson() {
  if (document_ != nullptr) bson_destroy(document_);
}

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

Status EndCursor(mongoc_cursor_t* cursor, Status status, std::string_view what) {
  bson_error_t error;
  if (status && mongoc_cursor_error(cursor, &error)) status = Fail(FromDriver(error, what));
  mongoc_cursor_destroy(cursor);
  return status;
}

std::string DocumentId(const bson_t* document) {
  bson_iter_t id;
  if (!bson_iter_init_find(&id, document, "_id")) return "without _id";
  if (BSON_ITER_HOLDS_OID(&id)) {
    char hex[25];
    bson_oid_to_string(bson_iter_oid(&id), hex);
    return hex;
  }
  Bson selector(bson_new());
  bson_append_iter(selector.get(), "_id", -1, &id);
  auto json = ToJson(selector.get());
  return json ? boost::json::serialize(*json) : "?";
}

Result<std::shared_ptr<MongoPool>> MongoPool::Open(const std::string& uri_text,
                                                   ServerAtOpen server) {
  InitDriverOnce();
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(uri_text.c_str(), &error);
  if (uri == nullptr) {
    return Fail(Error::InvalidField("--docs", fmt::format("not a MongoDB URI: {}", error.message)));
  }
  // Fail fast when the server is unreachable: the driver would otherwise wait 30 s.
  if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS)) {
    mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
                                   kServerSelectionTimeoutMs);
  }
  const char* named = mongoc_uri_get_database(uri);
  std::string database = named != nullptr ? named : kDefaultDatabase;
  mongoc_client_pool_t* pool = mongoc_client_pool_new(uri);
  // A single-threaded client tries a server once per selection (serverSelectionTryOnce) and, after
  // a failed try, fails at once for five seconds, so a ping never waits for the selection timeout.
  mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, kPingTimeoutMs);
  mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SOCKETTIMEOUTMS, kPingTimeoutMs);
  mongoc_uri_set_option_as_bool(uri, MONGOC_URI_SERVERSELECTIONTRYONCE, true);
  mongoc_client_t* ping_client = pool != nullptr ? mongoc_client_new_from_uri(uri) : nullptr;
  mongoc_uri_destroy(uri);
  if (ping_client == nullptr) {
    if (pool != nullptr) mongoc_client_pool_destroy(pool);
    return Fail(Error::InvalidField("--docs", "the MongoDB URI is not usable"));
  }
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_set_error_api(ping_client, MONGOC_ERROR_API_VERSION_2);
  auto opened = std::make_shared<MongoPool>(pool, ping_client, std::move(database));
  if (auto answered = opened->Ping(); !answered) {
    if (server == ServerAtOpen::kMustAnswer) return Fail(answered.error());
    spdlog::warn("{}: messages fail until it does", answered.error().message);
  }
  return opened;
}

MongoPool::MongoPool(mongoc_client_pool_t* pool, mongoc_client_t* ping_client, std::string database)
    : pool_(pool), database_(std::move(database)), ping_client_(ping_client) {}

MongoPool::~MongoPool() {
  mongoc_client_destroy(ping_client_);
  mongoc_client_pool_destroy(pool_);
}

Status MongoPool::Ping() {
  CLINIC_ASSIGN_OR_RETURN(auto command, ToBson(object{{"ping", 1}}));
  const std::scoped_lock lock(ping_mutex_);
  bson_error_t error;
  bson_t reply;
  answered_ = mongoc_client_command_simple(ping_client_, database_.c_str(), command.get(), nullptr,
                                           &reply, &error);
  bson_destroy(&reply);
  if (!answered_) return Fail(FromDriver(error, "the document store does not answer"));
  return RunWaitingSetUp();
}

Status MongoPool::SetUp(value command, std::string what) {
  {
    const std::scoped_lock lock(ping_mutex_);
    if (!answered_) {
      waiting_set_up_.emplace_back(std::move(command), std::move(what));
      return Ok();
    }
  }
  return WriteCommand(command, what);
}

Status MongoPool::RunWaitingSetUp() {
  while (!waiting_set_up_.empty()) {
    const auto& [command, what] = waiting_set_up_.front();
    CLINIC_TRY_STATUS(WriteCommand(command, what));
    waiting_set_up_.erase(waiting_set_up_.begin());
  }
  return Ok();
}

Status MongoPool::WriteCommand(const value& command_json, std::string_view what) {
  PooledClient client(*this);
  CLINIC_ASSIGN_OR_RETURN(auto command, ToBson(command_json));
  bson_error_t error;
  bson_t reply;
  const bool ok = mongoc_client_write_command_with_opts(client.get(), database_.c_str(),
                                                        command.get(), nullptr, &reply, &error);
  bson_destroy(&reply);
  if (!ok) return Fail(FromDriver(error, what));
  return Ok();
}

bool HoldsInvalidUtf8(const bson_t* document) {
  Bson clean(bson_new());
  CopyWithValidUtf8(document, clean.get());
  return !bson_equal(document, clean.get());
}

Result<RepairReport> RepairStrings(const MongoPool& pool, const char* collection,
                                   bool (*readable)(const bson_t*)) {
  PooledClient client(pool);
  Collection documents(client, pool.database(), collection);
  const Bson everything(bson_new());
  mongoc_cursor_t* cursor =
      mongoc_collection_find_with_opts(documents.get(), everything.get(), nullptr, nullptr);
  RepairReport repair;
  Status status = Ok();
  const bson_t* document = nullptr;
  while (status && mongoc_cursor_next(cursor, &document)) {
    ++repair.scanned;
    if (readable(document)) continue;
    bson_iter_t id;
    if (!bson_iter_init_find(&id, document, "_id")) continue;
    Bson selector(bson_new());
    bson_append_iter(selector.get(), "_id", -1, &id);
    Bson replacement(bson_new());
    CopyWithValidUtf8(document, replacement.get());
    if (!readable(replacement.get())) {
      repair.unrepairable.push_back(DocumentId(document));
      continue;
    }
    bson_error_t error;
    if (!mongoc_collection_replace_one(documents.get(), selector.get(), replacement.get(), nullptr,
                                       nullptr, &error)) {
      status =
          Fail(FromDriver(error, fmt::format("could not repair a document of {}", collection)));
      break;
    }
    ++repair.repaired;
  }
  CLINIC_TRY_STATUS(
      EndCursor(cursor, std::move(status), fmt::format("could not read the {}", collection)));
  return repair;
}

}  // namespace clinic::storage::mongo
