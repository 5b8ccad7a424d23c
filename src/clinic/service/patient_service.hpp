#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/service/record_update.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// A patient's columns as a create or an update (PATCH) gives them: present fields are set, absent
// ones left as they are. A create needs first_name, last_name and email.
struct PatientFields {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> email;   // stored lower-cased
  NullableUpdate<std::string> phone;  // stored in E.164 form
  NullableUpdate<std::chrono::year_month_day> date_of_birth;
  NullableUpdate<domain::Gender> gender;
  NullableUpdate<std::string> notes;
  // Sets the portal password (admins only). Optional on create: a patient the front desk records
  // without one has no login until an admin sets it.
  std::optional<std::string> password;
};

// Which patients a list shows; what the caller may see narrows it further.
struct PatientQuery {
  std::optional<std::string> q;  // a substring of first name, last name or email
  bool include_deleted = false;  // admins only
  domain::PageRequest page;
};

// Patient records, with the access rules of domain/policy.hpp: admins everything, a patient their
// own record, a doctor (read only) the patients they have appointments with; a record the caller
// may not see is kNotFound, exactly like a missing one. Every write and every read of a record
// (also a list) is audited in the same transaction: "patient.create", "patient.read",
// "patient.list", "patient.update", "patient.delete", "patient.restore". Input errors are
// kInvalidArgument naming every bad field; a taken email (also by a deleted record) is
// kAlreadyExists on "email". Thread-safe.
class PatientService {
 public:
  PatientService(storage::Store& store, const PasswordHasher& hasher, const Clock& clock);

  // Once per Idempotency-Key (CreateAccountOnce): a retry answers the account the first request
  // made only with its password, and hashes none.
  Result<Created<domain::Patient>> Create(const domain::RequestContext& context,
                                          PatientFields fields);
  Result<domain::Patient> Get(const domain::RequestContext& context, Id id);
  // The calling patient's own record (/patients/me).
  Result<domain::Patient> GetOwn(const domain::RequestContext& context);
  Result<domain::Page<domain::Patient>> List(const domain::RequestContext& context,
                                             const PatientQuery& query);
  Result<domain::Patient> Update(const domain::RequestContext& context, Id id,
                                 PatientFields fields);
  Result<domain::Patient> UpdateOwn(const domain::RequestContext& context, PatientFields fields);
  // Soft delete: sets deleted_at and ends every session of the patient, who can no longer log
  // in. The record and its history stay. Deleting a deleted record changes nothing.
  Status Delete(const domain::RequestContext& context, Id id);
  // Clears deleted_at; the patient can log in again with their old password.
  Result<domain::Patient> Restore(const domain::RequestContext& context, Id id);

 private:
  storage::Store& store_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
};

}  // namespace clinic::service
