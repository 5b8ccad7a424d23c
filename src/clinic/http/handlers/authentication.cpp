#include "clinic/http/handlers/authentication.hpp"

#include <fmt/format.h>

namespace clinic::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto end = header.find(';');
    const std::string_view pair = Trim(header.substr(0, end));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::optional<std::string> BearerToken(const Request& request) {
  const auto authorization = request.headers[boost::beast::http::field::authorization];
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() &&
      boost::beast::iequals(authorization.substr(0, kBearer.size()), kBearer)) {
    return std::string(Trim(authorization.substr(kBearer.size())));
  }
  return std::nullopt;
}

std::optional<std::string> CookieToken(const Request& request) {
  const auto cookie = request.headers[boost::beast::http::field::cookie];
  if (cookie.empty()) return std::nullopt;
  return CookieValue(cookie, kSessionCookie);
}

// "https://clinic.example:8443" → "clinic.example:8443", to compare with the Host header.
std::string_view OriginHost(std::string_view origin) {
  const auto scheme = origin.find("://");
  return scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
}

bool ChangesState(Method method) { return method != Method::get && method != Method::head; }

}  // namespace

std::optional<std::string> SessionToken(const Request& request) {
  if (auto bearer = BearerToken(request)) return bearer;
  return CookieToken(request);
}

bool AuthenticatedByCookie(const Request& request) {
  return !BearerToken(request) && CookieToken(request).has_value();
}

Status RequireOwnOriginForCookie(const Request& request) {
  if (!AuthenticatedByCookie(request)) return Ok();
  const auto fetch_site = request.headers["Sec-Fetch-Site"];
  const auto origin = request.headers[boost::beast::http::field::origin];
  const bool own = !fetch_site.empty()
                       ? boost::beast::iequals(fetch_site, "same-origin")
                       : !origin.empty() && boost::beast::iequals(
                                                OriginHost(origin),
                                                request.headers[boost::beast::http::field::host]);
  if (own) return Ok();
  return Fail(Error::PermissionDenied(
      "the session cookie is accepted only from this site's own pages; other clients send "
      "Authorization: Bearer"));
}

Result<domain::RequestContext> RequireLogin(const Request& request, service::AuthService& auth) {
  const auto token = SessionToken(request);
  if (!token) return Fail(Error::Unauthenticated("log in first"));
  if (ChangesState(request.method)) CLINIC_TRY_STATUS(RequireOwnOriginForCookie(request));
  CLINIC_ASSIGN_OR_RETURN(auto principal, auth.Authenticate(*token));
  domain::RequestContext context = AnonymousContext(request);
  context.actor = principal;
  return context;
}

Result<domain::RequestContext> OptionalLogin(const Request& request, service::AuthService& auth) {
  if (!SessionToken(request)) return AnonymousContext(request);
  return RequireLogin(request, auth);
}

domain::RequestContext AnonymousContext(const Request& request) {
  domain::RequestContext context;
  context.actor = {domain::Role::kSystem, 0};
  context.client_addr = request.client_address;
  context.request_id = request.request_id;
  if (!request.client_request_id.empty()) context.client_request_id = request.client_request_id;
  return context;
}

std::string SessionCookie(const std::string& token, std::chrono::seconds max_age, bool secure) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     token, max_age.count(), secure ? "; Secure" : "");
}

std::string ExpiredSessionCookie(bool secure) {
  return fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     secure ? "; Secure" : "");
}

}  // namespace clinic::http
