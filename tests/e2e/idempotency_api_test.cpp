// Idempotency-Key on every create and money movement over HTTP, on SQLite and MariaDB
// (DESIGN.md §6, docs/decisions.md "Idempotency"): a retry answers what the first request made
// and writes nothing; the key with a different request is refused and writes nothing; racing
// retries make one record; the transaction_ref of a payment follows the same rule. Self-
// registration and attachment uploads included. Account creates keep no password in the key's
// fingerprint and answer a retry only with the first request's password.

#include <gmock/gmock.h>

#include <boost/json/serialize.hpp>
#include <set>

#include "clinic/common/crypto.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "support/booking_fixture.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using ::testing::ElementsAre;

class IdempotencyApiTest : public BookingApiTest {
 protected:
  void SetUp() override {
    BookingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    location_ = CreateLocation();
    doctor_ = CreateDoctor("heart@clinic.example");
    doctor_token_ = Login("heart@clinic.example", kDoctorPassword);
    std::tie(patient_, patient_token_) = RegisterPatient("ana@example.com");
    appointment_ =
        InsertAppointment(CreateSlot(doctor_, location_, On2030(1), On2030(2)), patient_);
  }

  test_support::HttpResponse Post(const std::string& path, const object& body,
                                  const std::string& token, const std::string& key) {
    return Call("POST", path, body, token, {{"Idempotency-Key", key}});
  }

  std::string PaymentsPath() const {
    return "/api/v1/appointments/" + std::to_string(appointment_) + "/payments";
  }

  // Records a paid payment of 100.00 USD and returns the path that refunds it.
  std::string PaidPaymentRefundPath() {
    auto paid = Call(
        "POST", PaymentsPath(),
        object{
            {"amount_cents", 10000}, {"currency", "USD"}, {"method", "card"}, {"status", "paid"}},
        admin_token_);
    EXPECT_EQ(paid.status, 201) << paid.body;
    return "/api/v1/payments/" +
           std::to_string(paid.status == 201 ? paid.Json().at("id").as_int64() : 0) + "/refund";
  }

  // POST /api/v1/attachments with raw `content` under `key`, as the test's patient.
  test_support::HttpResponse Upload(const std::string& content, const std::string& query,
                                    const std::string& key) {
    return Send({.method = "POST",
                 .target = "/api/v1/attachments" + query,
                 .body = content,
                 .headers = {{"Content-Type", "text/plain"}, {"Idempotency-Key", key}}},
                patient_token_);
  }

  // Upload records in the embedded document store (the suite's --docs is a SQLite file).
  std::int64_t UploadRecords() {
    auto path = storage::sqlite::ParseSqliteUri(docs_uri());
    EXPECT_TRUE(path);
    auto connection = storage::sqlite::MakeSqliteConnectionFactory(*path)->Open();
    EXPECT_TRUE(connection);
    auto rows = (*connection)->Query("SELECT COUNT(*) FROM attachments", {});
    EXPECT_TRUE(rows && rows->size() == 1u);
    return rows->front().Int(0);
  }

  // Passwords the server hashed so far, from /metrics.
  std::int64_t PasswordHashes() {
    const std::string body = Call("GET", "/metrics").body;
    constexpr std::string_view kLine = "\nclinic_password_hashes_total ";
    const auto at = body.find(kLine);
    EXPECT_NE(at, std::string::npos) << body;
    return at == std::string::npos ? -1 : std::stoll(body.substr(at + kLine.size()));
  }

  std::int64_t location_ = 0;
  std::int64_t doctor_ = 0;
  std::string doctor_token_;
  std::int64_t patient_ = 0;
  std::string patient_token_;
  std::int64_t appointment_ = 0;
};

// One create route: where to post, as whom, a body, a different body, and what to count.
struct CreateRoute {
  std::string path;
  bool as_doctor = false;
  object body;
  object other_body;
  std::string count_sql;
};

