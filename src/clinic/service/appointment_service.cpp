#include "clinic/service/appointment_service.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "clinic/domain/appointment_rules.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/service/start_cursor.hpp"

namespace clinic::service {
namespace {

using domain::AppointmentAction;
using domain::AppointmentChange;
using domain::AppointmentListing;
using domain::AppointmentStatus;
using domain::Role;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

constexpr std::size_t kMaxReasonChars = 255;
constexpr std::size_t kMaxNotesChars = 4000;
constexpr std::string_view kBookOperation = "appointment.book";

bool IsStaff(const domain::Principal& caller) {
  return caller.Is(Role::kDoctor) || caller.Is(Role::kAdmin);
}

// A slot named in the request must exist; reported on the field, like other references in a body.
template <typename T>
Result<T> NamedSlotMustExist(Result<T> read) {
  if (!read && read.error().code == ErrorCode::kNotFound) {
    return Fail(Error::InvalidField("slot_id", "no slot has this id"));
  }
  return read;
}

// The slot and its doctor with the doctor's row locked (the lock every change to the doctor's
// slots takes first, domain::AuthorizeSchedule's writers included), then both read so that they
// are seen as the last lock holder left them.
Result<std::pair<domain::Slot, domain::Doctor>> LockSlotAndDoctor(Transaction& tx, Id slot_id) {
  CLINIC_ASSIGN_OR_RETURN(auto first_look, NamedSlotMustExist(tx.slots().Get(slot_id)));
  CLINIC_TRY_STATUS(tx.doctors().Lock(first_look.doctor_id));
  return NamedSlotMustExist(tx.slots().GetWithDoctor(slot_id));
}

// The patient's row, locked so that one patient's bookings queue and each sees the ones before.
Status LockPatient(Transaction& tx, Id patient_id) {
  auto patient = tx.patients().GetForUpdate(patient_id);
  if (!patient && patient.error().code == ErrorCode::kNotFound) {
    return Fail(Error::InvalidField("patient_id", "no patient has this id"));
  }
  CLINIC_TRY_STATUS(patient);
  return domain::CheckPatientRecordOpen(patient_id, patient->deleted_at.has_value());
}

// The appointment with its row locked, as the listing the policy judges.
Result<AppointmentListing> LockAppointment(Transaction& tx, Id id) {
  CLINIC_TRY_STATUS(tx.appointments().GetForUpdate(id));
  return tx.appointments().GetListing(id);
}

Status CheckNoOverlap(Transaction& tx, Id patient_id, const domain::Slot& slot,
                      std::optional<Id> except) {
  CLINIC_ASSIGN_OR_RETURN(const bool overlaps,
                          tx.appointments().PatientHasOverlap(patient_id, slot.start_time_utc,
                                                              slot.end_time_utc, except));
  if (overlaps) {
    return Fail(
        Error::FailedPrecondition("the patient already has an appointment at an overlapping time"));
  }
  return Ok();
}

// The slot-taken answer, for the unique index refusing a second active appointment.
template <typename T>
Result<T> SlotTakenIfDuplicate(Result<T> outcome, Id slot_id) {
  if (!outcome && outcome.error().code == ErrorCode::kAlreadyExists) {
    return Fail(Error::AlreadyExists(fmt::format("slot {} is already booked", slot_id)));
  }
  return outcome;
}

// Narrows a requested id to the one the caller's scope allows; false when they differ, so the
// list is empty.
bool Narrow(std::optional<Id>& requested, const std::optional<Id>& only) {
  if (!only) return true;
  if (requested && *requested != *only) return false;
  requested = only;
  return true;
}

AppointmentAction ActionFor(AppointmentStatus outcome) {
  return outcome == AppointmentStatus::kCompleted ? AppointmentAction::kComplete
                                                  : AppointmentAction::kNoShow;
}

AppointmentChange ChangeFor(AppointmentStatus outcome) {
  return outcome == AppointmentStatus::kCompleted ? AppointmentChange::kComplete
                                                  : AppointmentChange::kNoShow;
}

// The appointment as the change left it, recorded with the change in the outbox when there is one.
Result<AppointmentListing> Recorded(Transaction& tx, const OutboxWriter* outbox,
                                    const domain::RequestContext& context, AppointmentEvent event,
                                    Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto listing, tx.appointments().GetListing(id));
  if (outbox != nullptr) {
    CLINIC_TRY_STATUS(outbox->RecordAppointmentChange(tx, context, event, listing));
  }
  return listing;
}

// A reschedule to another doctor's slot: books the patient there as a new appointment (with the
// same reason) and ends `current` as rescheduled to it, so that every appointment keeps one doctor
// and, with it, its thread, notes and prescriptions. Returns the new appointment's id.
Result<Id> RebookWithAnotherDoctor(Transaction& tx, const Clock& clock,
                                   const domain::RequestContext& context,
                                   const AppointmentListing& current, const domain::Slot& slot) {
  const auto& old = current.appointment;
  CLINIC_ASSIGN_OR_RETURN(auto created, SlotTakenIfDuplicate(tx.appointments().Create({
                                                                 .slot_id = slot.id,
                                                                 .doctor_id = slot.doctor_id,
                                                                 .patient_id = old.patient_id,
                                                                 .location_id = slot.location_id,
                                                                 .reason = old.reason,
                                                             }),
                                                             slot.id));
  CLINIC_TRY_STATUS(tx.appointments().CancelAsRescheduled(
      old.id, created.id, fmt::format("rescheduled to appointment {}", created.id)));
  CLINIC_TRY_STATUS(
      Audit(tx, clock, context, "appointment.reschedule", "appointment", old.id,
            fmt::format("slot {} to slot {} as appointment {}", old.slot_id, slot.id, created.id)));
  CLINIC_TRY_STATUS(
      Audit(tx, clock, context, "appointment.book", "appointment", created.id,
            fmt::format("slot {}, rescheduled from appointment {}", slot.id, old.id)));
  return created.id;
}

// Tells `events` (when set) of a change that committed, and passes the outcome on.
Result<AppointmentListing> Announce(AppointmentEvents* events, AppointmentEvent event,
                                    Result<AppointmentListing> outcome) {
  if (outcome && events != nullptr) events->Changed(event, *outcome);
  return outcome;
}

}  // namespace

