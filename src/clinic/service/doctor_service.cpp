#include "clinic/service/doctor_service.hpp"

#include "clinic/domain/policy.hpp"
#include "clinic/domain/validation.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/account_lifecycle.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/service/create_account_once.hpp"

namespace clinic::service {
namespace {

using domain::Action;
using domain::Role;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

constexpr std::size_t kCancellationReasonMaxChars = 255;  // appointments.cancellation_reason
// Upcoming appointments a deactivation reads and cancels at a time.
constexpr int kCancellationBatch = 200;

Status CheckFields(DoctorFields& fields, bool creating) {
  domain::Validator check;
  CheckRequiredText(check, "first_name", fields.first_name, kPersonNameMaxChars, creating);
  CheckRequiredText(check, "last_name", fields.last_name, kPersonNameMaxChars, creating);
  if (fields.email) {
    *fields.email = check.Email("email", *fields.email);
  } else if (creating) {
    check.Add("email", "is required");
  }
  if (fields.phone) *fields.phone = check.Phone("phone", *fields.phone);
  CheckRequiredText(check, "specialization", fields.specialization, kSpecializationMaxChars,
                    creating);
  CheckNullableText(check, "bio", fields.bio, kLongTextMaxChars, /*multiline=*/true);
  if (fields.cancel_upcoming_reason) {
    if (creating || fields.is_active != false) {
      check.Add("cancel_upcoming_reason", "goes only with is_active: false");
    } else {
      fields.cancel_upcoming_reason = check.OptionalText(
          "cancel_upcoming_reason", fields.cancel_upcoming_reason, kCancellationReasonMaxChars);
      if (!fields.cancel_upcoming_reason) check.Add("cancel_upcoming_reason", "must not be empty");
    }
  }
  if (fields.password) {
    check.Password("password", *fields.password, fields.email.value_or(""));
  } else if (creating) {
    check.Add("password", "is required");
  }
  return check.Finish("the doctor record is not valid");
}

void Apply(const DoctorFields& fields, domain::Doctor& doctor) {
  if (fields.first_name) doctor.first_name = *fields.first_name;
  if (fields.last_name) doctor.last_name = *fields.last_name;
  if (fields.email) doctor.email = *fields.email;
  if (fields.phone) doctor.phone = *fields.phone;
  if (fields.specialization) doctor.specialization = *fields.specialization;
  if (fields.bio) doctor.bio = *fields.bio;
  if (fields.location_id) doctor.location_id = *fields.location_id;
  if (fields.is_active) doctor.is_active = *fields.is_active;
}

std::string UpdateDetails(const DoctorFields& f) {
  return ChangedFieldsDetails({{"first_name", f.first_name.has_value()},
                               {"last_name", f.last_name.has_value()},
                               {"email", f.email.has_value()},
                               {"phone", f.phone.has_value()},
                               {"specialization", f.specialization.has_value()},
                               {"bio", f.bio.has_value()},
                               {"location_id", f.location_id.has_value()},
                               {"is_active", f.is_active.has_value()},
                               {"password", f.password.has_value()},
                               {"cancel_upcoming_reason", f.cancel_upcoming_reason.has_value()}});
}

// Cancels every upcoming scheduled appointment of the doctor with `reason`, each with its audit
// row, in batches; answers them as they are now, for the events sent after the commit.
Result<std::vector<domain::AppointmentListing>> CancelUpcoming(
    Transaction& tx, const Clock& clock, const OutboxWriter* outbox,
    const domain::RequestContext& context, Id doctor_id, const std::string& reason) {
  const Instant now = clock.Now();
  std::vector<domain::AppointmentListing> cancelled;
  while (true) {
    CLINIC_ASSIGN_OR_RETURN(auto batch,
                            tx.appointments().List({.doctor_id = doctor_id,
                                                    .status = domain::AppointmentStatus::kScheduled,
                                                    .from = now,
                                                    .limit = kCancellationBatch}));
    if (batch.empty()) return cancelled;
    for (const auto& upcoming : batch) {
      const Id id = upcoming.appointment.id;
      CLINIC_TRY_STATUS(tx.appointments().Cancel(id, reason));
      CLINIC_TRY_STATUS(Audit(tx, clock, context, "appointment.cancel", "appointment", id,
                              "the doctor was deactivated"));
      CLINIC_ASSIGN_OR_RETURN(auto now_cancelled, tx.appointments().GetListing(id));
      if (outbox != nullptr) {
        CLINIC_TRY_STATUS(outbox->RecordAppointmentChange(tx, context, AppointmentEvent::kCancelled,
                                                          now_cancelled));
      }
      cancelled.push_back(std::move(now_cancelled));
    }
  }
}

// A doctor's location must exist; checked here so the caller learns which field is wrong rather
// than getting the foreign key's conflict.
Status CheckLocationExists(Transaction& tx, const NullableUpdate<Id>& location_id) {
  if (!location_id || !*location_id) return Ok();
  auto location = tx.locations().Get(**location_id);
  if (!location && location.error().code == ErrorCode::kNotFound) {
    return Fail(Error::InvalidField("location_id", "no location has this id"));
  }
  return location.map([](const domain::Location&) {});
}

Result<domain::Doctor> LoadAuthorized(Transaction& tx, const domain::Principal& caller,
                                      Action action, Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto doctor, tx.doctors().Get(id));
  CLINIC_TRY_STATUS(domain::AuthorizeDoctor(caller, action, doctor));
  return doctor;
}

}  // namespace

