#pragma once

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"

namespace clinic::domain {

// What can happen to an appointment after it is booked.
enum class AppointmentChange { kCancel, kReschedule, kComplete, kNoShow };

// The appointment status machine (DESIGN.md §2.1). Only a scheduled appointment changes; completed,
// cancelled and no-show are final. Complete and no-show are recorded only once the slot has
// started. A patient cancels or reschedules only before the slot starts; staff (doctor, admin) may
// also do so afterwards, e.g. when the clinic closed for the day. A move the machine does not
// allow is kFailedPrecondition (409) with the reason in the message.
Status CheckAppointmentChange(AppointmentStatus status, AppointmentChange change,
                              Instant slot_start, Instant now, bool by_staff);

// Whether a slot can be booked now: it is available (not blocked), starts in the future and
// belongs to an active, non-deleted doctor. kFailedPrecondition (409) says which rule failed.
Status CheckBookable(const Slot& slot, const Doctor& doctor, Instant now);

}  // namespace clinic::domain
