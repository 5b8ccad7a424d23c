#include "clinic/domain/payment_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace clinic::domain {
namespace {

// ISO 4217 codes in use (list one, 2024), sorted for binary search.
constexpr auto kIsoCurrencies = std::to_array<std::string_view>(
    {"AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
     "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
     "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
     "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
     "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
     "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
     "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
     "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
     "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
     "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
     "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
     "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL"});

static_assert(std::is_sorted(kIsoCurrencies.begin(), kIsoCurrencies.end()));

Error NotAllowed(const Payment& payment, std::string_view what) {
  return Error::FailedPrecondition(
      fmt::format("payment {} is {} and cannot be {}", payment.id, Name(payment.status), what));
}

}  // namespace

bool IsIsoCurrency(std::string_view code) {
  return std::binary_search(kIsoCurrencies.begin(), kIsoCurrencies.end(), code);
}

Status CheckPaymentChange(const Payment& payment, PaymentChange change) {
  if (payment.refund_of_id) {
    return Fail(Error::FailedPrecondition(
        fmt::format("payment {} is a refund, which cannot change", payment.id)));
  }
  switch (change) {
    case PaymentChange::kPay:
      if (payment.status != PaymentStatus::kPending) return Fail(NotAllowed(payment, "paid"));
      return Ok();
    case PaymentChange::kFail:
      if (payment.status != PaymentStatus::kPending) {
        return Fail(NotAllowed(payment, "marked as failed"));
      }
      return Ok();
    case PaymentChange::kRefund:
      if (payment.status == PaymentStatus::kRefunded) {
        return Fail(Error::FailedPrecondition(
            fmt::format("payment {} is already refunded in full", payment.id)));
      }
      if (payment.status != PaymentStatus::kPaid) return Fail(NotAllowed(payment, "refunded"));
      return Ok();
  }
  return Ok();
}

Status CheckRefund(const Payment& payment, std::int64_t already_refunded_cents,
                   std::int64_t amount_cents) {
  CLINIC_TRY_STATUS(CheckPaymentChange(payment, PaymentChange::kRefund));
  if (amount_cents <= 0) {
    return Fail(Error::InvalidField("amount_cents", "must be a positive number of cents"));
  }
  const std::int64_t left = payment.amount_cents - already_refunded_cents;
  if (amount_cents > left) {
    return Fail(Error::FailedPrecondition(
        fmt::format("refund of {} cents is more than the {} cents left of payment {}", amount_cents,
                    left, payment.id)));
  }
  return Ok();
}

}  // namespace clinic::domain
