// Booking and the life of an appointment over HTTP, against a real clinicd on SQLite and on
// MariaDB (DESIGN.md §2.1, §2.4, §6): who may book what, the booking rules, cancel and rebook,
// reschedule, complete and no-show, Idempotency-Key, the lists per role and the audit rows.

#include <gmock/gmock.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "clinic/common/time.hpp"
#include "clinic/storage/sql/connection.hpp"
#include "support/booking_fixture.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::chrono_literals;

class AppointmentApiTest : public BookingApiTest {
 protected:
  void SetUp() override {
    BookingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    location_ = CreateLocation("Asia/Singapore");
    doctor_ = CreateDoctor("heart@clinic.example");
    doctor_token_ = Login("heart@clinic.example", kDoctorPassword);
    std::tie(patient_, patient_token_) = RegisterPatient("ana@example.com");
  }

  test_support::HttpResponse Book(std::int64_t slot_id, const std::string& token, object extra = {},
                                  const test_support::HeaderList& headers = {}) {
    extra["slot_id"] = slot_id;
    return Call("POST", "/api/v1/appointments", extra, token, headers);
  }

  std::int64_t BookOk(std::int64_t slot_id, const std::string& token) {
    auto response = Book(slot_id, token);
    EXPECT_EQ(response.status, 201) << response.body;
    return response.status == 201 ? response.Json().at("id").as_int64() : 0;
  }
  std::int64_t location_ = 0;
  std::int64_t doctor_ = 0;
  std::string doctor_token_;
  std::int64_t patient_ = 0;
  std::string patient_token_;
};

TEST_P(AppointmentApiTest, APatientBooksAndSeesTheTimesInTheLocationsZone) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(1, 30));
  auto booked = Book(slot, patient_token_, object{{"reason", "Chest pain"}});
  ASSERT_EQ(booked.status, 201) << booked.body;
  const auto json = booked.Json();
  EXPECT_EQ(json.at("slot_id"), slot);
  EXPECT_EQ(json.at("doctor_id"), doctor_);
  EXPECT_EQ(json.at("location_id"), location_);
  EXPECT_EQ(json.at("patient_id"), patient_);
  EXPECT_EQ(json.at("status"), "scheduled");
  EXPECT_EQ(json.at("reason"), "Chest pain");
  EXPECT_EQ(json.at("start_time_utc").as_string(), On2030(1));
  EXPECT_EQ(json.at("end_time_utc").as_string(), On2030(1, 30));
  EXPECT_EQ(json.at("local").at("start"), "2030-01-07T09:00:00+08:00");
  EXPECT_EQ(json.at("local").at("timezone"), "Asia/Singapore");
  EXPECT_THAT(SearchAll("&doctor_id=" + std::to_string(doctor_)), IsEmpty());

  const auto id = json.at("id").as_int64();
  EXPECT_EQ(Call("GET", AppointmentPath(id), std::nullopt, patient_token_).status, 200);
  EXPECT_EQ(Call("GET", AppointmentPath(id), std::nullopt, doctor_token_).status, 200);
  EXPECT_EQ(Call("GET", AppointmentPath(id), std::nullopt, admin_token_).status, 200);
  const auto [stranger, stranger_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Call("GET", AppointmentPath(id), std::nullopt, stranger_token).status, 404);
  CreateDoctor("other@clinic.example");
  const auto other_doctor_token = Login("other@clinic.example", kDoctorPassword);
  EXPECT_EQ(Call("GET", AppointmentPath(id), std::nullopt, other_doctor_token).status, 404);
  EXPECT_EQ(Call("GET", AppointmentPath(id)).status, 401);
  EXPECT_EQ(Call("GET", AppointmentPath(id + 100), std::nullopt, admin_token_).status, 404);

  auto audit = Call("GET", "/api/v1/audit?action=appointment.book", std::nullopt, admin_token_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  ASSERT_EQ(audit.Json().at("items").as_array().size(), 1u) << audit.body;
  EXPECT_EQ(audit.Json().at("items").at(0).at("entity_id"), id);
}

