#include "clinic/service/create_account_once.hpp"

namespace clinic::service::create_account_once_detail {

Status CheckRetriedPassword(const PasswordHasher& hasher, const std::string* login_hash,
                            std::optional<std::string_view> password) {
  const bool same = login_hash != nullptr && password ? hasher.Verify(*login_hash, *password)
                                                      : login_hash == nullptr && !password;
  if (!same) return Fail(create_once_detail::KeyReused());
  return Ok();
}

}  // namespace clinic::service::create_account_once_detail
