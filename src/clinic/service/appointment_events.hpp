#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "clinic/storage/repositories.hpp"

namespace clinic::service {

enum class AppointmentEvent { kBooked, kCancelled, kRescheduled, kCompleted, kNoShow };

// "booked", "cancelled", "rescheduled", "completed", "no_show": the names live events and the
// outbox use.
std::string_view Name(AppointmentEvent event);
std::optional<AppointmentEvent> ParseAppointmentEvent(std::string_view name);

// Told about a booking change after its transaction committed, with the appointment as it is
// now: the hook for system messages on the thread and for live delivery. A listener must not
// fail the change that already happened; it handles (logs) its own errors. Thread-safe.
class AppointmentEvents {
 public:
  virtual ~AppointmentEvents() = default;
  virtual void Changed(AppointmentEvent event, const domain::AppointmentListing& appointment) = 0;
};

// Tells several listeners, in order (live delivery first, then the outbox relay's wake-up).
class AppointmentEventsFanOut final : public AppointmentEvents {
 public:
  explicit AppointmentEventsFanOut(std::vector<AppointmentEvents*> listeners)
      : listeners_(std::move(listeners)) {}
  void Changed(AppointmentEvent event, const domain::AppointmentListing& appointment) override {
    for (auto* listener : listeners_) listener->Changed(event, appointment);
  }

 private:
  std::vector<AppointmentEvents*> listeners_;
};

}  // namespace clinic::service
