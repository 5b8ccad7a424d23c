// Whose an appointment's records are, over HTTP on SQLite and on MariaDB with the MongoDB peer: a
// deleted patient's records answer everyone but admins as missing ones, and take nothing new; a
// reschedule to another doctor books a new appointment, so each doctor keeps their own thread,
// and unread counts and live events follow (docs/decisions.md "Deleted patients", "Reschedule").

#include <gmock/gmock.h>

#include <chrono>
#include <tuple>

#include "support/messaging_fixture.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The appointment ids of GET /messages/unread's entries.
std::vector<std::int64_t> ThreadIds(const std::vector<boost::json::value>& unread) {
  std::vector<std::int64_t> ids;
  for (const auto& entry : unread) ids.push_back(entry.at("appointment_id").as_int64());
  return ids;
}

class ParticipantsApiTest : public MessagingApiTest {
 protected:
  void SetUp() override {
    MessagingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    location_ = CreateLocation("Asia/Singapore");
    doctor_ = CreateDoctor("heart@clinic.example");
    doctor_token_ = Login("heart@clinic.example", kDoctorPassword);
    std::tie(patient_, patient_token_) = RegisterPatient("ana@example.com");
  }

  // A visit of the patient with the doctor that began three hours ago: history, so it does not
  // keep the patient's record from being deleted.
  std::int64_t PastVisit() {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    return InsertAppointment(InsertSlot(doctor_, location_, now - 3h, now - 2h), patient_);
  }

  // Posts `text` to the appointment's thread and returns the message's _id.
  std::string PostOk(std::int64_t appointment, const std::string& token, const object& body) {
    auto posted = Call("POST", AppointmentPath(appointment, "messages"), body, token);
    EXPECT_EQ(posted.status, 201) << posted.body;
    return posted.status == 201 ? std::string(posted.Json().at("_id").as_string()) : "";
  }

  // Records a card payment of `cents` USD for the appointment, as the front desk.
  int RecordPayment(std::int64_t appointment, std::int64_t cents) {
    return Call("POST", AppointmentPath(appointment, "payments"),
                object{{"amount_cents", cents}, {"currency", "USD"}, {"method", "card"}},
                admin_token_)
        .status;
  }

  int DeletePatient() {
    return Call("DELETE", "/api/v1/patients/" + std::to_string(patient_), std::nullopt,
                admin_token_)
        .status;
  }

  std::int64_t location_ = 0;
  std::int64_t doctor_ = 0;
  std::string doctor_token_;
  std::int64_t patient_ = 0;
  std::string patient_token_;
};

