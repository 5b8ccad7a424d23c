#include "clinic/http/handlers/location_routes.hpp"

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/pagination.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::LocationService;

Result<service::LocationFields> ReadLocationFields(const Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  service::LocationFields location{.name = SettableText(fields, "name"),
                                   .address_line1 = SettableText(fields, "address_line1"),
                                   .address_line2 = ClearableText(fields, "address_line2"),
                                   .city = SettableText(fields, "city"),
                                   .state_region = ClearableText(fields, "state_region"),
                                   .postal_code = ClearableText(fields, "postal_code"),
                                   .country = SettableText(fields, "country"),
                                   .phone = ClearableText(fields, "phone"),
                                   .timezone = SettableText(fields, "timezone")};
  CLINIC_TRY_STATUS(fields.Finish());
  return location;
}

Result<Response> Create(LocationService& locations, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadLocationFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto location, locations.Create(call.context, std::move(fields)));
  return CreatedJson(ToJson(location.value), location.replayed);
}

Result<Response> List(LocationService& locations, Call& call) {
  const PageParams page_params = call.query.Page();
  CLINIC_TRY_STATUS(call.query.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto page_request, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, locations.List(call.context, page_request));
  return Json(HttpStatus::ok,
              PageJson(page, [](const domain::Location& location) { return ToJson(location); }));
}

Result<Response> Get(LocationService& locations, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto location, locations.Get(call.context, call.id));
  return Json(HttpStatus::ok, ToJson(location));
}

Result<Response> Update(LocationService& locations, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadLocationFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto location,
                          locations.Update(call.context, call.id, std::move(fields)));
  return Json(HttpStatus::ok, ToJson(location));
}

}  // namespace

void AddLocationRoutes(RouteTable& routes, LocationService& locations) {
  routes.Add({.method = Method::post, .path = "/api/v1/locations"},
             [&locations](Call& call) { return Create(locations, call); });
  routes.Add({.method = Method::get,
              .path = "/api/v1/locations",
              .access = Access::kOptionalLogin,
              .query = {"limit", "cursor"}},
             [&locations](Call& call) { return List(locations, call); });
  routes.Add(
      {.method = Method::get, .path = "/api/v1/locations/{id}", .access = Access::kOptionalLogin},
      [&locations](Call& call) { return Get(locations, call); });
  routes.Add({.method = Method::patch, .path = "/api/v1/locations/{id}"},
             [&locations](Call& call) { return Update(locations, call); });
}

}  // namespace clinic::http
