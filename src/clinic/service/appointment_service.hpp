#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/appointment_events.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/service/outbox.hpp"
#include "clinic/service/start_cursor.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// A booking as the caller asked for it.
struct BookingRequest {
  Id slot_id = 0;
  // Whom the appointment is for: admins must name the patient; a patient may leave it out (or
  // name themself).
  std::optional<Id> patient_id;
  std::optional<std::string> reason;
};

// The appointment a booking made, and whether it was made by an earlier request with the same
// Idempotency-Key (then nothing changed now).
// Which appointments a list asks for; the caller's role narrows it further
// (domain::AuthorizeAppointmentList).
struct AppointmentQuery {
  std::optional<Id> patient_id;
  std::optional<Id> doctor_id;
  std::optional<Id> location_id;
  std::optional<domain::AppointmentStatus> status;
  std::optional<Instant> from;
  std::optional<Instant> to;
  int limit = 50;
  std::optional<std::string> cursor;  // a next_cursor this service issued
};

using AppointmentPage = StartOrderedPage<domain::AppointmentListing>;

// Booking and the life of an appointment (DESIGN.md §2.1). Every change runs in one write
// transaction that locks, in this order, the doctor whose slot is taken, the patient and then the
// appointment, checks the rules on the rows as they are after the locks, and writes its audit row
// ("appointment.book", ".cancel", ".reschedule", ".complete", ".no_show"). The database's unique
// index on active appointments per slot stays the last word: a race the locks did not order still
// cannot seat two patients in one slot, and loses with kAlreadyExists (409). Thread-safe.
class AppointmentService {
 public:
  // `events` (optional) hears of every change after it committed; `outbox` (optional) records
  // each change in its transaction, with the system message it posts on the thread.
  AppointmentService(storage::Store& store, const Clock& clock, AppointmentEvents* events = nullptr,
                     const OutboxWriter* outbox = nullptr);

  // Books the slot for the patient (domain::AuthorizeBooking). 409 (kFailedPrecondition) when the
  // slot is blocked, in the past or its doctor does not take appointments, or when the patient
  // already holds an appointment overlapping it; 409 (kAlreadyExists) when someone else holds the
  // slot. The appointment's doctor and location are the slot's. Once per Idempotency-Key
  // (CreateOnce).
  Result<Created<domain::AppointmentListing>> Book(const domain::RequestContext& context,
                                                   const BookingRequest& request);
  Result<domain::AppointmentListing> Get(const domain::RequestContext& context, Id id);
  // The caller's appointments (all of them for admins) matching the query, by start time.
  Result<AppointmentPage> List(const domain::RequestContext& context,
                               const AppointmentQuery& query);
  // Cancels a scheduled appointment, freeing its slot for someone else; `reason` is kept.
  Result<domain::AppointmentListing> Cancel(const domain::RequestContext& context, Id id,
                                            const std::optional<std::string>& reason);
  // Moves a scheduled appointment to another slot in one transaction: the new slot is taken and
  // the old one freed, or nothing changes. The new slot obeys the booking rules, and the
  // patient's other appointments may not overlap it. A slot of the same doctor moves the
  // appointment itself (kRescheduled); a slot of another doctor ends it (cancelled, with
  // rescheduled_to_id) and books a new appointment there, which is returned (kCancelled, then
  // kBooked): an appointment never changes doctor, so its thread, notes, prescriptions and
  // payments stay with the doctor they belong to.
  Result<domain::AppointmentListing> Reschedule(const domain::RequestContext& context, Id id,
                                                Id new_slot_id);
  // Records that the visit took place / that the patient did not come (only once it started).
  Result<domain::AppointmentListing> Complete(const domain::RequestContext& context, Id id);
  Result<domain::AppointmentListing> MarkNoShow(const domain::RequestContext& context, Id id);
  // Replaces the appointment's notes (null or empty clears them): its doctor and admins, in any
  // status; up to 4000 characters, several lines allowed. Audited as "appointment.notes".
  Result<domain::AppointmentListing> SetNotes(const domain::RequestContext& context, Id id,
                                              const std::optional<std::string>& notes);

 private:
  Result<domain::AppointmentListing> RecordAttendance(const domain::RequestContext& context, Id id,
                                                      domain::AppointmentStatus outcome);

  storage::Store& store_;
  const Clock& clock_;
  AppointmentEvents* events_;
  const OutboxWriter* outbox_;
};

}  // namespace clinic::service
