#pragma once

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

namespace create_once_detail {

// kInvalidArgument naming Idempotency-Key unless the context's key is 1–255 visible ASCII
// characters (or there is none).
Status CheckKey(const domain::RequestContext& context);

// In `tx`, for the context's key (which must be set): the id of what an earlier request with the
// key made for `operation`, or nullopt after reserving the key for this one. kInvalidArgument
// naming Idempotency-Key when the earlier request was a different one; kAborted, so that the
// store runs the transaction again, when a concurrent request reserved the key first.
Result<std::optional<Id>> FindOrReserve(storage::Transaction& tx, Instant now,
                                        const domain::RequestContext& context,
                                        std::string_view operation);

// Notes in `tx` what the reserved key made.
Status Attach(storage::Transaction& tx, const domain::RequestContext& context,
              std::string_view operation, Id resource_id);

}  // namespace create_once_detail

// Runs a create in one write transaction, at most once per caller, `operation` and
// Idempotency-Key (DESIGN.md §6, docs/decisions.md "Idempotency"). `create(tx)` writes and returns
// the id of what it made; `load(tx, id)` reads the answer. Without a key that is all. With one,
// the key is reserved in the same transaction before `create` runs: a concurrent request with the
// key waits on the reservation and, once the first commits, is answered as its retry. A retry of
// the same request loads what the first made (replayed, nothing written); the key with a different
// request is kInvalidArgument naming Idempotency-Key, nothing written. A create that fails takes
// the reservation with it in the rollback, so a refused request may simply be sent again.
template <class Create, class Load>
auto CreateOnce(storage::Store& store, const Clock& clock, const domain::RequestContext& context,
                std::string_view operation, Create&& create, Load&& load)
    -> Result<
        Created<typename std::invoke_result_t<Load&, storage::Transaction&, Id>::value_type>> {
  using T = typename std::invoke_result_t<Load&, storage::Transaction&, Id>::value_type;
  CLINIC_TRY_STATUS(create_once_detail::CheckKey(context));
  return storage::InTransaction(
      store, storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Result<Created<T>> {
        if (context.idempotency) {
          CLINIC_ASSIGN_OR_RETURN(const auto earlier, create_once_detail::FindOrReserve(
                                                          tx, clock.Now(), context, operation));
          if (earlier) {
            CLINIC_ASSIGN_OR_RETURN(auto first, load(tx, *earlier));
            return Created<T>{.value = std::move(first), .replayed = true};
          }
        }
        CLINIC_ASSIGN_OR_RETURN(const Id made, create(tx));
        if (context.idempotency) {
          CLINIC_TRY_STATUS(create_once_detail::Attach(tx, context, operation, made));
        }
        CLINIC_ASSIGN_OR_RETURN(auto answer, load(tx, made));
        return Created<T>{.value = std::move(answer)};
      });
}

}  // namespace clinic::service