TEST_P(AppointmentApiTest, AdminsBookForAPatientDoctorsAndOtherPatientsMayNot) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  auto missing = Book(slot, admin_token_);
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_THAT(ProblemFields(missing), ElementsAre("patient_id"));
  EXPECT_EQ(Book(slot, doctor_token_, object{{"patient_id", patient_}}).status, 403);
  const auto [other, other_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Book(slot, other_token, object{{"patient_id", patient_}}).status, 403);
  auto unknown_patient = Book(slot, admin_token_, object{{"patient_id", patient_ + 100}});
  EXPECT_EQ(unknown_patient.status, 400) << unknown_patient.body;
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments"), 0);

  auto by_admin = Book(slot, admin_token_, object{{"patient_id", patient_}});
  ASSERT_EQ(by_admin.status, 201) << by_admin.body;
  EXPECT_EQ(by_admin.Json().at("patient_id"), patient_);
}

TEST_P(AppointmentApiTest, HostileBookingsAreRefusedAndChangeNothing) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  const std::vector<boost::json::value> bodies{
      object{{"slot_id", "1; DROP TABLE appointments"}},
      object{{"slot_id", slot}, {"doctor_id", doctor_}},
      object{{"slot_id", slot}, {"reason", std::string(256, 'x')}},
      object{{"slot_id", slot}, {"reason", "<script>\u0007</script>"}},
      object{{"slot_id", -1}},
      object{},
      boost::json::array{slot},
  };
  for (const auto& body : bodies) {
    auto refused = Call("POST", "/api/v1/appointments", body, patient_token_);
    EXPECT_EQ(refused.status, 400) << boost::json::serialize(body) << " → " << refused.body;
    EXPECT_EQ(refused.Header("Content-Type"), "application/problem+json");
  }
  auto no_such_slot = Book(slot + 100, patient_token_);
  EXPECT_EQ(no_such_slot.status, 400) << no_such_slot.body;
  EXPECT_THAT(ProblemFields(no_such_slot), ElementsAre("slot_id"));
  auto bad_key = Book(slot, patient_token_, {}, {{"Idempotency-Key", "has spaces in it"}});
  EXPECT_EQ(bad_key.status, 400) << bad_key.body;
  EXPECT_THAT(ProblemFields(bad_key), ElementsAre("Idempotency-Key"));
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments"), 0);
}

TEST_P(AppointmentApiTest, CancelFreesTheSlotForTheNextPatient) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  const auto first = BookOk(slot, patient_token_);
  const auto [other, other_token] = RegisterPatient("bea@example.com");
  EXPECT_EQ(Book(slot, other_token).status, 409);

  auto cancelled = Call("POST", AppointmentPath(first, "cancel"),
                        object{{"reason", "Feeling better"}}, patient_token_);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.Json().at("status"), "cancelled");
  EXPECT_EQ(cancelled.Json().at("cancellation_reason"), "Feeling better");
  EXPECT_THAT(SearchAll("&doctor_id=" + std::to_string(doctor_)), ElementsAre(slot));

  const auto second = BookOk(slot, other_token);
  EXPECT_NE(second, first);
  auto again = Call("POST", AppointmentPath(first, "cancel"), std::nullopt, patient_token_);
  EXPECT_EQ(again.status, 409) << again.body;
  // The doctor may cancel their own appointment too, without a body.
  EXPECT_EQ(Call("POST", AppointmentPath(second, "cancel"), std::nullopt, doctor_token_).status,
            200);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments WHERE status = 'cancelled'"), 2);
}

TEST_P(AppointmentApiTest, SearchesRightAfterABookingOrACancellationSeeIt) {
  // clinicd reuses search answers (--slot-search-cache-ms): every change made through it must
  // still show in the very next search.
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  const auto doctor_filter = "&doctor_id=" + std::to_string(doctor_);
  ASSERT_THAT(SearchAll(doctor_filter), ElementsAre(slot));
  const auto booked = BookOk(slot, patient_token_);
  EXPECT_THAT(SearchAll(doctor_filter), IsEmpty());
  ASSERT_EQ(Call("POST", AppointmentPath(booked, "cancel"), std::nullopt, patient_token_).status,
            200);
  EXPECT_THAT(SearchAll(doctor_filter), ElementsAre(slot));
  ASSERT_EQ(Call("PATCH", "/api/v1/slots/" + std::to_string(slot), object{{"is_available", false}},
                 doctor_token_)
                .status,
            200);
  EXPECT_THAT(SearchAll(doctor_filter), IsEmpty());
}

