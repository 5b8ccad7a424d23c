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
#include "clinic/service/create_once.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/storage/store.hpp"

// Creates of accounts whose request carries a password (registration, and the doctors, patients
// and admins an admin creates). Their Idempotency-Key fingerprint leaves the password out, since
// a fast hash kept for a day would let a stolen database check guesses at that speed; a retry's
// password is checked against the account's own argon2id hash instead (DESIGN.md §6,
// docs/decisions.md "Idempotency").

namespace clinic::service {

namespace create_account_once_detail {

// The hash an account's login is checked against; null for an account without one.
inline const std::string* LoginHash(const std::string& password_hash) { return &password_hash; }
inline const std::string* LoginHash(const std::optional<std::string>& password_hash) {
  return password_hash ? &*password_hash : nullptr;
}

// Ok when `password` is the one `login_hash` was made from, or neither exists; kInvalidArgument
// naming Idempotency-Key otherwise.
Status CheckRetriedPassword(const PasswordHasher& hasher, const std::string* login_hash,
                            std::optional<std::string_view> password);

template <class Load>
using AccountOf = typename std::invoke_result_t<Load&, storage::Transaction&, Id>::value_type;

}  // namespace create_account_once_detail

// `answer` when it is no replay, or a replay whose account has `password` as its password (one
// argon2id verification, nothing hashed or written); the key with another password, or with a
// password the account lacks (or without the one it has), is kInvalidArgument naming
// Idempotency-Key.
template <class Account>
Result<Created<Account>> ConfirmRetry(const PasswordHasher& hasher, Created<Account> answer,
                                      std::optional<std::string_view> password) {
  if (!answer.replayed) return answer;
  CLINIC_TRY_STATUS(create_account_once_detail::CheckRetriedPassword(
      hasher, create_account_once_detail::LoginHash(answer.value.password_hash), password));
  return answer;
}

// The part of CreateAccountOnce after a retry was looked up, for a create that looks it up in a
// transaction of its own (registration, with its throttle): hashes `password` (when there is
// one), then runs CreateOnce with `create(tx, password_hash)` and `load(tx, id)`. A concurrent
// request that made the account first answers this one only through ConfirmRetry.
template <class Create, class Load>
auto HashAndCreateOnce(storage::Store& store, const Clock& clock, const PasswordHasher& hasher,
                       const domain::RequestContext& context, std::string_view operation,
                       std::optional<std::string_view> password, Create&& create, Load&& load)
    -> Result<Created<create_account_once_detail::AccountOf<Load>>> {
  std::optional<std::string> password_hash;
  if (password) {
    CLINIC_ASSIGN_OR_RETURN(password_hash, hasher.Hash(*password));
  }
  CLINIC_ASSIGN_OR_RETURN(
      auto created,
      CreateOnce(
          store, clock, context, operation,
          [&](storage::Transaction& tx) -> Result<Id> { return create(tx, password_hash); }, load));
  return ConfirmRetry(hasher, std::move(created), password);
}

// CreateOnce for an account create whose request carries `password` (nullopt: the account gets no
// login). A retry under the context's Idempotency-Key is looked up first, in a read transaction,
// and answered through ConfirmRetry without hashing anything; otherwise HashAndCreateOnce.
template <class Create, class Load>
auto CreateAccountOnce(storage::Store& store, const Clock& clock, const PasswordHasher& hasher,
                       const domain::RequestContext& context, std::string_view operation,
                       std::optional<std::string_view> password, Create&& create, Load&& load)
    -> Result<Created<create_account_once_detail::AccountOf<Load>>> {
  if (context.idempotency) {
    CLINIC_ASSIGN_OR_RETURN(
        auto retry,
        storage::InTransaction(store, storage::TxMode::kRead, [&](storage::Transaction& tx) {
          return ReplayEarlier<Id>(tx, context, operation, load);
        }));
    if (retry) return ConfirmRetry(hasher, std::move(*retry), password);
  }
  return HashAndCreateOnce(store, clock, hasher, context, operation, password,
                           std::forward<Create>(create), std::forward<Load>(load));
}

}  // namespace clinic::service
