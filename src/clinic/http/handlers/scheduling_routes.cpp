#include "clinic/http/handlers/scheduling_routes.hpp"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>

#include "clinic/common/time.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::SchedulingService;

constexpr IntRule kIdRule{.min = 1};

std::string FormatLocalTime(std::chrono::minutes minutes_of_day) {
  return fmt::format("{:02}:{:02}", minutes_of_day.count() / 60, minutes_of_day.count() % 60);
}

boost::json::object WorkingHoursJson(const domain::WorkingHours& hours) {
  boost::json::array weekly;
  for (const auto& interval : hours.weekly) {
    weekly.push_back(boost::json::object{{"weekday", interval.weekday},
                                         {"start", FormatLocalTime(interval.start)},
                                         {"end", FormatLocalTime(interval.end)}});
  }
  return {{"doctor_id", hours.doctor_id},
          {"location_id", hours.location_id},
          {"slot_minutes", hours.slot_minutes},
          {"horizon_days", hours.horizon_days},
          {"weekly", std::move(weekly)}};
}

Result<service::WorkingHoursInput> ReadWorkingHours(const Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  service::WorkingHoursInput input{.location_id = fields.RequiredInt("location_id", kIdRule),
                                   .slot_minutes = fields.RequiredInt("slot_minutes"),
                                   .horizon_days = fields.RequiredInt("horizon_days")};
  fields.ObjectArray("weekly", {.required = true, .max_items = 100}, [&](JsonFields& item) {
    input.weekly.push_back({.weekday = item.RequiredInt("weekday"),
                            .start = item.RequiredString("start"),
                            .end = item.RequiredString("end")});
  });
  CLINIC_TRY_STATUS(fields.Finish());
  return input;
}

Result<Response> PutWorkingHours(SchedulingService& scheduling, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto input, ReadWorkingHours(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto hours, scheduling.SetWorkingHours(call.context, call.id, input));
  return Json(HttpStatus::ok, WorkingHoursJson(hours));
}

Result<Response> GetWorkingHours(SchedulingService& scheduling, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto hours, scheduling.GetWorkingHours(call.context, call.id));
  return Json(HttpStatus::ok, WorkingHoursJson(hours));
}

Result<Response> Generate(SchedulingService& scheduling, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const auto from = fields.RequiredDate("from");
  const auto to = fields.RequiredDate("to");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto result, scheduling.GenerateSlots(call.context, call.id, from, to));
  return Json(HttpStatus::ok,
              boost::json::object{{"created", result.created}, {"skipped", result.skipped}});
}

Result<Response> CreateSlot(SchedulingService& scheduling, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const service::NewSlot slot{.location_id = fields.OptionalInt("location_id", kIdRule),
                              .start_time_utc = fields.RequiredInstant("start_time_utc"),
                              .end_time_utc = fields.RequiredInstant("end_time_utc")};
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto created, scheduling.CreateSlot(call.context, call.id, slot));
  return CreatedJson(ToJson(created.value), created.replayed);
}

Result<Response> ListDoctorSlots(SchedulingService& scheduling, Call& call) {
  const Instant from = call.query.RequiredInstant("from");
  const Instant to = call.query.RequiredInstant("to");
  CLINIC_TRY_STATUS(call.query.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto slots, scheduling.ListDoctorSlots(call.context, call.id, from, to));
  boost::json::array items;
  items.reserve(slots.size());
  for (const auto& listing : slots) items.push_back(ToJson(listing));
  return Json(HttpStatus::ok, boost::json::object{{"items", std::move(items)}});
}

// POST /doctors/{id}/slots/block and /unblock: {from, to} → {changed, booked}.
template <bool is_available>
Result<Response> SetRangeAvailable(SchedulingService& scheduling, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const Instant from = fields.RequiredInstant("from");
  const Instant to = fields.RequiredInstant("to");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(
      auto change, scheduling.SetRangeAvailable(call.context, call.id, from, to, is_available));
  boost::json::array booked;
  for (const Id appointment_id : change.booked) booked.push_back(appointment_id);
  return Json(HttpStatus::ok,
              boost::json::object{{"changed", change.changed}, {"booked", std::move(booked)}});
}

