// Locations, doctors, patients and admins over HTTP, against a real clinicd on SQLite and on
// MariaDB: CRUD, pagination and filters, soft delete, who may see and do what (DESIGN.md §2.4),
// and bad input that must be refused without changing anything (§2.5).

#include <gmock/gmock.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <set>

#include "clinic/storage/sql/sql_store.hpp"
#include "support/api_fixture.hpp"
#include "support/matchers.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr const char* kDoctorPassword = "doctor-password-1";
constexpr const char* kSqlInjection = "Robert'); DROP TABLE patients;--";
constexpr const char* kScript = "<script>alert(1)</script>";

object LocationBody(const std::string& name) {
  return {{"name", name},
          {"address_line1", "1 Orchard Road"},
          {"city", "Singapore"},
          {"country", "SG"},
          {"timezone", "Asia/Singapore"}};
}

object DoctorBody(const std::string& email, const std::string& specialization = "Cardiology") {
  return {{"first_name", "Dana"},
          {"last_name", "Scully"},
          {"email", email},
          {"specialization", specialization},
          {"password", kDoctorPassword}};
}

object PatientBody(const std::string& email) {
  return {{"first_name", "Fox"}, {"last_name", "Mulder"}, {"email", email}};
}

std::string Path(const std::string& collection, std::int64_t id, const std::string& suffix = "") {
  return "/api/v1/" + collection + "/" + std::to_string(id) + suffix;
}

class PeopleApiTest : public ApiTest {
 protected:
  // POSTs `body` as the holder of `token` and returns the created record's id (0 after a failure,
  // which is recorded).
  std::int64_t Create(const std::string& collection, const object& body, const std::string& token) {
    auto response = Call("POST", "/api/v1/" + collection, body, token);
    EXPECT_EQ(response.status, 201) << collection << ": " << response.body;
    if (response.status != 201) return 0;
    return response.Json().at("id").as_int64();
  }

  std::int64_t CreateLocation(const std::string& name = "Orchard") {
    return Create("locations", LocationBody(name), admin_token_);
  }
  std::int64_t CreateDoctor(const std::string& email,
                            const std::string& specialization = "Cardiology") {
    return Create("doctors", DoctorBody(email, specialization), admin_token_);
  }
  std::int64_t CreatePatient(const std::string& email) {
    return Create("patients", PatientBody(email), admin_token_);
  }

  // The account behind a token.
  std::int64_t IdOf(const std::string& token) {
    auto me = Call("GET", "/api/v1/auth/me", std::nullopt, token);
    EXPECT_EQ(me.status, 200) << me.body;
    return me.status == 200 ? me.Json().at("user").at("id").as_int64() : 0;
  }

  // Gives the doctor and the patient a past, completed appointment, written straight to the
  // database: only the row matters to who may see the patient, and history does not stop the
  // patient's record from being deleted.
  void AddAppointment(std::int64_t doctor_id, std::int64_t patient_id) {
    auto store = storage::sql::MakeSqlStore(database().NewFactory(), 1);
    auto booked = storage::InTransaction(
        *store, storage::TxMode::kWrite,
        [&](storage::Transaction& tx) -> Result<domain::Appointment> {
          domain::Slot slot;
          slot.doctor_id = doctor_id;
          slot.start_time_utc =
              std::chrono::sys_days{std::chrono::year{2020} / 1 / 6} + std::chrono::hours(9);
          slot.end_time_utc = slot.start_time_utc + std::chrono::minutes(30);
          CLINIC_ASSIGN_OR_RETURN(auto stored_slot, tx.slots().Create(slot));
          domain::Appointment appointment;
          appointment.slot_id = stored_slot.id;
          appointment.doctor_id = doctor_id;
          appointment.patient_id = patient_id;
          appointment.status = domain::AppointmentStatus::kCompleted;
          return tx.appointments().Create(appointment);
        });
    ASSERT_THAT(booked, IsOk());
  }

  // Every row and column of the people and places tables as text, to prove a refused request
  // changed nothing.
  std::string PeopleTablesSnapshot() {
    auto connection = database().factory().Open();
    EXPECT_THAT(connection, IsOk());
    if (!connection) return "";
    std::string snapshot;
    for (const char* table : {"clinic_locations", "doctors", "patients", "admins"}) {
      auto rows = (*connection)->Query(std::string("SELECT * FROM ") + table + " ORDER BY id");
      EXPECT_TRUE(rows) << table << ": " << rows.error().message;
      if (!rows) continue;
      snapshot += std::string(table) + "\n";
      for (const auto& row : *rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
          snapshot += row.IsNull(i) ? std::string("NULL") : "'" + row.Text(i) + "'";
          snapshot += '|';
        }
        snapshot += '\n';
      }
    }
    return snapshot;
  }

  std::int64_t CountRows(const std::string& sql) {
    auto connection = database().factory().Open();
    EXPECT_TRUE(connection);
    if (!connection) return -1;
    auto rows = (*connection)->Query(sql);
    EXPECT_TRUE(rows) << sql << ": " << (rows ? "" : rows.error().message);
    return rows ? rows->at(0).Int(0) : -1;
  }
};

