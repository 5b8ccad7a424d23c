#include "clinic/service/account_lifecycle.hpp"

#include <fmt/format.h>

#include "clinic/common/time.hpp"

namespace clinic::service {

Status RequireNoUpcomingAppointments(storage::Transaction& tx, storage::AppointmentFilter whose,
                                     Instant now) {
  whose.status = domain::AppointmentStatus::kScheduled;
  whose.from = now;
  whose.limit = 1;
  CLINIC_ASSIGN_OR_RETURN(const auto upcoming, tx.appointments().List(whose));
  if (upcoming.empty()) return Ok();
  return Fail(Error::FailedPrecondition(fmt::format(
      "the account has upcoming appointments (appointment {} on {}); cancel or "
      "reschedule them first",
      upcoming.front().appointment.id, FormatRfc3339(upcoming.front().start_time_utc))));
}

}  // namespace clinic::service
