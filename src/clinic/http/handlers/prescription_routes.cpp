#include "clinic/http/handlers/prescription_routes.hpp"

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::AuthService;
using service::PrescriptionService;

constexpr IntRule kIdRule{.min = 1};

boost::json::object ItemsJson(const std::vector<storage::PrescriptionListing>& listings) {
  boost::json::array items;
  items.reserve(listings.size());
  for (const auto& listing : listings) items.push_back(ToJson(listing));
  return {{"items", std::move(items)}};
}

Result<Response> Issue(AuthService& auth, PrescriptionService& prescriptions, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  const service::NewPrescription input{
      .instructions = fields.RequiredString("instructions", kServiceCheckedText),
      .supersedes_id = fields.OptionalInt("supersedes_id", kIdRule),
      .doctor_id = fields.OptionalInt("doctor_id", kIdRule),
      .patient_id = fields.OptionalInt("patient_id", kIdRule)};
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto issued, prescriptions.Issue(context, id, input));
  return CreatedJson(ToJson(issued.value), issued.replayed);
}

// The prescriptions of the appointment or patient {id}, as `list` finds them.
template <auto list>
Result<Response> ListOf(AuthService& auth, PrescriptionService& prescriptions, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto found, (prescriptions.*list)(context, id));
  return Json(HttpStatus::ok, ItemsJson(found));
}

}  // namespace

void AddPrescriptionRoutes(Router& router, AuthService& auth, PrescriptionService& prescriptions) {
  router.Add(Method::post, "/api/v1/appointments/{id}/prescriptions",
             [&auth, &prescriptions](Request& r) { return Issue(auth, prescriptions, r); });
  router.Add(Method::get, "/api/v1/appointments/{id}/prescriptions",
             [&auth, &prescriptions](Request& r) {
               return ListOf<&PrescriptionService::ListForAppointment>(auth, prescriptions, r);
             });
  router.Add(Method::get, "/api/v1/patients/{id}/prescriptions",
             [&auth, &prescriptions](Request& r) {
               return ListOf<&PrescriptionService::ListForPatient>(auth, prescriptions, r);
             });
}

}  // namespace clinic::http
