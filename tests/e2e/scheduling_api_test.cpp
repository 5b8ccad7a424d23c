// Working hours, slot generation, hand-made slots and the public slot search over HTTP, against a
// real clinicd on SQLite and on MariaDB (DESIGN.md §2.1, §2.3, §6).

#include <fmt/format.h>
#include <gmock/gmock.h>

#include <chrono>
#include <set>

#include "clinic/common/time.hpp"
#include "clinic/storage/sql/sql_store.hpp"
#include "support/booking_fixture.hpp"
#include "support/matchers.hpp"
#include "support/run_command.hpp"

namespace clinic::testing {
namespace {

using boost::json::array;
using boost::json::object;
using namespace std::chrono_literals;

std::string SlotsPath(std::int64_t doctor_id, const std::string& suffix = "") {
  return "/api/v1/doctors/" + std::to_string(doctor_id) + "/slots" + suffix;
}

std::string WorkingHoursPath(std::int64_t doctor_id) {
  return "/api/v1/doctors/" + std::to_string(doctor_id) + "/working-hours";
}

// Mondays to Sundays 09:00-12:00 and 13:00-15:00 local, hour-long slots: five a day.
object WeeklyHours(std::int64_t location_id) {
  array weekly;
  for (int day = 1; day <= 7; ++day) {
    weekly.push_back(object{{"weekday", day}, {"start", "09:00"}, {"end", "12:00"}});
    weekly.push_back(object{{"weekday", day}, {"start", "13:00"}, {"end", "15:00"}});
  }
  return {{"location_id", location_id},
          {"slot_minutes", 60},
          {"horizon_days", 30},
          {"weekly", std::move(weekly)}};
}

class SchedulingApiTest : public BookingApiTest {};

TEST_P(SchedulingApiTest, WorkingHoursAreReplacedReadAndGenerateSlotsOnce) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("who@clinic.example");
  auto put = Call("PUT", WorkingHoursPath(doctor), WeeklyHours(location), admin_token_);
  ASSERT_EQ(put.status, 200) << put.body;
  auto got = Call("GET", WorkingHoursPath(doctor), std::nullopt, admin_token_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json().at("weekly").as_array().size(), 14u);
  EXPECT_EQ(got.Json().at("weekly").at(1).at("start"), "13:00");
  EXPECT_EQ(got.Json().at("slot_minutes"), 60);

  const object range{{"from", DaysFromToday(2)}, {"to", DaysFromToday(8)}};
  auto first = Call("POST", SlotsPath(doctor, "/generate"), range, admin_token_);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Json(), (boost::json::value(object{{"created", 35}, {"skipped", 0}})));
  auto second = Call("POST", SlotsPath(doctor, "/generate"), range, admin_token_);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.Json(), (boost::json::value(object{{"created", 0}, {"skipped", 35}})));
  EXPECT_EQ(SearchAll("&doctor_id=" + std::to_string(doctor), 200).size(), 35u);

  auto beyond = Call("POST", SlotsPath(doctor, "/generate"),
                     object{{"from", DaysFromToday(2)}, {"to", DaysFromToday(40)}}, admin_token_);
  EXPECT_EQ(beyond.status, 400) << beyond.body;
  EXPECT_THAT(ProblemFields(beyond), ::testing::ElementsAre("to"));
  // A far past start would only burn time under the doctor's lock: refused, not skipped.
  auto past = Call("POST", SlotsPath(doctor, "/generate"),
                   object{{"from", "1900-01-01"}, {"to", DaysFromToday(8)}}, admin_token_);
  EXPECT_EQ(past.status, 400) << past.body;
  EXPECT_THAT(ProblemFields(past), ::testing::ElementsAre("from"));
}