TEST_P(PeopleApiTest, LocationsAreCreatedListedInPagesReadByAnyoneAndPatched) {
  auto created = Call("POST", "/api/v1/locations",
                      object{{"name", "Orchard"},
                             {"address_line1", "1 Orchard Road"},
                             {"address_line2", "#05-01"},
                             {"city", "Singapore"},
                             {"postal_code", "238801"},
                             {"country", "SG"},
                             {"phone", "+65 6123 4567"},
                             {"timezone", "Asia/Singapore"}},
                      admin_token_);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto location = created.Json().as_object();
  EXPECT_EQ(location.at("phone"), "+6561234567");
  EXPECT_EQ(location.at("state_region"), nullptr);
  const std::int64_t first = location.at("id").as_int64();
  const std::int64_t second = CreateLocation("Tampines");
  const std::int64_t third = CreateLocation("Jurong");

  auto read = Call("GET", Path("locations", first));
  ASSERT_EQ(read.status, 200) << "anyone reads locations";
  EXPECT_EQ(read.Json().at("timezone"), "Asia/Singapore");

  auto page1 = Call("GET", "/api/v1/locations?limit=2");
  ASSERT_EQ(page1.status, 200) << page1.body;
  EXPECT_THAT(ItemIds(page1), ElementsAre(first, second));
  const std::string cursor(page1.Json().at("next_cursor").as_string());
  auto page2 = Call("GET", "/api/v1/locations?limit=2&cursor=" + cursor);
  EXPECT_THAT(ItemIds(page2), ElementsAre(third));
  EXPECT_EQ(page2.Json().at("next_cursor"), nullptr);

  auto patched =
      Call("PATCH", Path("locations", first),
           object{{"name", "Orchard Central"}, {"address_line2", nullptr}, {"state_region", "SG"}},
           admin_token_);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json().at("name"), "Orchard Central");
  EXPECT_EQ(patched.Json().at("address_line2"), nullptr) << "null clears a nullable field";
  EXPECT_EQ(patched.Json().at("state_region"), "SG");
  EXPECT_EQ(patched.Json().at("postal_code"), "238801") << "absent fields stay";
  EXPECT_EQ(Call("GET", Path("locations", 999999)).status, 404);
}

TEST_P(PeopleApiTest, DoctorsAreFilteredAndTheirContactDetailsAreNotPublic) {
  const std::int64_t orchard = CreateLocation("Orchard");
  const std::int64_t tampines = CreateLocation("Tampines");
  auto body = DoctorBody("Dana.Scully@Clinic.Example");
  body["location_id"] = orchard;
  body["phone"] = "+65 9000 0001";
  body["bio"] = "Fifteen years\nin cardiology.";
  auto created = Call("POST", "/api/v1/doctors", body, admin_token_);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t scully = created.Json().at("id").as_int64();
  EXPECT_EQ(created.Json().at("email"), "dana.scully@clinic.example");
  EXPECT_FALSE(created.Json().as_object().contains("password"));
  EXPECT_FALSE(created.Json().as_object().contains("password_hash"));
  auto other = DoctorBody("john.doggett@clinic.example", "Dermatology");
  other["first_name"] = "John";
  other["last_name"] = "Doggett";
  other["location_id"] = tampines;
  const std::int64_t doggett = Create("doctors", other, admin_token_);
  const std::int64_t reyes = CreateDoctor("monica.reyes@clinic.example", "Cardiology");

  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors")), ElementsAre(scully, doggett, reyes));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors?specialization=Cardiology")),
              ElementsAre(scully, reyes));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors?location_id=" + std::to_string(tampines))),
              ElementsAre(doggett));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors?q=dogg")), ElementsAre(doggett));
  // The public search covers only what the public profile shows: a hidden email address cannot
  // be recovered letter by letter. Admins search the contact details too.
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors?q=monica")), IsEmpty());
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors?q=clinic.example")), IsEmpty());
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors?q=monica", std::nullopt, admin_token_)),
              ElementsAre(reyes));
  auto first_cardiologist = Call("GET", "/api/v1/doctors?specialization=Cardiology&limit=1");
  EXPECT_THAT(ItemIds(first_cardiologist), ElementsAre(scully));
  const std::string cursor(first_cardiologist.Json().at("next_cursor").as_string());
  EXPECT_THAT(
      ItemIds(Call("GET", "/api/v1/doctors?specialization=Cardiology&limit=1&cursor=" + cursor)),
      ElementsAre(reyes));

  auto public_view = Call("GET", Path("doctors", scully));
  ASSERT_EQ(public_view.status, 200);
  const auto profile = public_view.Json().as_object();
  EXPECT_EQ(profile.at("bio"), "Fifteen years\nin cardiology.");
  EXPECT_EQ(profile.at("location_id"), orchard);
  EXPECT_FALSE(profile.contains("email")) << "staff contact details are not public";
  EXPECT_FALSE(profile.contains("phone"));
  const auto [patient_id, patient_token] = RegisterPatient("viewer@example.com");
  EXPECT_FALSE(Call("GET", Path("doctors", scully), std::nullopt, patient_token)
                   .Json()
                   .as_object()
                   .contains("email"));
  EXPECT_EQ(Call("GET", Path("doctors", scully), std::nullopt, admin_token_).Json().at("phone"),
            "+6590000001");
  const std::string own_token = Login("dana.scully@clinic.example", kDoctorPassword);
  EXPECT_EQ(Call("GET", Path("doctors", scully), std::nullopt, own_token).Json().at("email"),
            "dana.scully@clinic.example")
      << "a doctor sees their own full record";

  auto patched =
      Call("PATCH", Path("doctors", scully),
           object{{"location_id", nullptr}, {"bio", nullptr}, {"phone", ""}}, admin_token_);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json().at("location_id"), nullptr);
  EXPECT_EQ(patched.Json().at("bio"), nullptr);
  EXPECT_EQ(patched.Json().at("phone"), nullptr) << "blank text clears like null";
}

