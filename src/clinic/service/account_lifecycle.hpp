#pragma once

#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// Soft delete and restore of an account (patient, doctor, admin), shared by their services. The
// record is already loaded and authorized by the caller, inside `tx`.

// Sets deleted_at, ends every session of the account and audits "<role>.delete". Deleting a
// deleted account changes nothing.
template <typename Repository, typename Record>
Status SoftDeleteAccount(storage::Transaction& tx, Repository& accounts, const Record& record,
                         domain::Role role, const Clock& clock,
                         const domain::RequestContext& context) {
  if (record.deleted_at) return Ok();
  const Instant now = clock.Now();
  CLINIC_TRY_STATUS(accounts.SetDeletedAt(record.id, now));
  CLINIC_TRY_STATUS(tx.sessions().RevokeAllForUser(role, record.id, now));
  const std::string entity(domain::Name(role));
  return Audit(tx, clock, context, entity + ".delete", entity, record.id);
}

// Refuses (kFailedPrecondition, 409) to delete an account that still has scheduled appointments
// from `now` on, which would otherwise stay on the books of someone who is gone: they are cancelled
// or rescheduled first. `whose` names the doctor or the patient (a filter on one of them); the
// caller has locked that row, so no booking slips in between the check and the delete.
Status RequireNoUpcomingAppointments(storage::Transaction& tx, storage::AppointmentFilter whose,
                                     Instant now);

// Clears deleted_at (the old password works again) and audits "<role>.restore"; restoring a live
// account changes nothing. Returns the account as stored.
template <typename Repository, typename Record>
Result<Record> RestoreAccount(storage::Transaction& tx, Repository& accounts, const Record& record,
                              domain::Role role, const Clock& clock,
                              const domain::RequestContext& context) {
  if (!record.deleted_at) return record;
  CLINIC_TRY_STATUS(accounts.SetDeletedAt(record.id, std::nullopt));
  const std::string entity(domain::Name(role));
  CLINIC_TRY_STATUS(Audit(tx, clock, context, entity + ".restore", entity, record.id));
  return accounts.Get(record.id);
}

}  // namespace clinic::service
