#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/auth_service.hpp"

namespace clinic::http {

struct AuthRoutesOptions {
  // Adds `Secure` to the session cookie; on when clinicd is served over HTTPS (behind a proxy).
  bool secure_cookie = false;
  std::chrono::seconds cookie_max_age = std::chrono::hours(12);
};

// POST /api/v1/auth/register → 201 the patient; POST /api/v1/auth/login → {token, expires_at,
// user:{role, id}} and the session cookie; POST /api/v1/auth/logout → 204; GET /api/v1/auth/me →
// {user:{role, id}}; POST /api/v1/auth/password {current_password, new_password} → 204 (every
// session of the account ends, this one included).
void AddAuthRoutes(RouteTable& routes, service::AuthService& auth, AuthRoutesOptions options);

}  // namespace clinic::http
