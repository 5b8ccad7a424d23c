// The outbox over HTTP, against a real clinicd on SQLite and on MariaDB with the embedded document
// store (docs/decisions.md "Outbox"): a booking change commits without waiting for the document
// store, and its system message follows once the store answers, exactly once.

#include <gmock/gmock.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "support/booking_fixture.hpp"
#include "support/matchers.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class OutboxApiTest : public BookingApiTest {
 protected:
  void SetUp() override {
    BookingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    location_ = CreateLocation("Asia/Singapore");
    doctor_ = CreateDoctor("heart@clinic.example");
    std::tie(patient_, patient_token_) = RegisterPatient("ana@example.com");
  }

  std::int64_t BookOk(int hour) {
    auto booked =
        Call("POST", "/api/v1/appointments",
             object{{"slot_id", CreateSlot(doctor_, location_, On2030(hour), On2030(hour + 1))}},
             patient_token_);
    EXPECT_EQ(booked.status, 201) << booked.body;
    return booked.status == 201 ? booked.Json().at("id").as_int64() : 0;
  }

  // The system messages on the appointment's thread, oldest first.
  std::vector<std::string> SystemMessages(std::int64_t appointment) {
    auto thread = Call("GET", "/api/v1/appointments/" + std::to_string(appointment) + "/messages",
                       std::nullopt, patient_token_);
    EXPECT_EQ(thread.status, 200) << thread.body;
    std::vector<std::string> texts;
    if (thread.status != 200) return texts;
    const auto json = thread.Json();
    for (const auto& item : json.at("items").as_array()) {
      if (item.at("type") == "system") texts.emplace(texts.begin(), item.at("text").as_string());
    }
    return texts;
  }

  // The value of a counter on /metrics (0 when absent).
  double Metric(const std::string& name) {
    const auto page = Call("GET", "/metrics");
    const auto at = page.body.find("\n" + name + " ");
    if (at == std::string::npos) return 0;
    return std::stod(page.body.substr(at + name.size() + 2));
  }

  std::int64_t location_ = 0;
  std::int64_t doctor_ = 0;
  std::int64_t patient_ = 0;
  std::string patient_token_;
};

TEST_P(OutboxApiTest, BookingsCommitWhileTheDocumentStoreIsDownAndTheirMessagesFollowOnce) {
  // The document store stops answering: another process holds its file's write lock.
  auto docs = storage::sqlite::ParseSqliteUri(docs_uri());
  ASSERT_THAT(docs, IsOk());
  auto blocker = storage::sqlite::MakeSqliteConnectionFactory(*docs)->Open();
  ASSERT_THAT(blocker, IsOk());
  ASSERT_THAT((*blocker)->Execute("BEGIN EXCLUSIVE", {}), IsOk());

  const auto first = BookOk(1);
  const auto second = BookOk(3);
  ASSERT_EQ(Call("POST", "/api/v1/appointments/" + std::to_string(second) + "/cancel",
                 object{{"reason", "clash at work"}}, patient_token_)
                .status,
            200);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM outbox WHERE applied_at IS NULL"), 3)
      << "every change waits in the outbox";
  // The relay meets the outage (its writes time out on the lock) and keeps the entries.
  for (int i = 0; i < 600 && Metric("clinic_outbox_failed_attempts_total") < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(Metric("clinic_outbox_failed_attempts_total"), 1);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM outbox WHERE applied_at IS NULL"), 3);

  ASSERT_THAT((*blocker)->Execute("ROLLBACK", {}), IsOk());
  WaitForOutbox();
  EXPECT_THAT(SystemMessages(first),
              ElementsAre(HasSubstr("Appointment booked for Mon  7 Jan 2030, 09:00")));
  const auto cancelled = SystemMessages(second);
  ASSERT_EQ(cancelled.size(), 2u);
  EXPECT_THAT(cancelled[0], HasSubstr("booked for Mon  7 Jan 2030, 11:00"));
  EXPECT_THAT(cancelled[1], HasSubstr("cancelled: clash at work"));
  EXPECT_EQ(Metric("clinic_outbox_pending"), 0);
}

TEST_P(OutboxApiTest, AnEntryAppliedAgainAfterALostLeasePostsNothingTwice) {
  const auto appointment = BookOk(1);
  WaitForOutbox();
  ASSERT_EQ(SystemMessages(appointment).size(), 1u);
  // As if the instance applying it had died after posting and before recording that it did: the
  // entry is due again, and some relay applies it a second time.
  auto connection = database().factory().Open();
  ASSERT_THAT(connection, IsOk());
  ASSERT_THAT((*connection)
                  ->Execute("UPDATE outbox SET applied_at = NULL, "
                            "next_attempt_at = '2000-01-01 00:00:00'",
                            {}),
              IsOk());
  WaitForOutbox();
  EXPECT_EQ(SystemMessages(appointment).size(), 1u);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(OutboxApiTest);

}  // namespace
}  // namespace clinic::testing
