#pragma once

#include "clinic/service/appointment_events.hpp"
#include "clinic/service/message_service.hpp"

namespace clinic::service {

// Writes a `type: system` message on the appointment's thread when it is booked, cancelled or
// rescheduled ("Appointment booked for Mon 7 Jan 2030, 09:00 Asia/Singapore."). A message that
// cannot be written is logged and dropped: the booking stands either way.
class SystemMessages final : public AppointmentEvents {
 public:
  explicit SystemMessages(MessageService& messages) : messages_(messages) {}
  void Changed(AppointmentEvent event, const domain::AppointmentListing& appointment) override;

 private:
  MessageService& messages_;
};

}  // namespace clinic::service
