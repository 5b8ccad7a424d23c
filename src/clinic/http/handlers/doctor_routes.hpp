#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/doctor_service.hpp"

namespace clinic::http {

// The doctors (fields: the seed's doctors columns, plus `password` on create). Public reads:
// GET /api/v1/doctors (?specialization, ?location_id, ?q, ?limit, ?cursor; admins also
// ?include_inactive=true, ?include_deleted=true) → {items, next_cursor}; GET /api/v1/doctors/{id}.
// Callers other than admins and the doctor themself see the public profile (no email, phone or
// account state). Admin writes: POST /api/v1/doctors → 201; PATCH /api/v1/doctors/{id};
// DELETE /api/v1/doctors/{id} → 204 (soft delete); POST /api/v1/doctors/{id}/restore → the doctor.
void AddDoctorRoutes(RouteTable& routes, service::DoctorService& doctors);

}  // namespace clinic::http