TEST_P(ParticipantsApiTest, ADeletedPatientsRecordsAnswerTheirDoctorLikeMissingOnes) {
  const auto visit = PastVisit();
  auto uploaded = Send({.method = "POST",
                        .target = "/api/v1/attachments?file_name=results.txt",
                        .body = "Cholesterol 180 mg/dL",
                        .headers = {{"Content-Type", "text/plain"}}},
                       patient_token_);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const std::string file =
      "/api/v1/attachments/" + std::string(uploaded.Json().at("file_id").as_string());
  PostOk(visit, patient_token_,
         object{{"text", "My results"},
                {"attachments", boost::json::array{uploaded.Json().at("file_id")}}});
  const auto answer = PostOk(visit, doctor_token_, object{{"text", "Thank you"}});
  ASSERT_EQ(Call("POST", AppointmentPath(visit, "prescriptions"),
                 object{{"instructions", "Atorvastatin 10 mg"}}, doctor_token_)
                .status,
            201);
  ASSERT_EQ(RecordPayment(visit, 5000), 201);
  ASSERT_EQ(Call("GET", file, std::nullopt, doctor_token_).status, 200);
  ASSERT_THAT(ThreadIds(Items("/api/v1/messages/unread", doctor_token_)), ElementsAre(visit));

  ASSERT_EQ(DeletePatient(), 204);

  struct Case {
    std::string method;
    std::string target;
    std::optional<boost::json::value> body;
  };
  const std::vector<Case> appointment_routes{
      {"GET", AppointmentPath(visit), std::nullopt},
      {"PATCH", AppointmentPath(visit), object{{"notes", "Follow up in May"}}},
      {"POST", AppointmentPath(visit, "complete"), std::nullopt},
      {"POST", AppointmentPath(visit, "no-show"), std::nullopt},
      {"POST", AppointmentPath(visit, "cancel"), std::nullopt},
      {"GET", AppointmentPath(visit, "messages"), std::nullopt},
      {"POST", AppointmentPath(visit, "messages"), object{{"text", "Any news?"}}},
      {"POST", AppointmentPath(visit, "messages/read"), object{{"up_to", answer}}},
      {"GET", AppointmentPath(visit, "prescriptions"), std::nullopt},
      {"POST", AppointmentPath(visit, "prescriptions"), object{{"instructions", "Rest"}}},
      {"GET", AppointmentPath(visit, "payments"), std::nullopt},
  };
  for (const auto& c : appointment_routes) {
    auto response = Call(c.method, c.target, c.body, doctor_token_);
    EXPECT_EQ(response.status, 404) << c.method << " " << c.target << ": " << response.body;
    if (response.status == 404) {
      EXPECT_EQ(response.Json().at("detail").as_string(),
                "appointment " + std::to_string(visit) + " not found")
          << c.method << " " << c.target << ": worded as a missing id";
    }
  }
  EXPECT_EQ(Call("PATCH", "/api/v1/messages/" + answer, object{{"text", "Thanks"}, {"version", 1}},
                 doctor_token_)
                .status,
            404);
  EXPECT_EQ(Call("GET", file, std::nullopt, doctor_token_).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/patients/" + std::to_string(patient_) + "/prescriptions",
                 std::nullopt, doctor_token_)
                .status,
            404);
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/appointments", std::nullopt, doctor_token_)), IsEmpty());
  EXPECT_THAT(Items("/api/v1/messages/unread", doctor_token_), IsEmpty());
  const auto schedule = Items("/api/v1/doctors/" + std::to_string(doctor_) +
                                  "/slots?from=" + HoursFromNow(-24) + "&to=" + HoursFromNow(24),
                              doctor_token_);
  ASSERT_EQ(schedule.size(), 1u);
  EXPECT_TRUE(schedule[0].at("appointment_id").is_null()) << "as if it had no appointment";

  ASSERT_EQ(Call("POST", "/api/v1/patients/" + std::to_string(patient_) + "/restore", std::nullopt,
                 admin_token_)
                .status,
            200);
  EXPECT_EQ(Call("GET", AppointmentPath(visit), std::nullopt, doctor_token_).status, 200)
      << "restored, the record is the doctor's to see again";
}

