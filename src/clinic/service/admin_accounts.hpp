#pragma once

#include <string>

#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

struct NewAdmin {
  std::string username;
  std::string email;
  std::string password;
};

// Creates an administrator account (clinicctl create-admin). Validates the username (3–100 of
// letters, digits, '.', '_' and '-'), the email and the password policy, reporting every bad
// field at once (kInvalidArgument); a taken username or email is kAlreadyExists. The email is
// stored normalized (lower case).
Result<domain::Admin> CreateAdmin(storage::Store& store, const PasswordHasher& hasher,
                                  const NewAdmin& request);

}  // namespace clinic::service
