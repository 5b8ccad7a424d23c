#include "clinic/http/handlers/auth_routes.hpp"

#include "clinic/common/time.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

Result<Response> Register(service::AuthService& auth, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  service::Registration registration;
  registration.first_name = fields.RequiredString("first_name");
  registration.last_name = fields.RequiredString("last_name");
  registration.email = fields.RequiredString("email");
  registration.password = fields.RequiredString("password");
  registration.phone = fields.OptionalString("phone");
  registration.date_of_birth = fields.OptionalDate("date_of_birth");
  if (auto gender = fields.OptionalEnum("gender", domain::GenderNames())) {
    registration.gender = domain::ParseGender(*gender);
  }
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto patient, auth.Register(registration, call.context));
  return CreatedJson(ToJson(patient.value), patient.replayed);
}

Result<Response> Login(service::AuthService& auth, const AuthRoutesOptions& options, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const bool by_username = fields.Has("username");
  std::string login =
      by_username ? fields.RequiredString("username") : fields.RequiredString("email");
  const std::string password = fields.RequiredString("password");
  if (by_username && fields.Has("email"))
    fields.AddError("email", "send email or username, not both");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto result, auth.Login(login, password, call.context));
  Response response =
      Json(HttpStatus::ok, boost::json::object{{"token", result.token},
                                               {"expires_at", FormatRfc3339(result.expires_at)},
                                               {"user", ToJson(result.user)}});
  response.set(boost::beast::http::field::set_cookie,
               SessionCookie(result.token, options.cookie_max_age, options.secure_cookie));
  return response;
}

Result<Response> Logout(service::AuthService& auth, const AuthRoutesOptions& options, Call& call) {
  CLINIC_TRY_STATUS(NoRequestBody(call.request));
  CLINIC_TRY_STATUS(auth.Logout(SessionToken(call.request).value_or(""), call.context));
  Response response = Empty(HttpStatus::no_content);
  response.set(boost::beast::http::field::set_cookie, ExpiredSessionCookie(options.secure_cookie));
  return response;
}

Result<Response> Me(Call& call) {
  return Json(HttpStatus::ok, boost::json::object{{"user", ToJson(call.context.actor)}});
}

Result<Response> ChangePassword(service::AuthService& auth, const AuthRoutesOptions& options,
                                Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const std::string current = fields.RequiredString("current_password");
  const std::string replacement = fields.RequiredString("new_password");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_TRY_STATUS(auth.ChangePassword(call.context, current, replacement));
  Response response = Empty(HttpStatus::no_content);
  response.set(boost::beast::http::field::set_cookie, ExpiredSessionCookie(options.secure_cookie));
  return response;
}

}  // namespace

void AddAuthRoutes(RouteTable& routes, service::AuthService& auth, AuthRoutesOptions options) {
  routes.Add({.method = Method::post,
              .path = "/api/v1/auth/register",
              .access = Access::kAnonymous,
              .hashes_passwords = true,
              .fingerprint_leaves_out = {"password"}},
             [&auth](Call& call) { return Register(auth, call); });
  routes.Add({.method = Method::post,
              .path = "/api/v1/auth/login",
              .access = Access::kAnonymous,
              .hashes_passwords = true},
             [&auth, options](Call& call) { return Login(auth, options, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/auth/logout"},
             [&auth, options](Call& call) { return Logout(auth, options, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/auth/me"}, Me);
  routes.Add({.method = Method::post, .path = "/api/v1/auth/password", .hashes_passwords = true},
             [&auth, options](Call& call) { return ChangePassword(auth, options, call); });
}

}  // namespace clinic::http