TEST_P(AppointmentApiTest, PastBlockedAndUnavailableDoctorsSlotsCannotBeBooked) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto past = InsertSlot(doctor_, location_, now - 2h, now - 1h);
  auto refused_past = Book(past, patient_token_);
  EXPECT_EQ(refused_past.status, 409) << refused_past.body;

  const auto blocked = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  ASSERT_EQ(Call("PATCH", "/api/v1/slots/" + std::to_string(blocked),
                 object{{"is_available", false}}, admin_token_)
                .status,
            200);
  EXPECT_EQ(Book(blocked, patient_token_).status, 409);

  const auto leaving = CreateDoctor("leaving@clinic.example");
  const auto leaving_slot = CreateSlot(leaving, location_, On2030(3), On2030(4));
  ASSERT_EQ(Call("DELETE", "/api/v1/doctors/" + std::to_string(leaving), std::nullopt, admin_token_)
                .status,
            204);
  EXPECT_EQ(Book(leaving_slot, patient_token_).status, 409);

  const auto resting = CreateDoctor("resting@clinic.example");
  const auto resting_slot = CreateSlot(resting, location_, On2030(5), On2030(6));
  ASSERT_EQ(Call("PATCH", "/api/v1/doctors/" + std::to_string(resting),
                 object{{"is_active", false}}, admin_token_)
                .status,
            200);
  EXPECT_EQ(Book(resting_slot, patient_token_).status, 409);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments"), 0);
}

TEST_P(AppointmentApiTest, APatientCannotHoldOverlappingAppointmentsWithDifferentDoctors) {
  const auto other_doctor = CreateDoctor("skin@clinic.example", "Dermatology");
  const auto first = CreateSlot(doctor_, location_, On2030(9), On2030(10));
  const auto overlapping = CreateSlot(other_doctor, location_, On2030(9, 30), On2030(10, 30));
  const auto touching = CreateSlot(doctor_, location_, On2030(10), On2030(11));
  BookOk(first, patient_token_);
  auto refused = Book(overlapping, patient_token_);
  EXPECT_EQ(refused.status, 409) << refused.body;
  BookOk(touching, patient_token_);
  // Someone else may take the overlapping slot.
  const auto [other, other_token] = RegisterPatient("bea@example.com");
  BookOk(overlapping, other_token);
}

TEST_P(AppointmentApiTest, RescheduleTakesTheNewSlotAndFreesTheOldOneOrChangesNothing) {
  const auto old_slot = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  const auto new_slot = CreateSlot(doctor_, location_, On2030(3), On2030(4));
  const auto taken_slot = CreateSlot(doctor_, location_, On2030(5), On2030(6));
  const auto id = BookOk(old_slot, patient_token_);
  const auto [other, other_token] = RegisterPatient("bea@example.com");
  BookOk(taken_slot, other_token);

  auto into_taken = Call("POST", AppointmentPath(id, "reschedule"), object{{"slot_id", taken_slot}},
                         patient_token_);
  EXPECT_EQ(into_taken.status, 409) << into_taken.body;
  EXPECT_EQ(Call("GET", AppointmentPath(id), std::nullopt, patient_token_).Json().at("slot_id"),
            old_slot);
  EXPECT_EQ(
      Call("POST", AppointmentPath(id, "reschedule"), object{{"slot_id", new_slot}}, doctor_token_)
          .status,
      403);

  auto moved = Call("POST", AppointmentPath(id, "reschedule"), object{{"slot_id", new_slot}},
                    patient_token_);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.Json().at("id"), id);
  EXPECT_EQ(moved.Json().at("slot_id"), new_slot);
  EXPECT_EQ(moved.Json().at("start_time_utc").as_string(), On2030(3));
  EXPECT_THAT(SearchAll("&doctor_id=" + std::to_string(doctor_)), ElementsAre(old_slot));

  // To another doctor: a new appointment with the slot's doctor and location replaces this one
  // (ParticipantsApiTest follows the threads).
  const auto kolkata = CreateLocation("Asia/Kolkata");
  const auto other_doctor = CreateDoctor("skin@clinic.example", "Dermatology");
  const auto elsewhere = CreateSlot(other_doctor, kolkata, On2030(7), On2030(8));
  auto moved_again =
      Call("POST", AppointmentPath(id, "reschedule"), object{{"slot_id", elsewhere}}, admin_token_);
  ASSERT_EQ(moved_again.status, 200) << moved_again.body;
  const auto successor = moved_again.Json().at("id").as_int64();
  EXPECT_NE(successor, id);
  EXPECT_EQ(moved_again.Json().at("doctor_id"), other_doctor);
  EXPECT_EQ(moved_again.Json().at("location_id"), kolkata);
  EXPECT_EQ(moved_again.Json().at("local").at("start"), "2030-01-07T12:30:00+05:30");
  EXPECT_EQ(Call("GET", AppointmentPath(successor), std::nullopt, doctor_token_).status, 404);
  auto ended = Call("GET", AppointmentPath(id), std::nullopt, doctor_token_);
  ASSERT_EQ(ended.status, 200) << "the first doctor keeps their appointment";
  EXPECT_EQ(ended.Json().at("status"), "cancelled");
  EXPECT_EQ(ended.Json().at("rescheduled_to_id"), successor);
  EXPECT_THAT(SearchAll("&doctor_id=" + std::to_string(doctor_)), ElementsAre(old_slot, new_slot))
      << "its slot is free again";

  EXPECT_EQ(
      Call("POST", AppointmentPath(id, "reschedule"), object{{"slot_id", new_slot}}, patient_token_)
          .status,
      409);
  auto audit =
      Call("GET", "/api/v1/audit?action=appointment.reschedule", std::nullopt, admin_token_);
  EXPECT_EQ(audit.Json().at("items").as_array().size(), 2u) << audit.body;
}

