#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/location_service.hpp"

namespace clinic::http {

// The clinic group's locations (fields: the seed's clinic_locations columns; timezone is an IANA
// name). Public reads: GET /api/v1/locations (?limit, ?cursor) → {items, next_cursor};
// GET /api/v1/locations/{id}. Admin writes: POST /api/v1/locations → 201 the location;
// PATCH /api/v1/locations/{id} → the location (null clears a nullable field).
void AddLocationRoutes(RouteTable& routes, service::LocationService& locations);

}  // namespace clinic::http