TEST_P(PeopleApiTest, InactiveAndDeletedDoctorsExistOnlyForAdmins) {
  const std::int64_t active = CreateDoctor("active@clinic.example");
  const std::int64_t resting = CreateDoctor("resting@clinic.example");
  const std::int64_t gone = CreateDoctor("gone@clinic.example");
  const std::string resting_token = Login("resting@clinic.example", kDoctorPassword);
  const std::string gone_token = Login("gone@clinic.example", kDoctorPassword);
  const auto [patient_id, patient_token] = RegisterPatient("looker@example.com");

  auto deactivated =
      Call("PATCH", Path("doctors", resting), object{{"is_active", false}}, admin_token_);
  ASSERT_EQ(deactivated.status, 200) << deactivated.body;
  EXPECT_EQ(Call("DELETE", Path("doctors", gone), std::nullopt, admin_token_).status, 204);
  EXPECT_EQ(Call("DELETE", Path("doctors", gone), std::nullopt, admin_token_).status, 204)
      << "deleting twice is harmless";

  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors")), ElementsAre(active));
  EXPECT_EQ(Call("GET", Path("doctors", resting)).status, 404);
  EXPECT_EQ(Call("GET", Path("doctors", gone), std::nullopt, patient_token).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/doctors?include_deleted=true").status, 401);
  EXPECT_EQ(
      Call("GET", "/api/v1/doctors?include_inactive=true", std::nullopt, patient_token).status,
      403);
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors?include_inactive=true&include_deleted=true",
                           std::nullopt, admin_token_)),
              ElementsAre(active, resting, gone));
  auto deleted = Call("GET", Path("doctors", gone), std::nullopt, admin_token_);
  ASSERT_EQ(deleted.status, 200);
  EXPECT_NE(deleted.Json().at("deleted_at"), nullptr);

  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, resting_token).status, 401)
      << "deactivation ends the doctor's sessions";
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, gone_token).status, 401)
      << "deletion ends the doctor's sessions";
  EXPECT_EQ(Call("POST", "/api/v1/auth/login",
                 object{{"email", "gone@clinic.example"}, {"password", kDoctorPassword}})
                .status,
            401);

  auto restored = Call("POST", Path("doctors", gone, "/restore"), std::nullopt, admin_token_);
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(restored.Json().at("deleted_at"), nullptr);
  EXPECT_FALSE(Login("gone@clinic.example", kDoctorPassword).empty());
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/doctors")), ElementsAre(active, gone));
}

TEST_P(PeopleApiTest, PatientsAreManagedByAdminsAndEditTheirOwnRecord) {
  auto created = Call("POST", "/api/v1/patients",
                      object{{"first_name", "Walter"},
                             {"last_name", "Skinner"},
                             {"email", "W.Skinner@Example.com"},
                             {"phone", "+1 202 555 0147"},
                             {"date_of_birth", "1952-03-08"},
                             {"gender", "male"},
                             {"notes", "Prefers mornings.\nAllergic to penicillin."}},
                      admin_token_);
  ASSERT_EQ(created.status, 201) << created.body;
  const auto skinner = created.Json().as_object();
  EXPECT_EQ(skinner.at("email"), "w.skinner@example.com");
  EXPECT_EQ(skinner.at("phone"), "+12025550147");
  EXPECT_EQ(skinner.at("has_login"), false) << "staff-created patients have no login yet";
  const std::int64_t skinner_id = skinner.at("id").as_int64();

  auto reset = Call("PATCH", Path("patients", skinner_id),
                    object{{"password", "skinner-password-1"}}, admin_token_);
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(reset.Json().at("has_login"), true);
  const std::string token = Login("w.skinner@example.com", "skinner-password-1");

  auto me = Call("GET", "/api/v1/patients/me", std::nullopt, token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json().at("id"), skinner_id);
  EXPECT_EQ(me.Json().at("notes"), "Prefers mornings.\nAllergic to penicillin.");
  auto own =
      Call("PATCH", "/api/v1/patients/me",
           object{{"phone", nullptr}, {"gender", nullptr}, {"last_name", "Skinner Jr."}}, token);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.Json().at("phone"), nullptr);
  EXPECT_EQ(own.Json().at("gender"), nullptr);
  EXPECT_EQ(own.Json().at("last_name"), "Skinner Jr.");
  EXPECT_EQ(own.Json().at("date_of_birth"), "1952-03-08");
  EXPECT_EQ(Call("GET", Path("patients", skinner_id), std::nullopt, token).status, 200)
      << "a patient reads their own record by id too";
  EXPECT_EQ(
      Call("PATCH", "/api/v1/patients/me", object{{"password", "a-new-password-1"}}, token).status,
      403)
      << "patients change their password with the current one, at /auth/password";

  const std::int64_t second = CreatePatient("second@example.com");
  const std::int64_t third = CreatePatient("third@example.com");
  auto page1 = Call("GET", "/api/v1/patients?limit=2", std::nullopt, admin_token_);
  ASSERT_EQ(page1.status, 200) << page1.body;
  EXPECT_THAT(ItemIds(page1), ElementsAre(skinner_id, second));
  const std::string cursor(page1.Json().at("next_cursor").as_string());
  EXPECT_THAT(
      ItemIds(Call("GET", "/api/v1/patients?limit=2&cursor=" + cursor, std::nullopt, admin_token_)),
      ElementsAre(third));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/patients?q=SKINNER", std::nullopt, admin_token_)),
              ElementsAre(skinner_id));
}

