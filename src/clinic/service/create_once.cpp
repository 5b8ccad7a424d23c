#include "clinic/service/create_once.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace clinic::service::create_once_detail {
namespace {

constexpr std::size_t kMaxKeyLength = 255;

}  // namespace

Error KeyReused() {
  return Error::InvalidField(
      "Idempotency-Key", "was already used for a different request; use a new key for a new one");
}

// Keys are opaque to the server; visible ASCII keeps them safe in logs and the database.
Status CheckKey(const domain::RequestContext& context) {
  if (!context.idempotency) return Ok();
  const std::string& key = context.idempotency->key;
  const bool visible =
      std::all_of(key.begin(), key.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (key.empty() || key.size() > kMaxKeyLength || !visible) {
    return Fail(Error::InvalidField(
        "Idempotency-Key", fmt::format("must be 1 to {} visible ASCII characters", kMaxKeyLength)));
  }
  return Ok();
}

Result<std::optional<storage::IdempotencyRecord>> FindEarlier(storage::Transaction& tx,
                                                              const domain::RequestContext& context,
                                                              std::string_view operation) {
  const auto& [key, request_hash] = *context.idempotency;
  const auto& actor = context.actor;
  CLINIC_ASSIGN_OR_RETURN(auto earlier,
                          tx.idempotency().Find(actor.role, actor.id, operation, key));
  if (earlier && earlier->request_hash != request_hash) return Fail(KeyReused());
  return earlier;
}

Result<std::optional<storage::IdempotencyRecord>> FindOrReserve(
    storage::Transaction& tx, Instant now, const domain::RequestContext& context,
    std::string_view operation) {
  CLINIC_ASSIGN_OR_RETURN(auto earlier, FindEarlier(tx, context, operation));
  if (earlier) return earlier;
  const auto& actor = context.actor;
  auto reserved = tx.idempotency().Reserve({.actor_role = actor.role,
                                            .actor_id = actor.id,
                                            .operation = std::string(operation),
                                            .key = context.idempotency->key,
                                            .request_hash = context.idempotency->request_hash,
                                            .created_at = now});
  if (!reserved && reserved.error().code == ErrorCode::kAlreadyExists) {
    return Fail(Error::Aborted("a request with this Idempotency-Key is being processed"));
  }
  CLINIC_TRY_STATUS(std::move(reserved));
  return std::optional<storage::IdempotencyRecord>{};
}

Status Attach(storage::Transaction& tx, const domain::RequestContext& context,
              std::string_view operation, const storage::CreatedResource& made) {
  const auto& actor = context.actor;
  return tx.idempotency().Attach(actor.role, actor.id, operation, context.idempotency->key, made);
}

}  // namespace clinic::service::create_once_detail
