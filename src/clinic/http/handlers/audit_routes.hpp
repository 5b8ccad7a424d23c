#pragma once

#include "clinic/http/router.hpp"
#include "clinic/service/audit_reader.hpp"
#include "clinic/service/auth_service.hpp"

namespace clinic::http {

// GET /api/v1/audit (admins): the audit trail, oldest first, filtered by actor_role, actor_id,
// entity, entity_id, action, from, to (RFC 3339), paginated with limit/cursor.
void AddAuditRoutes(Router& router, storage::Store& store, service::AuthService& auth);

}  // namespace clinic::http