AppointmentService::AppointmentService(storage::Store& store, const Clock& clock,
                                       AppointmentEvents* events, const OutboxWriter* outbox)
    : store_(store), clock_(clock), events_(events), outbox_(outbox) {}

Result<Created<AppointmentListing>> AppointmentService::Book(const domain::RequestContext& context,
                                                             const BookingRequest& request) {
  const auto& caller = context.actor;
  std::optional<Id> patient_id = request.patient_id;
  if (!patient_id && caller.Is(Role::kPatient)) patient_id = caller.id;
  domain::Validator check;
  const auto reason = check.OptionalText("reason", request.reason, kMaxReasonChars);
  if (!patient_id && caller.Is(Role::kAdmin)) {
    check.Add("patient_id", "is required when an admin books");
  }
  if (patient_id || !caller.Is(Role::kAdmin)) {
    CLINIC_TRY_STATUS(domain::AuthorizeBooking(caller, patient_id.value_or(0)));
  }
  CLINIC_TRY_STATUS(check.Finish("the booking is not valid"));

  auto booked = CreateOnce(
      store_, clock_, context, kBookOperation,
      [&](Transaction& tx) -> Result<MadeWithAnswer<Id, AppointmentListing>> {
        CLINIC_ASSIGN_OR_RETURN(auto locked, LockSlotAndDoctor(tx, request.slot_id));
        const auto& [slot, doctor] = locked;
        CLINIC_TRY_STATUS(LockPatient(tx, *patient_id));
        CLINIC_TRY_STATUS(domain::CheckBookable(slot, doctor, clock_.Now()));
        CLINIC_TRY_STATUS(CheckNoOverlap(tx, *patient_id, slot, std::nullopt));
        CLINIC_ASSIGN_OR_RETURN(auto created,
                                SlotTakenIfDuplicate(tx.appointments().Create({
                                                         .slot_id = slot.id,
                                                         .doctor_id = slot.doctor_id,
                                                         .patient_id = *patient_id,
                                                         .location_id = slot.location_id,
                                                         .reason = reason,
                                                     }),
                                                     slot.id));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "appointment.book", "appointment", created.id,
                                fmt::format("slot {}", slot.id)));
        CLINIC_ASSIGN_OR_RETURN(
            auto listing, Recorded(tx, outbox_, context, AppointmentEvent::kBooked, created.id));
        return MadeWithAnswer<Id, AppointmentListing>{.id = created.id,
                                                      .answer = std::move(listing)};
      },
      [](Transaction& tx, Id id) { return tx.appointments().GetListing(id); });
  if (booked && !booked->replayed && events_ != nullptr) {
    events_->Changed(AppointmentEvent::kBooked, booked->value);
  }
  return booked;
}

