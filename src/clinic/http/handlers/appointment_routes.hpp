#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/appointment_service.hpp"
#include "clinic/service/payment_service.hpp"

namespace clinic::http {

// Appointments (DESIGN.md §6); every answer is the appointment with its slot's times and `local`:
//   POST /api/v1/appointments            {slot_id, reason?, patient_id? (admins)} → 201; 409 when
//       the slot is taken, blocked, past, of an inactive doctor, or overlaps another appointment
//       of the patient. `Idempotency-Key: <key>` makes a retry answer 201 with the first booking
//       and `Idempotent-Replayed: true`.
//   GET  /api/v1/appointments            ?patient_id, doctor_id, location_id, status, from, to,
//       limit, cursor → {items, next_cursor} by start time; patients and doctors see their own.
//   GET  /api/v1/appointments/{id}           with `balance` (per currency) for the patient and
//       admins;
//   POST /api/v1/appointments/{id}/cancel       {reason?}
//   POST /api/v1/appointments/{id}/reschedule   {slot_id}
//   POST /api/v1/appointments/{id}/complete     (no body)
//   POST /api/v1/appointments/{id}/no-show      (no body)
void AddAppointmentRoutes(RouteTable& routes, service::AppointmentService& appointments,
                          service::PaymentService& payments);

}  // namespace clinic::http
