#include "clinic/http/handlers/patient_routes.hpp"

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/pagination.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::PatientService;

Result<service::PatientFields> ReadPatientFields(const Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  service::PatientFields patient{.first_name = SettableText(fields, "first_name"),
                                 .last_name = SettableText(fields, "last_name"),
                                 .email = SettableText(fields, "email"),
                                 .phone = ClearableText(fields, "phone"),
                                 .date_of_birth = ClearableDate(fields, "date_of_birth"),
                                 .gender = ClearableGender(fields, "gender"),
                                 .notes = ClearableText(fields, "notes"),
                                 .password = SettableText(fields, "password")};
  CLINIC_TRY_STATUS(fields.Finish());
  return patient;
}

Result<Response> Create(service::AuthService& auth, PatientService& patients, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadPatientFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.Create(context, std::move(fields)));
  return CreatedJson(ToJson(patient.value), patient.replayed);
}

Result<Response> List(service::AuthService& auth, PatientService& patients, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  QueryFields query(request);
  service::PatientQuery patient_query{
      .q = query.OptionalString("q", {.max_length = 100}),
      .include_deleted = query.OptionalBool("include_deleted").value_or(false)};
  const PageParams page_params = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(patient_query.page, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, patients.List(context, patient_query));
  return Json(HttpStatus::ok,
              PageJson(page, [](const domain::Patient& patient) { return ToJson(patient); }));
}

Result<Response> GetOwn(service::AuthService& auth, PatientService& patients, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.GetOwn(context));
  return Json(HttpStatus::ok, ToJson(patient));
}

Result<Response> UpdateOwn(service::AuthService& auth, PatientService& patients, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadPatientFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.UpdateOwn(context, std::move(fields)));
  return Json(HttpStatus::ok, ToJson(patient));
}

Result<Response> Get(service::AuthService& auth, PatientService& patients, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.Get(context, id));
  return Json(HttpStatus::ok, ToJson(patient));
}

Result<Response> Update(service::AuthService& auth, PatientService& patients, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadPatientFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.Update(context, id, std::move(fields)));
  return Json(HttpStatus::ok, ToJson(patient));
}

Result<Response> Delete(service::AuthService& auth, PatientService& patients, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_TRY_STATUS(NoRequestBody(request));
  CLINIC_TRY_STATUS(patients.Delete(context, id));
  return Empty(HttpStatus::no_content);
}

Result<Response> Restore(service::AuthService& auth, PatientService& patients, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseOptionalJsonObject(request));
  CLINIC_TRY_STATUS(JsonFields(body).Finish());
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.Restore(context, id));
  return Json(HttpStatus::ok, ToJson(patient));
}

}  // namespace

void AddPatientRoutes(Router& router, service::AuthService& auth, PatientService& patients) {
  router.Add(Method::post, "/api/v1/patients",
             [&auth, &patients](Request& r) { return Create(auth, patients, r); });
  router.Add(Method::get, "/api/v1/patients",
             [&auth, &patients](Request& r) { return List(auth, patients, r); });
  router.Add(Method::get, "/api/v1/patients/me",
             [&auth, &patients](Request& r) { return GetOwn(auth, patients, r); });
  router.Add(Method::patch, "/api/v1/patients/me",
             [&auth, &patients](Request& r) { return UpdateOwn(auth, patients, r); });
  router.Add(Method::get, "/api/v1/patients/{id}",
             [&auth, &patients](Request& r) { return Get(auth, patients, r); });
  router.Add(Method::patch, "/api/v1/patients/{id}",
             [&auth, &patients](Request& r) { return Update(auth, patients, r); });
  router.Add(Method::delete_, "/api/v1/patients/{id}",
             [&auth, &patients](Request& r) { return Delete(auth, patients, r); });
  router.Add(Method::post, "/api/v1/patients/{id}/restore",
             [&auth, &patients](Request& r) { return Restore(auth, patients, r); });
}

}  // namespace clinic::http