TEST_P(AppointmentApiTest, CompleteAndNoShowOnlyAfterTheStartAndOnlyOnce) {
  const auto future = BookOk(CreateSlot(doctor_, location_, On2030(1), On2030(2)), patient_token_);
  auto too_early = Call("POST", AppointmentPath(future, "complete"), std::nullopt, doctor_token_);
  EXPECT_EQ(too_early.status, 409) << too_early.body;

  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto visited =
      InsertAppointment(InsertSlot(doctor_, location_, now - 3h, now - 2h), patient_);
  const auto missed =
      InsertAppointment(InsertSlot(doctor_, location_, now - 5h, now - 4h), patient_);
  EXPECT_EQ(Call("POST", AppointmentPath(visited, "complete"), std::nullopt, patient_token_).status,
            403);
  auto completed = Call("POST", AppointmentPath(visited, "complete"), std::nullopt, doctor_token_);
  ASSERT_EQ(completed.status, 200) << completed.body;
  EXPECT_EQ(completed.Json().at("status"), "completed");
  auto no_show = Call("POST", AppointmentPath(missed, "no-show"), object{}, admin_token_);
  ASSERT_EQ(no_show.status, 200) << no_show.body;
  EXPECT_EQ(no_show.Json().at("status"), "no_show");

  for (const auto& action : {"complete", "no-show", "cancel"}) {
    EXPECT_EQ(Call("POST", AppointmentPath(visited, action), std::nullopt, admin_token_).status,
              409)
        << action;
    EXPECT_EQ(Call("POST", AppointmentPath(missed, action), std::nullopt, admin_token_).status, 409)
        << action;
  }
  // A patient cannot cancel once the visit has started; staff still can.
  const auto started =
      InsertAppointment(InsertSlot(doctor_, location_, now - 10min, now + 20min), patient_);
  EXPECT_EQ(Call("POST", AppointmentPath(started, "cancel"), std::nullopt, patient_token_).status,
            409);
  EXPECT_EQ(Call("POST", AppointmentPath(started, "cancel"), std::nullopt, doctor_token_).status,
            200);
}

TEST_P(AppointmentApiTest, ARetriedBookingWithTheSameKeyReturnsTheFirstAppointment) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  const test_support::HeaderList key{{"Idempotency-Key", "booking-7f3a"}};
  auto first = Book(slot, patient_token_, object{{"reason", "Check-up"}}, key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_FALSE(first.HasHeader("Idempotent-Replayed"));
  auto retry = Book(slot, patient_token_, object{{"reason", "Check-up"}}, key);
  ASSERT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(retry.Json().at("id"), first.Json().at("id"));

  const auto other_slot = CreateSlot(doctor_, location_, On2030(3), On2030(4));
  auto reused = Book(other_slot, patient_token_, object{{"reason", "Check-up"}}, key);
  EXPECT_EQ(reused.status, 400) << reused.body;
  EXPECT_THAT(ProblemFields(reused), ElementsAre("Idempotency-Key"));
  // Keys belong to the caller: another patient's identical key is a new booking.
  const auto [other, other_token] = RegisterPatient("bea@example.com");
  EXPECT_EQ(Book(other_slot, other_token, {}, key).status, 201);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments"), 2);
}

