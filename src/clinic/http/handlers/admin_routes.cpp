#include "clinic/http/handlers/admin_routes.hpp"

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/pagination.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::AdminService;

Result<service::AdminFields> ReadAdminFields(const Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  service::AdminFields admin{.username = SettableText(fields, "username"),
                             .email = SettableText(fields, "email"),
                             .password = SettableText(fields, "password")};
  CLINIC_TRY_STATUS(fields.Finish());
  return admin;
}

Result<Response> Create(service::AuthService& auth, AdminService& admins, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadAdminFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto admin, admins.Create(context, std::move(fields)));
  return CreatedJson(ToJson(admin.value), admin.replayed);
}

Result<Response> List(service::AuthService& auth, AdminService& admins, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  QueryFields query(request);
  service::AdminQuery admin_query{
      .q = query.OptionalString("q", {.max_length = 100}),
      .include_deleted = query.OptionalBool("include_deleted").value_or(false)};
  const PageParams page_params = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(admin_query.page, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, admins.List(context, admin_query));
  return Json(HttpStatus::ok,
              PageJson(page, [](const domain::Admin& admin) { return ToJson(admin); }));
}

Result<Response> Get(service::AuthService& auth, AdminService& admins, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto admin, admins.Get(context, id));
  return Json(HttpStatus::ok, ToJson(admin));
}

Result<Response> Update(service::AuthService& auth, AdminService& admins, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadAdminFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto admin, admins.Update(context, id, std::move(fields)));
  return Json(HttpStatus::ok, ToJson(admin));
}

Result<Response> Delete(service::AuthService& auth, AdminService& admins, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_TRY_STATUS(NoRequestBody(request));
  CLINIC_TRY_STATUS(admins.Delete(context, id));
  return Empty(HttpStatus::no_content);
}

Result<Response> Restore(service::AuthService& auth, AdminService& admins, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseOptionalJsonObject(request));
  CLINIC_TRY_STATUS(JsonFields(body).Finish());
  CLINIC_ASSIGN_OR_RETURN(auto admin, admins.Restore(context, id));
  return Json(HttpStatus::ok, ToJson(admin));
}

}  // namespace

void AddAdminRoutes(Router& router, service::AuthService& auth, AdminService& admins) {
  router.Add(Method::post, "/api/v1/admins",
             [&auth, &admins](Request& r) { return Create(auth, admins, r); });
  router.Add(Method::get, "/api/v1/admins",
             [&auth, &admins](Request& r) { return List(auth, admins, r); });
  router.Add(Method::get, "/api/v1/admins/{id}",
             [&auth, &admins](Request& r) { return Get(auth, admins, r); });
  router.Add(Method::patch, "/api/v1/admins/{id}",
             [&auth, &admins](Request& r) { return Update(auth, admins, r); });
  router.Add(Method::delete_, "/api/v1/admins/{id}",
             [&auth, &admins](Request& r) { return Delete(auth, admins, r); });
  router.Add(Method::post, "/api/v1/admins/{id}/restore",
             [&auth, &admins](Request& r) { return Restore(auth, admins, r); });
}

}  // namespace clinic::http
