// Prescriptions over HTTP on SQLite and MariaDB: only the appointment's doctor writes them, only
// for a scheduled or completed appointment, never edited or deleted — corrections supersede —
// and only the right people read them.

#include <gmock/gmock.h>

#include "support/booking_fixture.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using ::testing::ElementsAre;

class PrescriptionApiTest : public BookingApiTest {
 protected:
  void SetUp() override {
    BookingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    location_ = CreateLocation("Asia/Singapore");
    doctor_ = CreateDoctor("heart@clinic.example");
    doctor_token_ = Login("heart@clinic.example", kDoctorPassword);
    other_doctor_ = CreateDoctor("skin@clinic.example", "Dermatology");
    other_doctor_token_ = Login("skin@clinic.example", kDoctorPassword);
    std::tie(patient_, patient_token_) = RegisterPatient("ana@example.com");
    appointment_ =
        InsertAppointment(CreateSlot(doctor_, location_, On2030(1), On2030(2)), patient_);
  }

  std::string PrescriptionsOf(std::int64_t appointment) const {
    return "/api/v1/appointments/" + std::to_string(appointment) + "/prescriptions";
  }
  std::string PrescriptionsOfPatient(std::int64_t patient) const {
    return "/api/v1/patients/" + std::to_string(patient) + "/prescriptions";
  }

  test_support::HttpResponse Issue(const std::string& token, object body,
                                   std::int64_t appointment = 0) {
    if (!body.contains("instructions"))
      body["instructions"] = "Amoxicillin 500 mg three times a day";
    return Call("POST", PrescriptionsOf(appointment == 0 ? appointment_ : appointment), body,
                token);
  }

  std::int64_t location_ = 0;
  std::int64_t doctor_ = 0;
  std::string doctor_token_;
  std::int64_t other_doctor_ = 0;
  std::string other_doctor_token_;
  std::int64_t patient_ = 0;
  std::string patient_token_;
  std::int64_t appointment_ = 0;
};

