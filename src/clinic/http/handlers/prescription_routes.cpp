#include "clinic/http/handlers/prescription_routes.hpp"

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::PrescriptionService;

constexpr IntRule kIdRule{.min = 1};

boost::json::object ItemsJson(const std::vector<domain::PrescriptionListing>& listings) {
  boost::json::array items;
  items.reserve(listings.size());
  for (const auto& listing : listings) items.push_back(ToJson(listing));
  return {{"items", std::move(items)}};
}

Result<Response> Issue(PrescriptionService& prescriptions, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const service::NewPrescription input{
      .instructions = fields.RequiredString("instructions"),
      .supersedes_id = fields.OptionalInt("supersedes_id", kIdRule),
      .doctor_id = fields.OptionalInt("doctor_id", kIdRule),
      .patient_id = fields.OptionalInt("patient_id", kIdRule)};
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto issued, prescriptions.Issue(call.context, call.id, input));
  return CreatedJson(ToJson(issued.value), issued.replayed);
}

// The prescriptions of the appointment or patient {id}, as `list` finds them.
template <auto list>
Result<Response> ListOf(PrescriptionService& prescriptions, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto found, (prescriptions.*list)(call.context, call.id));
  return Json(HttpStatus::ok, ItemsJson(found));
}

}  // namespace

void AddPrescriptionRoutes(RouteTable& routes, PrescriptionService& prescriptions) {
  routes.Add({.method = Method::post, .path = "/api/v1/appointments/{id}/prescriptions"},
             [&prescriptions](Call& call) { return Issue(prescriptions, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/appointments/{id}/prescriptions"},
             [&prescriptions](Call& call) {
               return ListOf<&PrescriptionService::ListForAppointment>(prescriptions, call);
             });
  routes.Add({.method = Method::get, .path = "/api/v1/patients/{id}/prescriptions"},
             [&prescriptions](Call& call) {
               return ListOf<&PrescriptionService::ListForPatient>(prescriptions, call);
             });
}

}  // namespace clinic::http
