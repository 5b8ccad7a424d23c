// The admin reports over HTTP on SQLite and MariaDB, checked against figures computed by hand
// from a small fixture. Days are the location's local days: the fixture has a visit at 04:30 UTC,
// which is the evening before in New York, and one at 15:30 UTC, which is nearly midnight in
// Singapore, and payments on either side of Singapore's midnight.

#include <fmt/format.h>
#include <gmock/gmock.h>

#include "clinic/common/time.hpp"
#include "clinic/storage/sql/sql_store.hpp"
#include "support/booking_fixture.hpp"
#include "support/matchers.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using boost::json::value;
using namespace std::chrono_literals;
using domain::AppointmentStatus;

// 2030-01-07 00:00 UTC plus `offset`.
Instant Jan7(std::chrono::minutes offset) {
  return std::chrono::sys_days{std::chrono::year{2030} / 1 / 7} + offset;
}

class ReportApiTest : public BookingApiTest {
 protected:
  void SetUp() override {
    BookingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    store_ = storage::sql::MakeSqlStore(database().NewFactory(), 1);
    new_york_ = CreateLocation("America/New_York");
    singapore_ = CreateLocation("Asia/Singapore");
    heart_ = CreateDoctor("heart@clinic.example", "Cardiology");
    skin_ = CreateDoctor("skin@clinic.example", "Dermatology");
    patient_ = RegisterPatient("ana@example.com").first;

    // New York (UTC−5 in January), the cardiologist:
    const auto s1 = Visit(heart_, new_york_, Jan7(14h), AppointmentStatus::kCompleted);  // 01-07
    Visit(heart_, new_york_, Jan7(15h), AppointmentStatus::kNoShow);                     // 01-07
    Visit(heart_, new_york_, Jan7(28h + 30min), AppointmentStatus::kScheduled);  // 01-07 23:30
    Visit(heart_, new_york_, Jan7(38h), AppointmentStatus::kCancelled);  // 01-08, slot offered
    const auto blocked = InsertSlot(heart_, new_york_, Jan7(39h), Jan7(39h + 30min));  // 01-08
    Run("UPDATE doctor_time_slots SET is_available = 0 WHERE id = " + std::to_string(blocked));
    // Singapore (UTC+8), the dermatologist:
    const auto t1 = Visit(skin_, singapore_, Jan7(15h + 30min), AppointmentStatus::kCompleted);
    const auto t2 = Visit(skin_, singapore_, Jan7(16h + 30min), AppointmentStatus::kCompleted);
    InsertSlot(skin_, singapore_, Jan7(25h), Jan7(25h + 30min));  // 01-08 09:00, free

    // Money: USD in New York on 01-07 (and a refund that evening, 22:00 local = 03:00 UTC next
    // day); SGD in Singapore at 00:00 and 01:00 local on 01-08 (16:00 and 17:00 UTC on 01-07).
    const auto usd = Pay(s1, 15000, "USD", Jan7(14h + 45min));
    Pay(t1, 8000, "SGD", Jan7(16h));
    Pay(t2, 8000, "SGD", Jan7(17h));
    Run(
        fmt::format("INSERT INTO payments (appointment_id, amount_cents, currency, method, "
                    "status, refund_of_id, created_at) VALUES ({}, 5000, 'USD', 'card', "
                    "'refunded', {}, '{}')",
                    s1, usd, FormatSqlDateTime(Jan7(27h))));
  }

  void Run(const std::string& sql) {
    auto connection = database().factory().Open();
    ASSERT_THAT(connection, IsOk());
    auto done = (*connection)->Execute(sql, {});
    ASSERT_TRUE(done) << sql << ": " << done.error().message;
  }

  // An appointment of the patient with `status` on a new half-hour slot at `start`.
  std::int64_t Visit(std::int64_t doctor, std::int64_t location, Instant start,
                     AppointmentStatus status) {
    const auto id = InsertAppointment(InsertSlot(doctor, location, start, start + 30min), patient_);
    Run(fmt::format("UPDATE appointments SET status = '{}' WHERE id = {}", domain::Name(status),
                    id));
    return id;
  }

  std::int64_t Pay(std::int64_t appointment, std::int64_t cents, const std::string& currency,
                   Instant paid_at) {
    auto payment =
        storage::InTransaction(*store_, storage::TxMode::kWrite, [&](storage::Transaction& tx) {
          return tx.payments().Create({.appointment_id = appointment,
                                       .amount_cents = cents,
                                       .currency = currency,
                                       .method = domain::PaymentMethod::kCard,
                                       .status = domain::PaymentStatus::kPaid,
                                       .paid_at = paid_at});
        });
    EXPECT_THAT(payment, IsOk());
    return payment ? payment->id : 0;
  }

  value Rows(const std::string& target) {
    auto response = Call("GET", target, std::nullopt, admin_token_);
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    return response.status == 200 ? response.Json().at("rows") : value();
  }

  std::unique_ptr<storage::Store> store_;
  std::int64_t new_york_ = 0;
  std::int64_t singapore_ = 0;
  std::int64_t heart_ = 0;
  std::int64_t skin_ = 0;
  std::int64_t patient_ = 0;
};

