#include "clinic/http/handlers/doctor_routes.hpp"

#include "clinic/domain/policy.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/pagination.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::DoctorService;

Result<service::DoctorFields> ReadDoctorFields(const Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  service::DoctorFields doctor{
      .first_name = SettableText(fields, "first_name"),
      .last_name = SettableText(fields, "last_name"),
      .email = SettableText(fields, "email"),
      .phone = ClearableText(fields, "phone"),
      .specialization = SettableText(fields, "specialization"),
      .bio = ClearableText(fields, "bio"),
      .location_id = ClearableId(fields, "location_id"),
      .is_active = SettableBool(fields, "is_active"),
      .password = SettableText(fields, "password"),
      .cancel_upcoming_reason = SettableText(fields, "cancel_upcoming_reason")};
  CLINIC_TRY_STATUS(fields.Finish());
  return doctor;
}

// The doctor as this caller may see it.
boost::json::object DoctorJson(const domain::RequestContext& context,
                               const domain::Doctor& doctor) {
  return ToJson(doctor, domain::DoctorViewFor(context.actor, doctor));
}

Result<Response> Create(DoctorService& doctors, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadDoctorFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto doctor, doctors.Create(call.context, std::move(fields)));
  return CreatedJson(DoctorJson(call.context, doctor.value), doctor.replayed);
}

Result<Response> List(DoctorService& doctors, Call& call) {
  QueryFields& query = call.query;
  service::DoctorQuery doctor_query{
      .specialization = query.OptionalString("specialization"),
      .location_id = query.OptionalInt("location_id", {.min = 1}),
      .q = query.OptionalString("q"),
      .include_inactive = query.OptionalBool("include_inactive").value_or(false),
      .include_deleted = query.OptionalBool("include_deleted").value_or(false)};
  const PageParams page_params = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(doctor_query.page, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, doctors.List(call.context, doctor_query));
  return Json(HttpStatus::ok, PageJson(page, [&call](const domain::Doctor& doctor) {
                return DoctorJson(call.context, doctor);
              }));
}

Result<Response> Get(DoctorService& doctors, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto doctor, doctors.Get(call.context, call.id));
  return Json(HttpStatus::ok, DoctorJson(call.context, doctor));
}

Result<Response> Update(DoctorService& doctors, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadDoctorFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto doctor, doctors.Update(call.context, call.id, std::move(fields)));
  return Json(HttpStatus::ok, DoctorJson(call.context, doctor));
}

Result<Response> Delete(DoctorService& doctors, Call& call) {
  CLINIC_TRY_STATUS(NoRequestBody(call.request));
  CLINIC_TRY_STATUS(doctors.Delete(call.context, call.id));
  return Empty(HttpStatus::no_content);
}

Result<Response> Restore(DoctorService& doctors, Call& call) {
  CLINIC_TRY_STATUS(NoFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto doctor, doctors.Restore(call.context, call.id));
  return Json(HttpStatus::ok, DoctorJson(call.context, doctor));
}

}  // namespace

void AddDoctorRoutes(RouteTable& routes, DoctorService& doctors) {
  routes.Add({.method = Method::post,
              .path = "/api/v1/doctors",
              .hashes_passwords = true,
              .fingerprint_leaves_out = {"password"}},
             [&doctors](Call& call) { return Create(doctors, call); });
  routes.Add({.method = Method::get,
              .path = "/api/v1/doctors",
              .access = Access::kOptionalLogin,
              .query = {"specialization", "location_id", "q", "include_inactive", "include_deleted",
                        "limit", "cursor"}},
             [&doctors](Call& call) { return List(doctors, call); });
  routes.Add(
      {.method = Method::get, .path = "/api/v1/doctors/{id}", .access = Access::kOptionalLogin},
      [&doctors](Call& call) { return Get(doctors, call); });
  routes.Add({.method = Method::patch, .path = "/api/v1/doctors/{id}", .hashes_passwords = true},
             [&doctors](Call& call) { return Update(doctors, call); });
  routes.Add({.method = Method::delete_, .path = "/api/v1/doctors/{id}"},
             [&doctors](Call& call) { return Delete(doctors, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/doctors/{id}/restore"},
             [&doctors](Call& call) { return Restore(doctors, call); });
}

}  // namespace clinic::http