// The doctor's lock (which bookings of that doctor wait for) is held a week of slots at a time,
// never for the whole range: each batch commits on its own, with its own audit row.
TEST_P(SchedulingApiTest, GenerationCommitsAWeekAtATime) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("who@clinic.example");
  ASSERT_EQ(Call("PUT", WorkingHoursPath(doctor), WeeklyHours(location), admin_token_).status, 200);
  auto generated =
      Call("POST", SlotsPath(doctor, "/generate"),
           object{{"from", DaysFromToday(2)}, {"to", DaysFromToday(21)}}, admin_token_);
  ASSERT_EQ(generated.status, 200) << generated.body;
  EXPECT_EQ(generated.Json(), (boost::json::value(object{{"created", 100}, {"skipped", 0}})));
  EXPECT_EQ(SearchAll("&doctor_id=" + std::to_string(doctor), 200).size(), 100u);

  auto audit = Call("GET", "/api/v1/audit?action=slot.generate", std::nullopt, admin_token_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::vector<std::string> batches;
  const auto rows = audit.Json();
  for (const auto& row : rows.at("items").as_array()) {
    batches.emplace_back(row.at("details").as_string());
  }
  EXPECT_THAT(
      batches,
      ::testing::UnorderedElementsAre(
          fmt::format("{} to {}: 35 created, 0 skipped", DaysFromToday(2), DaysFromToday(8)),
          fmt::format("{} to {}: 35 created, 0 skipped", DaysFromToday(9), DaysFromToday(15)),
          fmt::format("{} to {}: 30 created, 0 skipped", DaysFromToday(16), DaysFromToday(21))));
}

TEST_P(SchedulingApiTest, ClinicctlGeneratesEveryDoctorsSlotsUpToTheHorizonOnce) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("who@clinic.example");
  ASSERT_EQ(Call("PUT", WorkingHoursPath(doctor), WeeklyHours(location), admin_token_).status, 200);
  const auto gone = CreateDoctor("gone@clinic.example");
  ASSERT_EQ(Call("PUT", WorkingHoursPath(gone), WeeklyHours(location), admin_token_).status, 200);
  ASSERT_EQ(
      Call("DELETE", "/api/v1/doctors/" + std::to_string(gone), std::nullopt, admin_token_).status,
      204);
  const std::vector<std::string> args{"--db", database().uri(), "--docs", docs_uri(),
                                      "generate-slots"};
  const auto first = RunCommand(CLINICCTL_PATH, args);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto slots = SearchAll("&doctor_id=" + std::to_string(doctor), 200);
  // 31 local days (today and the 30-day horizon) of five slots, less today's past ones.
  EXPECT_GE(slots.size(), 150u);
  EXPECT_LE(slots.size(), 155u);
  EXPECT_THAT(first.output,
              ::testing::HasSubstr(fmt::format("{} slots created for 1 doctors", slots.size())));
  const auto second = RunCommand(CLINICCTL_PATH, args);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_THAT(second.output, ::testing::HasSubstr("0 slots created for 1 doctors"));
}

TEST_P(SchedulingApiTest, InvalidWorkingHoursAreRefusedNamingEachField) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("who@clinic.example");
  auto bad =
      Call("PUT", WorkingHoursPath(doctor),
           object{{"location_id", location},
                  {"slot_minutes", 10},
                  {"horizon_days", 400},
                  {"weekly", array{object{{"weekday", 8}, {"start", "9:00"}, {"end", "12:00"}},
                                   object{{"weekday", 1}, {"start", "10:00"}, {"end", "09:00"}}}}},
           admin_token_);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(ProblemFields(bad),
              ::testing::UnorderedElementsAre("slot_minutes", "horizon_days", "weekly[0].weekday",
                                              "weekly[0].start", "weekly[1].end"));
  auto overlapping =
      Call("PUT", WorkingHoursPath(doctor),
           object{{"location_id", location},
                  {"slot_minutes", 30},
                  {"horizon_days", 30},
                  {"weekly", array{object{{"weekday", 1}, {"start", "09:00"}, {"end", "12:00"}},
                                   object{{"weekday", 1}, {"start", "11:00"}, {"end", "13:00"}}}}},
           admin_token_);
  EXPECT_EQ(overlapping.status, 400) << overlapping.body;
  EXPECT_THAT(ProblemFields(overlapping), ::testing::ElementsAre("weekly[1]"));
  auto no_location = WeeklyHours(location + 100);
  auto missing = Call("PUT", WorkingHoursPath(doctor), no_location, admin_token_);
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(Call("GET", WorkingHoursPath(doctor), std::nullopt, admin_token_).status, 404);
}

