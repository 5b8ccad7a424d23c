#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/admin_service.hpp"

namespace clinic::http {

// Admin accounts ({id, username, email, last_login_at, created_at, updated_at, deleted_at};
// `password` on create and to reset it). Admins only: POST /api/v1/admins → 201;
// GET /api/v1/admins (?q, ?include_deleted, ?limit, ?cursor) → {items, next_cursor};
// GET/PATCH/DELETE /api/v1/admins/{id} (DELETE → 204, a soft delete, never of oneself);
// POST /api/v1/admins/{id}/restore → the admin.
void AddAdminRoutes(RouteTable& routes, service::AdminService& admins);

}  // namespace clinic::http
