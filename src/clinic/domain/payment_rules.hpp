#pragma once

#include <cstdint>
#include <string_view>

#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"

namespace clinic::domain {

// Whether `code` is an active ISO 4217 currency code ("USD", "SGD"; upper case only).
bool IsIsoCurrency(std::string_view code);

// What can happen to a recorded payment.
enum class PaymentChange { kPay, kFail, kRefund };

// The payment status machine: pending → paid | failed; paid → refunded, through refunds, once
// they add up to the amount; never back. A refund row (refund_of_id set) is itself final. A move
// the machine does not allow is kFailedPrecondition (409) naming the current status.
Status CheckPaymentChange(const Payment& payment, PaymentChange change);

// A refund of `amount_cents` from `payment`, of which `already_refunded_cents` went back before:
// kInvalidArgument on `amount_cents` unless it is positive, kFailedPrecondition (409) when it is
// more than what is left, so the refunds of a payment never add up to more than was paid.
Status CheckRefund(const Payment& payment, std::int64_t already_refunded_cents,
                   std::int64_t amount_cents);

}  // namespace clinic::domain
