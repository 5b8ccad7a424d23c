#include "clinic/storage/mongo/mongo_driver.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <utility>

namespace clinic::storage::mongo {
namespace {

using boost::json::object;
using boost::json::value;

constexpr const char* kDefaultDatabase = "clinic";
constexpr std::uint32_t kDuplicateKey = 11000;
constexpr std::int32_t kServerSelectionTimeoutMs = 5000;

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

Result<std::shared_ptr<MongoPool>> MongoPool::Open(const std::string& uri_text) {
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
  mongoc_uri_destroy(uri);
  if (pool == nullptr) return Fail(Error::InvalidField("--docs", "the MongoDB URI is not usable"));
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
  auto opened = std::make_shared<MongoPool>(pool, std::move(database));
  CLINIC_TRY_STATUS(opened->Ping());
  return opened;
}

MongoPool::MongoPool(mongoc_client_pool_t* pool, std::string database)
    : pool_(pool), database_(std::move(database)) {}

MongoPool::~MongoPool() { mongoc_client_pool_destroy(pool_); }

Status MongoPool::Ping() {
  PooledClient client(*this);
  CLINIC_ASSIGN_OR_RETURN(auto command, ToBson(object{{"ping", 1}}));
  bson_error_t error;
  bson_t reply;
  const bool ok = mongoc_client_command_simple(client.get(), database_.c_str(), command.get(),
                                               nullptr, &reply, &error);
  bson_destroy(&reply);
  if (!ok) return Fail(FromDriver(error, "the document store does not answer"));
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

}  // namespace clinic::storage::mongo
