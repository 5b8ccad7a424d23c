#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/audit_service.hpp"

namespace clinic::http {

// GET /api/v1/audit (admins): the audit trail, oldest first, filtered by actor_role, actor_id,
// entity, entity_id, action, from, to (RFC 3339), paginated with limit/cursor.
// GET /api/v1/audit/verify (admins): {ok, rows, chains, first_broken_id, problem}.
void AddAuditRoutes(RouteTable& routes, service::AuditService& audit);

}  // namespace clinic::http
