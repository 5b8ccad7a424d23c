#include "clinic/service/system_messages.hpp"

#include <fmt/format.h>

#include "clinic/common/time.hpp"
#include "clinic/domain/time_zone.hpp"

namespace clinic::service {
namespace {

// "Mon 7 Jan 2030, 09:00 Asia/Singapore" in the location's zone, or UTC without one.
std::string When(const domain::AppointmentListing& appointment) {
  const auto* zone = appointment.timezone ? domain::FindTimeZone(*appointment.timezone) : nullptr;
  if (zone == nullptr) {
    return date::format("%a %e %b %Y, %H:%M UTC", appointment.start_time_utc);
  }
  const auto local = domain::UtcToLocal(*zone, appointment.start_time_utc);
  return fmt::format("{} {}", date::format("%a %e %b %Y, %H:%M", local), *appointment.timezone);
}

}  // namespace

std::optional<std::string> SystemMessageText(AppointmentEvent event,
                                             const domain::AppointmentListing& appointment) {
  switch (event) {
    case AppointmentEvent::kBooked:
      return fmt::format("Appointment booked for {}.", When(appointment));
    case AppointmentEvent::kCancelled:
      // The reason, when one was given, is the notice the other party needs.
      return appointment.appointment.cancellation_reason
                 ? fmt::format("Appointment for {} cancelled: {}", When(appointment),
                               *appointment.appointment.cancellation_reason)
                 : fmt::format("Appointment for {} cancelled.", When(appointment));
    case AppointmentEvent::kRescheduled:
      return fmt::format("Appointment moved to {}.", When(appointment));
    case AppointmentEvent::kCompleted:
    case AppointmentEvent::kNoShow:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace clinic::service