TEST_P(PeopleApiTest, ASoftDeletedPatientIsHiddenCannotLogInAndIsRestored) {
  const auto [id, token] = RegisterPatient("deleted@example.com");
  const std::int64_t other = CreatePatient("stays@example.com");
  EXPECT_EQ(Call("DELETE", Path("patients", id), std::nullopt, token).status, 403)
      << "patients cannot delete their own record";

  EXPECT_EQ(Call("DELETE", Path("patients", id), std::nullopt, admin_token_).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, token).status, 401)
      << "the deleted patient's existing session stops working";
  EXPECT_EQ(Call("POST", "/api/v1/auth/login",
                 object{{"email", "deleted@example.com"}, {"password", "patient-password-1"}})
                .status,
            401);
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/patients", std::nullopt, admin_token_)),
              ElementsAre(other));
  EXPECT_THAT(
      ItemIds(Call("GET", "/api/v1/patients?include_deleted=true", std::nullopt, admin_token_)),
      ElementsAre(id, other));
  auto record = Call("GET", Path("patients", id), std::nullopt, admin_token_);
  ASSERT_EQ(record.status, 200) << "admins still see the record";
  EXPECT_NE(record.Json().at("deleted_at"), nullptr);

  auto restored = Call("POST", Path("patients", id, "/restore"), std::nullopt, admin_token_);
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(restored.Json().at("deleted_at"), nullptr);
  EXPECT_FALSE(Login("deleted@example.com", "patient-password-1").empty());
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/patients", std::nullopt, admin_token_)),
              ElementsAre(id, other));
}

TEST_P(PeopleApiTest, EmailsStayUniqueAcrossSoftDeletedRecords) {
  const std::int64_t patient = CreatePatient("taken@example.com");
  ASSERT_EQ(Call("DELETE", Path("patients", patient), std::nullopt, admin_token_).status, 204);
  auto again = Call("POST", "/api/v1/patients", PatientBody("TAKEN@example.com"), admin_token_);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_THAT(ProblemFields(again), ElementsAre("email"));
  const std::int64_t other = CreatePatient("other@example.com");
  auto renamed =
      Call("PATCH", Path("patients", other), object{{"email", "taken@example.com"}}, admin_token_);
  EXPECT_EQ(renamed.status, 409);
  EXPECT_THAT(ProblemFields(renamed), ElementsAre("email"));

  const std::int64_t doctor = CreateDoctor("doc@clinic.example");
  ASSERT_EQ(Call("DELETE", Path("doctors", doctor), std::nullopt, admin_token_).status, 204);
  auto doctor_again =
      Call("POST", "/api/v1/doctors", DoctorBody("doc@clinic.example"), admin_token_);
  EXPECT_EQ(doctor_again.status, 409);
  EXPECT_THAT(ProblemFields(doctor_again), ElementsAre("email"));

  const std::int64_t admin = Create(
      "admins",
      object{
          {"username", "deputy"}, {"email", "deputy@clinic.example"}, {"password", "deputy-pw-1"}},
      admin_token_);
  ASSERT_EQ(Call("DELETE", Path("admins", admin), std::nullopt, admin_token_).status, 204);
  auto same_username = Call(
      "POST", "/api/v1/admins",
      object{{"username", "deputy"}, {"email", "new@clinic.example"}, {"password", "deputy-pw-1"}},
      admin_token_);
  EXPECT_EQ(same_username.status, 409);
  EXPECT_THAT(ProblemFields(same_username), ElementsAre("username"));
  auto same_email = Call(
      "POST", "/api/v1/admins",
      object{
          {"username", "deputy2"}, {"email", "Deputy@clinic.example"}, {"password", "deputy-pw-1"}},
      admin_token_);
  EXPECT_EQ(same_email.status, 409);
  EXPECT_THAT(ProblemFields(same_email), ElementsAre("email"));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM patients"), 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM admins"), 2);
}

TEST_P(PeopleApiTest, AdminsManageAdminsButNotThemselvesOutOfExistence) {
  const std::int64_t root = IdOf(admin_token_);
  auto created = Call("POST", "/api/v1/admins",
                      object{{"username", "deputy"},
                             {"email", "Deputy@Clinic.example"},
                             {"password", "deputy-password-1"}},
                      admin_token_);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t deputy = created.Json().at("id").as_int64();
  EXPECT_EQ(created.Json().at("email"), "deputy@clinic.example");
  EXPECT_FALSE(created.Json().as_object().contains("password_hash"));
  const std::string deputy_token = Login("deputy", "deputy-password-1");

  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/admins", std::nullopt, deputy_token)),
              ElementsAre(root, deputy));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/admins?q=dep", std::nullopt, admin_token_)),
              ElementsAre(deputy));
  auto renamed =
      Call("PATCH", Path("admins", deputy), object{{"username", "deputy.chief"}}, admin_token_);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.Json().at("username"), "deputy.chief");

  EXPECT_EQ(Call("DELETE", Path("admins", root), std::nullopt, admin_token_).status, 403)
      << "an admin cannot delete their own account";
  EXPECT_EQ(Call("DELETE", Path("admins", deputy), std::nullopt, admin_token_).status, 204);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, deputy_token).status, 401);
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/admins", std::nullopt, admin_token_)),
              ElementsAre(root));
  EXPECT_THAT(
      ItemIds(Call("GET", "/api/v1/admins?include_deleted=true", std::nullopt, admin_token_)),
      ElementsAre(root, deputy));
  EXPECT_EQ(Call("POST", Path("admins", deputy, "/restore"), std::nullopt, admin_token_).status,
            200);
  EXPECT_FALSE(Login("deputy.chief", "deputy-password-1").empty());
}