TEST_P(AppointmentApiTest, ConcurrentRetriesWithOneKeyMakeOneAppointment) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  const auto answers = CallConcurrently(8, "POST", "/api/v1/appointments",
                                        [&](int) {
                                          return object{{"slot_id", slot}};
                                        },
                                        patient_token_, {{"Idempotency-Key", "double-click"}});
  EXPECT_THAT(Statuses(answers), ::testing::Each(201));
  EXPECT_EQ(CreatedIds(answers).size(), 1u);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments"), 1);
}

TEST_P(AppointmentApiTest, ListsShowEachRoleItsOwnAppointmentsByStartTime) {
  const auto [other, other_token] = RegisterPatient("bea@example.com");
  const auto other_doctor = CreateDoctor("skin@clinic.example", "Dermatology");
  const auto other_doctor_token = Login("skin@clinic.example", kDoctorPassword);
  const auto late = BookOk(CreateSlot(doctor_, location_, On2030(5), On2030(6)), patient_token_);
  const auto early = BookOk(CreateSlot(doctor_, location_, On2030(1), On2030(2)), patient_token_);
  const auto theirs = BookOk(CreateSlot(doctor_, location_, On2030(3), On2030(4)), other_token);
  const auto elsewhere =
      BookOk(CreateSlot(other_doctor, location_, On2030(7), On2030(8)), other_token);
  ASSERT_EQ(Call("POST", AppointmentPath(late, "cancel"), std::nullopt, patient_token_).status,
            200);

  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/appointments", std::nullopt, patient_token_)),
              ElementsAre(early, late));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/appointments?patient_id=" + std::to_string(other),
                           std::nullopt, patient_token_)),
              IsEmpty());
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/appointments", std::nullopt, doctor_token_)),
              ElementsAre(early, theirs, late));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/appointments", std::nullopt, other_doctor_token)),
              ElementsAre(elsewhere));
  // A doctor's day: from/to bound the start time.
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/appointments?from=" + On2030(2) + "&to=" + On2030(5),
                           std::nullopt, doctor_token_)),
              ElementsAre(theirs));
  EXPECT_THAT(
      ItemIds(Call("GET", "/api/v1/appointments?status=scheduled", std::nullopt, admin_token_)),
      ElementsAre(early, theirs, elsewhere));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/appointments?doctor_id=" + std::to_string(other_doctor),
                           std::nullopt, admin_token_)),
              ElementsAre(elsewhere));

  std::vector<std::int64_t> paged;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    auto response =
        Call("GET", "/api/v1/appointments?limit=1" + (cursor.empty() ? "" : "&cursor=" + cursor),
             std::nullopt, admin_token_);
    ASSERT_EQ(response.status, 200) << response.body;
    for (auto id : ItemIds(response)) paged.push_back(id);
    const auto next = response.Json().at("next_cursor");
    if (next.is_null()) break;
    cursor = std::string(next.as_string());
  }
  EXPECT_THAT(paged, ElementsAre(early, theirs, late, elsewhere));

  EXPECT_EQ(Call("GET", "/api/v1/appointments?status=maybe", std::nullopt, admin_token_).status,
            400);
  EXPECT_EQ(Call("GET", "/api/v1/appointments").status, 401);
}

TEST_P(AppointmentApiTest, CursorsTheServerCouldNotHaveIssuedAre400) {
  for (const std::string list : {"appointments", "slots", "doctors", "patients", "payments",
                                 "locations", "audit", "admins"}) {
    for (const std::string cursor :
         {"abc", "-1", "0", "1.0", "99999999999999999.1", "253402300800.1", "1.-1",
          "9223372036854775808", "1.9223372036854775808", "%00", "1.2.3"}) {
      const auto response =
          Call("GET", "/api/v1/" + list + "?cursor=" + cursor, std::nullopt, admin_token_);
      EXPECT_EQ(response.status, 400) << list << " cursor " << cursor << ": " << response.body;
      if (response.status == 400) {
        EXPECT_THAT(ProblemFields(response), ElementsAre("cursor")) << list << " " << cursor;
      }
    }
  }
}

