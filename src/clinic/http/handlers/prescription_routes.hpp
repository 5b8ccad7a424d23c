#pragma once

#include "clinic/http/router.hpp"
#include "clinic/service/auth_service.hpp"
#include "clinic/service/prescription_service.hpp"

namespace clinic::http {

// Prescriptions (the appointment's doctor writes; never edited or deleted):
//   POST /api/v1/appointments/{id}/prescriptions  {instructions, supersedes_id?} → 201;
//   GET  /api/v1/appointments/{id}/prescriptions  → {items};
//   GET  /api/v1/patients/{id}/prescriptions      → {items}, oldest first, each with
//       `superseded_by` and `status` (active | superseded).
void AddPrescriptionRoutes(Router& router, service::AuthService& auth,
                           service::PrescriptionService& prescriptions);

}  // namespace clinic::http
