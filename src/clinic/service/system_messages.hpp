#pragma once

#include <optional>
#include <string>

#include "clinic/domain/read_models.hpp"
#include "clinic/service/appointment_events.hpp"

namespace clinic::service {

// The `type: system` message a booking change posts on the appointment's thread ("Appointment
// booked for Mon 7 Jan 2030, 09:00 Asia/Singapore."), in the local time of its location; none for
// a visit's outcome. Written into the outbox with the change (OutboxWriter) and posted by the
// relay (OutboxRelay).
std::optional<std::string> SystemMessageText(AppointmentEvent event,
                                             const domain::AppointmentListing& appointment);

}  // namespace clinic::service
