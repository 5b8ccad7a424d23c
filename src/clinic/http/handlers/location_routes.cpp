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

Result<Response> Create(service::AuthService& auth, LocationService& locations, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadLocationFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto location, locations.Create(context, std::move(fields)));
  return CreatedJson(ToJson(location.value), location.replayed);
}

Result<Response> List(service::AuthService& auth, LocationService& locations, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, OptionalLogin(request, auth));
  QueryFields query(request);
  const PageParams page_params = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto page_request, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, locations.List(context, page_request));
  return Json(HttpStatus::ok,
              PageJson(page, [](const domain::Location& location) { return ToJson(location); }));
}

Result<Response> Get(service::AuthService& auth, LocationService& locations, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, OptionalLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto location, locations.Get(context, id));
  return Json(HttpStatus::ok, ToJson(location));
}

Result<Response> Update(service::AuthService& auth, LocationService& locations, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto fields, ReadLocationFields(request));
  CLINIC_ASSIGN_OR_RETURN(auto location, locations.Update(context, id, std::move(fields)));
  return Json(HttpStatus::ok, ToJson(location));
}

}  // namespace

void AddLocationRoutes(Router& router, service::AuthService& auth, LocationService& locations) {
  router.Add(Method::post, "/api/v1/locations",
             [&auth, &locations](Request& r) { return Create(auth, locations, r); });
  router.Add(Method::get, "/api/v1/locations",
             [&auth, &locations](Request& r) { return List(auth, locations, r); });
  router.Add(Method::get, "/api/v1/locations/{id}",
             [&auth, &locations](Request& r) { return Get(auth, locations, r); });
  router.Add(Method::patch, "/api/v1/locations/{id}",
             [&auth, &locations](Request& r) { return Update(auth, locations, r); });
}

}  // namespace clinic::http
