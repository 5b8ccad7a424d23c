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

Result<Response> Create(PatientService& patients, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadPatientFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.Create(call.context, std::move(fields)));
  return CreatedJson(ToJson(patient.value), patient.replayed);
}

Result<Response> List(PatientService& patients, Call& call) {
  service::PatientQuery patient_query{
      .q = call.query.OptionalString("q"),
      .include_deleted = call.query.OptionalBool("include_deleted").value_or(false)};
  const PageParams page_params = call.query.Page();
  CLINIC_TRY_STATUS(call.query.Finish());
  CLINIC_ASSIGN_OR_RETURN(patient_query.page, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, patients.List(call.context, patient_query));
  return Json(HttpStatus::ok,
              PageJson(page, [](const domain::Patient& patient) { return ToJson(patient); }));
}

Result<Response> GetOwn(PatientService& patients, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.GetOwn(call.context));
  return Json(HttpStatus::ok, ToJson(patient));
}

Result<Response> UpdateOwn(PatientService& patients, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadPatientFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.UpdateOwn(call.context, std::move(fields)));
  return Json(HttpStatus::ok, ToJson(patient));
}

Result<Response> Get(PatientService& patients, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.Get(call.context, call.id));
  return Json(HttpStatus::ok, ToJson(patient));
}

Result<Response> Update(PatientService& patients, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadPatientFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.Update(call.context, call.id, std::move(fields)));
  return Json(HttpStatus::ok, ToJson(patient));
}

Result<Response> Delete(PatientService& patients, Call& call) {
  CLINIC_TRY_STATUS(NoRequestBody(call.request));
  CLINIC_TRY_STATUS(patients.Delete(call.context, call.id));
  return Empty(HttpStatus::no_content);
}

Result<Response> Restore(PatientService& patients, Call& call) {
  CLINIC_TRY_STATUS(NoFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto patient, patients.Restore(call.context, call.id));
  return Json(HttpStatus::ok, ToJson(patient));
}

}  // namespace

void AddPatientRoutes(RouteTable& routes, PatientService& patients) {
  routes.Add({.method = Method::post,
              .path = "/api/v1/patients",
              .hashes_passwords = true,
              .fingerprint_leaves_out = {"password"}},
             [&patients](Call& call) { return Create(patients, call); });
  routes.Add({.method = Method::get,
              .path = "/api/v1/patients",
              .query = {"q", "include_deleted", "limit", "cursor"}},
             [&patients](Call& call) { return List(patients, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/patients/me"},
             [&patients](Call& call) { return GetOwn(patients, call); });
  routes.Add({.method = Method::patch, .path = "/api/v1/patients/me"},
             [&patients](Call& call) { return UpdateOwn(patients, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/patients/{id}"},
             [&patients](Call& call) { return Get(patients, call); });
  routes.Add({.method = Method::patch, .path = "/api/v1/patients/{id}", .hashes_passwords = true},
             [&patients](Call& call) { return Update(patients, call); });
  routes.Add({.method = Method::delete_, .path = "/api/v1/patients/{id}"},
             [&patients](Call& call) { return Delete(patients, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/patients/{id}/restore"},
             [&patients](Call& call) { return Restore(patients, call); });
}

}  // namespace clinic::http
