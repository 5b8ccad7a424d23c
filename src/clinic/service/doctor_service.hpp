#pragma once

#include <optional>
#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/appointment_events.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/service/outbox.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/service/record_update.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// A doctor's columns as a create or an update (PATCH) gives them: present fields are set, absent
// ones left as they are. A create needs first_name, last_name, email, specialization and password.
struct DoctorFields {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> email;   // stored lower-cased
  NullableUpdate<std::string> phone;  // stored in E.164 form
  std::optional<std::string> specialization;
  NullableUpdate<std::string> bio;
  NullableUpdate<Id> location_id;  // must name an existing location
  std::optional<bool> is_active;   // false ends the doctor's sessions and blocks login
  // The login password: required on create; on update it is an admin's reset and ends the
  // doctor's sessions.
  std::optional<std::string> password;
  // With is_active false on update: cancel the doctor's upcoming appointments with this reason,
  // which each patient is told in the appointment's thread, instead of refusing the deactivation.
  std::optional<std::string> cancel_upcoming_reason;
};

// Which doctors a list shows.
struct DoctorQuery {
  std::optional<std::string> specialization;  // exact
  std::optional<Id> location_id;
  std::optional<std::string> q;   // a substring of name, email or specialization
  bool include_inactive = false;  // admins only
  bool include_deleted = false;   // admins only
  domain::PageRequest page;
};

// The doctors' records. Anyone lists and reads active, non-deleted doctors; inactive and deleted
// ones exist only for admins, who alone create, change, delete and restore (domain/policy.hpp).
// Each write is audited in its own transaction ("doctor.create", "doctor.update",
// "doctor.delete", "doctor.restore"). Input errors are kInvalidArgument naming every bad field;
// a taken email (also by a deleted record) is kAlreadyExists on "email". Thread-safe.
class DoctorService {
 public:
  // `events` (may be null) hears of the appointments a deactivation cancels once it committed;
  // `outbox` (may be null) records them in its transaction (the patients' notice).
  DoctorService(storage::Store& store, const PasswordHasher& hasher, const Clock& clock,
                AppointmentEvents* events = nullptr, const OutboxWriter* outbox = nullptr);

  // Once per Idempotency-Key (CreateAccountOnce): a retry answers the account the first request
  // made only with its password, and hashes none.
  Result<Created<domain::Doctor>> Create(const domain::RequestContext& context,
                                         DoctorFields fields);
  Result<domain::Doctor> Get(const domain::RequestContext& context, Id id);
  Result<domain::Page<domain::Doctor>> List(const domain::RequestContext& context,
                                            const DoctorQuery& query);
  // Deactivating (is_active false) a doctor with upcoming scheduled appointments is
  // kFailedPrecondition (409) unless cancel_upcoming_reason is given: then they are cancelled in
  // the same transaction, with that reason, and each patient is told (AppointmentEvents).
  Result<domain::Doctor> Update(const domain::RequestContext& context, Id id, DoctorFields fields);
  // Soft delete: sets deleted_at and ends every session of the doctor, who can no longer log in
  // and leaves the public lists. Deleting a deleted record changes nothing.
  Status Delete(const domain::RequestContext& context, Id id);
  // Clears deleted_at; the doctor can log in again with their old password.
  Result<domain::Doctor> Restore(const domain::RequestContext& context, Id id);

 private:
  storage::Store& store_;
  const PasswordHasher& hasher_;
  const Clock& clock_;
  AppointmentEvents* events_;
  const OutboxWriter* outbox_;
};

}  // namespace clinic::service
