#include "clinic/service/patient_service.hpp"

#include <fmt/format.h>

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

Status CheckFields(PatientFields& fields, bool creating, Instant now) {
  domain::Validator check;
  CheckRequiredText(check, "first_name", fields.first_name, kPersonNameMaxChars, creating);
  CheckRequiredText(check, "last_name", fields.last_name, kPersonNameMaxChars, creating);
  if (fields.email) {
    *fields.email = check.Email("email", *fields.email);
  } else if (creating) {
    check.Add("email", "is required");
  }
  if (fields.phone) *fields.phone = check.Phone("phone", *fields.phone);
  if (fields.date_of_birth) check.BirthDate("date_of_birth", *fields.date_of_birth, now);
  CheckNullableText(check, "notes", fields.notes, kLongTextMaxChars, /*multiline=*/true);
  if (fields.password) check.Password("password", *fields.password, fields.email.value_or(""));
  return check.Finish("the patient record is not valid");
}

void Apply(const PatientFields& fields, domain::Patient& patient) {
  if (fields.first_name) patient.first_name = *fields.first_name;
  if (fields.last_name) patient.last_name = *fields.last_name;
  if (fields.email) patient.email = *fields.email;
  if (fields.phone) patient.phone = *fields.phone;
  if (fields.date_of_birth) patient.date_of_birth = *fields.date_of_birth;
  if (fields.gender) patient.gender = *fields.gender;
  if (fields.notes) patient.notes = *fields.notes;
}

std::string UpdateDetails(const PatientFields& f) {
  return ChangedFieldsDetails({{"first_name", f.first_name.has_value()},
                               {"last_name", f.last_name.has_value()},
                               {"email", f.email.has_value()},
                               {"phone", f.phone.has_value()},
                               {"date_of_birth", f.date_of_birth.has_value()},
                               {"gender", f.gender.has_value()},
                               {"notes", f.notes.has_value()},
                               {"password", f.password.has_value()}});
}

// The record `id` after checking the caller may do `action` with it; a record the caller may not
// see fails exactly like a missing one.
Result<domain::Patient> LoadAuthorized(Transaction& tx, const domain::Principal& caller,
                                       Action action, Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto patient, tx.patients().Get(id));
  domain::PatientFacts facts{.patient_id = id, .deleted = patient.deleted_at.has_value()};
  if (caller.Is(Role::kDoctor)) {
    CLINIC_ASSIGN_OR_RETURN(facts.has_appointment_with_caller,
                            tx.appointments().ExistsBetween(caller.id, id));
  }
  CLINIC_TRY_STATUS(domain::AuthorizePatient(caller, action, facts));
  return patient;
}

}  // namespace

PatientService::PatientService(storage::Store& store, const PasswordHasher& hasher,
                               const Clock& clock)
    : store_(store), hasher_(hasher), clock_(clock) {}

Result<Created<domain::Patient>> PatientService::Create(const domain::RequestContext& context,
                                                        PatientFields fields) {
  CLINIC_TRY_STATUS(domain::AuthorizePatientCreate(context.actor));
  CLINIC_TRY_STATUS(CheckFields(fields, /*creating=*/true, clock_.Now()));
  domain::Patient patient;
  Apply(fields, patient);
  return EmailTakenIfDuplicate(CreateAccountOnce(
      store_, clock_, hasher_, context, "patient.create", fields.password,
      [&](Transaction& tx, const std::optional<std::string>& password_hash) -> Result<Id> {
        patient.password_hash = password_hash;
        CLINIC_ASSIGN_OR_RETURN(auto created, tx.patients().Create(patient));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "patient.create", "patient", created.id));
        return created.id;
      },
      [](Transaction& tx, Id id) { return tx.patients().Get(id); }));
}

Result<domain::Patient> PatientService::Get(const domain::RequestContext& context, Id id) {
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Patient> {
    CLINIC_ASSIGN_OR_RETURN(auto patient, LoadAuthorized(tx, context.actor, Action::kRead, id));
    CLINIC_TRY_STATUS(Audit(tx, clock_, context, "patient.read", "patient", id));
    return patient;
  });
}