TEST_P(IdempotencyApiTest, EveryCreateAnswersARetryWithTheFirstRecordAndWritesNothing) {
  const std::string doctor = std::to_string(doctor_);
  const std::vector<CreateRoute> routes{
      {.path = "/api/v1/locations",
       .body = {{"name", "Tanjong"},
                {"address_line1", "2 Tanjong Road"},
                {"city", "Singapore"},
                {"country", "SG"},
                {"timezone", "Asia/Singapore"}},
       .other_body = {{"name", "Bedok"},
                      {"address_line1", "3 Bedok Road"},
                      {"city", "Singapore"},
                      {"country", "SG"},
                      {"timezone", "Asia/Singapore"}},
       .count_sql = "SELECT COUNT(*) FROM clinic_locations"},
      {.path = "/api/v1/doctors",
       .body = {{"first_name", "Gregory"},
                {"last_name", "House"},
                {"email", "house@clinic.example"},
                {"specialization", "Nephrology"},
                {"password", kDoctorPassword}},
       .other_body = {{"first_name", "James"},
                      {"last_name", "Wilson"},
                      {"email", "wilson@clinic.example"},
                      {"specialization", "Oncology"},
                      {"password", kDoctorPassword}},
       .count_sql = "SELECT COUNT(*) FROM doctors"},
      {.path = "/api/v1/patients",
       .body = {{"first_name", "Walter"},
                {"last_name", "Skinner"},
                {"email", "ws@example.com"},
                {"password", "assistant-director-1"}},
       .other_body = {{"first_name", "Dana"}, {"last_name", "Katz"}, {"email", "dk@example.com"}},
       .count_sql = "SELECT COUNT(*) FROM patients"},
      {.path = "/api/v1/admins",
       .body = {{"username", "deputy"},
                {"email", "deputy@clinic.example"},
                {"password", "deputy-password-1"}},
       .other_body = {{"username", "second"},
                      {"email", "second@clinic.example"},
                      {"password", "second-password-1"}},
       .count_sql = "SELECT COUNT(*) FROM admins"},
      {.path = "/api/v1/doctors/" + doctor + "/slots",
       .body = {{"location_id", location_},
                {"start_time_utc", On2030(5)},
                {"end_time_utc", On2030(6)}},
       .other_body = {{"location_id", location_},
                      {"start_time_utc", On2030(7)},
                      {"end_time_utc", On2030(8)}},
       .count_sql = "SELECT COUNT(*) FROM doctor_time_slots"},
      {.path = PaymentsPath(),
       .body = {{"amount_cents", 5000}, {"currency", "USD"}, {"method", "card"}},
       .other_body = {{"amount_cents", 7000}, {"currency", "USD"}, {"method", "card"}},
       .count_sql = "SELECT COUNT(*) FROM payments"},
      {.path = "/api/v1/appointments/" + std::to_string(appointment_) + "/prescriptions",
       .as_doctor = true,
       .body = {{"instructions", "Rest for two days"}},
       .other_body = {{"instructions", "Rest for a week"}},
       .count_sql = "SELECT COUNT(*) FROM prescriptions"},
  };
  for (const auto& route : routes) {
    SCOPED_TRACE(route.path);
    const std::string& token = route.as_doctor ? doctor_token_ : admin_token_;
    const auto before = QueryCount(route.count_sql);
    auto first = Post(route.path, route.body, token, "create-1");
    ASSERT_EQ(first.status, 201) << first.body;
    EXPECT_FALSE(first.HasHeader("Idempotent-Replayed"));
    const auto hashes = PasswordHashes();
    const auto keys = QueryCount("SELECT COUNT(*) FROM idempotency_keys");
    auto retry = Post(route.path, route.body, token, "create-1");
    ASSERT_EQ(retry.status, 201) << retry.body;
    EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
    EXPECT_EQ(retry.Json().at("id"), first.Json().at("id"));
    auto reused = Post(route.path, route.other_body, token, "create-1");
    EXPECT_EQ(reused.status, 400) << reused.body;
    EXPECT_THAT(ProblemFields(reused), ElementsAre("Idempotency-Key"));
    if (route.body.contains("password")) {
      // The fingerprint leaves the password out; the account's own hash tells this one apart.
      object other_password = route.body;
      other_password["password"] = "another-password-9";
      auto guessed = Post(route.path, other_password, token, "create-1");
      EXPECT_EQ(guessed.status, 400) << guessed.body;
      EXPECT_THAT(ProblemFields(guessed), ElementsAre("Idempotency-Key"));
    }
    EXPECT_EQ(PasswordHashes(), hashes);
    EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM idempotency_keys"), keys);
    EXPECT_EQ(QueryCount(route.count_sql), before + 1);
    // A new key is a new request: the other body goes through.
    EXPECT_EQ(Post(route.path, route.other_body, token, "create-2").status, 201);
    EXPECT_EQ(QueryCount(route.count_sql), before + 2);
  }
}