Result<AppointmentListing> AppointmentService::Get(const domain::RequestContext& context, Id id) {
  return InTransaction(store_, TxMode::kRead, [&](Transaction& tx) -> Result<AppointmentListing> {
    CLINIC_ASSIGN_OR_RETURN(auto listing, tx.appointments().GetListing(id));
    CLINIC_TRY_STATUS(
        domain::AuthorizeAppointment(context.actor, AppointmentAction::kRead, listing));
    return listing;
  });
}

Result<AppointmentPage> AppointmentService::List(const domain::RequestContext& context,
                                                 const AppointmentQuery& query) {
  CLINIC_ASSIGN_OR_RETURN(const auto scope, domain::AuthorizeAppointmentList(context.actor));
  storage::AppointmentFilter filter{.patient_id = query.patient_id,
                                    .doctor_id = query.doctor_id,
                                    .location_id = query.location_id,
                                    .status = query.status,
                                    .from = query.from,
                                    .to = query.to,
                                    .limit = std::max(query.limit, 1)};
  if (query.cursor) {
    CLINIC_ASSIGN_OR_RETURN(filter.after, DecodeStartCursor(*query.cursor));
  }
  filter.include_deleted_patients = scope.include_deleted_patients;
  if (!Narrow(filter.patient_id, scope.only_patient) ||
      !Narrow(filter.doctor_id, scope.only_doctor)) {
    return AppointmentPage{};
  }
  CLINIC_ASSIGN_OR_RETURN(auto listings, InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
                            return tx.appointments().List(filter);
                          }));
  return MakeStartOrderedPage(std::move(listings), filter.limit, [](const auto& listing) {
    return std::pair{listing.start_time_utc, listing.appointment.id};
  });
}

Result<AppointmentListing> AppointmentService::Cancel(const domain::RequestContext& context, Id id,
                                                      const std::optional<std::string>& reason) {
  domain::Validator check;
  const auto cleaned = check.OptionalText("reason", reason, kMaxReasonChars);
  CLINIC_TRY_STATUS(check.Finish("the cancellation is not valid"));
  const Instant now = clock_.Now();
  return Announce(
      events_, AppointmentEvent::kCancelled,
      InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<AppointmentListing> {
        CLINIC_ASSIGN_OR_RETURN(auto current, LockAppointment(tx, id));
        CLINIC_TRY_STATUS(
            domain::AuthorizeAppointment(context.actor, AppointmentAction::kCancel, current));
        CLINIC_TRY_STATUS(
            domain::CheckAppointmentChange(current.appointment.status, AppointmentChange::kCancel,
                                           current.start_time_utc, now, IsStaff(context.actor)));
        CLINIC_TRY_STATUS(tx.appointments().Cancel(id, cleaned));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "appointment.cancel", "appointment", id,
                                fmt::format("slot {}", current.appointment.slot_id)));
        return Recorded(tx, outbox_, context, AppointmentEvent::kCancelled, id);
      }));
}

