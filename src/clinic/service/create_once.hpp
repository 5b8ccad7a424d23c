#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/ids.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// What a create answers: what it made, and whether an earlier request made it — a retry under the
// same Idempotency-Key (or the same transaction_ref) — in which case nothing was written now.
template <class T>
struct Created {
  T value;
  bool replayed = false;
};

// What a create may return instead of a bare id when it has read its answer while making it: the
// id of what it made (which the Idempotency-Key names) and the answer, so that CreateOnce answers
// it without reading it again.
template <class ResourceId, class T>
struct MadeWithAnswer {
  ResourceId id;
  T answer;
};

namespace create_once_detail {

// The id type of what a create returns: a bare id, or MadeWithAnswer's.
template <class Returned>
struct MadeId {
  using type = Returned;
};
template <class ResourceId, class T>
struct MadeId<MadeWithAnswer<ResourceId, T>> {
  using type = ResourceId;
};
template <class Create>
using MadeIdOf = typename MadeId<
    typename std::invoke_result_t<Create&, storage::Transaction&>::value_type>::type;

// kInvalidArgument naming Idempotency-Key: the key was used for a different request.
Error KeyReused();

// kInvalidArgument naming Idempotency-Key unless the context's key is 1–255 visible ASCII
// characters (or there is none).
Status CheckKey(const domain::RequestContext& context);

// In `tx`, for the context's key (which must be set): what an earlier request with the key
// recorded for `operation`, or nullopt. kInvalidArgument naming Idempotency-Key when the earlier
// request was a different one.
Result<std::optional<storage::IdempotencyRecord>> FindEarlier(storage::Transaction& tx,
                                                              const domain::RequestContext& context,
                                                              std::string_view operation);

// As FindEarlier, but when there is no earlier request the key is reserved for this one.
// kAborted, so that the store runs the transaction again, when a concurrent request reserved the
// key first.
Result<std::optional<storage::IdempotencyRecord>> FindOrReserve(
    storage::Transaction& tx, Instant now, const domain::RequestContext& context,
    std::string_view operation);

// Notes in `tx` what the reserved key made.
Status Attach(storage::Transaction& tx, const domain::RequestContext& context,
              std::string_view operation, const storage::CreatedResource& made);

// What an earlier request's create made, as that create named it: a row's id or a document's.
inline Id MadeBy(const storage::IdempotencyRecord& earlier, std::type_identity<Id>) {
  return earlier.resource_id;
}
inline std::string MadeBy(const storage::IdempotencyRecord& earlier,
                          std::type_identity<std::string>) {
  return earlier.document_id.value_or("");
}

// The answer `load(tx, id)` gives for what `earlier` made, as a replay.
template <class ResourceId, class Load>
auto Replay(storage::Transaction& tx, const storage::IdempotencyRecord& earlier, Load& load)
    -> Result<Created<
        typename std::invoke_result_t<Load&, storage::Transaction&, ResourceId>::value_type>> {
  using T = typename std::invoke_result_t<Load&, storage::Transaction&, ResourceId>::value_type;
  CLINIC_ASSIGN_OR_RETURN(auto first, load(tx, MadeBy(earlier, std::type_identity<ResourceId>{})));
  return Created<T>{.value = std::move(first), .replayed = true};
}

}  // namespace create_once_detail

// Runs a create in one write transaction, at most once per caller, `operation` and
// Idempotency-Key (DESIGN.md §6, docs/decisions.md "Idempotency"). `create(tx)` writes and returns
// the id of what it made (a row's Id, or a document's name as a std::string), or that id with the
// answer (MadeWithAnswer); `load(tx, id)` reads the answer when `create` did not, and for a
// retry. Without a key that is all. With one, the key is reserved in the same
// transaction before `create` runs: a concurrent request with the key waits on the reservation
// and, once the first commits, is answered as its retry. A retry of the same request loads what
// the first made (replayed, nothing written); the key with a different request is
// kInvalidArgument naming Idempotency-Key, nothing written. A create that fails takes the
// reservation with it in the rollback, so a refused request may simply be sent again.
template <class Create, class Load>
auto CreateOnce(storage::Store& store, const Clock& clock, const domain::RequestContext& context,
                std::string_view operation, Create&& create, Load&& load)
    -> Result<Created<typename std::invoke_result_t<
        Load&, storage::Transaction&, create_once_detail::MadeIdOf<Create>>::value_type>> {
  using Returned = typename std::invoke_result_t<Create&, storage::Transaction&>::value_type;
  using ResourceId = create_once_detail::MadeIdOf<Create>;
  using T = typename std::invoke_result_t<Load&, storage::Transaction&, ResourceId>::value_type;
  static_assert(std::is_same_v<Returned, ResourceId> ||
                    std::is_same_v<Returned, MadeWithAnswer<ResourceId, T>>,
                "create returns the id of what it made, or MadeWithAnswer with load's answer");
  CLINIC_TRY_STATUS(create_once_detail::CheckKey(context));
  return storage::InTransaction(
      store, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Result<Created<T>> {
        if (context.idempotency) {
          CLINIC_ASSIGN_OR_RETURN(const auto earlier, create_once_detail::FindOrReserve(
                                                          tx, clock.Now(), context, operation));
          if (earlier) return create_once_detail::Replay<ResourceId>(tx, *earlier, load);
        }
        CLINIC_ASSIGN_OR_RETURN(Returned made, create(tx));
        if constexpr (std::is_same_v<Returned, ResourceId>) {
          if (context.idempotency) {
            CLINIC_TRY_STATUS(create_once_detail::Attach(tx, context, operation, made));
          }
          CLINIC_ASSIGN_OR_RETURN(auto answer, load(tx, made));
          return Created<T>{.value = std::move(answer)};
        } else {
          if (context.idempotency) {
            CLINIC_TRY_STATUS(create_once_detail::Attach(tx, context, operation, made.id));
          }
          return Created<T>{.value = std::move(made.answer)};
        }
      });
}

// For a create whose costly part must run before CreateOnce, outside its transaction (hashing a
// password, storing a file): in `tx`, the answer to an earlier request with the context's
// Idempotency-Key for `operation`, loaded by `load(tx, id)` and replayed, so that a retry is
// answered before that work; nullopt when there is none, or no key. Nothing is reserved:
// CreateOnce, which must follow, reserves the key and settles a race with a concurrent request.
// kInvalidArgument naming Idempotency-Key for a malformed key or one used for a different
// request.
template <class ResourceId, class Load>
auto ReplayEarlier(storage::Transaction& tx, const domain::RequestContext& context,
                   std::string_view operation, Load&& load)
    -> Result<std::optional<Created<
        typename std::invoke_result_t<Load&, storage::Transaction&, ResourceId>::value_type>>> {
  using T = typename std::invoke_result_t<Load&, storage::Transaction&, ResourceId>::value_type;
  CLINIC_TRY_STATUS(create_once_detail::CheckKey(context));
  if (!context.idempotency) return std::optional<Created<T>>{};
  CLINIC_ASSIGN_OR_RETURN(const auto earlier,
                          create_once_detail::FindEarlier(tx, context, operation));
  if (!earlier) return std::optional<Created<T>>{};
  CLINIC_ASSIGN_OR_RETURN(auto replayed,
                          create_once_detail::Replay<ResourceId>(tx, *earlier, load));
  return std::optional<Created<T>>{std::move(replayed)};
}

}  // namespace clinic::service