TEST_P(IdempotencyApiTest, ThreeRefundsUnderOneKeyGiveMoneyBackOnce) {
  const std::string refund = PaidPaymentRefundPath();
  std::set<std::int64_t> refund_ids;
  for (int i = 0; i < 3; ++i) {
    auto answer = Post(refund, object{{"amount_cents", 3000}}, admin_token_, "refund-once");
    ASSERT_EQ(answer.status, 201) << answer.body;
    EXPECT_EQ(answer.HasHeader("Idempotent-Replayed"), i > 0);
    refund_ids.insert(answer.Json().at("id").as_int64());
  }
  EXPECT_EQ(refund_ids.size(), 1u);
  auto more = Post(refund, object{{"amount_cents", 4000}}, admin_token_, "refund-once");
  EXPECT_EQ(more.status, 400) << more.body;
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM payments WHERE refund_of_id IS NOT NULL"), 1);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM audit_log WHERE action = 'payment.refund'"), 1);
}

TEST_P(IdempotencyApiTest, ConcurrentRetriesOfOneRefundMakeOneRefund) {
  const auto answers = CallConcurrently(6, "POST", PaidPaymentRefundPath(),
                                        [](int) {
                                          return object{{"amount_cents", 2500}};
                                        },
                                        admin_token_, {{"Idempotency-Key", "double-click"}});
  EXPECT_THAT(Statuses(answers), ::testing::Each(201));
  EXPECT_EQ(CreatedIds(answers).size(), 1u);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM payments WHERE refund_of_id IS NOT NULL"), 1);
}

TEST_P(IdempotencyApiTest, KeysBelongToTheCallerAndARefusedCreateLeavesTheKeyFree) {
  const object slot{
      {"location_id", location_}, {"start_time_utc", On2030(5)}, {"end_time_utc", On2030(6)}};
  const std::string slots = "/api/v1/doctors/" + std::to_string(doctor_) + "/slots";
  // The doctor's first try overlaps an existing slot and is refused: the key stays unused.
  auto overlapping = Post(
      slots,
      object{
          {"location_id", location_}, {"start_time_utc", On2030(1)}, {"end_time_utc", On2030(2)}},
      doctor_token_, "slot-key");
  EXPECT_EQ(overlapping.status, 409) << overlapping.body;
  auto mine = Post(slots, slot, doctor_token_, "slot-key");
  ASSERT_EQ(mine.status, 201) << mine.body;
  EXPECT_FALSE(mine.HasHeader("Idempotent-Replayed"));
  // The admin's identical key is theirs: the same body is a new request, refused only because
  // the slot now exists.
  auto admins = Post(slots, slot, admin_token_, "slot-key");
  EXPECT_EQ(admins.status, 409) << admins.body;
  EXPECT_FALSE(admins.HasHeader("Idempotent-Replayed"));
  for (const char* bad : {"", "has spaces", "tab\tkey"}) {
    EXPECT_EQ(Post(slots, slot, doctor_token_, bad).status, 400) << bad;
  }
}

TEST_P(IdempotencyApiTest, ATransactionRefRecordedForADifferentPaymentIsRefused) {
  const object first{{"amount_cents", 5000},
                     {"currency", "USD"},
                     {"method", "card"},
                     {"transaction_ref", "ch_42"}};
  ASSERT_EQ(Call("POST", PaymentsPath(), first, admin_token_).status, 201);
  auto again = Call("POST", PaymentsPath(), first, admin_token_);
  EXPECT_EQ(again.status, 200) << "a retry answers the recorded payment: " << again.body;
  object different = first;
  different["amount_cents"] = 500;
  auto refused = Call("POST", PaymentsPath(), different, admin_token_);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_THAT(ProblemFields(refused), ElementsAre("transaction_ref"));
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM payments"), 1);
}