DoctorService::DoctorService(storage::Store& store, const PasswordHasher& hasher,
                             const Clock& clock, AppointmentEvents* events,
                             const OutboxWriter* outbox)
    : store_(store), hasher_(hasher), clock_(clock), events_(events), outbox_(outbox) {}

Result<Created<domain::Doctor>> DoctorService::Create(const domain::RequestContext& context,
                                                      DoctorFields fields) {
  CLINIC_TRY_STATUS(domain::AuthorizeDoctors(context.actor, Action::kCreate));
  CLINIC_TRY_STATUS(CheckFields(fields, /*creating=*/true));
  domain::Doctor doctor;
  Apply(fields, doctor);
  return EmailTakenIfDuplicate(CreateAccountOnce(
      store_, clock_, hasher_, context, "doctor.create", fields.password,
      [&](Transaction& tx, const std::optional<std::string>& password_hash) -> Result<Id> {
        CLINIC_TRY_STATUS(CheckLocationExists(tx, fields.location_id));
        doctor.password_hash = *password_hash;
        CLINIC_ASSIGN_OR_RETURN(auto created, tx.doctors().Create(doctor));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "doctor.create", "doctor", created.id));
        return created.id;
      },
      [](Transaction& tx, Id id) { return tx.doctors().Get(id); }));
}

Result<domain::Doctor> DoctorService::Get(const domain::RequestContext& context, Id id) {
  return InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
    return LoadAuthorized(tx, context.actor, Action::kRead, id);
  });
}

Result<domain::Page<domain::Doctor>> DoctorService::List(const domain::RequestContext& context,
                                                         const DoctorQuery& query) {
  CLINIC_TRY_STATUS(domain::AuthorizeDoctors(
      context.actor, Action::kList,
      {.include_inactive = query.include_inactive, .include_deleted = query.include_deleted}));
  domain::Validator check;
  auto specialization =
      check.OptionalText("specialization", query.specialization, kSpecializationMaxChars);
  auto q = check.OptionalText("q", query.q, kSearchTextMaxChars);
  CLINIC_TRY_STATUS(check.Finish("the search is not valid"));
  const storage::DoctorFilter filter{
      .specialization = std::move(specialization),
      .location_id = query.location_id,
      .q = std::move(q),
      .q_matches_contact_details = domain::MaySearchDoctorContactDetails(context.actor),
      .include_inactive = query.include_inactive,
      .include_deleted = query.include_deleted};
  return InTransaction(store_, TxMode::kRead,
                       [&](Transaction& tx) { return tx.doctors().List(filter, query.page); });
}

