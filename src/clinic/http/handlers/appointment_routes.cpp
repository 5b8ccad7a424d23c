#include "clinic/http/handlers/appointment_routes.hpp"

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::AppointmentService;
using service::AuthService;

constexpr IntRule kIdRule{.min = 1};

Response AppointmentJson(HttpStatus status, const storage::AppointmentListing& listing) {
  return Json(status, ToJson(listing));
}

Result<Response> Book(AuthService& auth, AppointmentService& appointments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  const service::BookingRequest booking{
      .slot_id = fields.RequiredInt("slot_id", kIdRule),
      .patient_id = fields.OptionalInt("patient_id", kIdRule),
      .reason = fields.OptionalString("reason", kServiceCheckedText)};
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto booked, appointments.Book(context, booking));
  return CreatedJson(ToJson(booked.value), booked.replayed);
}

Result<Response> List(AuthService& auth, AppointmentService& appointments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  QueryFields query(request);
  service::AppointmentQuery wanted{.patient_id = query.OptionalInt("patient_id", kIdRule),
                                   .doctor_id = query.OptionalInt("doctor_id", kIdRule),
                                   .location_id = query.OptionalInt("location_id", kIdRule),
                                   .from = query.OptionalInstant("from"),
                                   .to = query.OptionalInstant("to")};
  if (const auto status = query.OptionalEnum("status", domain::AppointmentStatusNames())) {
    wanted.status = domain::ParseAppointmentStatus(*status);
  }
  const PageParams page = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  wanted.limit = static_cast<int>(page.limit);
  wanted.cursor = page.cursor;
  CLINIC_ASSIGN_OR_RETURN(auto found, appointments.List(context, wanted));
  return Json(HttpStatus::ok, CursorPageJson(found.items, found.next_cursor,
                                             [](const storage::AppointmentListing& listing) {
                                               return ToJson(listing);
                                             }));
}

// One appointment; for those who may see its payments (the patient, admins) also its `balance`.
Result<Response> Get(AuthService& auth, AppointmentService& appointments,
                     service::PaymentService& payments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto listing, appointments.Get(context, id));
  auto json = ToJson(listing);
  if (auto balance = payments.Balance(context, id)) json["balance"] = BalanceJson(*balance);
  return Json(HttpStatus::ok, json);
}

Result<Response> Cancel(AuthService& auth, AppointmentService& appointments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseOptionalJsonObject(request));
  JsonFields fields(body);
  const auto reason = fields.OptionalString("reason", kServiceCheckedText);
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto listing, appointments.Cancel(context, id, reason));
  return AppointmentJson(HttpStatus::ok, listing);
}

Result<Response> Reschedule(AuthService& auth, AppointmentService& appointments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  const auto slot_id = fields.RequiredInt("slot_id", kIdRule);
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto listing, appointments.Reschedule(context, id, slot_id));
  return AppointmentJson(HttpStatus::ok, listing);
}

// PATCH {notes}: a string, or null to clear them.
Result<Response> UpdateNotes(AuthService& auth, AppointmentService& appointments,
                             Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  if (!fields.Has("notes")) fields.AddError("notes", "is required (null clears the notes)");
  const auto notes = fields.OptionalString("notes", kServiceCheckedText);
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto listing, appointments.SetNotes(context, id, notes));
  return AppointmentJson(HttpStatus::ok, listing);
}

// complete and no-show take no fields; an empty JSON object is accepted as well.
template <typename Act>
Result<Response> RecordAttendance(AuthService& auth, Request& request, Act act) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseOptionalJsonObject(request));
  CLINIC_TRY_STATUS(JsonFields(body).Finish());
  CLINIC_ASSIGN_OR_RETURN(auto listing, act(context, id));
  return AppointmentJson(HttpStatus::ok, listing);
}

}  // namespace

void AddAppointmentRoutes(Router& router, AuthService& auth, AppointmentService& appointments,
                          service::PaymentService& payments) {
  router.Add(Method::post, "/api/v1/appointments",
             [&auth, &appointments](Request& r) { return Book(auth, appointments, r); });
  router.Add(Method::get, "/api/v1/appointments",
             [&auth, &appointments](Request& r) { return List(auth, appointments, r); });
  router.Add(Method::get, "/api/v1/appointments/{id}",
             [&auth, &appointments, &payments](Request& r) {
               return Get(auth, appointments, payments, r);
             });
  router.Add(Method::patch, "/api/v1/appointments/{id}",
             [&auth, &appointments](Request& r) { return UpdateNotes(auth, appointments, r); });
  router.Add(Method::post, "/api/v1/appointments/{id}/cancel",
             [&auth, &appointments](Request& r) { return Cancel(auth, appointments, r); });
  router.Add(Method::post, "/api/v1/appointments/{id}/reschedule",
             [&auth, &appointments](Request& r) { return Reschedule(auth, appointments, r); });
  router.Add(Method::post, "/api/v1/appointments/{id}/complete",
             [&auth, &appointments](Request& r) {
               return RecordAttendance(auth, r, [&](const auto& context, Id id) {
                 return appointments.Complete(context, id);
               });
             });
  router.Add(Method::post, "/api/v1/appointments/{id}/no-show", [&auth, &appointments](Request& r) {
    return RecordAttendance(
        auth, r, [&](const auto& context, Id id) { return appointments.MarkNoShow(context, id); });
  });
}

}  // namespace clinic::http
