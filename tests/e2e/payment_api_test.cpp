// Payments and refunds over HTTP on SQLite and MariaDB: the status machine move by move, the
// idempotent transaction_ref, who may see what, balances per currency, and concurrent refunds
// that can never give back more than was paid.

#include <gmock/gmock.h>

#include <boost/json/serialize.hpp>
#include <latch>
#include <thread>

#include "support/booking_fixture.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;

std::string PaymentPath(std::int64_t id, const std::string& action = "") {
  return "/api/v1/payments/" + std::to_string(id) + (action.empty() ? "" : "/" + action);
}

class PaymentApiTest : public BookingApiTest {
 protected:
  void SetUp() override {
    BookingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    const auto location = CreateLocation("Asia/Singapore");
    doctor_ = CreateDoctor("heart@clinic.example");
    doctor_token_ = Login("heart@clinic.example", kDoctorPassword);
    std::tie(patient_, patient_token_) = RegisterPatient("ana@example.com");
    appointment_ = InsertAppointment(CreateSlot(doctor_, location, On2030(1), On2030(2)), patient_);
    other_appointment_ =
        InsertAppointment(CreateSlot(doctor_, location, On2030(3), On2030(4)), patient_);
  }

  std::string LedgerPath(std::int64_t appointment) const {
    return "/api/v1/appointments/" + std::to_string(appointment) + "/payments";
  }

  test_support::HttpResponse Record(object body, std::int64_t appointment = 0) {
    return Call("POST", LedgerPath(appointment == 0 ? appointment_ : appointment), body,
                admin_token_);
  }

  std::int64_t RecordOk(std::int64_t cents, const std::string& status = "pending",
                        const std::string& currency = "USD") {
    auto response = Record(object{
        {"amount_cents", cents}, {"currency", currency}, {"method", "card"}, {"status", status}});
    EXPECT_EQ(response.status, 201) << response.body;
    return response.status == 201 ? response.Json().at("id").as_int64() : 0;
  }

  int Act(std::int64_t payment, const std::string& action,
          const std::optional<boost::json::value>& body = std::nullopt) {
    return Call("POST", PaymentPath(payment, action), body, admin_token_).status;
  }

  std::int64_t doctor_ = 0;
  std::string doctor_token_;
  std::int64_t patient_ = 0;
  std::string patient_token_;
  std::int64_t appointment_ = 0;
  std::int64_t other_appointment_ = 0;
};

TEST_P(PaymentApiTest, EveryMoveOfTheStatusMachineIsAllowedOrRefused) {
  const auto failing = RecordOk(5000);
  EXPECT_EQ(Act(failing, "fail"), 200);
  EXPECT_EQ(Act(failing, "pay"), 409) << "failed is final";
  EXPECT_EQ(Act(failing, "fail"), 409);
  EXPECT_EQ(Act(failing, "refund", object{{"amount_cents", 100}}), 409);

  const auto payment = RecordOk(10000);
  EXPECT_EQ(Act(payment, "refund", object{{"amount_cents", 100}}), 409) << "nothing was paid yet";
  auto paid = Call("POST", PaymentPath(payment, "pay"), std::nullopt, admin_token_);
  ASSERT_EQ(paid.status, 200) << paid.body;
  EXPECT_EQ(paid.Json().at("status"), "paid");
  EXPECT_FALSE(paid.Json().at("paid_at").is_null());
  EXPECT_EQ(Act(payment, "pay"), 409);
  EXPECT_EQ(Act(payment, "fail"), 409);

  auto partial =
      Call("POST", PaymentPath(payment, "refund"), object{{"amount_cents", 2500}}, admin_token_);
  ASSERT_EQ(partial.status, 201) << partial.body;
  EXPECT_EQ(partial.Json().at("status"), "refunded");
  EXPECT_EQ(partial.Json().at("refund_of_id"), payment);
  EXPECT_EQ(partial.Json().at("amount_cents"), 2500);
  const auto refund = partial.Json().at("id").as_int64();
  EXPECT_EQ(Call("GET", PaymentPath(payment), std::nullopt, admin_token_).Json().at("status"),
            "paid");
  EXPECT_EQ(Act(refund, "pay"), 409) << "a refund is final";
  EXPECT_EQ(Act(refund, "refund", object{{"amount_cents", 1}}), 409);
  EXPECT_EQ(Act(payment, "refund", object{{"amount_cents", 7501}}), 409) << "over-refund";
  EXPECT_EQ(Act(payment, "refund", object{{"amount_cents", 0}}), 400);
  EXPECT_EQ(Act(payment, "refund", object{{"amount_cents", 7500}}), 201);
  EXPECT_EQ(Call("GET", PaymentPath(payment), std::nullopt, admin_token_).Json().at("status"),
            "refunded");
  EXPECT_EQ(Act(payment, "refund", object{{"amount_cents", 1}}), 409);
  EXPECT_EQ(Act(payment, "pay"), 409) << "never back";

  // Recorded as paid straight away.
  const auto cash = RecordOk(3000, "paid");
  EXPECT_EQ(Act(cash, "pay"), 409);
  EXPECT_EQ(
      Record(
          object{
              {"amount_cents", 1}, {"currency", "USD"}, {"method", "cash"}, {"status", "refunded"}})
          .status,
      400);
}

