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

Result<Response> Create(AdminService& admins, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadAdminFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto admin, admins.Create(call.context, std::move(fields)));
  return CreatedJson(ToJson(admin.value), admin.replayed);
}

Result<Response> List(AdminService& admins, Call& call) {
  service::AdminQuery admin_query{
      .q = call.query.OptionalString("q"),
      .include_deleted = call.query.OptionalBool("include_deleted").value_or(false)};
  const PageParams page_params = call.query.Page();
  CLINIC_TRY_STATUS(call.query.Finish());
  CLINIC_ASSIGN_OR_RETURN(admin_query.page, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, admins.List(call.context, admin_query));
  return Json(HttpStatus::ok,
              PageJson(page, [](const domain::Admin& admin) { return ToJson(admin); }));
}

Result<Response> Get(AdminService& admins, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto admin, admins.Get(call.context, call.id));
  return Json(HttpStatus::ok, ToJson(admin));
}

Result<Response> Update(AdminService& admins, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadAdminFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto admin, admins.Update(call.context, call.id, std::move(fields)));
  return Json(HttpStatus::ok, ToJson(admin));
}

Result<Response> Delete(AdminService& admins, Call& call) {
  CLINIC_TRY_STATUS(NoRequestBody(call.request));
  CLINIC_TRY_STATUS(admins.Delete(call.context, call.id));
  return Empty(HttpStatus::no_content);
}

Result<Response> Restore(AdminService& admins, Call& call) {
  CLINIC_TRY_STATUS(NoFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto admin, admins.Restore(call.context, call.id));
  return Json(HttpStatus::ok, ToJson(admin));
}

}  // namespace

void AddAdminRoutes(RouteTable& routes, AdminService& admins) {
  routes.Add({.method = Method::post,
              .path = "/api/v1/admins",
              .hashes_passwords = true,
              .fingerprint_leaves_out = {"password"}},
             [&admins](Call& call) { return Create(admins, call); });
  routes.Add({.method = Method::get,
              .path = "/api/v1/admins",
              .query = {"q", "include_deleted", "limit", "cursor"}},
             [&admins](Call& call) { return List(admins, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/admins/{id}"},
             [&admins](Call& call) { return Get(admins, call); });
  routes.Add({.method = Method::patch, .path = "/api/v1/admins/{id}", .hashes_passwords = true},
             [&admins](Call& call) { return Update(admins, call); });
  routes.Add({.method = Method::delete_, .path = "/api/v1/admins/{id}"},
             [&admins](Call& call) { return Delete(admins, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/admins/{id}/restore"},
             [&admins](Call& call) { return Restore(admins, call); });
}

}  // namespace clinic::http