TEST_P(ParticipantsApiTest, AdminsStillReadADeletedPatientsRecordsButNothingNewIsWritten) {
  const auto visit = PastVisit();
  const auto question = PostOk(visit, patient_token_, object{{"text", "Is it serious?"}});
  auto doctor_live = Live(doctor_token_);
  ASSERT_NE(doctor_live, nullptr);
  ASSERT_EQ(DeletePatient(), 204);

  for (const std::string action : {"", "messages", "prescriptions", "payments"}) {
    EXPECT_EQ(Call("GET", AppointmentPath(visit, action), std::nullopt, admin_token_).status, 200)
        << action;
  }
  const auto later = CreateSlot(doctor_, location_, On2030(1), On2030(2));
  struct Case {
    std::string method;
    std::string target;
    std::optional<boost::json::value> body;
  };
  const std::vector<Case> writes{
      {"PATCH", AppointmentPath(visit), object{{"notes", "Follow up in May"}}},
      {"POST", AppointmentPath(visit, "complete"), std::nullopt},
      {"POST", AppointmentPath(visit, "no-show"), std::nullopt},
      {"POST", AppointmentPath(visit, "cancel"), std::nullopt},
      {"POST", AppointmentPath(visit, "reschedule"), object{{"slot_id", later}}},
      {"POST", AppointmentPath(visit, "messages"), object{{"text", "Closing this thread"}}},
      {"POST", "/api/v1/appointments", object{{"slot_id", later}, {"patient_id", patient_}}},
  };
  for (const auto& c : writes) {
    auto response = Call(c.method, c.target, c.body, admin_token_);
    EXPECT_EQ(response.status, 409) << c.method << " " << c.target << ": " << response.body;
    EXPECT_THAT(response.body, HasSubstr("deleted")) << c.method << " " << c.target;
  }
  auto unchanged = Call("GET", AppointmentPath(visit), std::nullopt, admin_token_).Json();
  EXPECT_EQ(unchanged.at("status"), "scheduled");
  EXPECT_TRUE(unchanged.at("notes").is_null());
  EXPECT_EQ(Items(AppointmentPath(visit, "messages"), admin_token_).size(), 1u);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments"), 1);
  EXPECT_EQ(RecordPayment(visit, 5000), 201)
      << "money is not a clinical record: the front desk still settles the account";

  // An admin reading the thread is not announced to its doctor.
  ASSERT_EQ(Call("POST", AppointmentPath(visit, "messages/read"), object{{"up_to", question}},
                 admin_token_)
                .status,
            200);
  const auto [other, other_token] = RegisterPatient("bea@example.com");
  auto booked = Call("POST", "/api/v1/appointments", object{{"slot_id", later}}, other_token);
  ASSERT_EQ(booked.status, 201) << booked.body;
  // The first frame is about that booking (its change or its system message, whichever the
  // outbox's relay lets come first), not a receipt of the deleted patient's thread.
  const auto first = doctor_live->Next();
  ASSERT_TRUE(first);
  const bool change = first->at("type") == "appointment";
  ASSERT_TRUE(change || first->at("type") == "message") << *first;
  EXPECT_EQ(change ? first->at("appointment").at("id") : first->at("appointment_id"),
            booked.Json().at("id"))
      << *first;
}