// Each route, called anonymously, as a patient and as a doctor who has no appointment with
// anyone: 401 without a login; otherwise 403 where the role may never act and 404 for records
// the caller may not see (DESIGN.md §2.4).
TEST_P(PeopleApiTest, EveryRouteAnswersEachRoleAsThePolicySays) {
  const std::int64_t location = CreateLocation();
  const std::int64_t doctor = CreateDoctor("house@clinic.example");
  const std::string doctor_token = Login("house@clinic.example", kDoctorPassword);
  const std::string patient_token = RegisterPatient("me@example.com").second;
  const std::int64_t other_patient = CreatePatient("someone.else@example.com");
  const std::int64_t other_admin = Create(
      "admins",
      object{{"username", "other"}, {"email", "other@clinic.example"}, {"password", "other-pw-12"}},
      admin_token_);

  struct Case {
    std::string method;
    std::string target;
    std::optional<boost::json::value> body;
    int anonymous;
    int as_patient;
    int as_doctor;
  };
  const object patch{{"phone", "+6591234567"}};
  const std::vector<Case> cases{
      {"POST", "/api/v1/locations", LocationBody("New"), 401, 403, 403},
      {"GET", "/api/v1/locations", std::nullopt, 200, 200, 200},
      {"GET", Path("locations", location), std::nullopt, 200, 200, 200},
      {"PATCH", Path("locations", location), patch, 401, 403, 403},
      {"POST", "/api/v1/doctors", DoctorBody("new@clinic.example"), 401, 403, 403},
      {"GET", "/api/v1/doctors", std::nullopt, 200, 200, 200},
      {"GET", Path("doctors", doctor), std::nullopt, 200, 200, 200},
      {"PATCH", Path("doctors", doctor), patch, 401, 403, 403},
      {"DELETE", Path("doctors", doctor), std::nullopt, 401, 403, 403},
      {"POST", Path("doctors", doctor, "/restore"), std::nullopt, 401, 403, 403},
      {"POST", "/api/v1/patients", PatientBody("new@example.com"), 401, 403, 403},
      {"GET", "/api/v1/patients", std::nullopt, 401, 403, 200},
      {"GET", "/api/v1/patients/me", std::nullopt, 401, 200, 403},
      {"PATCH", "/api/v1/patients/me", patch, 401, 200, 403},
      {"GET", Path("patients", other_patient), std::nullopt, 401, 404, 404},
      {"PATCH", Path("patients", other_patient), patch, 401, 404, 404},
      {"DELETE", Path("patients", other_patient), std::nullopt, 401, 404, 404},
      {"POST", Path("patients", other_patient, "/restore"), std::nullopt, 401, 404, 404},
      {"POST", "/api/v1/admins",
       object{{"username", "x-admin"}, {"email", "x@clinic.example"}, {"password", "x-admin-pw-1"}},
       401, 403, 403},
      {"GET", "/api/v1/admins", std::nullopt, 401, 403, 403},
      {"GET", Path("admins", other_admin), std::nullopt, 401, 404, 404},
      {"PATCH", Path("admins", other_admin), object{{"username", "renamed"}}, 401, 404, 404},
      {"DELETE", Path("admins", other_admin), std::nullopt, 401, 404, 404},
      {"POST", Path("admins", other_admin, "/restore"), std::nullopt, 401, 404, 404},
  };
  for (const auto& c : cases) {
    const std::string route = c.method + " " + c.target;
    auto anonymous = Call(c.method, c.target, c.body);
    EXPECT_EQ(anonymous.status, c.anonymous) << route << " anonymously: " << anonymous.body;
    auto as_patient = Call(c.method, c.target, c.body, patient_token);
    EXPECT_EQ(as_patient.status, c.as_patient) << route << " as a patient: " << as_patient.body;
    auto as_doctor = Call(c.method, c.target, c.body, doctor_token);
    EXPECT_EQ(as_doctor.status, c.as_doctor) << route << " as a doctor: " << as_doctor.body;
    for (const auto* response : {&anonymous, &as_patient, &as_doctor}) {
      if (response->status >= 400) {
        EXPECT_EQ(response->Header("Content-Type"), "application/problem+json") << route;
      }
    }
  }
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/patients", std::nullopt, doctor_token)), IsEmpty())
      << "a doctor without appointments sees no patients";
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM patients WHERE deleted_at IS NULL"), 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM doctors WHERE deleted_at IS NULL"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM admins WHERE deleted_at IS NULL"), 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM clinic_locations"), 1);
}

