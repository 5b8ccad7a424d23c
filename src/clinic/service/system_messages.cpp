#include "clinic/service/system_messages.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

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

void SystemMessages::Changed(AppointmentEvent event,
                             const domain::AppointmentListing& appointment) {
  std::string text;
  switch (event) {
    case AppointmentEvent::kBooked:
      text = fmt::format("Appointment booked for {}.", When(appointment));
      break;
    case AppointmentEvent::kCancelled:
      // The reason, when one was given, is the notice the other party needs.
      text = appointment.appointment.cancellation_reason
                 ? fmt::format("Appointment for {} cancelled: {}", When(appointment),
                               *appointment.appointment.cancellation_reason)
                 : fmt::format("Appointment for {} cancelled.", When(appointment));
      break;
    case AppointmentEvent::kRescheduled:
      text = fmt::format("Appointment moved to {}.", When(appointment));
      break;
    case AppointmentEvent::kCompleted:
    case AppointmentEvent::kNoShow:
      return;
  }
  if (auto posted = messages_.PostSystem(appointment.appointment.id, text); !posted) {
    spdlog::warn("system message for appointment {} not written: {}", appointment.appointment.id,
                 posted.error().message);
  }
}

}  // namespace clinic::service
