// The access rules of domain/policy.hpp, role by role, without a server or a database.

#include "clinic/domain/policy.hpp"

#include <gtest/gtest.h>

#include "support/matchers.hpp"
#include "support/printers.hpp"

namespace clinic::domain {

using ::clinic::testing::StatusIs;
namespace {

const Principal kAnonymous{Role::kSystem, 0};
const Principal kAdmin{Role::kAdmin, 1};
const Principal kDoctor{Role::kDoctor, 7};
const Principal kPatient{Role::kPatient, 42};

// Ok, or the code of the refusal.
std::optional<ErrorCode> Outcome(const Status& status) {
  if (status) return std::nullopt;
  return status.error().code;
}

constexpr std::optional<ErrorCode> kAllowed = std::nullopt;
constexpr std::optional<ErrorCode> kForbidden = ErrorCode::kPermissionDenied;
constexpr std::optional<ErrorCode> kHidden = ErrorCode::kNotFound;

Doctor MakeDoctor(Id id, bool active, bool deleted) {
  Doctor doctor;
  doctor.id = id;
  doctor.is_active = active;
  if (deleted) doctor.deleted_at = Instant{};
  return doctor;
}

// Appointment 5, of kPatient with kDoctor, as the services read it.
AppointmentListing AppointmentOfKPatientWithKDoctor(bool patient_deleted = false) {
  AppointmentListing listing;
  listing.appointment.id = 5;
  listing.appointment.patient_id = kPatient.id;
  listing.appointment.doctor_id = kDoctor.id;
  listing.patient_deleted = patient_deleted;
  return listing;
}

TEST(LocationPolicy, AnyoneReadsOnlyAdminsWrite) {
  for (const auto& caller : {kAnonymous, kPatient, kDoctor, kAdmin}) {
    EXPECT_EQ(Outcome(AuthorizeLocation(caller, Action::kList)), kAllowed);
    EXPECT_EQ(Outcome(AuthorizeLocation(caller, Action::kRead)), kAllowed);
  }
  for (const auto& caller : {kPatient, kDoctor}) {
    EXPECT_EQ(Outcome(AuthorizeLocation(caller, Action::kCreate)), kForbidden);
    EXPECT_EQ(Outcome(AuthorizeLocation(caller, Action::kUpdate)), kForbidden);
  }
  EXPECT_EQ(Outcome(AuthorizeLocation(kAdmin, Action::kCreate)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeLocation(kAdmin, Action::kUpdate)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeLocation(kAdmin, Action::kDelete)), kForbidden);
}

TEST(DoctorPolicy, PublicDoctorsAreReadByAnyoneHiddenOnesOnlyByAdmins) {
  const Doctor listed = MakeDoctor(7, /*active=*/true, /*deleted=*/false);
  for (const Doctor& hidden : {MakeDoctor(8, false, false), MakeDoctor(9, true, true)}) {
    for (const auto& caller : {kAnonymous, kPatient, kDoctor}) {
      EXPECT_EQ(Outcome(AuthorizeDoctor(caller, Action::kRead, hidden)), kHidden);
      EXPECT_EQ(Outcome(AuthorizeDoctor(caller, Action::kUpdate, hidden)), kHidden);
    }
    EXPECT_EQ(Outcome(AuthorizeDoctor(kAdmin, Action::kRead, hidden)), kAllowed);
    EXPECT_EQ(Outcome(AuthorizeDoctor(kAdmin, Action::kRestore, hidden)), kAllowed);
  }
  for (const auto& caller : {kAnonymous, kPatient, kDoctor}) {
    EXPECT_EQ(Outcome(AuthorizeDoctor(caller, Action::kRead, listed)), kAllowed);
    EXPECT_EQ(Outcome(AuthorizeDoctor(caller, Action::kUpdate, listed)), kForbidden);
    EXPECT_EQ(Outcome(AuthorizeDoctor(caller, Action::kDelete, listed)), kForbidden);
  }
  EXPECT_EQ(Outcome(AuthorizeDoctor(kAdmin, Action::kDelete, listed)), kAllowed);
}

TEST(DoctorPolicy, OnlyAdminsWidenTheListOrCreate) {
  EXPECT_EQ(Outcome(AuthorizeDoctors(kAnonymous, Action::kList)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeDoctors(kAnonymous, Action::kList, {.include_deleted = true})),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(Outcome(AuthorizeDoctors(kPatient, Action::kList, {.include_inactive = true})),
            kForbidden);
  EXPECT_EQ(Outcome(AuthorizeDoctors(kAdmin, Action::kList, {true, true})), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeDoctors(kDoctor, Action::kCreate)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizeDoctors(kAdmin, Action::kCreate)), kAllowed);
}

TEST(DoctorPolicy, ContactDetailsAreForAdminsAndTheDoctorThemself) {
  const Doctor doctor = MakeDoctor(kDoctor.id, true, false);
  EXPECT_EQ(DoctorViewFor(kAdmin, doctor), DoctorView::kFull);
  EXPECT_EQ(DoctorViewFor(kDoctor, doctor), DoctorView::kFull);
  EXPECT_EQ(DoctorViewFor(Principal{Role::kDoctor, 99}, doctor), DoctorView::kPublicProfile);
  EXPECT_EQ(DoctorViewFor(Principal{Role::kPatient, kDoctor.id}, doctor),
            DoctorView::kPublicProfile)
      << "ids of different roles are different accounts";
  EXPECT_EQ(DoctorViewFor(kAnonymous, doctor), DoctorView::kPublicProfile);
}

TEST(PatientPolicy, APatientSeesAndUpdatesOnlyThemself) {
  const PatientFacts own{.patient_id = kPatient.id};
  const PatientFacts other{.patient_id = kPatient.id + 1};
  EXPECT_EQ(Outcome(AuthorizePatient(kPatient, Action::kRead, own)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePatient(kPatient, Action::kUpdate, own)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePatient(kPatient, Action::kDelete, own)), kForbidden);
  for (auto action : {Action::kRead, Action::kUpdate, Action::kDelete, Action::kRestore}) {
    EXPECT_EQ(Outcome(AuthorizePatient(kPatient, action, other)), kHidden);
    EXPECT_EQ(Outcome(AuthorizePatient(kAnonymous, action, other)), kHidden);
  }
  EXPECT_EQ(Outcome(AuthorizePatient(Principal{Role::kDoctor, kPatient.id}, Action::kRead, own)),
            kHidden)
      << "a doctor with the patient's id number is not the patient";
}

TEST(PatientPolicy, ADoctorReadsOnlyTheirPatientsAndNeverChangesThem) {
  const PatientFacts theirs{.patient_id = 5, .has_appointment_with_caller = true};
  const PatientFacts stranger{.patient_id = 6};
  const PatientFacts deleted{.patient_id = 5, .deleted = true, .has_appointment_with_caller = true};
  EXPECT_EQ(Outcome(AuthorizePatient(kDoctor, Action::kRead, theirs)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePatient(kDoctor, Action::kUpdate, theirs)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePatient(kDoctor, Action::kDelete, theirs)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePatient(kDoctor, Action::kRead, stranger)), kHidden);
  EXPECT_EQ(Outcome(AuthorizePatient(kDoctor, Action::kRead, deleted)), kHidden);
  for (auto action : {Action::kRead, Action::kUpdate, Action::kDelete, Action::kRestore}) {
    EXPECT_EQ(Outcome(AuthorizePatient(kAdmin, action, deleted)), kAllowed);
  }
}

TEST(PatientPolicy, ListsAreScopedByRole) {
  auto admin = AuthorizePatientList(kAdmin, /*include_deleted=*/true);
  ASSERT_TRUE(admin);
  EXPECT_EQ(admin->only_patients_of_doctor, std::nullopt);
  auto doctor = AuthorizePatientList(kDoctor, false);
  ASSERT_TRUE(doctor);
  EXPECT_EQ(doctor->only_patients_of_doctor, kDoctor.id);
  EXPECT_THAT(AuthorizePatientList(kDoctor, true), StatusIs(ErrorCode::kPermissionDenied));
  EXPECT_THAT(AuthorizePatientList(kPatient, false), StatusIs(ErrorCode::kPermissionDenied));
  EXPECT_EQ(Outcome(AuthorizePatientCreate(kDoctor)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePatientCreate(kAdmin)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeOwnPatientRecord(kPatient)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeOwnPatientRecord(kDoctor)), kForbidden);
}

TEST(AdminPolicy, AdminsOnlyAndNeverTheirOwnDeletion) {
  for (const auto& caller : {kPatient, kDoctor}) {
    EXPECT_EQ(Outcome(AuthorizeAdmins(caller, Action::kList)), kForbidden);
    EXPECT_EQ(Outcome(AuthorizeAdmin(caller, Action::kRead, kAdmin.id)), kHidden);
  }
  EXPECT_EQ(Outcome(AuthorizeAdmins(kAdmin, Action::kCreate)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeAdmin(kAdmin, Action::kDelete, 2)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeAdmin(kAdmin, Action::kDelete, kAdmin.id)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizeAdmin(kAdmin, Action::kUpdate, kAdmin.id)), kAllowed);
}

TEST(PasswordResetPolicy, OnlyAdminsSetOthersPasswords) {
  EXPECT_EQ(Outcome(AuthorizePasswordReset(kAdmin)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePasswordReset(kPatient)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePasswordReset(kDoctor)), kForbidden);
}

TEST(AppointmentPolicy, PatientsBookForThemselvesAdminsForAnyoneDoctorsNot) {
  EXPECT_EQ(Outcome(AuthorizeBooking(kPatient, kPatient.id)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeBooking(kPatient, 43)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizeBooking(kAdmin, 43)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeBooking(kDoctor, 43)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizeBooking(kAnonymous, 43)), kForbidden);
}

TEST(AppointmentPolicy, EachParticipantHasTheirOwnActions) {
  const AppointmentListing appointment = AppointmentOfKPatientWithKDoctor();
  const Principal other_patient{Role::kPatient, 43};
  const Principal other_doctor{Role::kDoctor, 8};
  using A = AppointmentAction;
  for (const auto action : {A::kRead, A::kCancel, A::kReschedule, A::kComplete, A::kNoShow}) {
    EXPECT_EQ(Outcome(AuthorizeAppointment(kAdmin, action, appointment)), kAllowed);
    EXPECT_EQ(Outcome(AuthorizeAppointment(other_patient, action, appointment)), kHidden);
    EXPECT_EQ(Outcome(AuthorizeAppointment(other_doctor, action, appointment)), kHidden);
    EXPECT_EQ(Outcome(AuthorizeAppointment(kAnonymous, action, appointment)), kHidden);
  }
  EXPECT_EQ(Outcome(AuthorizeAppointment(kPatient, A::kRead, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeAppointment(kPatient, A::kCancel, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeAppointment(kPatient, A::kReschedule, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeAppointment(kPatient, A::kComplete, appointment)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizeAppointment(kDoctor, A::kRead, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeAppointment(kDoctor, A::kCancel, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeAppointment(kDoctor, A::kReschedule, appointment)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizeAppointment(kDoctor, A::kNoShow, appointment)), kAllowed);
}

TEST(AppointmentPolicy, ADeletedPatientsAppointmentIsTheAdminsAloneAndOnlyToRead) {
  const AppointmentListing appointment = AppointmentOfKPatientWithKDoctor(/*patient_deleted=*/true);
  using A = AppointmentAction;
  for (const auto action : {A::kRead, A::kCancel, A::kReschedule, A::kComplete, A::kNoShow,
                            A::kWriteNotes, A::kWriteMessage}) {
    const auto as_doctor = AuthorizeAppointment(kDoctor, action, appointment);
    ASSERT_EQ(Outcome(as_doctor), kHidden);
    EXPECT_EQ(as_doctor.error().message, "appointment 5 not found") << "worded as a missing id";
    EXPECT_EQ(Outcome(AuthorizeAppointment(kPatient, action, appointment)), kHidden);
    EXPECT_EQ(Outcome(AuthorizeAppointment(kAdmin, action, appointment)),
              action == A::kRead ? kAllowed : std::optional{ErrorCode::kFailedPrecondition});
  }
  EXPECT_EQ(Outcome(AuthorizePaymentRead(kAdmin, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePaymentRead(kDoctor, appointment)), kHidden);
  EXPECT_EQ(Outcome(AuthorizePrescribe(kDoctor, appointment)), kHidden);
  EXPECT_TRUE(LiveAudience(appointment).empty()) << "nobody hears of it live";
  EXPECT_EQ(LiveAudience(AppointmentOfKPatientWithKDoctor()).size(), 2u);
  EXPECT_TRUE(SeesDeletedPatients(kAdmin));
  EXPECT_FALSE(SeesDeletedPatients(kDoctor));
}

TEST(AppointmentPolicy, ListsAreNarrowedToTheCallersOwn) {
  EXPECT_FALSE(AuthorizeAppointmentList(kAdmin)->only_patient);
  EXPECT_TRUE(AuthorizeAppointmentList(kAdmin)->include_deleted_patients);
  EXPECT_EQ(AuthorizeAppointmentList(kPatient)->only_patient, kPatient.id);
  EXPECT_EQ(AuthorizeAppointmentList(kDoctor)->only_doctor, kDoctor.id);
  EXPECT_FALSE(AuthorizeAppointmentList(kDoctor)->include_deleted_patients);
  EXPECT_FALSE(AuthorizeAppointmentList(kAnonymous));
}

TEST(PaymentPolicy, AdminsWriteThePatientReadsTheDoctorMayNot) {
  const AppointmentListing appointment = AppointmentOfKPatientWithKDoctor();
  EXPECT_EQ(Outcome(AuthorizePaymentWrite(kAdmin)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePaymentWrite(kPatient)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePaymentWrite(kDoctor)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePaymentRead(kAdmin, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePaymentRead(kPatient, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePaymentRead(kDoctor, appointment)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePaymentRead(Principal{Role::kPatient, 43}, appointment)), kHidden);
  EXPECT_EQ(*AuthorizePaymentList(kPatient), kPatient.id);
  EXPECT_FALSE(AuthorizePaymentList(kDoctor));
}

TEST(PrescriptionPolicy, OnlyTheAppointmentsDoctorWritesTheirPatientsDoctorsRead) {
  const AppointmentListing appointment = AppointmentOfKPatientWithKDoctor();
  EXPECT_EQ(Outcome(AuthorizePrescribe(kDoctor, appointment)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePrescribe(kAdmin, appointment)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePrescribe(kPatient, appointment)), kForbidden);
  EXPECT_EQ(Outcome(AuthorizePrescribe(Principal{Role::kDoctor, 8}, appointment)), kHidden);
  const PatientFacts theirs{.patient_id = kPatient.id, .has_appointment_with_caller = true};
  const PatientFacts strangers{.patient_id = kPatient.id};
  EXPECT_EQ(Outcome(AuthorizePrescriptionsOf(kDoctor, theirs)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePrescriptionsOf(kDoctor, strangers)), kHidden);
  EXPECT_EQ(Outcome(AuthorizePrescriptionsOf(kPatient, strangers)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizePrescriptionsOf(Principal{Role::kPatient, 43}, strangers)), kHidden);
  EXPECT_EQ(Outcome(AuthorizeReports(kAdmin)), kAllowed);
  EXPECT_EQ(Outcome(AuthorizeReports(kDoctor)), kForbidden);
}

}  // namespace
}  // namespace clinic::domain