TEST_P(SchedulingApiTest, OverlappingSlotsOfOneDoctorConflictButOtherDoctorsMayShareTheTime) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("one@clinic.example");
  const auto other = CreateDoctor("two@clinic.example");
  CreateSlot(doctor, location, On2030(9), On2030(10));
  auto overlap = Call("POST", SlotsPath(doctor),
                      object{{"location_id", location},
                             {"start_time_utc", On2030(9, 30)},
                             {"end_time_utc", On2030(10, 30)}},
                      admin_token_);
  EXPECT_EQ(overlap.status, 409) << overlap.body;
  CreateSlot(other, location, On2030(9, 30), On2030(10, 30));
  auto backwards =
      Call("POST", SlotsPath(doctor),
           object{{"start_time_utc", On2030(12)}, {"end_time_utc", On2030(11)}}, admin_token_);
  EXPECT_EQ(backwards.status, 400) << backwards.body;
  auto past = Call(
      "POST", SlotsPath(doctor),
      object{{"start_time_utc", "2020-01-01T09:00:00Z"}, {"end_time_utc", "2020-01-01T10:00:00Z"}},
      admin_token_);
  EXPECT_EQ(past.status, 400) << past.body;
}

TEST_P(SchedulingApiTest, BlockedSlotsLeaveTheSearchAndUnbookedOnesCanBeDeleted) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("one@clinic.example");
  const auto slot = CreateSlot(doctor, location, On2030(9), On2030(10));
  const auto filter = "&doctor_id=" + std::to_string(doctor);
  const std::string path = "/api/v1/slots/" + std::to_string(slot);
  EXPECT_THAT(SearchAll(filter, 10), ::testing::ElementsAre(slot));
  auto blocked = Call("PATCH", path, object{{"is_available", false}}, admin_token_);
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_EQ(blocked.Json().at("is_available"), false);
  EXPECT_TRUE(SearchAll(filter, 10).empty());
  ASSERT_EQ(Call("PATCH", path, object{{"is_available", true}}, admin_token_).status, 200);
  EXPECT_THAT(SearchAll(filter, 10), ::testing::ElementsAre(slot));
  EXPECT_EQ(Call("DELETE", path, std::nullopt, admin_token_).status, 204);
  EXPECT_TRUE(SearchAll(filter, 10).empty());
  EXPECT_EQ(Call("DELETE", path, std::nullopt, admin_token_).status, 404);
}

TEST_P(SchedulingApiTest, ABookedSlotCannotBeDeletedAndLeavesTheSearch) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("one@clinic.example");
  const auto slot = CreateSlot(doctor, location, On2030(9), On2030(10));
  const auto [patient, patient_token] = RegisterPatient("p@example.com");
  auto store = storage::sql::MakeSqlStore(database().NewFactory(), 1);
  auto booked =
      storage::InTransaction(*store, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        return tx.appointments().Create(
            {.slot_id = slot, .doctor_id = doctor, .patient_id = patient});
      });
  ASSERT_THAT(booked, IsOk());
  EXPECT_TRUE(SearchAll("&doctor_id=" + std::to_string(doctor), 10).empty());
  auto refused =
      Call("DELETE", "/api/v1/slots/" + std::to_string(slot), std::nullopt, admin_token_);
  EXPECT_EQ(refused.status, 409) << refused.body;
}

TEST_P(SchedulingApiTest, SearchFiltersPaginatesWithoutGapsAndShowsLocalTimes) {
  const auto singapore = CreateLocation("Asia/Singapore");
  const auto kolkata = CreateLocation("Asia/Kolkata");
  const auto heart = CreateDoctor("heart@clinic.example", "Cardiology");
  const auto skin = CreateDoctor("skin@clinic.example", "Dermatology");
  std::vector<std::int64_t> expected;
  for (int hour = 1; hour <= 6; ++hour) {
    expected.push_back(CreateSlot(heart, singapore, On2030(hour), On2030(hour, 30)));
    expected.push_back(CreateSlot(skin, kolkata, On2030(hour), On2030(hour, 30)));
  }
  const auto all = SearchAll("", 5);
  EXPECT_EQ(all.size(), expected.size());
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), all.size());
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()),
            std::set<std::int64_t>(expected.begin(), expected.end()));
  EXPECT_EQ(all, SearchAll("", 200));
  EXPECT_EQ(SearchAll("&specialization=Dermatology", 4).size(), 6u);
  EXPECT_EQ(SearchAll("&location_id=" + std::to_string(singapore), 4).size(), 6u);
  EXPECT_EQ(SearchAll("&from=" + On2030(3) + "&to=" + On2030(5), 3).size(), 4u);

  auto page = Call("GET", "/api/v1/slots?limit=2&doctor_id=" + std::to_string(heart));
  ASSERT_EQ(page.status, 200) << page.body;
  const auto first = page.Json().at("items").at(0);
  EXPECT_EQ(first.at("start_time_utc"), "2030-01-07T01:00:00Z");
  EXPECT_EQ(first.at("local").at("start"), "2030-01-07T09:00:00+08:00");
  EXPECT_EQ(first.at("local").at("end"), "2030-01-07T09:30:00+08:00");
  EXPECT_EQ(first.at("local").at("timezone"), "Asia/Singapore");
  auto other = Call("GET", "/api/v1/slots?limit=1&doctor_id=" + std::to_string(skin));
  EXPECT_EQ(other.Json().at("items").at(0).at("local").at("start"), "2030-01-07T06:30:00+05:30");

  EXPECT_EQ(Call("GET", "/api/v1/slots?cursor=nonsense").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/slots?available=false").status, 400);
}

