#pragma once

#include <string>

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/answer_cache.hpp"
#include "clinic/service/scheduling_service.hpp"

namespace clinic::http {

// Doctors' availability (the doctor themself or an admin writes; anyone searches):
//   PUT/GET /api/v1/doctors/{id}/working-hours  {location_id, slot_minutes, horizon_days,
//       weekly: [{weekday: 1..7, start: "09:00", end: "12:00"}]} in the location's local time;
//   POST /api/v1/doctors/{id}/slots/generate    {from, to} local dates, inclusive
//       → {created, skipped};
//   POST /api/v1/doctors/{id}/slots             {location_id?, start_time_utc, end_time_utc}
//       → 201 the slot, 409 when it overlaps another slot of the doctor;
//   PATCH /api/v1/slots/{id}                    {is_available} → the slot;
//   DELETE /api/v1/slots/{id}                   → 204, 409 once the slot was ever booked;
//   GET /api/v1/slots  ?doctor_id, specialization, location_id, from, to (RFC 3339),
//       available=true, limit, cursor → {items, next_cursor}: free future slots by start time,
//       each with `local: {start, end, timezone}` in its location's zone (null without one).
//       With `search_answers`, a search's JSON answer is reused while the cache holds it valid.
void AddSchedulingRoutes(RouteTable& routes, service::SchedulingService& scheduling,
                         service::AnswerCache* search_answers = nullptr);

}  // namespace clinic::http