object Figures(const std::string& key, const std::string& label, int booked, int completed,
               int cancelled, int no_show, int offered, value no_show_rate, value utilisation) {
  return {{"key", key},
          {"label", label},
          {"booked", booked},
          {"completed", completed},
          {"cancelled", cancelled},
          {"no_show", no_show},
          {"offered_slots", offered},
          {"no_show_rate", no_show_rate},
          {"utilisation", utilisation}};
}

object Money(const std::string& key, const std::string& label, const std::string& currency,
             int paid, int refunded) {
  return {{"key", key},
          {"label", label},
          {"currency", currency},
          {"paid_cents", paid},
          {"refunded_cents", refunded},
          {"net_cents", paid - refunded}};
}

TEST_P(ReportApiTest, AppointmentFiguresPerLocalDay) {
  EXPECT_EQ(
      Rows("/api/v1/reports/appointments?from=2030-01-07&to=2030-01-08&group_by=day"),
      value(boost::json::array{Figures("2030-01-07", "2030-01-07", 4, 2, 0, 1, 4, 0.3333, 1.0),
                               Figures("2030-01-08", "2030-01-08", 1, 1, 1, 0, 3, 0.0, 0.3333)}));
  // 04:30 UTC on the 8th is still the 7th in New York, so it is not in a report of the 8th.
  EXPECT_EQ(
      Rows("/api/v1/reports/appointments?from=2030-01-08&to=2030-01-08"),
      value(boost::json::array{Figures("2030-01-08", "2030-01-08", 1, 1, 1, 0, 3, 0.0, 0.3333)}));
}

TEST_P(ReportApiTest, AppointmentFiguresPerDoctorLocationAndSpecialization) {
  const std::string period = "from=2030-01-07&to=2030-01-08";
  EXPECT_EQ(Rows("/api/v1/reports/appointments?group_by=doctor&" + period),
            value(boost::json::array{
                Figures(std::to_string(heart_), "Dana Scully", 3, 1, 1, 1, 4, 0.5, 0.75),
                Figures(std::to_string(skin_), "Dana Scully", 2, 2, 0, 0, 3, 0.0, 0.6667)}));
  EXPECT_EQ(
      Rows("/api/v1/reports/appointments?group_by=specialization&" + period),
      value(boost::json::array{Figures("Cardiology", "Cardiology", 3, 1, 1, 1, 4, 0.5, 0.75),
                               Figures("Dermatology", "Dermatology", 2, 2, 0, 0, 3, 0.0, 0.6667)}));
  const auto by_location = Rows("/api/v1/reports/appointments?group_by=location&" + period);
  ASSERT_EQ(by_location.as_array().size(), 2u);
  EXPECT_EQ(by_location.at(0).at("key").as_string(), std::to_string(new_york_));
  EXPECT_EQ(by_location.at(0).at("booked"), 3);
}

TEST_P(ReportApiTest, RevenuePerLocalDayAndCurrencyNeverMixesCurrencies) {
  EXPECT_EQ(Rows("/api/v1/reports/revenue?from=2030-01-07&to=2030-01-08"),
            value(boost::json::array{Money("2030-01-07", "2030-01-07", "USD", 15000, 5000),
                                     Money("2030-01-08", "2030-01-08", "SGD", 16000, 0)}));
  EXPECT_EQ(Rows("/api/v1/reports/revenue?from=2030-01-07&to=2030-01-08&currency=USD"),
            value(boost::json::array{Money("2030-01-07", "2030-01-07", "USD", 15000, 5000)}));
  EXPECT_EQ(Rows("/api/v1/reports/revenue?from=2030-01-07&to=2030-01-07&group_by=specialization"),
            value(boost::json::array{Money("Cardiology", "Cardiology", "USD", 15000, 5000)}));
}

TEST_P(ReportApiTest, CsvOnRequestAndOnlyForAdmins) {
  auto csv = Call("GET", "/api/v1/reports/revenue?from=2030-01-07&to=2030-01-08", std::nullopt,
                  admin_token_, {{"Accept", "text/csv"}});
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.Header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body,
            "key,label,currency,paid_cents,refunded_cents,net_cents\r\n"
            "2030-01-07,2030-01-07,USD,15000,5000,10000\r\n"
            "2030-01-08,2030-01-08,SGD,16000,0,16000\r\n");
  EXPECT_THAT(csv.Header("Content-Disposition"), ::testing::HasSubstr("attachment"));

  const auto [other, patient_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Call("GET", "/api/v1/reports/revenue?from=2030-01-07&to=2030-01-08", std::nullopt,
                 patient_token)
                .status,
            403);
  EXPECT_EQ(Call("GET", "/api/v1/reports/appointments?from=2030-01-07&to=2030-01-08").status, 401);
  auto backwards = Call("GET", "/api/v1/reports/appointments?from=2030-01-08&to=2030-01-07",
                        std::nullopt, admin_token_);
  EXPECT_EQ(backwards.status, 400);
  EXPECT_THAT(ProblemFields(backwards), ::testing::ElementsAre("to"));
  EXPECT_EQ(Call("GET", "/api/v1/reports/appointments?to=2030-01-07&group_by=week", std::nullopt,
                 admin_token_)
                .status,
            400);
  EXPECT_EQ(Call("GET", "/api/v1/reports/revenue?from=2030-01-07&to=2030-01-08&currency=EURO",
                 std::nullopt, admin_token_)
                .status,
            400);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(ReportApiTest);

}  // namespace
}  // namespace clinic::testing