Result<AppointmentListing> AppointmentService::Reschedule(const domain::RequestContext& context,
                                                          Id id, Id new_slot_id) {
  const Instant now = clock_.Now();
  // The appointment a reschedule to another doctor ended, as it is after the change.
  std::optional<AppointmentListing> ended;
  auto rescheduled =
      InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<AppointmentListing> {
        ended.reset();
        // Authorized before anything is locked, so that strangers learn nothing and wait for
        // nothing; checked again below on the locked row.
        CLINIC_ASSIGN_OR_RETURN(auto first_look, tx.appointments().GetListing(id));
        CLINIC_TRY_STATUS(domain::AuthorizeAppointment(context.actor,
                                                       AppointmentAction::kReschedule, first_look));
        CLINIC_ASSIGN_OR_RETURN(auto locked, LockSlotAndDoctor(tx, new_slot_id));
        const auto& [slot, doctor] = locked;
        CLINIC_TRY_STATUS(LockPatient(tx, first_look.appointment.patient_id));
        CLINIC_ASSIGN_OR_RETURN(auto current, LockAppointment(tx, id));
        CLINIC_TRY_STATUS(
            domain::AuthorizeAppointment(context.actor, AppointmentAction::kReschedule, current));
        const auto& appointment = current.appointment;
        CLINIC_TRY_STATUS(
            domain::CheckAppointmentChange(appointment.status, AppointmentChange::kReschedule,
                                           current.start_time_utc, now, IsStaff(context.actor)));
        if (slot.id == appointment.slot_id) {
          return Fail(Error::InvalidField("slot_id", "is the appointment's current slot"));
        }
        CLINIC_TRY_STATUS(domain::CheckBookable(slot, doctor, now));
        CLINIC_TRY_STATUS(CheckNoOverlap(tx, appointment.patient_id, slot, id));
        if (slot.doctor_id != appointment.doctor_id) {
          CLINIC_ASSIGN_OR_RETURN(const Id successor,
                                  RebookWithAnotherDoctor(tx, clock_, context, current, slot));
          CLINIC_ASSIGN_OR_RETURN(ended,
                                  Recorded(tx, outbox_, context, AppointmentEvent::kCancelled, id));
          return Recorded(tx, outbox_, context, AppointmentEvent::kBooked, successor);
        }
        CLINIC_TRY_STATUS(SlotTakenIfDuplicate(tx.appointments().MoveToSlot(id, slot), slot.id));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "appointment.reschedule", "appointment", id,
                                fmt::format("slot {} to slot {}", appointment.slot_id, slot.id)));
        return Recorded(tx, outbox_, context, AppointmentEvent::kRescheduled, id);
      });
  if (!rescheduled || events_ == nullptr) return rescheduled;
  if (ended) {
    events_->Changed(AppointmentEvent::kCancelled, *ended);
    events_->Changed(AppointmentEvent::kBooked, *rescheduled);
  } else {
    events_->Changed(AppointmentEvent::kRescheduled, *rescheduled);
  }
  return rescheduled;
}

Result<AppointmentListing> AppointmentService::Complete(const domain::RequestContext& context,
                                                        Id id) {
  return RecordAttendance(context, id, AppointmentStatus::kCompleted);
}

Result<AppointmentListing> AppointmentService::MarkNoShow(const domain::RequestContext& context,
                                                          Id id) {
  return RecordAttendance(context, id, AppointmentStatus::kNoShow);
}

Result<AppointmentListing> AppointmentService::SetNotes(const domain::RequestContext& context,
                                                        Id id,
                                                        const std::optional<std::string>& notes) {
  domain::Validator check;
  auto cleaned = check.OptionalText("notes", notes, kMaxNotesChars, /*multiline=*/true);
  CLINIC_TRY_STATUS(check.Finish("the notes are not valid"));
  if (cleaned && cleaned->empty()) cleaned.reset();
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<AppointmentListing> {
    CLINIC_ASSIGN_OR_RETURN(auto current, LockAppointment(tx, id));
    CLINIC_TRY_STATUS(
        domain::AuthorizeAppointment(context.actor, AppointmentAction::kWriteNotes, current));
    CLINIC_TRY_STATUS(tx.appointments().SetNotes(id, cleaned));
    CLINIC_TRY_STATUS(Audit(tx, clock_, context, "appointment.notes", "appointment", id));
    return tx.appointments().GetListing(id);
  });
}

Result<AppointmentListing> AppointmentService::RecordAttendance(
    const domain::RequestContext& context, Id id, AppointmentStatus outcome) {
  const Instant now = clock_.Now();
  const AppointmentEvent event = outcome == AppointmentStatus::kCompleted
                                     ? AppointmentEvent::kCompleted
                                     : AppointmentEvent::kNoShow;
  return Announce(
      events_, event,
      InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<AppointmentListing> {
        CLINIC_ASSIGN_OR_RETURN(auto current, LockAppointment(tx, id));
        CLINIC_TRY_STATUS(domain::AuthorizeAppointment(context.actor, ActionFor(outcome), current));
        CLINIC_TRY_STATUS(domain::CheckAppointmentChange(current.appointment.status,
                                                         ChangeFor(outcome), current.start_time_utc,
                                                         now, IsStaff(context.actor)));
        CLINIC_TRY_STATUS(tx.appointments().SetStatus(id, outcome));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context,
                                fmt::format("appointment.{}", domain::Name(outcome)), "appointment",
                                id));
        return Recorded(tx, outbox_, context, event, id);
      }));
}

}  // namespace clinic::service
