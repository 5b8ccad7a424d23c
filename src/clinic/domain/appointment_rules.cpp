#include "clinic/domain/appointment_rules.hpp"

#include <fmt/format.h>

namespace clinic::domain {
namespace {

std::string_view Verb(AppointmentChange change) {
  switch (change) {
    case AppointmentChange::kCancel:
      return "cancelled";
    case AppointmentChange::kReschedule:
      return "rescheduled";
    case AppointmentChange::kComplete:
      return "completed";
    case AppointmentChange::kNoShow:
      return "marked as a no-show";
  }
  return "changed";
}

}  // namespace

Status CheckAppointmentChange(AppointmentStatus status, AppointmentChange change,
                              Instant slot_start, Instant now, bool by_staff) {
  if (status != AppointmentStatus::kScheduled) {
    const std::string_view state =
        status == AppointmentStatus::kNoShow ? std::string_view("no-show") : Name(status);
    return Fail(Error::FailedPrecondition(
        fmt::format("a {} appointment cannot be {}", state, Verb(change))));
  }
  const bool started = now >= slot_start;
  switch (change) {
    case AppointmentChange::kComplete:
    case AppointmentChange::kNoShow:
      if (!started) {
        return Fail(Error::FailedPrecondition(
            fmt::format("an appointment can be {} only once its time has started", Verb(change))));
      }
      return Ok();
    case AppointmentChange::kCancel:
    case AppointmentChange::kReschedule:
      if (started && !by_staff) {
        return Fail(Error::FailedPrecondition(fmt::format(
            "the appointment has started and can no longer be {} online; please call the clinic",
            Verb(change))));
      }
      return Ok();
  }
  return Ok();
}

Status CheckBookable(const Slot& slot, const Doctor& doctor, Instant now) {
  if (doctor.deleted_at || !doctor.is_active) {
    return Fail(Error::FailedPrecondition(
        fmt::format("slot {} belongs to a doctor who is not taking appointments", slot.id)));
  }
  if (!slot.is_available) {
    return Fail(Error::FailedPrecondition(fmt::format("slot {} is blocked", slot.id)));
  }
  if (slot.start_time_utc <= now) {
    return Fail(Error::FailedPrecondition(fmt::format("slot {} is in the past", slot.id)));
  }
  return Ok();
}

}  // namespace clinic::domain
