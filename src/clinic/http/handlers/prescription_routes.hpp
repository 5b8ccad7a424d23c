#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/prescription_service.hpp"

namespace clinic::http {

// Prescriptions (the appointment's doctor writes; never edited or deleted):
//   POST /api/v1/appointments/{id}/prescriptions  {instructions, supersedes_id?} → 201;
//   GET  /api/v1/appointments/{id}/prescriptions  → {items};
//   GET  /api/v1/patients/{id}/prescriptions      → {items}, oldest first, each with
//       `superseded_by` and `status` (active | superseded).
void AddPrescriptionRoutes(RouteTable& routes, service::PrescriptionService& prescriptions);

}  // namespace clinic::http
