#pragma once

#include <optional>
#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// An admin account's fields as a create or an update (PATCH) gives them: present fields are set,
// absent ones left as they are. A create needs all three.
struct AdminFields {
  std::optional<std::string> username;  // 3–100 letters, digits, '.', '_', '-'
  std::optional<std::string> email;     // stored lower-cased
  // Required on create; on update it replaces the password and ends the account's sessions.
  std::optional<std::string> password;
};

struct AdminQuery {
  std::optional<std::string> q;  // a substring of the username or email
  bool include_deleted = false;
  domain::PageRequest page;
};

// Admin accounts, visible to and managed by admins only (domain/policy.hpp): other roles get
// kPermissionDenied for the collection and kNotFound for any record. Each write is audited in its
// own transaction ("admin.create", "admin.update", "admin.delete", "admin.restore"). Input errors
// are kInvalidArgument naming every bad field; a taken username or email (also by a deleted
// account) is kAlreadyExists naming the field. Thread-safe.
class AdminService {
 public:
  AdminService(storage::Store& store, const PasswordHasher& hasher, const Clock& clock);

  // Once per Idempotency-Key (CreateAccountOnce): a retry answers the account the first request
  // made only with its password, and hashes none.
  Result<Created<domain::Admin>> Create(const domain::RequestContext& context, AdminFields fields);
  Result<domain::Admin> Get(const domain::RequestContext& context, Id id);
  Result<domain::Page<domain::Admin>> List(const domain::RequestContext& context,
                                           const AdminQuery& query);
  Result<domain::Admin> Update(const domain::RequestContext& context, Id id, AdminFields fields);
  // Soft delete: sets deleted_at and ends the account's sessions. An admin cannot delete their
  // own account (kPermissionDenied). Deleting a deleted account changes nothing.
  Status Delete(const domain::RequestContext& context, Id id);
  // Clears deleted_at; the admin can log in again with their old password.
  Result<domain::Admin> Restore(const domain::RequestContext& context, Id id);

 private:
  storage::Store& store_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
};

}  // namespace clinic::service
