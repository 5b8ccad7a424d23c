#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/patient_service.hpp"

namespace clinic::http {

// Patient records (fields: the seed's patients columns; `has_login` instead of the password hash;
// `password` may be sent by admins only). All need a login; who sees what is domain/policy.hpp:
// POST /api/v1/patients → 201 (admins); GET /api/v1/patients (?q, ?limit, ?cursor; admins also
// ?include_deleted=true) → {items, next_cursor} (admins: everyone, doctors: their patients);
// GET/PATCH /api/v1/patients/me (the calling patient); GET/PATCH/DELETE /api/v1/patients/{id}
// (DELETE → 204, a soft delete); POST /api/v1/patients/{id}/restore → the patient.
void AddPatientRoutes(RouteTable& routes, service::PatientService& patients);

}  // namespace clinic::http