TEST_P(PaymentApiTest, ARepeatedTransactionRefReturnsTheFirstPayment) {
  const object body{{"amount_cents", 12000},
                    {"currency", "SGD"},
                    {"method", "card"},
                    {"transaction_ref", "ch_3PqX"},
                    {"status", "paid"}};
  auto first = Record(body);
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = Record(body);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("id"), first.Json().at("id"));
  auto elsewhere = Record(body, other_appointment_);
  EXPECT_EQ(elsewhere.status, 409) << elsewhere.body;
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM payments"), 1);
}

TEST_P(PaymentApiTest, BadPaymentsAreRefusedNamingEachField) {
  auto bad = Record(object{{"amount_cents", 0},
                           {"currency", "usd"},
                           {"method", "bitcoin"},
                           {"transaction_ref", std::string(101, 'x')}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(ProblemFields(bad), ::testing::UnorderedElementsAre("method"))
      << "the JSON layer stops at the unknown method";
  auto rules = Record(object{{"amount_cents", 0},
                             {"currency", "XXX"},
                             {"method", "cash"},
                             {"transaction_ref", std::string(101, 'x')}});
  EXPECT_EQ(rules.status, 400) << rules.body;
  EXPECT_THAT(ProblemFields(rules),
              ::testing::UnorderedElementsAre("amount_cents", "currency", "transaction_ref"));
  EXPECT_EQ(Record(object{{"amount_cents", 1.5}, {"currency", "USD"}, {"method", "cash"}}).status,
            400)
      << "money is integer cents";
  EXPECT_EQ(Record(object{{"amount_cents", 100}, {"currency", "USD"}, {"method", "cash"}},
                   appointment_ + 1000)
                .status,
            404);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM payments"), 0);
}

TEST_P(PaymentApiTest, PatientsSeeTheirOwnLedgerDoctorsAndStrangersDoNot) {
  const auto usd = RecordOk(10000, "paid");
  RecordOk(8000, "paid", "SGD");
  RecordOk(500);  // pending: not in the balance yet
  ASSERT_EQ(Act(usd, "refund", object{{"amount_cents", 2500}}), 201);

  auto ledger = Call("GET", LedgerPath(appointment_), std::nullopt, patient_token_);
  ASSERT_EQ(ledger.status, 200) << ledger.body;
  EXPECT_EQ(ledger.Json().at("items").as_array().size(), 4u);
  EXPECT_EQ(ledger.Json().at("balance"),
            (boost::json::value(boost::json::array{object{{"currency", "SGD"},
                                                          {"paid_cents", 8000},
                                                          {"refunded_cents", 0},
                                                          {"net_cents", 8000}},
                                                   object{{"currency", "USD"},
                                                          {"paid_cents", 10000},
                                                          {"refunded_cents", 2500},
                                                          {"net_cents", 7500}}})));
  auto appointment = Call("GET", "/api/v1/appointments/" + std::to_string(appointment_),
                          std::nullopt, patient_token_);
  EXPECT_EQ(appointment.Json().at("balance"), ledger.Json().at("balance"));
  auto for_doctor = Call("GET", "/api/v1/appointments/" + std::to_string(appointment_),
                         std::nullopt, doctor_token_);
  EXPECT_FALSE(for_doctor.Json().as_object().contains("balance"));

  EXPECT_EQ(Call("GET", LedgerPath(appointment_), std::nullopt, doctor_token_).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/payments", std::nullopt, doctor_token_).status, 403);
  const auto [stranger, stranger_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Call("GET", LedgerPath(appointment_), std::nullopt, stranger_token).status, 404);
  EXPECT_EQ(Call("GET", PaymentPath(usd), std::nullopt, stranger_token).status, 404);
  EXPECT_TRUE(ItemIds(Call("GET", "/api/v1/payments", std::nullopt, stranger_token)).empty());
  EXPECT_EQ(Call("GET", PaymentPath(usd), std::nullopt, patient_token_).status, 200);
  EXPECT_EQ(
      ItemIds(Call("GET", "/api/v1/payments?status=refunded", std::nullopt, patient_token_)).size(),
      1u);
  EXPECT_EQ(
      Call("POST", LedgerPath(appointment_),
           object{{"amount_cents", 1}, {"currency", "USD"}, {"method", "cash"}}, patient_token_)
          .status,
      403);
  EXPECT_EQ(
      Call("POST", PaymentPath(usd, "refund"), object{{"amount_cents", 1}}, patient_token_).status,
      403);
}

TEST_P(PaymentApiTest, ConcurrentRefundsNeverGiveBackMoreThanWasPaid) {
  const auto payment = RecordOk(10000, "paid");
  constexpr int kClients = 10;  // 3000 each: only three fit into 10000
  std::vector<int> statuses(kClients);
  std::latch start(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      test_support::HttpClient client(port());
      start.arrive_and_wait();
      auto response = client.Send({.method = "POST",
                                   .target = PaymentPath(payment, "refund"),
                                   .body = boost::json::serialize(object{{"amount_cents", 3000}}),
                                   .headers = {{"Content-Type", "application/json"},
                                               {"Authorization", "Bearer " + admin_token_}}});
      statuses[static_cast<std::size_t>(i)] = response ? response->status : 0;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 3);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), 7);
  EXPECT_EQ(QueryCount("SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE refund_of_id = " +
                       std::to_string(payment)),
            9000);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(PaymentApiTest);

}  // namespace
}  // namespace clinic::testing