Result<domain::Doctor> DoctorService::Update(const domain::RequestContext& context, Id id,
                                             DoctorFields fields) {
  if (fields.password) {
    CLINIC_TRY_STATUS(domain::AuthorizePasswordReset(context.actor));
  }
  CLINIC_TRY_STATUS(CheckFields(fields, /*creating=*/false));
  std::optional<std::string> password_hash;
  if (fields.password) {
    CLINIC_ASSIGN_OR_RETURN(password_hash, hasher_.Hash(*fields.password));
  }
  const Instant now = clock_.Now();
  std::vector<domain::AppointmentListing> cancelled;
  auto updated = EmailTakenIfDuplicate(
      InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Doctor> {
        cancelled.clear();
        CLINIC_ASSIGN_OR_RETURN(auto doctor,
                                LoadAuthorized(tx, context.actor, Action::kUpdate, id));
        CLINIC_TRY_STATUS(CheckLocationExists(tx, fields.location_id));
        // As for deletion: patients booked with a doctor who stops working here must hear of it
        // from a cancellation, not find out at the door.
        if (fields.is_active == false && doctor.is_active) {
          CLINIC_TRY_STATUS(tx.doctors().GetForUpdate(id));
          if (fields.cancel_upcoming_reason) {
            CLINIC_ASSIGN_OR_RETURN(cancelled, CancelUpcoming(tx, clock_, outbox_, context, id,
                                                              *fields.cancel_upcoming_reason));
          } else {
            CLINIC_TRY_STATUS(RequireNoUpcomingAppointments(tx, {.doctor_id = id}, now));
          }
        }
        Apply(fields, doctor);
        if (password_hash) {
          if (auto problem = domain::PasswordProblem(*fields.password, doctor.email)) {
            return Fail(Error::InvalidField("password", *problem));
          }
          doctor.password_hash = *password_hash;
        }
        // A new password or a deactivation must not leave old logins working.
        if (password_hash || fields.is_active == false) {
          CLINIC_TRY_STATUS(tx.sessions().RevokeAllForUser(Role::kDoctor, id, now));
        }
        CLINIC_ASSIGN_OR_RETURN(auto updated, tx.doctors().Update(doctor));
        CLINIC_TRY_STATUS(
            Audit(tx, clock_, context, "doctor.update", "doctor", id, UpdateDetails(fields)));
        return updated;
      }));
  if (updated && events_ != nullptr) {
    for (const auto& appointment : cancelled) {
      events_->Changed(AppointmentEvent::kCancelled, appointment);
    }
  }
  return updated;
}

Status DoctorService::Delete(const domain::RequestContext& context, Id id) {
  return store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    CLINIC_ASSIGN_OR_RETURN(auto doctor, LoadAuthorized(tx, context.actor, Action::kDelete, id));
    CLINIC_TRY_STATUS(tx.doctors().GetForUpdate(id));
    CLINIC_TRY_STATUS(RequireNoUpcomingAppointments(tx, {.doctor_id = id}, clock_.Now()));
    return SoftDeleteAccount(tx, tx.doctors(), doctor, Role::kDoctor, clock_, context);
  });
}

Result<domain::Doctor> DoctorService::Restore(const domain::RequestContext& context, Id id) {
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Doctor> {
    CLINIC_ASSIGN_OR_RETURN(auto doctor, LoadAuthorized(tx, context.actor, Action::kRestore, id));
    return RestoreAccount(tx, tx.doctors(), doctor, Role::kDoctor, clock_, context);
  });
}

}  // namespace clinic::service