Result<domain::Patient> PatientService::GetOwn(const domain::RequestContext& context) {
  CLINIC_TRY_STATUS(domain::AuthorizeOwnPatientRecord(context.actor));
  return Get(context, context.actor.id);
}

Result<domain::Page<domain::Patient>> PatientService::List(const domain::RequestContext& context,
                                                           const PatientQuery& query) {
  CLINIC_ASSIGN_OR_RETURN(auto scope,
                          domain::AuthorizePatientList(context.actor, query.include_deleted));
  CLINIC_ASSIGN_OR_RETURN(auto q, CheckSearchText(query.q));
  const storage::PersonFilter filter{.q = std::move(q),
                                     .include_deleted = query.include_deleted,
                                     .with_doctor_id = scope.only_patients_of_doctor};
  return InTransaction(
      store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Page<domain::Patient>> {
        CLINIC_ASSIGN_OR_RETURN(auto page, tx.patients().List(filter, query.page));
        // Which records were shown, so "who has seen my record" covers lists too.
        std::vector<Id> shown;
        for (const auto& patient : page.items) shown.push_back(patient.id);
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "patient.list", "patient", std::nullopt,
                                fmt::format("ids: {}", fmt::join(shown, ", "))));
        return page;
      });
}

Result<domain::Patient> PatientService::Update(const domain::RequestContext& context, Id id,
                                               PatientFields fields) {
  if (fields.password) {
    CLINIC_TRY_STATUS(domain::AuthorizePasswordReset(context.actor));
  }
  CLINIC_TRY_STATUS(CheckFields(fields, /*creating=*/false, clock_.Now()));
  std::optional<std::string> password_hash;
  if (fields.password) {
    CLINIC_ASSIGN_OR_RETURN(password_hash, hasher_.Hash(*fields.password));
  }
  const Instant now = clock_.Now();
  return EmailTakenIfDuplicate(
      InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Patient> {
        CLINIC_ASSIGN_OR_RETURN(auto patient,
                                LoadAuthorized(tx, context.actor, Action::kUpdate, id));
        Apply(fields, patient);
        if (password_hash) {
          if (auto problem = domain::PasswordProblem(*fields.password, patient.email)) {
            return Fail(Error::InvalidField("password", *problem));
          }
          patient.password_hash = password_hash;
          CLINIC_TRY_STATUS(tx.sessions().RevokeAllForUser(Role::kPatient, id, now));
        }
        CLINIC_ASSIGN_OR_RETURN(auto updated, tx.patients().Update(patient));
        CLINIC_TRY_STATUS(
            Audit(tx, clock_, context, "patient.update", "patient", id, UpdateDetails(fields)));
        return updated;
      }));
}

Result<domain::Patient> PatientService::UpdateOwn(const domain::RequestContext& context,
                                                  PatientFields fields) {
  CLINIC_TRY_STATUS(domain::AuthorizeOwnPatientRecord(context.actor));
  return Update(context, context.actor.id, std::move(fields));
}

Status PatientService::Delete(const domain::RequestContext& context, Id id) {
  return store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    CLINIC_ASSIGN_OR_RETURN(auto patient, LoadAuthorized(tx, context.actor, Action::kDelete, id));
    CLINIC_TRY_STATUS(tx.patients().GetForUpdate(id));
    CLINIC_TRY_STATUS(RequireNoUpcomingAppointments(tx, {.patient_id = id}, clock_.Now()));
    return SoftDeleteAccount(tx, tx.patients(), patient, Role::kPatient, clock_, context);
  });
}

Result<domain::Patient> PatientService::Restore(const domain::RequestContext& context, Id id) {
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Patient> {
    CLINIC_ASSIGN_OR_RETURN(auto patient, LoadAuthorized(tx, context.actor, Action::kRestore, id));
    return RestoreAccount(tx, tx.patients(), patient, Role::kPatient, clock_, context);
  });
}

}  // namespace clinic::service