TEST_P(PeopleApiTest, APatientGuessingIdsFindsNothingButTheirOwnRecord) {
  const auto [own, token] = RegisterPatient("curious@example.com");
  const auto [neighbour, neighbour_token] = RegisterPatient("neighbour@example.com");
  for (const std::int64_t guess : {neighbour, neighbour + 1, std::int64_t{999999}}) {
    auto response = Call("GET", Path("patients", guess), std::nullopt, token);
    EXPECT_EQ(response.status, 404) << "patient " << guess;
    EXPECT_EQ(response.Json().at("detail").as_string(),
              "patient " + std::to_string(guess) + " not found")
        << "another's record and a missing one read alike";
    EXPECT_EQ(
        Call("PATCH", Path("patients", guess), object{{"first_name", "Mallory"}}, token).status,
        404);
  }
  EXPECT_EQ(Call("GET", Path("patients", own), std::nullopt, token).status, 200);
  auto neighbour_record = Call("GET", "/api/v1/patients/me", std::nullopt, neighbour_token);
  EXPECT_EQ(neighbour_record.Json().at("first_name"), "Pat") << "nothing was changed";
}

TEST_P(PeopleApiTest, ADoctorSeesOnlyThePatientsTheyHaveAppointmentsWith) {
  const std::int64_t doctor = CreateDoctor("grey@clinic.example");
  const std::string token = Login("grey@clinic.example", kDoctorPassword);
  const std::int64_t mine = CreatePatient("mine@example.com");
  const std::int64_t stranger = CreatePatient("stranger@example.com");
  const std::int64_t colleague = CreateDoctor("yang@clinic.example");
  AddAppointment(doctor, mine);
  AddAppointment(colleague, stranger);

  auto record = Call("GET", Path("patients", mine), std::nullopt, token);
  ASSERT_EQ(record.status, 200) << record.body;
  EXPECT_EQ(record.Json().at("email"), "mine@example.com");
  EXPECT_EQ(Call("GET", Path("patients", stranger), std::nullopt, token).status, 404);
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/patients", std::nullopt, token)), ElementsAre(mine));
  EXPECT_EQ(Call("PATCH", Path("patients", mine), object{{"notes", "x"}}, token).status, 403)
      << "doctors read their patients' records but never change them";
  EXPECT_EQ(Call("DELETE", Path("patients", mine), std::nullopt, token).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/patients?include_deleted=true", std::nullopt, token).status, 403);

  ASSERT_EQ(Call("DELETE", Path("patients", mine), std::nullopt, admin_token_).status, 204);
  EXPECT_EQ(Call("GET", Path("patients", mine), std::nullopt, token).status, 404)
      << "deleted patients exist only for admins";
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/patients", std::nullopt, token)), IsEmpty());
}

TEST_P(PeopleApiTest, ReadingAPatientRecordLeavesAnAuditRowNamingTheReader) {
  const std::int64_t admin = IdOf(admin_token_);
  const auto [patient, token] = RegisterPatient("watched@example.com");
  ASSERT_EQ(Call("GET", Path("patients", patient), std::nullopt, admin_token_).status, 200);
  ASSERT_EQ(Call("GET", "/api/v1/patients/me", std::nullopt, token).status, 200);
  ASSERT_EQ(Call("GET", "/api/v1/patients", std::nullopt, admin_token_).status, 200);
  ASSERT_EQ(Call("GET", Path("patients", 999999), std::nullopt, admin_token_).status, 404);

  auto connection = database().factory().Open();
  ASSERT_TRUE(connection);
  auto reads = (*connection)
                   ->Query(
                       "SELECT actor_role, actor_id, entity, entity_id, client_addr FROM audit_log "
                       "WHERE action = 'patient.read' ORDER BY id");
  ASSERT_THAT(reads, IsOk());
  ASSERT_EQ(reads->size(), 2u) << "the failed read left no row";
  EXPECT_EQ(reads->at(0).Text(0), "admin");
  EXPECT_EQ(reads->at(0).Int(1), admin);
  EXPECT_EQ(reads->at(0).Text(2), "patient");
  EXPECT_EQ(reads->at(0).Int(3), patient);
  EXPECT_EQ(reads->at(0).Text(4), "127.0.0.1");
  EXPECT_EQ(reads->at(1).Text(0), "patient");
  EXPECT_EQ(reads->at(1).Int(1), patient);
  auto lists =
      (*connection)->Query("SELECT actor_id, details FROM audit_log WHERE action = 'patient.list'");
  ASSERT_TRUE(lists);
  ASSERT_EQ(lists->size(), 1u);
  EXPECT_EQ(lists->at(0).Text(1), "ids: " + std::to_string(patient));

  ASSERT_EQ(Call("PATCH", Path("patients", patient), object{{"phone", "+6591234567"}}, admin_token_)
                .status,
            200);
  auto updates =
      (*connection)
          ->Query("SELECT details FROM audit_log WHERE action = 'patient.update' AND entity_id = " +
                  std::to_string(patient));
  ASSERT_TRUE(updates);
  ASSERT_EQ(updates->size(), 1u);
  EXPECT_EQ(updates->at(0).Text(0), "fields: phone") << "names the fields, never their values";
}

TEST_P(PeopleApiTest, SqlAndHtmlInTextAreStoredAndReturnedVerbatim) {
  auto body = PatientBody("bobby.tables@example.com");
  body["first_name"] = kSqlInjection;
  body["last_name"] = kScript;
  body["notes"] = std::string(kSqlInjection) + "\n" + kScript;
  auto created = Call("POST", "/api/v1/patients", body, admin_token_);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::int64_t id = created.Json().at("id").as_int64();
  auto read = Call("GET", Path("patients", id), std::nullopt, admin_token_);
  EXPECT_EQ(read.Json().at("first_name"), kSqlInjection);
  EXPECT_EQ(read.Json().at("last_name"), kScript);
  EXPECT_EQ(read.Json().at("notes").as_string(), std::string(kSqlInjection) + "\n" + kScript);
  EXPECT_EQ(read.Header("Content-Type"), "application/json");

  auto location = LocationBody(kScript);
  location["address_line1"] = kSqlInjection;
  auto stored_location = Call("POST", "/api/v1/locations", location, admin_token_);
  ASSERT_EQ(stored_location.status, 201) << stored_location.body;
  EXPECT_EQ(stored_location.Json().at("name"), kScript);
  EXPECT_EQ(stored_location.Json().at("address_line1"), kSqlInjection);

  EXPECT_THAT(
      ItemIds(Call("GET", "/api/v1/patients?q=Robert%27%29%3B%20DROP", std::nullopt, admin_token_)),
      ElementsAre(id));
  EXPECT_THAT(ItemIds(Call("GET", "/api/v1/patients?q=%25", std::nullopt, admin_token_)), IsEmpty())
      << "a % in the search is a character, not a wildcard";
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM patients"), 1) << "the table is still there";
}

// Every bad request answers 400 (or 415) as problem+json naming the offending field, and leaves
// the people and places tables exactly as they were.
TEST_P(PeopleApiTest, BadInputIsRefusedWithTheFieldNamedAndChangesNothing) {
  const std::int64_t location = CreateLocation();
  const std::int64_t doctor = CreateDoctor("bad-input@clinic.example");
  const std::int64_t patient = CreatePatient("bad-input@example.com");
  const std::string long_name(300, 'n');
  auto patient_with = [](const char* field, const auto& value) {
    object body = PatientBody("fresh@example.com");
    body[field] = value;
    return body;
  };
  auto doctor_with = [](const char* field, const auto& value) {
    object body = DoctorBody("fresh@clinic.example");
    body[field] = value;
    return body;
  };
  auto location_with = [](const char* field, const auto& value) {
    object body = LocationBody("Fresh");
    body[field] = value;
    return body;
  };
  struct Case {
    std::string method;
    std::string target;
    std::string body;  // sent as is, as application/json
    std::vector<std::string> fields;
  };
  auto json = [](const object& body) { return boost::json::serialize(body); };
  const std::string patients = "/api/v1/patients";
  const std::string doctors = "/api/v1/doctors";
  const std::string locations = "/api/v1/locations";
  const std::vector<Case> cases{
      {"POST", patients, "{\"first_name\": ", {}},
      {"POST", patients, "[1, 2]", {}},
      {"POST", patients, "", {}},
      {"POST", patients, "{}", {"first_name", "last_name", "email"}},
      {"POST", patients, json(patient_with("first_name", 5)), {"first_name"}},
      {"POST", patients, json(patient_with("first_name", nullptr)), {"first_name"}},
      {"POST", patients, json(patient_with("first_name", long_name)), {"first_name"}},
      {"POST", patients, json(patient_with("first_name", "   ")), {"first_name"}},
      {"POST", patients, json(patient_with("first_name", "Ann\x07")), {"first_name"}},
      {"POST", patients, json(patient_with("last_name", object{{"a", 1}})), {"last_name"}},
      {"POST", patients, json(patient_with("email", "not-an-email")), {"email"}},
      {"POST", patients, json(patient_with("email", "a@b")), {"email"}},
      {"POST", patients, json(patient_with("phone", "12345")), {"phone"}},
      {"POST", patients, json(patient_with("phone", "+65 abc 1234")), {"phone"}},
      {"POST", patients, json(patient_with("gender", "robot")), {"gender"}},
      {"POST", patients, json(patient_with("gender", true)), {"gender"}},
      {"POST", patients, json(patient_with("date_of_birth", "1980-02-30")), {"date_of_birth"}},
      {"POST", patients, json(patient_with("date_of_birth", "02/03/1980")), {"date_of_birth"}},
      {"POST", patients, json(patient_with("date_of_birth", "2999-01-01")), {"date_of_birth"}},
      {"POST", patients, json(patient_with("date_of_birth", 19800101)), {"date_of_birth"}},
      {"POST", patients, json(patient_with("notes", std::string(10001, 'x'))), {"notes"}},
      {"POST", patients, json(patient_with("password", "short")), {"password"}},
      {"POST", patients, json(patient_with("favourite_colour", "blue")), {"favourite_colour"}},
      {"POST", patients, json(patient_with("password_hash", "$argon2id$x")), {"password_hash"}},
      {"POST", patients, json(patient_with("id", 77)), {"id"}},
      {"PATCH", Path("patients", patient), json({{"email", nullptr}}), {"email"}},
      {"PATCH", Path("patients", patient), json({{"last_name", ""}}), {"last_name"}},
      {"PATCH", Path("patients", patient), json({{"deleted_at", nullptr}}), {"deleted_at"}},
      {"PATCH",
       Path("patients", patient),
       json({{"first_name", long_name}, {"phone", "0"}}),
       {"first_name", "phone"}},
      {"POST",
       doctors,
       json(doctor_with("specialization", std::string(121, 's'))),
       {"specialization"}},
      {"POST", doctors, json(doctor_with("location_id", 999999)), {"location_id"}},
      {"POST", doctors, json(doctor_with("location_id", "1")), {"location_id"}},
      {"POST", doctors, json(doctor_with("location_id", -1)), {"location_id"}},
      {"POST", doctors, json(doctor_with("is_active", "yes")), {"is_active"}},
      {"POST", doctors, json(doctor_with("password", nullptr)), {"password"}},
      {"POST", doctors, json(doctor_with("bio", std::string(10001, 'b'))), {"bio"}},
      {"PATCH", Path("doctors", doctor), json({{"is_active", nullptr}}), {"is_active"}},
      {"PATCH", Path("doctors", doctor), json({{"location_id", 999999}}), {"location_id"}},
      {"POST", locations, json(location_with("timezone", "Mars/Olympus_Mons")), {"timezone"}},
      {"POST", locations, json(location_with("timezone", "")), {"timezone"}},
      {"POST", locations, json(location_with("name", long_name)), {"name"}},
      {"POST",
       locations,
       json(location_with("postal_code", std::string(21, '9'))),
       {"postal_code"}},
      {"POST", locations, json(location_with("country", std::string(101, 'c'))), {"country"}},
      {"POST", locations, json(location_with("phone", "call us")), {"phone"}},
      {"PATCH", Path("locations", location), json({{"timezone", nullptr}}), {"timezone"}},
      {"PATCH", Path("locations", location), json({{"city", 12}}), {"city"}},
      {"POST",
       "/api/v1/admins",
       json({{"username", "no spaces allowed"},
             {"email", "x@clinic.example"},
             {"password", "admin-pw-123"}}),
       {"username"}},
      {"POST", Path("patients", patient, "/restore"), json({{"why", "because"}}), {"why"}},
  };
  const std::string before = PeopleTablesSnapshot();
  for (const auto& c : cases) {
    test_support::HttpClient client(port());
    auto response = client.Send({.method = c.method,
                                 .target = c.target,
                                 .body = c.body,
                                 .headers = {{"Content-Type", "application/json"},
                                             {"Authorization", "Bearer " + admin_token_}}});
    ASSERT_THAT(response, IsOk());
    const std::string what = c.method + " " + c.target + " " + c.body.substr(0, 120);
    EXPECT_EQ(response->status, 400) << what << ": " << response->body;
    EXPECT_EQ(response->Header("Content-Type"), "application/problem+json") << what;
    std::set<std::string> named;
    for (auto& field : ProblemFields(*response)) named.insert(field);
    EXPECT_EQ(named, std::set<std::string>(c.fields.begin(), c.fields.end())) << what;
  }

  const std::vector<std::pair<std::string, std::string>> bad_queries{
      {"/api/v1/patients?limit=0", "limit"},
      {"/api/v1/patients?limit=201", "limit"},
      {"/api/v1/patients?limit=ten", "limit"},
      {"/api/v1/patients?cursor=abc", "cursor"},
      {"/api/v1/patients?sort=name", "sort"},
      {"/api/v1/patients?include_deleted=maybe", "include_deleted"},
      {"/api/v1/doctors?location_id=x", "location_id"},
      {"/api/v1/doctors?q=" + std::string(101, 'q'), "q"},
      {"/api/v1/doctors?specialization=" + std::string(121, 's'), "specialization"},
      {"/api/v1/patients?q=Ada%01", "q"},
      {"/api/v1/patients?q=%FF", "q"},
      {"/api/v1/admins?q=" + std::string(101, 'q'), "q"},
      {"/api/v1/slots?specialization=Cardio%0Alogy", "specialization"},
      {"/api/v1/audit?entity=" + std::string(65, 'e'), "entity"},
      {"/api/v1/audit?action=login%00", "action"},
      {"/api/v1/reports/revenue?from=2026-01-01&to=2026-01-31&currency=EURO", "currency"},
      {"/api/v1/locations?page=2", "page"},
      {"/api/v1/patients/abc", "id"},
      {"/api/v1/patients/0", "id"},
      {Path("patients", patient) + "?fields=all", "fields"},
      {Path("doctors", doctor) + "?verbose=1", "verbose"},
  };
  for (const auto& [target, field] : bad_queries) {
    auto response = Call("GET", target, std::nullopt, admin_token_);
    EXPECT_EQ(response.status, 400) << target << ": " << response.body;
    EXPECT_THAT(ProblemFields(response), Contains(field)) << target;
  }

  test_support::HttpClient client(port());
  auto wrong_type = client.Send(
      {.method = "POST",
       .target = patients,
       .body = json(PatientBody("plain@example.com")),
       .headers = {{"Content-Type", "text/plain"}, {"Authorization", "Bearer " + admin_token_}}});
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 415);
  EXPECT_EQ(wrong_type->Header("Content-Type"), "application/problem+json");
  auto form = client.Send({.method = "PATCH",
                           .target = Path("patients", patient),
                           .body = "first_name=Eve",
                           .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                                       {"Authorization", "Bearer " + admin_token_}}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);

  EXPECT_EQ(PeopleTablesSnapshot(), before) << "no refused request changed a row";
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(PeopleApiTest);

}  // namespace
}  // namespace clinic::testing
