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

constexpr IntRule kIdRule{.min = 1};

Response AppointmentJson(HttpStatus status, const domain::AppointmentListing& listing) {
  return Json(status, ToJson(listing));
}

Result<Response> Book(AppointmentService& appointments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const service::BookingRequest booking{.slot_id = fields.RequiredInt("slot_id", kIdRule),
                                        .patient_id = fields.OptionalInt("patient_id", kIdRule),
                                        .reason = fields.OptionalString("reason")};
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto booked, appointments.Book(call.context, booking));
  return CreatedJson(ToJson(booked.value), booked.replayed);
}

Result<Response> List(AppointmentService& appointments, Call& call) {
  QueryFields& query = call.query;
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
  CLINIC_ASSIGN_OR_RETURN(auto found, appointments.List(call.context, wanted));
  return Json(HttpStatus::ok, CursorPageJson(found.items, found.next_cursor,
                                             [](const domain::AppointmentListing& listing) {
                                               return ToJson(listing);
                                             }));
}

// One appointment; for those who may see its payments (the patient, admins) also its `balance`.
Result<Response> Get(AppointmentService& appointments, service::PaymentService& payments,
                     Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto listing, appointments.Get(call.context, call.id));
  auto json = ToJson(listing);
  if (auto balance = payments.Balance(call.context, call.id)) {
    json["balance"] = BalanceJson(*balance);
  }
  return Json(HttpStatus::ok, json);
}

Result<Response> Cancel(AppointmentService& appointments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseOptionalJsonObject(call.request));
  JsonFields fields(body);
  const auto reason = fields.OptionalString("reason");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto listing, appointments.Cancel(call.context, call.id, reason));
  return AppointmentJson(HttpStatus::ok, listing);
}

Result<Response> Reschedule(AppointmentService& appointments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const auto slot_id = fields.RequiredInt("slot_id", kIdRule);
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto listing, appointments.Reschedule(call.context, call.id, slot_id));
  return AppointmentJson(HttpStatus::ok, listing);
}

// PATCH {notes}: a string, or null to clear them.
Result<Response> UpdateNotes(AppointmentService& appointments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  if (!fields.Has("notes")) fields.AddError("notes", "is required (null clears the notes)");
  const auto notes = fields.OptionalString("notes");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto listing, appointments.SetNotes(call.context, call.id, notes));
  return AppointmentJson(HttpStatus::ok, listing);
}

// complete and no-show take no fields; an empty JSON object is accepted as well.
template <auto record>
Result<Response> RecordAttendance(AppointmentService& appointments, Call& call) {
  CLINIC_TRY_STATUS(NoFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto listing, (appointments.*record)(call.context, call.id));
  return AppointmentJson(HttpStatus::ok, listing);
}

}  // namespace

void AddAppointmentRoutes(RouteTable& routes, AppointmentService& appointments,
                          service::PaymentService& payments) {
  routes.Add({.method = Method::post, .path = "/api/v1/appointments"},
             [&appointments](Call& call) { return Book(appointments, call); });
  routes.Add({.method = Method::get,
              .path = "/api/v1/appointments",
              .query = {"patient_id", "doctor_id", "location_id", "status", "from", "to", "limit",
                        "cursor"}},
             [&appointments](Call& call) { return List(appointments, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/appointments/{id}"},
             [&appointments, &payments](Call& call) { return Get(appointments, payments, call); });
  routes.Add({.method = Method::patch, .path = "/api/v1/appointments/{id}"},
             [&appointments](Call& call) { return UpdateNotes(appointments, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/appointments/{id}/cancel"},
             [&appointments](Call& call) { return Cancel(appointments, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/appointments/{id}/reschedule"},
             [&appointments](Call& call) { return Reschedule(appointments, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/appointments/{id}/complete"},
             [&appointments](Call& call) {
               return RecordAttendance<&AppointmentService::Complete>(appointments, call);
             });
  routes.Add({.method = Method::post, .path = "/api/v1/appointments/{id}/no-show"},
             [&appointments](Call& call) {
               return RecordAttendance<&AppointmentService::MarkNoShow>(appointments, call);
             });
}

}  // namespace clinic::http
