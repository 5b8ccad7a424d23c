#pragma once

#include <optional>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/message.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/domain/read_models.hpp"

namespace clinic::domain {

// Who may do what with locations, doctors, patients and admins (DESIGN.md §2.4): the one place
// these rules are written. Each function is pure: it takes the caller and the facts the service
// looked up, and answers
//   Ok                  the caller may go ahead;
//   kPermissionDenied   (403) the caller is logged in, may see what is at stake, but their role
//                       may never do this (a patient creating a location, a doctor editing a
//                       patient's record);
//   kNotFound           (404) the record is one the caller may not see. It is the same answer a
//                       missing id gets, so guessing ids tells nothing; never 403 for a record.
//   kUnauthenticated    (401) only where anyone may act but the asked-for extra needs a login;
//   kFailedPrecondition (409) only for a deleted patient's record, which admins still see but
//                       which takes nothing new until it is restored (CheckPatientRecordOpen).
// A caller with Role::kSystem is treated as anonymous: that is what requests without a session
// carry (http::AnonymousContext), and it is granted nothing beyond the public reads.

// What a caller wants to do. Collections take kList and kCreate, records the others.
enum class Action { kList, kCreate, kRead, kUpdate, kDelete, kRestore };

// Locations: anyone lists and reads them (booking pages show them); admins create and update.
// kDelete and kRestore are not offered for locations and are denied.
Status AuthorizeLocation(const Principal& caller, Action action);

// What a list of doctors asks to see beyond the public ones (active and not deleted).
struct DoctorListScope {
  bool include_inactive = false;
  bool include_deleted = false;
};

// Doctor collection: anyone lists the public doctors; only admins widen the scope (an anonymous
// caller asking for more gets kUnauthenticated) and create doctors.
Status AuthorizeDoctors(const Principal& caller, Action action, const DoctorListScope& scope = {});

// One doctor's record: anyone reads an active, non-deleted doctor; deleted or inactive doctors
// exist only for admins (kNotFound for everyone else). Only admins update, delete and restore.
Status AuthorizeDoctor(const Principal& caller, Action action, const Doctor& doctor);

// How much of a doctor's record a caller is shown.
enum class DoctorView {
  kPublicProfile,  // name, specialization, bio, location: what a booking page needs
  kFull,           // also the contact details (email, phone) and the account state
};

// kFull for admins and for the doctor themself; the public profile for everyone else, so the
// public list does not hand out staff email addresses and phone numbers.
DoctorView DoctorViewFor(const Principal& caller, const Doctor& doctor);

// Whether the caller's doctor search (`q`) may match contact details (email): only admins, who
// see them on every doctor. Everyone else searches what the public profile shows, so a hidden
// address cannot be recovered one letter at a time.
bool MaySearchDoctorContactDetails(const Principal& caller);

// The message as `reader` may see it: the author's device (meta.client) is shown only to the
// author and to admins; the other participant sees the message without it.
Message AsSeenBy(const Principal& reader, Message message);

// Which patients a list may show the caller.
struct PatientListScope {
  // Set for doctors: only patients with at least one appointment (any status) with this doctor.
  std::optional<Id> only_patients_of_doctor;
};

// Patient collection. kList: admins see everyone (and may include deleted records); doctors see
// the patients they have appointments with, never deleted ones; patients may not list
// (kPermissionDenied). kCreate: admins only (patients sign themselves up via registration).
Result<PatientListScope> AuthorizePatientList(const Principal& caller, bool include_deleted);
Status AuthorizePatientCreate(const Principal& caller);

// What the service looked up about one patient's record and the caller.
struct PatientFacts {
  Id patient_id = 0;
  bool deleted = false;
  // True when the caller is a doctor sharing at least one appointment (any status) with the
  // patient (AppointmentRepository::ExistsBetween).
  bool has_appointment_with_caller = false;
};

// One patient's record. Admins may do everything. A patient sees and updates only their own
// record. A doctor reads the non-deleted patients they have an appointment with and never changes
// them. Everyone else gets kNotFound, as does anyone acting on a record they cannot see.
Status AuthorizePatient(const Principal& caller, Action action, const PatientFacts& patient);

// Whether the caller sees deleted patients and everything that hangs off their record
// (appointments, threads, prescriptions, payments): only admins do.
bool SeesDeletedPatients(const Principal& caller);

// A deleted patient's record is closed: nothing new is written for them — no booking, notes,
// status change, message or prescription, by anyone — until an admin restores it.
// kFailedPrecondition (409) when `deleted`.
Status CheckPatientRecordOpen(Id patient_id, bool deleted);

// /patients/me: only a patient has a record of their own (kPermissionDenied for other roles).
Status AuthorizeOwnPatientRecord(const Principal& caller);

// Admin accounts exist only for admins: the collection answers kPermissionDenied to other roles,
// a record kNotFound. An admin may not delete their own account, so a clinic cannot lock itself
// out by removing its last admin.
Status AuthorizeAdmins(const Principal& caller, Action action);
Status AuthorizeAdmin(const Principal& caller, Action action, Id admin_id);

// Setting another account's password as part of an update (a reset for someone who forgot theirs,
// or a first login for a patient the front desk created) is for admins only; people change their
// own password with the current one (POST /api/v1/auth/password).
Status AuthorizePasswordReset(const Principal& caller);

// A doctor's schedule: their working hours and slots. Admins and the doctor themself may read and
// change it. Anyone else gets kNotFound when they may not see the doctor (inactive or deleted)
// and kPermissionDenied otherwise: the doctor's slots are public, but not theirs to change.
Status AuthorizeSchedule(const Principal& caller, const Doctor& doctor);

// Booking for `patient_id`: a patient books for themself, an admin for any patient. A doctor, or a
// patient naming someone else, gets kPermissionDenied.
Status AuthorizeBooking(const Principal& caller, Id patient_id);

// What a caller does with one appointment.
enum class AppointmentAction {
  kRead,
  kCancel,
  kReschedule,
  kComplete,
  kNoShow,
  kWriteNotes,
  kWriteMessage,  // post or edit a message on the appointment's thread
};

// One appointment. Its patient and its doctor see it, may cancel it and write on its thread; the
// patient (not the doctor) may reschedule it; the doctor (not the patient) records complete or
// no-show and writes the appointment's notes. Admins may do everything. Anyone else gets kNotFound;
// a participant asking for another participant's action gets kPermissionDenied.
// An appointment of a deleted patient exists only for admins (kNotFound, worded as for a missing
// id, for everyone else, its doctor included), and for them only to read: any other action is
// CheckPatientRecordOpen's kFailedPrecondition.
Status AuthorizeAppointment(const Principal& caller, AppointmentAction action,
                            const AppointmentListing& appointment);

// Whose appointments a list may show the caller: admins everyone's; a doctor only their own;
// a patient only their own. Only admins' lists include the appointments of deleted patients.
struct AppointmentListScope {
  std::optional<Id> only_patient;
  std::optional<Id> only_doctor;
  bool include_deleted_patients = false;
};
Result<AppointmentListScope> AuthorizeAppointmentList(const Principal& caller);

// Who hears of an appointment's changes and of its thread live (service::LiveFeed): its patient
// and its doctor; nobody once the patient's record is deleted (admins get no live events; they
// follow threads through the API).
std::vector<Principal> LiveAudience(const AppointmentListing& appointment);

// Payments are recorded and changed by admins only (kPermissionDenied for everyone else).
Status AuthorizePaymentWrite(const Principal& caller);

// The payments of one appointment (and each of them): admins and the appointment's patient read
// them; its doctor gets kPermissionDenied (billing is the front desk's); anyone else kNotFound, as
// does everyone but admins when the patient's record is deleted. Money is not a clinical record:
// admins still record payments and refunds for a deleted patient.
Status AuthorizePaymentRead(const Principal& caller, const AppointmentListing& appointment);

// Whose payments a list may show: admins everyone's (nullopt), a patient only their own;
// doctors get kPermissionDenied.
Result<std::optional<Id>> AuthorizePaymentList(const Principal& caller);

// Only the appointment's own doctor issues its prescriptions: its patient and admins get
// kPermissionDenied, anyone else kNotFound, as does the doctor of a deleted patient.
Status AuthorizePrescribe(const Principal& caller, const AppointmentListing& appointment);

// A patient's prescriptions: admins, the patient, and doctors who have an appointment with the
// patient (which covers every prescription they issued) read them; anyone else kNotFound.
Status AuthorizePrescriptionsOf(const Principal& caller, const PatientFacts& patient);

// Reports are for admins only (kPermissionDenied for everyone else).
Status AuthorizeReports(const Principal& caller);

// The audit trail: admins only (kPermissionDenied for everyone else).
Status AuthorizeAuditTrail(const Principal& caller);

}  // namespace clinic::domain