TEST_P(PrescriptionApiTest, OnlyTheAppointmentsDoctorPrescribes) {
  auto issued = Issue(doctor_token_, object{{"instructions", "Rest.\nDrink water."}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  EXPECT_EQ(issued.Json().at("doctor_id"), doctor_);
  EXPECT_EQ(issued.Json().at("patient_id"), patient_);
  EXPECT_EQ(issued.Json().at("instructions"), "Rest.\nDrink water.");
  EXPECT_EQ(issued.Json().at("status"), "active");
  EXPECT_TRUE(issued.Json().at("superseded_by").is_null());

  EXPECT_EQ(Issue(other_doctor_token_, {}).status, 404) << "another doctor's appointment";
  EXPECT_EQ(Issue(patient_token_, {}).status, 403);
  EXPECT_EQ(Issue(admin_token_, {}).status, 403);
  const auto [stranger, stranger_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Issue(stranger_token, {}).status, 404);

  auto names_others =
      Issue(doctor_token_, object{{"patient_id", stranger}, {"doctor_id", doctor_}});
  EXPECT_EQ(names_others.status, 400) << names_others.body;
  EXPECT_THAT(ProblemFields(names_others), ElementsAre("patient_id"));
  EXPECT_EQ(Issue(doctor_token_, object{{"patient_id", patient_}}).status, 201)
      << "repeating the appointment's own patient is fine";
  auto empty = Issue(doctor_token_, object{{"instructions", "   "}});
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_EQ(Issue(doctor_token_, object{{"instructions", std::string(4001, 'x')}}).status, 400);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM prescriptions"), 2);
}

TEST_P(PrescriptionApiTest, ACancelledAppointmentGetsNoPrescription) {
  ASSERT_EQ(Call("POST", "/api/v1/appointments/" + std::to_string(appointment_) + "/cancel",
                 std::nullopt, patient_token_)
                .status,
            200);
  auto refused = Issue(doctor_token_, {});
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM prescriptions"), 0);
}

TEST_P(PrescriptionApiTest, ACorrectionSupersedesAndNothingIsEditedOrDeleted) {
  const auto first = Issue(doctor_token_, {}).Json().at("id").as_int64();
  auto correction = Issue(doctor_token_,
                          object{{"instructions", "Amoxicillin 250 mg"}, {"supersedes_id", first}});
  ASSERT_EQ(correction.status, 201) << correction.body;
  const auto second = correction.Json().at("id").as_int64();
  EXPECT_EQ(correction.Json().at("supersedes_id"), first);

  auto listed = Call("GET", PrescriptionsOf(appointment_), std::nullopt, patient_token_);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_THAT(ItemIds(listed), ElementsAre(first, second));
  EXPECT_EQ(listed.Json().at("items").at(0).at("status"), "superseded");
  EXPECT_EQ(listed.Json().at("items").at(0).at("superseded_by"), second);
  EXPECT_EQ(listed.Json().at("items").at(1).at("status"), "active");

  EXPECT_EQ(Issue(doctor_token_, object{{"supersedes_id", first}}).status, 409)
      << "one correction per prescription";
  const auto [other, other_token] = RegisterPatient("bea@example.com");
  const auto theirs =
      InsertAppointment(CreateSlot(doctor_, location_, On2030(3), On2030(4)), other);
  auto cross = Issue(doctor_token_, object{{"supersedes_id", second}}, theirs);
  EXPECT_EQ(cross.status, 400) << cross.body;
  EXPECT_THAT(ProblemFields(cross), ElementsAre("supersedes_id"));

  EXPECT_EQ(
      Call("PATCH", PrescriptionsOf(appointment_), object{{"instructions", "x"}}, doctor_token_)
          .status,
      405);
  EXPECT_EQ(Call("DELETE", PrescriptionsOf(appointment_), std::nullopt, admin_token_).status, 405);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM prescriptions"), 2);
}

TEST_P(PrescriptionApiTest, ADoctorReplacesOnlyTheirOwnAndCannotTellWhatExistsElsewhere) {
  const auto mine = Issue(doctor_token_, {}).Json().at("id").as_int64();
  const auto [other_patient, other_patient_token] = RegisterPatient("bea@example.com");
  const auto other_doctors_visit =
      InsertAppointment(CreateSlot(other_doctor_, location_, On2030(5), On2030(6)), patient_);
  const auto other_patients_visit =
      InsertAppointment(CreateSlot(other_doctor_, location_, On2030(7), On2030(8)), other_patient);
  const auto other_patients =
      Issue(other_doctor_token_, {}, other_patients_visit).Json().at("id").as_int64();

  // The other doctor, on their own visit with the same patient, names prescriptions they may not
  // replace: another doctor's, another patient's, one that does not exist.
  const auto anothers =
      Issue(other_doctor_token_, object{{"supersedes_id", mine}}, other_doctors_visit);
  const auto other_patient_answer =
      Issue(other_doctor_token_, object{{"supersedes_id", other_patients}}, other_doctors_visit);
  const auto unknown =
      Issue(other_doctor_token_, object{{"supersedes_id", 987654}}, other_doctors_visit);
  EXPECT_EQ(anothers.status, 400) << anothers.body;
  EXPECT_THAT(ProblemFields(anothers), ElementsAre("supersedes_id"));
  EXPECT_EQ(anothers.body, unknown.body);
  EXPECT_EQ(other_patient_answer.body, unknown.body);

  auto listed = Call("GET", PrescriptionsOf(appointment_), std::nullopt, doctor_token_);
  EXPECT_EQ(listed.Json().at("items").at(0).at("status"), "active") << "still in force";
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM prescriptions"), 2);
}

TEST_P(PrescriptionApiTest, OnlyThePatientTheirDoctorsAndAdminsReadThem) {
  const auto id = Issue(doctor_token_, {}).Json().at("id").as_int64();
  EXPECT_THAT(ItemIds(Call("GET", PrescriptionsOfPatient(patient_), std::nullopt, patient_token_)),
              ElementsAre(id));
  EXPECT_THAT(ItemIds(Call("GET", PrescriptionsOfPatient(patient_), std::nullopt, doctor_token_)),
              ElementsAre(id));
  EXPECT_THAT(ItemIds(Call("GET", PrescriptionsOfPatient(patient_), std::nullopt, admin_token_)),
              ElementsAre(id));
  const auto [stranger, stranger_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Call("GET", PrescriptionsOfPatient(patient_), std::nullopt, stranger_token).status,
            404);
  EXPECT_EQ(Call("GET", PrescriptionsOf(appointment_), std::nullopt, stranger_token).status, 404);
  EXPECT_EQ(Call("GET", PrescriptionsOfPatient(patient_), std::nullopt, other_doctor_token_).status,
            404);
  EXPECT_EQ(Call("GET", PrescriptionsOf(appointment_), std::nullopt, other_doctor_token_).status,
            404);
  EXPECT_EQ(Call("GET", PrescriptionsOfPatient(patient_)).status, 401);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(PrescriptionApiTest);

}  // namespace
}  // namespace clinic::testing
