#include "clinic/service/admin_accounts.hpp"

#include "clinic/domain/validation.hpp"

namespace clinic::service {
Result<domain::Admin> CreateAdmin(storage::Store& store, const PasswordHasher& hasher,
                                  const NewAdmin& request) {
  const std::string email = domain::NormalizeEmail(request.email);
  std::vector<FieldError> problems;
  if (!domain::IsValidUsername(request.username)) {
    problems.push_back({"username", "must be 3–100 letters, digits, '.', '_' or '-'"});
  }
  if (!domain::IsValidEmail(email)) problems.push_back({"email", "is not a valid email address"});
  if (auto problem = domain::PasswordProblem(request.password, email)) {
    problems.push_back({"password", *problem});
  }
  if (!problems.empty()) {
    return Fail(Error::InvalidArgument("the admin account is not valid", std::move(problems)));
  }

  domain::Admin admin;
  admin.username = request.username;
  admin.email = email;
  CLINIC_ASSIGN_OR_RETURN(admin.password_hash, hasher.Hash(request.password));
  auto created =
      storage::InTransaction(store, storage::TxMode::kWrite,
                             [&](storage::Transaction& tx) { return tx.admins().Create(admin); });
  if (!created && created.error().code == ErrorCode::kAlreadyExists) {
    return Fail(Error::AlreadyExists("an admin with that username or email already exists"));
  }
  return created;
}

}  // namespace clinic::service
