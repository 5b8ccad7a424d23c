#include "clinic/service/prescription_service.hpp"

#include <fmt/format.h>

#include "clinic/domain/policy.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/audit_trail.hpp"

namespace clinic::service {
namespace {

using domain::AppointmentStatus;
using domain::PrescriptionListing;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

constexpr std::size_t kMaxInstructionsChars = 4000;

// The prescription this one corrects: it must exist, be the same patient's, be the calling
// doctor's own and have no successor. An unknown id, another
// patient's and another doctor's prescription get the same answer, so none reveals that the
// prescription exists.
Status CheckSupersedes(Transaction& tx, const domain::Principal& caller, Id supersedes_id,
                       Id patient_id) {
  auto earlier = tx.prescriptions().GetListing(supersedes_id);
  if (!earlier && earlier.error().code != ErrorCode::kNotFound) return Fail(earlier.error());
  const bool replaceable =
      earlier && earlier->prescription.patient_id == patient_id &&
      (!caller.Is(domain::Role::kDoctor) || earlier->prescription.doctor_id == caller.id);
  if (!replaceable) {
    return Fail(Error::InvalidField("supersedes_id",
                                    "is not a prescription of this patient that you may replace"));
  }
  if (earlier->superseded_by) {
    return Fail(Error::FailedPrecondition(
        fmt::format("prescription {} was already replaced by prescription {}", supersedes_id,
                    *earlier->superseded_by)));
  }
  return Ok();
}

}  // namespace

PrescriptionService::PrescriptionService(storage::Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Result<Created<PrescriptionListing>> PrescriptionService::Issue(
    const domain::RequestContext& context, Id appointment_id, const NewPrescription& input) {
  const Instant now = clock_.Now();
  auto issued = CreateOnce(
      store_, clock_, context, "prescription.issue",
      [&](Transaction& tx) -> Result<Id> {
        domain::Validator check;
        const auto instructions = check.OptionalText("instructions", input.instructions,
                                                     kMaxInstructionsChars, /*multiline=*/true);
        if (!instructions) check.Add("instructions", "is required");
        CLINIC_ASSIGN_OR_RETURN(auto listing, tx.appointments().GetListing(appointment_id));
        CLINIC_TRY_STATUS(domain::AuthorizePrescribe(context.actor, listing));
        const auto& appointment = listing.appointment;
        if (input.doctor_id && *input.doctor_id != appointment.doctor_id) {
          check.Add("doctor_id", "must be the appointment's doctor (or left out)");
        }
        if (input.patient_id && *input.patient_id != appointment.patient_id) {
          check.Add("patient_id", "must be the appointment's patient (or left out)");
        }
        CLINIC_TRY_STATUS(check.Finish("the prescription is not valid"));
        if (appointment.status != AppointmentStatus::kScheduled &&
            appointment.status != AppointmentStatus::kCompleted) {
          return Fail(Error::FailedPrecondition(fmt::format(
              "appointment {} is {}; prescriptions are for scheduled or completed appointments",
              appointment_id, domain::Name(appointment.status))));
        }
        if (input.supersedes_id) {
          CLINIC_TRY_STATUS(
              CheckSupersedes(tx, context.actor, *input.supersedes_id, appointment.patient_id));
        }
        CLINIC_ASSIGN_OR_RETURN(auto stored,
                                tx.prescriptions().Create({.appointment_id = appointment_id,
                                                           .doctor_id = appointment.doctor_id,
                                                           .patient_id = appointment.patient_id,
                                                           .instructions = *instructions,
                                                           .supersedes_id = input.supersedes_id,
                                                           .issued_at = now}));
        CLINIC_TRY_STATUS(Audit(
            tx, clock_, context, "prescription.issue", "prescription", stored.id,
            input.supersedes_id ? fmt::format("replaces prescription {}", *input.supersedes_id)
                                : fmt::format("appointment {}", appointment_id)));
        return stored.id;
      },
      [](Transaction& tx, Id id) { return tx.prescriptions().GetListing(id); });
  // Two corrections of one prescription at once: the unique index lets one in.
  if (!issued && issued.error().code == ErrorCode::kAlreadyExists && input.supersedes_id) {
    return Fail(Error::FailedPrecondition(
        fmt::format("prescription {} was already replaced", *input.supersedes_id)));
  }
  return issued;
}

Result<std::vector<PrescriptionListing>> PrescriptionService::ListForAppointment(
    const domain::RequestContext& context, Id appointment_id) {
  return InTransaction(
      store_, TxMode::kRead, [&](Transaction& tx) -> Result<std::vector<PrescriptionListing>> {
        CLINIC_ASSIGN_OR_RETURN(auto appointment, tx.appointments().GetListing(appointment_id));
        CLINIC_TRY_STATUS(domain::AuthorizeAppointment(
            context.actor, domain::AppointmentAction::kRead, appointment));
        return tx.prescriptions().ListForAppointment(appointment_id);
      });
}

Result<std::vector<PrescriptionListing>> PrescriptionService::ListForPatient(
    const domain::RequestContext& context, Id patient_id) {
  return InTransaction(
      store_, TxMode::kRead, [&](Transaction& tx) -> Result<std::vector<PrescriptionListing>> {
        CLINIC_ASSIGN_OR_RETURN(auto patient, tx.patients().Get(patient_id));
        domain::PatientFacts facts{.patient_id = patient_id,
                                   .deleted = patient.deleted_at.has_value()};
        if (context.actor.Is(domain::Role::kDoctor)) {
          CLINIC_ASSIGN_OR_RETURN(facts.has_appointment_with_caller,
                                  tx.appointments().ExistsBetween(context.actor.id, patient_id));
        }
        CLINIC_TRY_STATUS(domain::AuthorizePrescriptionsOf(context.actor, facts));
        return tx.prescriptions().ListForPatient(patient_id);
      });
}

}  // namespace clinic::service