TEST_P(ParticipantsApiTest, ARescheduleToAnotherDoctorBooksANewAppointmentAndLeavesTheThread) {
  const auto colleague = CreateDoctor("skin@clinic.example", "Dermatology");
  const auto colleague_token = Login("skin@clinic.example", kDoctorPassword);
  auto booked = Call(
      "POST", "/api/v1/appointments",
      object{{"slot_id", CreateSlot(doctor_, location_, On2030(1), On2030(2))}, {"reason", "Rash"}},
      patient_token_);
  ASSERT_EQ(booked.status, 201) << booked.body;
  const auto first = booked.Json().at("id").as_int64();
  WaitForOutbox();
  PostOk(first, patient_token_, object{{"text", "Is it contagious?"}});
  PostOk(first, doctor_token_, object{{"text", "No. Show me on Monday."}});
  ASSERT_EQ(
      Call("PATCH", AppointmentPath(first), object{{"notes", "Eczema?"}}, doctor_token_).status,
      200);
  ASSERT_EQ(RecordPayment(first, 3000), 201);
  auto first_doctor = Live(doctor_token_);
  auto second_doctor = Live(colleague_token);
  ASSERT_TRUE(first_doctor && second_doctor);

  auto moved = Call("POST", AppointmentPath(first, "reschedule"),
                    object{{"slot_id", CreateSlot(colleague, location_, On2030(3), On2030(4))}},
                    patient_token_);
  ASSERT_EQ(moved.status, 200) << moved.body;
  const auto second = moved.Json().at("id").as_int64();
  EXPECT_NE(second, first);
  EXPECT_EQ(moved.Json().at("doctor_id"), colleague);
  EXPECT_EQ(moved.Json().at("status"), "scheduled");
  EXPECT_EQ(moved.Json().at("reason"), "Rash");
  EXPECT_TRUE(moved.Json().at("notes").is_null());
  auto ended = Call("GET", AppointmentPath(first), std::nullopt, patient_token_).Json();
  EXPECT_EQ(ended.at("status"), "cancelled");
  EXPECT_EQ(ended.at("rescheduled_to_id"), second);
  EXPECT_EQ(ended.at("cancellation_reason").as_string(),
            "rescheduled to appointment " + std::to_string(second));
  EXPECT_EQ(ended.at("doctor_id"), doctor_);
  WaitForOutbox();

  // The new doctor has the new appointment, with a thread of its own; nothing of the first.
  EXPECT_EQ(Call("GET", AppointmentPath(first), std::nullopt, colleague_token).status, 404);
  EXPECT_EQ(Call("GET", AppointmentPath(first, "messages"), std::nullopt, colleague_token).status,
            404);
  const auto new_thread = Items(AppointmentPath(second, "messages"), colleague_token);
  ASSERT_EQ(new_thread.size(), 1u);
  EXPECT_THAT(std::string(new_thread[0].at("text").as_string()), HasSubstr("booked"));
  // The first doctor keeps their appointment, notes and conversation, told where it went.
  const auto old_thread = Items(AppointmentPath(first, "messages"), doctor_token_);
  ASSERT_EQ(old_thread.size(), 4u) << "booking, question, answer, cancellation";
  std::vector<std::string> old_texts;
  for (const auto& item : old_thread) old_texts.emplace_back(item.at("text").as_string());
  EXPECT_THAT(old_texts,
              Contains(HasSubstr("rescheduled to appointment " + std::to_string(second))));
  EXPECT_EQ(Call("GET", AppointmentPath(first), std::nullopt, doctor_token_).Json().at("notes"),
            "Eczema?");
  EXPECT_EQ(Call("GET", AppointmentPath(second), std::nullopt, doctor_token_).status, 404);
  EXPECT_EQ(Items(AppointmentPath(first, "payments"), admin_token_).size(), 1u)
      << "payments stay with the appointment they were recorded for";
  EXPECT_THAT(Items(AppointmentPath(second, "payments"), admin_token_), IsEmpty());
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM audit_log WHERE action = 'appointment.reschedule' "
                       "AND entity_id = " +
                       std::to_string(first)),
            1);

  // Live: each doctor hears of their own appointment and its system message (the outbox's relay
  // may post that before or after the change itself is announced), and of nothing else.
  for (const auto& [socket, change, id] : {std::tuple{first_doctor.get(), "cancelled", first},
                                           std::tuple{second_doctor.get(), "booked", second}}) {
    std::optional<boost::json::value> event;
    std::optional<boost::json::value> notice;
    while (!event || !notice) {
      auto next = socket->Next();
      ASSERT_TRUE(next) << "doctor of appointment " << id;
      auto& slot = next->at("type") == "appointment" ? event : notice;
      ASSERT_FALSE(slot) << "twice: " << *next;
      slot = std::move(next);
    }
    EXPECT_EQ(event->at("change"), change);
    EXPECT_EQ(event->at("appointment").at("id"), id);
    EXPECT_EQ(notice->at("appointment_id"), id) << *notice;
    EXPECT_EQ(notice->at("message").at("type"), "system");
  }
  // And of their own conversation only.
  const auto to_second = PostOk(second, patient_token_, object{{"text", "See you Monday"}});
  const auto to_first = PostOk(first, patient_token_, object{{"text", "Thanks for your help"}});
  const auto again_to_second = PostOk(second, patient_token_, object{{"text", "At 11?"}});
  const auto heard_by_first = first_doctor->NextOfType("message");
  ASSERT_TRUE(heard_by_first);
  EXPECT_EQ(heard_by_first->at("message").at("_id").as_string(), to_first)
      << "not the new conversation";
  for (const auto& expected : {to_second, again_to_second}) {
    const auto heard_by_second = second_doctor->NextOfType("message");
    ASSERT_TRUE(heard_by_second);
    EXPECT_EQ(heard_by_second->at("message").at("_id").as_string(), expected)
        << "not the old conversation";
  }
  EXPECT_THAT(ThreadIds(Items("/api/v1/messages/unread", doctor_token_)), ElementsAre(first));
  EXPECT_THAT(ThreadIds(Items("/api/v1/messages/unread", colleague_token)), ElementsAre(second));
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(ParticipantsApiTest);

}  // namespace
}  // namespace clinic::testing
