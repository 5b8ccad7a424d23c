#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "clinic/common/result.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/http/request.hpp"
#include "clinic/service/auth_service.hpp"

namespace clinic::http {

// The web UI's session cookie: HttpOnly and SameSite=Strict, so scripts cannot read it and other
// sites cannot make the browser send it.
inline constexpr std::string_view kSessionCookie = "clinic_session";

// The session token a request carries: `Authorization: Bearer <token>` for API clients, else the
// session cookie.
std::optional<std::string> SessionToken(const Request& request);

// Whether the session cookie is the credential the request is authenticated by (no bearer token).
bool AuthenticatedByCookie(const Request& request);

// A browser sends the session cookie with whatever a page of any site makes it request; only the
// server's own pages may use it to change something or to open the live socket. Ok when the
// request is not authenticated by the cookie, or says it comes from this origin
// (`Sec-Fetch-Site: same-origin`, or without that header an `Origin` naming this host);
// kPermissionDenied (403) otherwise.
Status RequireOwnOriginForCookie(const Request& request);

// The context of a logged-in caller (who, from where, which request), or kUnauthenticated (401).
// A state-changing request (anything but GET and HEAD) must also pass RequireOwnOriginForCookie.
Result<domain::RequestContext> RequireLogin(const Request& request, service::AuthService& auth);

// The caller of a route anyone may use: anonymous (Role::kSystem) without a session token, the
// account with a live one, and kUnauthenticated (401) for a token that is no longer valid, so a
// client learns it was logged out rather than silently seeing less.
Result<domain::RequestContext> OptionalLogin(const Request& request, service::AuthService& auth);

// The context of a caller who need not be logged in (registration, login).
domain::RequestContext AnonymousContext(const Request& request);

// Set-Cookie values that start and end the browser's session.
std::string SessionCookie(const std::string& token, std::chrono::seconds max_age, bool secure);
std::string ExpiredSessionCookie(bool secure);

}  // namespace clinic::http
