#include "support/booking_fixture.hpp"

#include <chrono>

#include "clinic/common/time.hpp"
#include "clinic/storage/sql/sql_store.hpp"
#include "support/matchers.hpp"

namespace clinic::testing {

using boost::json::object;

std::string DaysFromToday(int days) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return FormatDate(std::chrono::year_month_day{today + std::chrono::days(days)});
}

std::string On2030(int hours, int minutes) {
  return FormatRfc3339(std::chrono::sys_days{std::chrono::year{2030} / 1 / 7} +
                       std::chrono::hours(hours) + std::chrono::minutes(minutes));
}

std::string HoursFromNow(int hours) {
  return FormatRfc3339(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) +
                       std::chrono::hours(hours));
}

std::string AppointmentPath(std::int64_t id, const std::string& action) {
  return "/api/v1/appointments/" + std::to_string(id) + (action.empty() ? "" : "/" + action);
}

std::int64_t BookingApiTest::Create(const std::string& path, const object& body,
                                    const std::string& token) {
  auto response = Call("POST", path, body, token);
  EXPECT_EQ(response.status, 201) << path << ": " << response.body;
  return response.status == 201 ? response.Json().at("id").as_int64() : 0;
}

std::int64_t BookingApiTest::CreateLocation(const std::string& timezone) {
  return Create("/api/v1/locations",
                object{{"name", "Orchard"},
                       {"address_line1", "1 Orchard Road"},
                       {"city", "Singapore"},
                       {"country", "SG"},
                       {"timezone", timezone}},
                admin_token_);
}

std::int64_t BookingApiTest::CreateDoctor(const std::string& email,
                                          const std::string& specialization) {
  return Create("/api/v1/doctors",
                object{{"first_name", "Dana"},
                       {"last_name", "Scully"},
                       {"email", email},
                       {"specialization", specialization},
                       {"password", kDoctorPassword}},
                admin_token_);
}

std::int64_t BookingApiTest::CreateSlot(std::int64_t doctor_id, std::int64_t location_id,
                                        const std::string& start, const std::string& end) {
  return Create(
      "/api/v1/doctors/" + std::to_string(doctor_id) + "/slots",
      object{{"location_id", location_id}, {"start_time_utc", start}, {"end_time_utc", end}},
      admin_token_);
}

std::vector<std::int64_t> BookingApiTest::SearchAll(const std::string& filters, int limit) {
  std::vector<std::int64_t> ids;
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    std::string target = "/api/v1/slots?limit=" + std::to_string(limit) + filters;
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto page = Call("GET", target);
    EXPECT_EQ(page.status, 200) << page.body;
    if (page.status != 200) break;
    const auto json = page.Json();
    for (const auto& item : json.at("items").as_array()) ids.push_back(item.at("id").as_int64());
    if (json.at("next_cursor").is_null()) break;
    cursor = std::string(json.at("next_cursor").as_string());
  }
  return ids;
}

std::int64_t BookingApiTest::InsertSlot(std::int64_t doctor_id, std::int64_t location_id,
                                        Instant start, Instant end) {
  auto store = storage::sql::MakeSqlStore(database().NewFactory(), 1);
  auto slot =
      storage::InTransaction(*store, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        return tx.slots().Create({.doctor_id = doctor_id,
                                  .location_id = location_id,
                                  .start_time_utc = start,
                                  .end_time_utc = end});
      });
  EXPECT_THAT(slot, IsOk());
  return slot ? slot->id : 0;
}

std::int64_t BookingApiTest::InsertAppointment(std::int64_t slot_id, std::int64_t patient_id) {
  auto store = storage::sql::MakeSqlStore(database().NewFactory(), 1);
  auto booked =
      storage::InTransaction(*store, storage::TxMode::kWrite,
                             [&](storage::Transaction& tx) -> Result<domain::Appointment> {
                               CLINIC_ASSIGN_OR_RETURN(auto slot, tx.slots().Get(slot_id));
                               return tx.appointments().Create({.slot_id = slot.id,
                                                                .doctor_id = slot.doctor_id,
                                                                .patient_id = patient_id,
                                                                .location_id = slot.location_id});
                             });
  EXPECT_THAT(booked, IsOk());
  return booked ? booked->id : 0;
}

}  // namespace clinic::testing