TEST_P(AppointmentApiTest, AccountsWithUpcomingAppointmentsCannotBeDeletedOrDeactivated) {
  const auto id = BookOk(CreateSlot(doctor_, location_, On2030(1), On2030(2)), patient_token_);
  auto doctor_refused =
      Call("DELETE", "/api/v1/doctors/" + std::to_string(doctor_), std::nullopt, admin_token_);
  EXPECT_EQ(doctor_refused.status, 409) << doctor_refused.body;
  auto deactivation_refused = Call("PATCH", "/api/v1/doctors/" + std::to_string(doctor_),
                                   object{{"is_active", false}}, admin_token_);
  EXPECT_EQ(deactivation_refused.status, 409) << deactivation_refused.body;
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, doctor_token_).status, 200)
      << "nothing changed: the doctor is still active and logged in";
  auto patient_refused =
      Call("DELETE", "/api/v1/patients/" + std::to_string(patient_), std::nullopt, admin_token_);
  EXPECT_EQ(patient_refused.status, 409) << patient_refused.body;
  ASSERT_EQ(Call("POST", AppointmentPath(id, "cancel"), std::nullopt, admin_token_).status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/doctors/" + std::to_string(doctor_), std::nullopt, admin_token_)
                .status,
            204);
  EXPECT_EQ(
      Call("DELETE", "/api/v1/patients/" + std::to_string(patient_), std::nullopt, admin_token_)
          .status,
      204);
}

TEST_P(AppointmentApiTest, ADeactivationCanCancelTheUpcomingAppointmentsWithNotice) {
  const auto first = BookOk(CreateSlot(doctor_, location_, On2030(1), On2030(2)), patient_token_);
  const auto [other, other_token] = RegisterPatient("bea@example.com");
  const auto second = BookOk(CreateSlot(doctor_, location_, On2030(3), On2030(4)), other_token);
  const std::string doctor = "/api/v1/doctors/" + std::to_string(doctor_);
  auto misplaced =
      Call("PATCH", doctor, object{{"cancel_upcoming_reason", "Leaving"}}, admin_token_);
  EXPECT_EQ(misplaced.status, 400) << misplaced.body;
  EXPECT_THAT(ProblemFields(misplaced), ElementsAre("cancel_upcoming_reason"));

  auto deactivated = Call(
      "PATCH", doctor,
      object{{"is_active", false}, {"cancel_upcoming_reason", "Dr. Scully has left the clinic"}},
      admin_token_);
  ASSERT_EQ(deactivated.status, 200) << deactivated.body;
  EXPECT_EQ(deactivated.Json().at("is_active"), false);
  WaitForOutbox();
  for (const auto& [id, token] :
       {std::pair{first, patient_token_}, std::pair{second, other_token}}) {
    auto appointment = Call("GET", AppointmentPath(id), std::nullopt, token);
    ASSERT_EQ(appointment.status, 200) << appointment.body;
    EXPECT_EQ(appointment.Json().at("status"), "cancelled");
    EXPECT_EQ(appointment.Json().at("cancellation_reason"), "Dr. Scully has left the clinic");
    // Each patient is told in the appointment's thread.
    auto thread = Call("GET", AppointmentPath(id, "messages"), std::nullopt, token);
    ASSERT_EQ(thread.status, 200) << thread.body;
    const auto items = thread.Json().at("items").as_array();
    ASSERT_FALSE(items.empty());
    EXPECT_EQ(items.front().at("type"), "system");
    EXPECT_THAT(std::string(items.front().at("text").as_string()),
                ::testing::HasSubstr("Dr. Scully has left the clinic"));
  }
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.cancel'"), 2);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, doctor_token_).status, 401);
}

