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

Result<Response> Create(service::AuthService& auth, DoctorService& doctors, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadDoctorFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto doctor, doctors.Create(context, std::move(fields)));
  return CreatedJson(DoctorJson(context, doctor.value), doctor.replayed);
}

Result<Response> List(service::AuthService& auth, DoctorService& doctors, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, OptionalLogin(request, auth));
  QueryFields query(request);
  service::DoctorQuery doctor_query{
      .specialization = query.OptionalString("specialization", {.max_length = 120}),
      .location_id = query.OptionalInt("location_id", {.min = 1}),
      .q = query.OptionalString("q", {.max_length = 100}),
      .include_inactive = query.OptionalBool("include_inactive").value_or(false),
      .include_deleted = query.OptionalBool("include_deleted").value_or(false)};
  const PageParams page_params = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(doctor_query.page, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, doctors.List(context, doctor_query));
  return Json(HttpStatus::ok, PageJson(page, [&context](const domain::Doctor& doctor) {
                return DoctorJson(context, doctor);
              }));
}

Result<Response> Get(service::AuthService& auth, DoctorService& doctors, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, OptionalLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto doctor, doctors.Get(context, id));
  return Json(HttpStatus::ok, DoctorJson(context, doctor));
}

Result<Response> Update(service::AuthService& auth, DoctorService& doctors, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadDoctorFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto doctor, doctors.Update(context, id, std::move(fields)));
  return Json(HttpStatus::ok, DoctorJson(context, doctor));
}

Result<Response> Delete(service::AuthService& auth, DoctorService& doctors, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_TRY_STATUS(NoRequestBody(request));
  CLINIC_TRY_STATUS(doctors.Delete(context, id));
  return Empty(HttpStatus::no_content);
}

Result<Response> Restore(service::AuthService& auth, DoctorService& doctors, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseOptionalJsonObject(request));
  CLINIC_TRY_STATUS(JsonFields(body).Finish());
  CLINIC_ASSIGN_OR_RETURN(auto doctor, doctors.Restore(context, id));
  return Json(HttpStatus::ok, DoctorJson(context, doctor));
}

}  // namespace

void AddDoctorRoutes(Router& router, service::AuthService& auth, DoctorService& doctors) {
  router.Add(Method::post, "/api/v1/doctors",
             [&auth, &doctors](Request& r) { return Create(auth, doctors, r); });
  router.Add(Method::get, "/api/v1/doctors",
             [&auth, &doctors](Request& r) { return List(auth, doctors, r); });
  router.Add(Method::get, "/api/v1/doctors/{id}",
             [&auth, &doctors](Request& r) { return Get(auth, doctors, r); });
  router.Add(Method::patch, "/api/v1/doctors/{id}",
             [&auth, &doctors](Request& r) { return Update(auth, doctors, r); });
  router.Add(Method::delete_, "/api/v1/doctors/{id}",
             [&auth, &doctors](Request& r) { return Delete(auth, doctors, r); });
  router.Add(Method::post, "/api/v1/doctors/{id}/restore",
             [&auth, &doctors](Request& r) { return Restore(auth, doctors, r); });
}

}  // namespace clinic::http
