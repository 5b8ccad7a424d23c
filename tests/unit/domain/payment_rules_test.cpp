// The payment status machine, refund limits and currency codes of domain/payment_rules.hpp.

#include "clinic/domain/payment_rules.hpp"

#include <gtest/gtest.h>

#include "support/printers.hpp"

namespace clinic::domain {
namespace {

std::optional<ErrorCode> Outcome(const Status& status) {
  if (status) return std::nullopt;
  return status.error().code;
}

constexpr std::optional<ErrorCode> kAllowed = std::nullopt;
constexpr std::optional<ErrorCode> kRefused = ErrorCode::kFailedPrecondition;

Payment PaymentIn(PaymentStatus status) {
  Payment payment;
  payment.id = 9;
  payment.amount_cents = 10000;
  payment.status = status;
  return payment;
}

TEST(PaymentStatusMachine, EveryMoveFromEveryStatus) {
  using C = PaymentChange;
  using S = PaymentStatus;
  struct Case {
    S from;
    C change;
    std::optional<ErrorCode> outcome;
  };
  const Case cases[] = {
      {S::kPending, C::kPay, kAllowed},    {S::kPending, C::kFail, kAllowed},
      {S::kPending, C::kRefund, kRefused}, {S::kPaid, C::kPay, kRefused},
      {S::kPaid, C::kFail, kRefused},      {S::kPaid, C::kRefund, kAllowed},
      {S::kFailed, C::kPay, kRefused},     {S::kFailed, C::kFail, kRefused},
      {S::kFailed, C::kRefund, kRefused},  {S::kRefunded, C::kPay, kRefused},
      {S::kRefunded, C::kFail, kRefused},  {S::kRefunded, C::kRefund, kRefused},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Outcome(CheckPaymentChange(PaymentIn(c.from), c.change)), c.outcome)
        << Name(c.from) << " change " << static_cast<int>(c.change);
  }
}

TEST(PaymentStatusMachine, ARefundRowNeverChanges) {
  auto refund = PaymentIn(PaymentStatus::kPending);
  refund.refund_of_id = 3;
  for (const auto change : {PaymentChange::kPay, PaymentChange::kFail, PaymentChange::kRefund}) {
    EXPECT_EQ(Outcome(CheckPaymentChange(refund, change)), kRefused);
  }
}

TEST(Refunds, NeverMoreThanIsLeft) {
  const auto paid = PaymentIn(PaymentStatus::kPaid);
  EXPECT_EQ(Outcome(CheckRefund(paid, 0, 10000)), kAllowed);
  EXPECT_EQ(Outcome(CheckRefund(paid, 2500, 7500)), kAllowed);
  EXPECT_EQ(Outcome(CheckRefund(paid, 2500, 7501)), kRefused);
  EXPECT_EQ(Outcome(CheckRefund(paid, 0, 0)), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Outcome(CheckRefund(paid, 0, -5)), ErrorCode::kInvalidArgument);
}

TEST(Currencies, IsoCodesInUpperCaseOnly) {
  for (const auto* code : {"USD", "SGD", "EUR", "JPY", "INR", "GBP", "CHF"}) {
    EXPECT_TRUE(IsIsoCurrency(code)) << code;
  }
  for (const auto* code : {"usd", "XXX", "EURO", "", "US", "U$D"}) {
    EXPECT_FALSE(IsIsoCurrency(code)) << code;
  }
}

}  // namespace
}  // namespace clinic::domain