TEST_P(AppointmentApiTest, AppointmentsNameTheirPatientDoctorAndLocation) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(1, 30));
  const auto id = BookOk(slot, patient_token_);
  for (const auto& token : {patient_token_, doctor_token_, admin_token_}) {
    auto got = Call("GET", AppointmentPath(id), std::nullopt, token);
    ASSERT_EQ(got.status, 200) << got.body;
    const auto& json = got.Json();
    EXPECT_EQ(json.at("patient").at("id"), patient_);
    EXPECT_FALSE(json.at("patient").at("first_name").as_string().empty());
    EXPECT_EQ(json.at("doctor").at("id"), doctor_);
    EXPECT_EQ(json.at("doctor").at("specialization"), "Cardiology");
    EXPECT_EQ(json.at("location").at("id"), location_);
    EXPECT_EQ(json.at("location").at("timezone"), "Asia/Singapore");
  }
  auto listed = Call("GET", "/api/v1/appointments", std::nullopt, doctor_token_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.Json().at("items").at(0).at("patient").at("id"), patient_);
}

TEST_P(AppointmentApiTest, TheDoctorWritesTheNotesAndThePatientReadsThem) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(1, 30));
  const auto id = BookOk(slot, patient_token_);
  auto written =
      Call("PATCH", AppointmentPath(id),
           object{{"notes", "Blood pressure 120/80.\nReview in two weeks."}}, doctor_token_);
  ASSERT_EQ(written.status, 200) << written.body;
  EXPECT_EQ(written.Json().at("notes"), "Blood pressure 120/80.\nReview in two weeks.");
  auto seen = Call("GET", AppointmentPath(id), std::nullopt, patient_token_);
  EXPECT_EQ(seen.Json().at("notes"), "Blood pressure 120/80.\nReview in two weeks.");

  EXPECT_EQ(Call("PATCH", AppointmentPath(id), object{{"notes", "mine"}}, patient_token_).status,
            403);
  auto missing = Call("PATCH", AppointmentPath(id), object{}, doctor_token_);
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_THAT(ProblemFields(missing), ElementsAre("notes"));
  auto too_long =
      Call("PATCH", AppointmentPath(id), object{{"notes", std::string(4001, 'n')}}, doctor_token_);
  EXPECT_EQ(too_long.status, 400) << too_long.body;
  EXPECT_THAT(ProblemFields(too_long), ElementsAre("notes"));

  auto cleared = Call("PATCH", AppointmentPath(id), object{{"notes", nullptr}}, admin_token_);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_EQ(cleared.Json().at("notes"), nullptr);
}

TEST_P(AppointmentApiTest, TheAuditTrailKeepsTheServersRequestIdAndTheClientsBesideIt) {
  // Two bookings naming one X-Request-Id: a client can send any id, so it is never the key.
  const test_support::HeaderList forged{{"X-Request-Id", "same-id-twice"}};
  auto first =
      Book(CreateSlot(doctor_, location_, On2030(1), On2030(2)), patient_token_, {}, forged);
  auto second =
      Book(CreateSlot(doctor_, location_, On2030(3), On2030(4)), patient_token_, {}, forged);
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_NE(first.Header("X-Request-Id"), second.Header("X-Request-Id"));
  auto audit = Call("GET", "/api/v1/audit?action=appointment.book", std::nullopt, admin_token_);
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::set<std::string> server_ids;
  const auto rows = audit.Json().at("items").as_array();
  for (const auto& row : rows) {
    server_ids.insert(std::string(row.at("request_id").as_string()));
    EXPECT_EQ(row.at("client_request_id"), "same-id-twice");
  }
  EXPECT_EQ(server_ids,
            (std::set<std::string>{first.Header("X-Request-Id"), second.Header("X-Request-Id")}));
  auto verified = Call("GET", "/api/v1/audit/verify", std::nullopt, admin_token_);
  EXPECT_EQ(verified.Json().at("ok"), true) << verified.body;
}

TEST_P(AppointmentApiTest, AdminsSeeWhetherTheAuditTrailVerifies) {
  const auto slot = CreateSlot(doctor_, location_, On2030(1), On2030(1, 30));
  BookOk(slot, patient_token_);
  auto verified = Call("GET", "/api/v1/audit/verify", std::nullopt, admin_token_);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.Json().at("ok"), true);
  EXPECT_GE(verified.Json().at("rows").as_int64(), 3);
  EXPECT_EQ(verified.Json().at("first_broken_id"), nullptr);
  EXPECT_EQ(Call("GET", "/api/v1/audit/verify", std::nullopt, patient_token_).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/audit/verify", std::nullopt, doctor_token_).status, 403);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(AppointmentApiTest);

}  // namespace
}  // namespace clinic::testing
