#include "clinic/service/appointment_events.hpp"

#include <array>
#include <utility>

namespace clinic::service {
namespace {

constexpr std::array<std::pair<AppointmentEvent, std::string_view>, 5> kNames{{
    {AppointmentEvent::kBooked, "booked"},
    {AppointmentEvent::kCancelled, "cancelled"},
    {AppointmentEvent::kRescheduled, "rescheduled"},
    {AppointmentEvent::kCompleted, "completed"},
    {AppointmentEvent::kNoShow, "no_show"},
}};

}  // namespace

std::string_view Name(AppointmentEvent event) {
  for (const auto& [known, name] : kNames) {
    if (known == event) return name;
  }
  return "changed";
}

std::optional<AppointmentEvent> ParseAppointmentEvent(std::string_view name) {
  for (const auto& [event, known] : kNames) {
    if (known == name) return event;
  }
  return std::nullopt;
}

}  // namespace clinic::service
