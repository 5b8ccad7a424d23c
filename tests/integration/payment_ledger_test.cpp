// The payment service straight over the store on SQLite and MariaDB, where requests race: the
// concurrent cases also run under ThreadSanitizer in the test script.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "clinic/service/payment_service.hpp"
#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using namespace std::chrono_literals;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

class PaymentLedgerTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    const auto doctor = NewDoctor(std::nullopt, "d@clinic.example");
    const auto patient = NewPatient("p@example.com");
    const auto slot = NewSlot(doctor.id, At(0), 30min);
    auto appointment = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
      return tx.appointments().Create(
          {.slot_id = slot.id, .doctor_id = doctor.id, .patient_id = patient.id});
    });
    ASSERT_THAT(appointment, IsOk());
    appointment_id_ = appointment->id;
  }

  template <typename Body>
  void Race(int threads, Body body) {
    std::vector<std::thread> racers;
    for (int i = 0; i < threads; ++i) racers.emplace_back(body);
    for (auto& racer : racers) racer.join();
  }

  const domain::RequestContext admin_{.actor = {.role = domain::Role::kAdmin, .id = 1}};
  SystemClock clock_;
  Id appointment_id_ = 0;
};

TEST_P(PaymentLedgerTest, ConcurrentRefundsOfOnePaymentNeverExceedIt) {
  service::PaymentService payments(store(), clock_);
  auto paid = payments.Record(
      admin_, appointment_id_,
      {.amount_cents = 10000, .currency = "USD", .status = domain::PaymentStatus::kPaid});
  ASSERT_THAT(paid, IsOk());
  std::atomic<int> refunded{0};
  std::atomic<int> refused{0};
  Race(8, [&] {
    auto refund = payments.Refund(admin_, paid->payment.id, 3000);
    if (refund) {
      ++refunded;
    } else if (refund.error().code == ErrorCode::kFailedPrecondition) {
      ++refused;
    }
  });
  EXPECT_EQ(refunded.load(), 3);
  EXPECT_EQ(refused.load(), 5);
  auto ledger = payments.Ledger(admin_, appointment_id_);
  ASSERT_TRUE(ledger);
  ASSERT_EQ(ledger->balance.size(), 1u);
  EXPECT_EQ(ledger->balance[0].refunded_cents, 9000);
}

TEST_P(PaymentLedgerTest, ConcurrentRecordsOfOneTransactionRefMakeOnePayment) {
  service::PaymentService payments(store(), clock_);
  std::atomic<int> answered{0};
  std::vector<Id> ids(8);
  std::atomic<int> next{0};
  Race(8, [&] {
    auto recorded = payments.Record(admin_, appointment_id_,
                                    {.amount_cents = 2500,
                                     .currency = "SGD",
                                     .method = domain::PaymentMethod::kCard,
                                     .transaction_ref = "ch_same"});
    if (recorded) {
      ++answered;
      ids[static_cast<std::size_t>(next++)] = recorded->payment.id;
    }
  });
  EXPECT_EQ(answered.load(), 8);
  for (const Id id : ids) EXPECT_EQ(id, ids[0]);
  auto rows = raw().Query("SELECT COUNT(*) FROM payments", {});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->at(0).Int(0), 1);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(PaymentLedgerTest);

}  // namespace
}  // namespace clinic::testing