TEST_P(IdempotencyApiTest, ARetriedRegistrationAnswersTheFirstPatientAndHashesNoPassword) {
  const object registration{{"first_name", "Fox"},
                            {"last_name", "Mulder"},
                            {"email", "fox@example.com"},
                            {"password", "trust-no-one-1"}};
  const test_support::HeaderList key{{"Idempotency-Key", "sign-up-1"}};
  const auto patients = QueryCount("SELECT COUNT(*) FROM patients");
  const auto sessions = QueryCount("SELECT COUNT(*) FROM sessions");
  const std::string registered = "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.register'";
  const auto audited = QueryCount(registered);
  auto first = Call("POST", "/api/v1/auth/register", registration, "", key);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_FALSE(first.HasHeader("Idempotent-Replayed"));
  const auto hashes = PasswordHashes();

  auto retry = Call("POST", "/api/v1/auth/register", registration, "", key);
  ASSERT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(retry.Json(), first.Json());
  EXPECT_FALSE(retry.HasHeader("Set-Cookie"));
  // Whoever sends the key without the same body (here: without the password) learns nothing.
  object guessed = registration;
  guessed["password"] = "trust-no-one-2";
  auto reused = Call("POST", "/api/v1/auth/register", guessed, "", key);
  EXPECT_EQ(reused.status, 400) << reused.body;
  EXPECT_THAT(ProblemFields(reused), ElementsAre("Idempotency-Key"));
  EXPECT_EQ(reused.body.find("fox@example.com"), std::string::npos) << reused.body;

  EXPECT_EQ(PasswordHashes(), hashes);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM patients"), patients + 1);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM sessions"), sessions);
  EXPECT_EQ(QueryCount(registered), audited + 1);
  // Without the key the same body is a new registration of a taken email.
  EXPECT_EQ(Call("POST", "/api/v1/auth/register", registration).status, 409);
}

TEST_P(IdempotencyApiTest, APatientRecordedWithoutAPasswordIsNotRetriedWithOne) {
  object record{{"first_name", "Alex"}, {"last_name", "Krycek"}, {"email", "ak@example.com"}};
  const test_support::HeaderList key{{"Idempotency-Key", "no-login-1"}};
  ASSERT_EQ(Call("POST", "/api/v1/patients", record, admin_token_, key).status, 201);
  const auto patients = QueryCount("SELECT COUNT(*) FROM patients");
  record["password"] = "rat-bastard-1";
  auto reused = Call("POST", "/api/v1/patients", record, admin_token_, key);
  EXPECT_EQ(reused.status, 400) << reused.body;
  EXPECT_THAT(ProblemFields(reused), ElementsAre("Idempotency-Key"));
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM patients"), patients);
}

// The Idempotency-Key fingerprint of a POST of `body` to `path` without a query: SHA-256 over
// the method, path and body, each length-prefixed.
std::string PostFingerprint(const std::string& path, const object& body) {
  std::string text;
  for (const std::string& part : {std::string("POST"), path, boost::json::serialize(body)}) {
    text += std::to_string(part.size()) + ":" + part + "\n";
  }
  return Sha256Hex(text);
}

TEST_P(IdempotencyApiTest, TheKeptFingerprintOfARegistrationLeavesThePasswordOut) {
  InitCrypto();
  const object without_password{
      {"first_name", "John"}, {"last_name", "Doggett"}, {"email", "jd@example.com"}};
  object registration = without_password;
  registration["password"] = "super-soldier-1";
  auto registered = Call("POST", "/api/v1/auth/register", registration, "",
                         {{"Idempotency-Key", "sign-up-fingerprint"}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  const std::string kept_as =
      "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'sign-up-fingerprint' AND "
      "request_hash = '";
  EXPECT_EQ(QueryCount(kept_as + PostFingerprint("/api/v1/auth/register", without_password) + "'"),
            1);
  EXPECT_EQ(QueryCount(kept_as + PostFingerprint("/api/v1/auth/register", registration) + "'"), 0);
}

TEST_P(IdempotencyApiTest, ARetriedUploadAnswersTheFirstAttachmentAndStoresNothing) {
  const std::string report = "Blood pressure 120/80\n";
  const auto before = UploadRecords();
  auto first = Upload(report, "?file_name=bp.txt", "upload-1");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_FALSE(first.HasHeader("Idempotent-Replayed"));

  auto retry = Upload(report, "?file_name=bp.txt", "upload-1");
  ASSERT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(retry.Json(), first.Json());
  EXPECT_EQ(retry.Header("Location"), first.Header("Location"));
  for (const auto& [content, query] :
       {std::pair{std::string("Blood pressure 140/90\n"), std::string("?file_name=bp.txt")},
        std::pair{report, std::string("?file_name=other.txt")}}) {
    auto reused = Upload(content, query, "upload-1");
    EXPECT_EQ(reused.status, 400) << reused.body;
    EXPECT_THAT(ProblemFields(reused), ElementsAre("Idempotency-Key"));
  }
  EXPECT_EQ(UploadRecords(), before + 1);
  // A new key is a new upload of the same bytes.
  auto again = Upload(report, "?file_name=bp.txt", "upload-2");
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_NE(again.Json().at("file_id"), first.Json().at("file_id"));
  EXPECT_EQ(UploadRecords(), before + 2);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(IdempotencyApiTest);

}  // namespace
}  // namespace clinic::testing