Result<Response> UpdateSlot(SchedulingService& scheduling, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const bool is_available = fields.RequiredBool("is_available");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto slot,
                          scheduling.SetSlotAvailable(call.context, call.id, is_available));
  return Json(HttpStatus::ok, ToJson(slot));
}

Result<Response> DeleteSlot(SchedulingService& scheduling, Call& call) {
  CLINIC_TRY_STATUS(NoRequestBody(call.request));
  CLINIC_TRY_STATUS(scheduling.DeleteSlot(call.context, call.id));
  return Empty(HttpStatus::no_content);
}

Result<Response> SearchSlots(SchedulingService& scheduling, service::AnswerCache* answers,
                             Call& call) {
  QueryFields& query = call.query;
  service::SlotQuery slot_query{.doctor_id = query.OptionalInt("doctor_id", kIdRule),
                                .specialization = query.OptionalString("specialization"),
                                .location_id = query.OptionalInt("location_id", kIdRule),
                                .from = query.OptionalInstant("from"),
                                .to = query.OptionalInstant("to")};
  // Only free slots are searchable; the parameter exists because DESIGN.md §6 names it.
  if (query.OptionalBool("available") == false) {
    query.AddError("available", "only available slots can be searched (true)");
  }
  const PageParams page = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  slot_query.limit = static_cast<int>(page.limit);
  slot_query.cursor = page.cursor;
  const auto search = [&]() -> Result<std::string> {
    CLINIC_ASSIGN_OR_RETURN(auto found, scheduling.SearchSlots(slot_query));
    return boost::json::serialize(
        CursorPageJson(found.items, found.next_cursor,
                       [](const domain::SlotListing& listing) { return ToJson(listing); }));
  };
  CLINIC_ASSIGN_OR_RETURN(
      auto body,
      answers ? answers->GetOrRead(service::SlotQueryKey(slot_query), search) : search());
  return Text(HttpStatus::ok, std::move(body), kJsonContentType);
}

}  // namespace

void AddSchedulingRoutes(RouteTable& routes, SchedulingService& scheduling,
                         service::AnswerCache* search_answers) {
  routes.Add({.method = Method::put, .path = "/api/v1/doctors/{id}/working-hours"},
             [&scheduling](Call& call) { return PutWorkingHours(scheduling, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/doctors/{id}/working-hours"},
             [&scheduling](Call& call) { return GetWorkingHours(scheduling, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/doctors/{id}/slots/generate"},
             [&scheduling](Call& call) { return Generate(scheduling, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/doctors/{id}/slots"},
             [&scheduling](Call& call) { return CreateSlot(scheduling, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/doctors/{id}/slots", .query = {"from", "to"}},
             [&scheduling](Call& call) { return ListDoctorSlots(scheduling, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/doctors/{id}/slots/block"},
             [&scheduling](Call& call) { return SetRangeAvailable<false>(scheduling, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/doctors/{id}/slots/unblock"},
             [&scheduling](Call& call) { return SetRangeAvailable<true>(scheduling, call); });
  routes.Add({.method = Method::patch, .path = "/api/v1/slots/{id}"},
             [&scheduling](Call& call) { return UpdateSlot(scheduling, call); });
  routes.Add({.method = Method::delete_, .path = "/api/v1/slots/{id}"},
             [&scheduling](Call& call) { return DeleteSlot(scheduling, call); });
  routes.Add({.method = Method::get,
              .path = "/api/v1/slots",
              .access = Access::kOptionalLogin,
              .query = {"doctor_id", "specialization", "location_id", "from", "to", "available",
                        "limit", "cursor"}},
             [&scheduling, search_answers](Call& call) {
               return SearchSlots(scheduling, search_answers, call);
             });
}

}  // namespace clinic::http
