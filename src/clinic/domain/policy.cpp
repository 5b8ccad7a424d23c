#include "clinic/domain/policy.hpp"

#include <fmt/format.h>

namespace clinic::domain {
namespace {

bool IsAdmin(const Principal& caller) { return caller.Is(Role::kAdmin); }

bool IsAnonymous(const Principal& caller) { return caller.Is(Role::kSystem); }

bool IsPublic(const Doctor& doctor) { return doctor.is_active && !doctor.deleted_at; }

// The words every hidden or missing record of a kind gets, so the two cannot be told apart.
Error Hidden(std::string_view noun, Id id) {
  return Error::NotFound(fmt::format("{} {} not found", noun, id));
}

Error AdminsOnly(std::string_view what) {
  return Error::PermissionDenied(fmt::format("only admins may {}", what));
}

bool IsParticipant(const Principal& caller, const Appointment& appointment) {
  return caller.IsUser(Role::kPatient, appointment.patient_id) ||
         caller.IsUser(Role::kDoctor, appointment.doctor_id);
}

// Whether the appointment exists for the caller at all: for admins always, for its patient and
// doctor while the patient's record is not deleted.
bool SeesAppointment(const Principal& caller, const AppointmentListing& appointment) {
  if (IsAdmin(caller)) return true;
  return !appointment.patient_deleted && IsParticipant(caller, appointment.appointment);
}

bool SeesPatient(const Principal& caller, const PatientFacts& patient) {
  if (IsAdmin(caller)) return true;
  if (patient.deleted) return false;
  if (caller.IsUser(Role::kPatient, patient.patient_id)) return true;
  return caller.Is(Role::kDoctor) && patient.has_appointment_with_caller;
}

}  // namespace

Status AuthorizeLocation(const Principal& caller, Action action) {
  switch (action) {
    case Action::kList:
    case Action::kRead:
      return Ok();
    case Action::kCreate:
    case Action::kUpdate:
      if (IsAdmin(caller)) return Ok();
      return Fail(AdminsOnly("create or change locations"));
    case Action::kDelete:
    case Action::kRestore:
      break;
  }
  return Fail(Error::PermissionDenied("locations cannot be deleted"));
}

Status AuthorizeDoctors(const Principal& caller, Action action, const DoctorListScope& scope) {
  if (IsAdmin(caller)) return Ok();
  if (action == Action::kList) {
    if (!scope.include_inactive && !scope.include_deleted) return Ok();
    if (IsAnonymous(caller)) {
      return Fail(Error::Unauthenticated("log in as an admin to see inactive or deleted doctors"));
    }
    return Fail(AdminsOnly("see inactive or deleted doctors"));
  }
  return Fail(AdminsOnly("add doctors"));
}

Status AuthorizeDoctor(const Principal& caller, Action action, const Doctor& doctor) {
  if (IsAdmin(caller)) return Ok();
  if (!IsPublic(doctor)) return Fail(Hidden("doctor", doctor.id));
  if (action == Action::kRead) return Ok();
  return Fail(AdminsOnly("change doctors"));
}

DoctorView DoctorViewFor(const Principal& caller, const Doctor& doctor) {
  if (IsAdmin(caller) || caller.IsUser(Role::kDoctor, doctor.id)) return DoctorView::kFull;
  return DoctorView::kPublicProfile;
}

bool MaySearchDoctorContactDetails(const Principal& caller) { return IsAdmin(caller); }

Message AsSeenBy(const Principal& reader, Message message) {
  if (!IsAdmin(reader) && !reader.IsUser(message.author.role, message.author.id)) {
    message.client_ua.reset();
    message.client_platform.reset();
  }
  return message;
}

Status AuthorizeSchedule(const Principal& caller, const Doctor& doctor) {
  if (IsAdmin(caller) || caller.IsUser(Role::kDoctor, doctor.id)) return Ok();
  if (!IsPublic(doctor)) return Fail(Hidden("doctor", doctor.id));
  return Fail(
      Error::PermissionDenied("only the doctor themself or an admin may change their schedule"));
}

Status AuthorizeBooking(const Principal& caller, Id patient_id) {
  if (IsAdmin(caller) || caller.IsUser(Role::kPatient, patient_id)) return Ok();
  if (caller.Is(Role::kPatient)) {
    return Fail(Error::PermissionDenied("a patient books appointments only for themself"));
  }
  return Fail(Error::PermissionDenied("only patients and admins may book appointments"));
}

Status AuthorizeAppointment(const Principal& caller, AppointmentAction action,
                            const AppointmentListing& listing) {
  const Appointment& appointment = listing.appointment;
  if (!SeesAppointment(caller, listing)) return Fail(Hidden("appointment", appointment.id));
  if (action != AppointmentAction::kRead) {
    CLINIC_TRY_STATUS(CheckPatientRecordOpen(appointment.patient_id, listing.patient_deleted));
  }
  if (IsAdmin(caller)) return Ok();
  const bool is_patient = caller.IsUser(Role::kPatient, appointment.patient_id);
  const bool is_doctor = caller.IsUser(Role::kDoctor, appointment.doctor_id);
  switch (action) {
    case AppointmentAction::kRead:
    case AppointmentAction::kCancel:
    case AppointmentAction::kWriteMessage:
      return Ok();
    case AppointmentAction::kReschedule:
      if (is_patient) return Ok();
      return Fail(
          Error::PermissionDenied("only the patient or an admin may reschedule an appointment"));
    case AppointmentAction::kComplete:
    case AppointmentAction::kNoShow:
      if (is_doctor) return Ok();
      return Fail(Error::PermissionDenied(
          "only the doctor or an admin records whether an appointment took place"));
    case AppointmentAction::kWriteNotes:
      if (is_doctor) return Ok();
      return Fail(
          Error::PermissionDenied("only the doctor or an admin writes an appointment's notes"));
  }
  return Fail(Hidden("appointment", appointment.id));
}

Result<AppointmentListScope> AuthorizeAppointmentList(const Principal& caller) {
  if (IsAdmin(caller)) return AppointmentListScope{.include_deleted_patients = true};
  if (caller.Is(Role::kDoctor)) return AppointmentListScope{.only_doctor = caller.id};
  if (caller.Is(Role::kPatient)) return AppointmentListScope{.only_patient = caller.id};
  return Fail(Error::Unauthenticated("log in to see appointments"));
}

std::vector<Principal> LiveAudience(const AppointmentListing& listing) {
  if (listing.patient_deleted) return {};
  return {Principal{Role::kPatient, listing.appointment.patient_id},
          Principal{Role::kDoctor, listing.appointment.doctor_id}};
}

Status AuthorizePaymentWrite(const Principal& caller) {
  if (IsAdmin(caller)) return Ok();
  return Fail(AdminsOnly("record or change payments"));
}

Status AuthorizePaymentRead(const Principal& caller, const AppointmentListing& listing) {
  const Appointment& appointment = listing.appointment;
  if (!SeesAppointment(caller, listing)) return Fail(Hidden("appointment", appointment.id));
  if (caller.Is(Role::kDoctor)) {
    return Fail(Error::PermissionDenied("payments are for the patient and the front desk"));
  }
  return Ok();
}

Result<std::optional<Id>> AuthorizePaymentList(const Principal& caller) {
  if (IsAdmin(caller)) return std::optional<Id>{};
  if (caller.Is(Role::kPatient)) return std::optional<Id>{caller.id};
  return Fail(Error::PermissionDenied("payments are for the patient and the front desk"));
}

Status AuthorizePrescribe(const Principal& caller, const AppointmentListing& listing) {
  const Appointment& appointment = listing.appointment;
  if (!SeesAppointment(caller, listing)) return Fail(Hidden("appointment", appointment.id));
  if (!caller.IsUser(Role::kDoctor, appointment.doctor_id)) {
    return Fail(Error::PermissionDenied("only the appointment's doctor issues prescriptions"));
  }
  return Ok();
}

Status AuthorizePrescriptionsOf(const Principal& caller, const PatientFacts& patient) {
  if (IsAdmin(caller) || caller.IsUser(Role::kPatient, patient.patient_id)) return Ok();
  if (caller.Is(Role::kDoctor) && patient.has_appointment_with_caller && !patient.deleted) {
    return Ok();
  }
  return Fail(Hidden("patient", patient.patient_id));
}

Status AuthorizeReports(const Principal& caller) {
  if (IsAdmin(caller)) return Ok();
  return Fail(AdminsOnly("see reports"));
}

Result<PatientListScope> AuthorizePatientList(const Principal& caller, bool include_deleted) {
  if (IsAdmin(caller)) return PatientListScope{};
  if (caller.Is(Role::kDoctor)) {
    if (include_deleted) return Fail(AdminsOnly("see deleted patients"));
    return PatientListScope{.only_patients_of_doctor = caller.id};
  }
  return Fail(Error::PermissionDenied("only admins and doctors may list patients"));
}

Status AuthorizePatientCreate(const Principal& caller) {
  if (IsAdmin(caller)) return Ok();
  return Fail(AdminsOnly("create patient records; patients sign up at /api/v1/auth/register"));
}

Status AuthorizePatient(const Principal& caller, Action action, const PatientFacts& patient) {
  if (!SeesPatient(caller, patient)) return Fail(Hidden("patient", patient.patient_id));
  if (IsAdmin(caller) || action == Action::kRead) return Ok();
  if (action == Action::kUpdate && caller.IsUser(Role::kPatient, patient.patient_id)) return Ok();
  if (caller.Is(Role::kDoctor)) {
    return Fail(Error::PermissionDenied("doctors may read but not change patients' records"));
  }
  return Fail(AdminsOnly("delete or restore patient records"));
}

bool SeesDeletedPatients(const Principal& caller) { return IsAdmin(caller); }

Status CheckPatientRecordOpen(Id patient_id, bool deleted) {
  if (!deleted) return Ok();
  return Fail(Error::FailedPrecondition(fmt::format(
      "patient {}'s record is deleted; nothing new is written for them until an admin restores it",
      patient_id)));
}

Status AuthorizeOwnPatientRecord(const Principal& caller) {
  if (caller.Is(Role::kPatient)) return Ok();
  return Fail(Error::PermissionDenied("only patients have a record of their own here"));
}

Status AuthorizeAdmins(const Principal& caller, Action /*action*/) {
  if (IsAdmin(caller)) return Ok();
  return Fail(AdminsOnly("manage admin accounts"));
}

Status AuthorizeAdmin(const Principal& caller, Action action, Id admin_id) {
  if (!IsAdmin(caller)) return Fail(Hidden("admin", admin_id));
  if (action == Action::kDelete && caller.id == admin_id) {
    return Fail(Error::PermissionDenied(
        "admins cannot delete their own account; another admin has to do it"));
  }
  return Ok();
}

Status AuthorizePasswordReset(const Principal& caller) {
  if (IsAdmin(caller)) return Ok();
  return Fail(Error::PermissionDenied(
      "only admins may set a password here; change your own with POST /api/v1/auth/password"));
}

Status AuthorizeAuditTrail(const Principal& caller) {
  if (caller.Is(Role::kAdmin)) return Ok();
  return Fail(Error::PermissionDenied("only admins may read the audit trail"));
}

}  // namespace clinic::domain
