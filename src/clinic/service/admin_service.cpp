#include "clinic/service/admin_service.hpp"

#include "clinic/domain/policy.hpp"
#include "clinic/domain/validation.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/account_lifecycle.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/service/create_account_once.hpp"
#include "clinic/service/record_update.hpp"

namespace clinic::service {
namespace {

using domain::Action;
using domain::Role;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

Status CheckFields(AdminFields& fields, bool creating) {
  domain::Validator check;
  if (fields.username) {
    if (!domain::IsValidUsername(*fields.username)) {
      check.Add("username", "must be 3–100 letters, digits, '.', '_' or '-'");
    }
  } else if (creating) {
    check.Add("username", "is required");
  }
  if (fields.email) {
    *fields.email = check.Email("email", *fields.email);
  } else if (creating) {
    check.Add("email", "is required");
  }
  if (fields.password) {
    check.Password("password", *fields.password, fields.email.value_or(""));
  } else if (creating) {
    check.Add("password", "is required");
  }
  return check.Finish("the admin account is not valid");
}

// Names the field whose value another account (deleted ones included) already has. The unique
// keys still decide under concurrency; this only tells the caller which field to change.
// Usernames cannot contain '@', so a username never matches another account's email.
Status CheckUnique(Transaction& tx, const AdminFields& fields, std::optional<Id> self) {
  std::vector<FieldError> taken;
  for (const auto& [field, value] :
       {std::pair{"username", &fields.username}, std::pair{"email", &fields.email}}) {
    if (!*value) continue;
    CLINIC_ASSIGN_OR_RETURN(auto holder, tx.admins().FindByLogin(**value));
    if (holder && holder->id != self) taken.push_back({field, "is already in use"});
  }
  if (taken.empty()) return Ok();
  return Fail(
      Error{ErrorCode::kAlreadyExists, "another admin account already has this", std::move(taken)});
}

Result<domain::Admin> LoadAuthorized(Transaction& tx, const domain::Principal& caller,
                                     Action action, Id id) {
  CLINIC_TRY_STATUS(domain::AuthorizeAdmin(caller, action, id));
  return tx.admins().Get(id);
}

}  // namespace

AdminService::AdminService(storage::Store& store, const PasswordHasher& hasher, const Clock& clock)
    : store_(store), hasher_(hasher), clock_(clock) {}

Result<Created<domain::Admin>> AdminService::Create(const domain::RequestContext& context,
                                                    AdminFields fields) {
  CLINIC_TRY_STATUS(domain::AuthorizeAdmins(context.actor, Action::kCreate));
  CLINIC_TRY_STATUS(CheckFields(fields, /*creating=*/true));
  domain::Admin admin;
  admin.username = *fields.username;
  admin.email = *fields.email;
  return CreateAccountOnce(
      store_, clock_, hasher_, context, "admin.create", fields.password,
      [&](Transaction& tx, const std::optional<std::string>& password_hash) -> Result<Id> {
        CLINIC_TRY_STATUS(CheckUnique(tx, fields, std::nullopt));
        admin.password_hash = *password_hash;
        CLINIC_ASSIGN_OR_RETURN(auto created, tx.admins().Create(admin));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "admin.create", "admin", created.id));
        return created.id;
      },
      [](Transaction& tx, Id id) { return tx.admins().Get(id); });
}

Result<domain::Admin> AdminService::Get(const domain::RequestContext& context, Id id) {
  CLINIC_TRY_STATUS(domain::AuthorizeAdmin(context.actor, Action::kRead, id));
  return InTransaction(store_, TxMode::kRead, [&](Transaction& tx) { return tx.admins().Get(id); });
}

Result<domain::Page<domain::Admin>> AdminService::List(const domain::RequestContext& context,
                                                       const AdminQuery& query) {
  CLINIC_TRY_STATUS(domain::AuthorizeAdmins(context.actor, Action::kList));
  CLINIC_ASSIGN_OR_RETURN(auto q, CheckSearchText(query.q));
  const storage::PersonFilter filter{.q = std::move(q), .include_deleted = query.include_deleted};
  return InTransaction(store_, TxMode::kRead,
                       [&](Transaction& tx) { return tx.admins().List(filter, query.page); });
}

Result<domain::Admin> AdminService::Update(const domain::RequestContext& context, Id id,
                                           AdminFields fields) {
  CLINIC_TRY_STATUS(domain::AuthorizeAdmin(context.actor, Action::kUpdate, id));
  CLINIC_TRY_STATUS(CheckFields(fields, /*creating=*/false));
  std::optional<std::string> password_hash;
  if (fields.password) {
    CLINIC_ASSIGN_OR_RETURN(password_hash, hasher_.Hash(*fields.password));
  }
  const Instant now = clock_.Now();
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Admin> {
    CLINIC_ASSIGN_OR_RETURN(auto admin, LoadAuthorized(tx, context.actor, Action::kUpdate, id));
    CLINIC_TRY_STATUS(CheckUnique(tx, fields, id));
    if (fields.username) admin.username = *fields.username;
    if (fields.email) admin.email = *fields.email;
    if (password_hash) {
      if (auto problem = domain::PasswordProblem(*fields.password, admin.email)) {
        return Fail(Error::InvalidField("password", *problem));
      }
      admin.password_hash = *password_hash;
      CLINIC_TRY_STATUS(tx.sessions().RevokeAllForUser(Role::kAdmin, id, now));
    }
    CLINIC_ASSIGN_OR_RETURN(auto updated, tx.admins().Update(admin));
    CLINIC_TRY_STATUS(Audit(tx, clock_, context, "admin.update", "admin", id,
                            ChangedFieldsDetails({{"username", fields.username.has_value()},
                                                  {"email", fields.email.has_value()},
                                                  {"password", fields.password.has_value()}})));
    return updated;
  });
}

Status AdminService::Delete(const domain::RequestContext& context, Id id) {
  return store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    CLINIC_ASSIGN_OR_RETURN(auto admin, LoadAuthorized(tx, context.actor, Action::kDelete, id));
    return SoftDeleteAccount(tx, tx.admins(), admin, Role::kAdmin, clock_, context);
  });
}

Result<domain::Admin> AdminService::Restore(const domain::RequestContext& context, Id id) {
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Admin> {
    CLINIC_ASSIGN_OR_RETURN(auto admin, LoadAuthorized(tx, context.actor, Action::kRestore, id));
    return RestoreAccount(tx, tx.admins(), admin, Role::kAdmin, clock_, context);
  });
}

}  // namespace clinic::service