TEST_P(SchedulingApiTest, ASearchBySpecializationFollowsTheDoctorsChangeAtOnce) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("one@clinic.example", "Cardiology");
  const auto slot = CreateSlot(doctor, location, On2030(9), On2030(10));
  const auto at = "&location_id=" + std::to_string(location);
  EXPECT_THAT(SearchAll("&specialization=Cardiology" + at), ::testing::ElementsAre(slot));
  const auto before = Call("GET", "/api/v1/slots?doctor_id=" + std::to_string(doctor));
  ASSERT_EQ(Call("PATCH", "/api/v1/doctors/" + std::to_string(doctor),
                 object{{"specialization", "Neurology"}}, admin_token_)
                .status,
            200);
  EXPECT_TRUE(SearchAll("&specialization=Cardiology" + at).empty());
  EXPECT_THAT(SearchAll("&specialization=Neurology" + at), ::testing::ElementsAre(slot));
  // The search's copy of the specialization is no change to the slot itself.
  const auto after = Call("GET", "/api/v1/slots?doctor_id=" + std::to_string(doctor));
  EXPECT_EQ(after.Json().at("items").at(0).at("updated_at"),
            before.Json().at("items").at(0).at("updated_at"));
}

TEST_P(SchedulingApiTest, OnlyTheDoctorThemselfOrAnAdminChangesTheSchedule) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("one@clinic.example");
  CreateDoctor("two@clinic.example");
  const auto doctor_token = Login("one@clinic.example", kDoctorPassword);
  const auto other_token = Login("two@clinic.example", kDoctorPassword);
  const auto patient_token = RegisterPatient("p@example.com").second;
  const object slot{
      {"location_id", location}, {"start_time_utc", On2030(9)}, {"end_time_utc", On2030(10)}};

  EXPECT_EQ(Call("PUT", WorkingHoursPath(doctor), WeeklyHours(location)).status, 401);
  EXPECT_EQ(Call("POST", SlotsPath(doctor), slot).status, 401);
  EXPECT_EQ(Call("PUT", WorkingHoursPath(doctor), WeeklyHours(location), patient_token).status,
            403);
  EXPECT_EQ(Call("PUT", WorkingHoursPath(doctor), WeeklyHours(location), other_token).status, 403);
  EXPECT_EQ(Call("POST", SlotsPath(doctor), slot, patient_token).status, 403);
  EXPECT_EQ(Call("POST", SlotsPath(doctor), slot, other_token).status, 403);
  EXPECT_EQ(Call("GET", WorkingHoursPath(doctor), std::nullopt, patient_token).status, 403);

  EXPECT_EQ(Call("PUT", WorkingHoursPath(doctor), WeeklyHours(location), doctor_token).status, 200);
  auto created = Call("POST", SlotsPath(doctor), slot, doctor_token);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto path = "/api/v1/slots/" + std::to_string(created.Json().at("id").as_int64());
  EXPECT_EQ(Call("PATCH", path, object{{"is_available", false}}, other_token).status, 403);
  EXPECT_EQ(Call("DELETE", path, std::nullopt, patient_token).status, 403);
  EXPECT_EQ(Call("PATCH", path, object{{"is_available", false}}, doctor_token).status, 200);
  EXPECT_EQ(Call("PUT", WorkingHoursPath(doctor + 100), WeeklyHours(location), admin_token_).status,
            404);
}

TEST_P(SchedulingApiTest, TimeOffBlocksARangeInOneActionAndLeavesBookingsAlone) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("one@clinic.example");
  const auto doctor_token = Login("one@clinic.example", kDoctorPassword);
  std::vector<std::int64_t> slots;
  for (int hour = 9; hour < 12; ++hour) {
    slots.push_back(CreateSlot(doctor, location, On2030(hour), On2030(hour, 30)));
  }
  const auto later = CreateSlot(doctor, location, On2030(14), On2030(14, 30));
  const auto [patient, patient_token] = RegisterPatient("p@example.com");
  auto booked = Call("POST", "/api/v1/appointments", object{{"slot_id", slots[1]}}, patient_token);
  ASSERT_EQ(booked.status, 201) << booked.body;
  const auto appointment = booked.Json().at("id").as_int64();

  // JavaScript's toISOString() form, milliseconds included, is taken as it is.
  const object morning{{"from", "2030-01-07T08:00:00.000Z"}, {"to", On2030(12)}};
  auto blocked = Call("POST", SlotsPath(doctor, "/block"), morning, doctor_token);
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_EQ(blocked.Json(),
            (boost::json::value(object{{"changed", 2}, {"booked", {appointment}}})));
  EXPECT_EQ(SearchAll("&doctor_id=" + std::to_string(doctor)), std::vector<std::int64_t>{later});

  auto schedule =
      Call("GET", SlotsPath(doctor, "?from=2030-01-07T00:00:00Z&to=2030-01-08T00:00:00.5Z"),
           std::nullopt, doctor_token);
  ASSERT_EQ(schedule.status, 200) << schedule.body;
  const auto listed = schedule.Json();
  const auto& items = listed.at("items").as_array();
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].at("is_available"), false);
  EXPECT_EQ(items[0].at("appointment_id"), nullptr);
  EXPECT_EQ(items[1].at("appointment_id"), appointment);
  EXPECT_EQ(items[3].at("is_available"), true);
  EXPECT_EQ(items[0].at("local").at("timezone"), "Asia/Singapore");

  auto unblocked = Call("POST", SlotsPath(doctor, "/unblock"), morning, admin_token_);
  ASSERT_EQ(unblocked.status, 200) << unblocked.body;
  EXPECT_EQ(unblocked.Json().at("changed"), 2);
  EXPECT_EQ(SearchAll("&doctor_id=" + std::to_string(doctor)).size(), 3u);
}

TEST_P(SchedulingApiTest, TimeOffAndTheOwnScheduleAreTheDoctorsAndAdminsOnly) {
  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("one@clinic.example");
  CreateDoctor("two@clinic.example");
  CreateSlot(doctor, location, On2030(9), On2030(9, 30));
  const auto other_token = Login("two@clinic.example", kDoctorPassword);
  const auto patient_token = RegisterPatient("p@example.com").second;
  const object range{{"from", On2030(0)}, {"to", On2030(23)}};
  EXPECT_EQ(Call("POST", SlotsPath(doctor, "/block"), range, other_token).status, 403);
  EXPECT_EQ(Call("POST", SlotsPath(doctor, "/block"), range, patient_token).status, 403);
  EXPECT_EQ(Call("POST", SlotsPath(doctor, "/block"), range).status, 401);
  const std::string day = SlotsPath(doctor, "?from=2030-01-07T00:00:00Z&to=2030-01-08T00:00:00Z");
  EXPECT_EQ(Call("GET", day, std::nullopt, other_token).status, 403);
  EXPECT_EQ(Call("GET", day, std::nullopt, patient_token).status, 403);
  EXPECT_EQ(SearchAll("&doctor_id=" + std::to_string(doctor)).size(), 1u);

  auto backwards = Call("POST", SlotsPath(doctor, "/block"),
                        object{{"from", On2030(12)}, {"to", On2030(9)}}, admin_token_);
  EXPECT_EQ(backwards.status, 400) << backwards.body;
  EXPECT_THAT(ProblemFields(backwards), ::testing::ElementsAre("to"));
  auto missing = Call("GET", SlotsPath(doctor), std::nullopt, admin_token_);
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_THAT(ProblemFields(missing), ::testing::ElementsAre("from", "to"));
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(SchedulingApiTest);

}  // namespace
}  // namespace clinic::testing
