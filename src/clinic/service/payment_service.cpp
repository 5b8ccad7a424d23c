#include "clinic/service/payment_service.hpp"

#include <fmt/format.h>

#include "clinic/domain/payment_rules.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/audit_trail.hpp"

namespace clinic::service {
namespace {

using domain::PaymentChange;
using domain::PaymentStatus;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

// payments.amount_cents is INT UNSIGNED.
constexpr std::int64_t kMaxAmountCents = 4294967295;
constexpr std::size_t kMaxTransactionRefChars = 100;

// The payment, with the caller allowed to read its appointment's payments.
Result<domain::Payment> LoadReadable(Transaction& tx, const domain::Principal& caller,
                                     Id payment_id) {
  CLINIC_ASSIGN_OR_RETURN(auto payment, tx.payments().Get(payment_id));
  CLINIC_ASSIGN_OR_RETURN(auto appointment, tx.appointments().GetListing(payment.appointment_id));
  auto allowed = domain::AuthorizePaymentRead(caller, appointment);
  if (!allowed && allowed.error().code == ErrorCode::kNotFound) {
    return Fail(Error::NotFound(fmt::format("payment {} not found", payment_id)));
  }
  CLINIC_TRY_STATUS(std::move(allowed));
  return payment;
}

// A transaction_ref names one payment: recording it again is a retry only when it is for the same
// appointment, amount, currency and method (the status may have moved on since); anything else
// is kAlreadyExists on the field, and nothing is recorded.
Status SamePaymentAgain(const domain::Payment& earlier, Id appointment_id,
                        const NewPayment& payment) {
  const std::string& ref = *earlier.transaction_ref;
  if (earlier.appointment_id != appointment_id) {
    return Fail(Error::AlreadyExists(
        fmt::format("transaction_ref {} is already recorded for another appointment", ref)));
  }
  if (earlier.amount_cents != payment.amount_cents || earlier.currency != payment.currency ||
      earlier.method != payment.method) {
    Error differs = Error::AlreadyExists(fmt::format(
        "transaction_ref {} is already recorded with a different amount, currency or method", ref));
    differs.fields.push_back({"transaction_ref", "is already recorded for a different payment"});
    return Fail(std::move(differs));
  }
  return Ok();
}

}  // namespace

PaymentService::PaymentService(storage::Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Result<RecordedPayment> PaymentService::Record(const domain::RequestContext& context,
                                               Id appointment_id, const NewPayment& payment) {
  CLINIC_TRY_STATUS(domain::AuthorizePaymentWrite(context.actor));
  domain::Validator check;
  if (payment.amount_cents < 1 || payment.amount_cents > kMaxAmountCents) {
    check.Add("amount_cents", fmt::format("must be between 1 and {}", kMaxAmountCents));
  }
  if (!domain::IsIsoCurrency(payment.currency)) {
    check.Add("currency", "must be an ISO 4217 currency code in upper case, e.g. USD");
  }
  const auto ref =
      check.OptionalText("transaction_ref", payment.transaction_ref, kMaxTransactionRefChars);
  if (payment.status != PaymentStatus::kPending && payment.status != PaymentStatus::kPaid) {
    check.Add("status", "a payment is recorded as pending or paid");
  }
  CLINIC_TRY_STATUS(check.Finish("the payment is not valid"));

  const Instant now = clock_.Now();
  bool existing = false;
  const auto record = [&](Transaction& tx) -> Result<Id> {
    existing = false;
    CLINIC_TRY_STATUS(tx.appointments().Get(appointment_id));
    if (ref) {
      CLINIC_ASSIGN_OR_RETURN(auto earlier, tx.payments().FindByTransactionRef(*ref));
      if (earlier) {
        CLINIC_TRY_STATUS(SamePaymentAgain(*earlier, appointment_id, payment));
        existing = true;
        return earlier->id;
      }
    }
    const bool paid = payment.status == PaymentStatus::kPaid;
    CLINIC_ASSIGN_OR_RETURN(
        auto stored, tx.payments().Create({.appointment_id = appointment_id,
                                           .amount_cents = payment.amount_cents,
                                           .currency = payment.currency,
                                           .method = payment.method,
                                           .status = payment.status,
                                           .transaction_ref = ref,
                                           .paid_at = paid ? std::optional{now} : std::nullopt}));
    CLINIC_TRY_STATUS(
        Audit(tx, clock_, context, "payment.record", "payment", stored.id,
              fmt::format("appointment {}: {} {} {}", appointment_id, stored.amount_cents,
                          stored.currency, domain::Name(stored.status))));
    return stored.id;
  };
  const auto load = [](Transaction& tx, Id id) { return tx.payments().Get(id); };
  auto recorded = CreateOnce(store_, clock_, context, "payment.record", record, load);
  // Two requests with one new transaction_ref: the unique index lets one in; the other answers
  // with what the winner recorded.
  if (!recorded && recorded.error().code == ErrorCode::kAlreadyExists && ref) {
    recorded = CreateOnce(store_, clock_, context, "payment.record", record, load);
  }
  if (!recorded) return Fail(std::move(recorded).error());
  return RecordedPayment{
      .payment = std::move(recorded->value), .existing = existing, .replayed = recorded->replayed};
}

Result<domain::Payment> PaymentService::Pay(const domain::RequestContext& context, Id payment_id) {
  return Settle(context, payment_id, /*paid=*/true);
}

Result<domain::Payment> PaymentService::MarkFailed(const domain::RequestContext& context,
                                                   Id payment_id) {
  return Settle(context, payment_id, /*paid=*/false);
}

Result<domain::Payment> PaymentService::Settle(const domain::RequestContext& context, Id payment_id,
                                               bool paid) {
  CLINIC_TRY_STATUS(domain::AuthorizePaymentWrite(context.actor));
  const Instant now = clock_.Now();
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Payment> {
    CLINIC_ASSIGN_OR_RETURN(auto payment, tx.payments().GetForUpdate(payment_id));
    CLINIC_TRY_STATUS(
        domain::CheckPaymentChange(payment, paid ? PaymentChange::kPay : PaymentChange::kFail));
    CLINIC_TRY_STATUS(tx.payments().SetStatus(payment_id,
                                              paid ? PaymentStatus::kPaid : PaymentStatus::kFailed,
                                              paid ? std::optional{now} : std::nullopt));
    CLINIC_TRY_STATUS(
        Audit(tx, clock_, context, paid ? "payment.pay" : "payment.fail", "payment", payment_id));
    return tx.payments().Get(payment_id);
  });
}

Result<Created<domain::Payment>> PaymentService::Refund(const domain::RequestContext& context,
                                                        Id payment_id, std::int64_t amount_cents) {
  CLINIC_TRY_STATUS(domain::AuthorizePaymentWrite(context.actor));
  const auto give_back = [&](Transaction& tx) -> Result<Id> {
    CLINIC_ASSIGN_OR_RETURN(auto payment, tx.payments().GetForUpdate(payment_id));
    CLINIC_ASSIGN_OR_RETURN(const auto refunded, tx.payments().RefundedCents(payment_id));
    CLINIC_TRY_STATUS(domain::CheckRefund(payment, refunded, amount_cents));
    CLINIC_ASSIGN_OR_RETURN(auto refund, tx.payments().Create({
                                             .appointment_id = payment.appointment_id,
                                             .amount_cents = amount_cents,
                                             .currency = payment.currency,
                                             .method = payment.method,
                                             .status = PaymentStatus::kRefunded,
                                             .refund_of_id = payment_id,
                                         }));
    if (refunded + amount_cents == payment.amount_cents) {
      CLINIC_TRY_STATUS(
          tx.payments().SetStatus(payment_id, PaymentStatus::kRefunded, std::nullopt));
    }
    CLINIC_TRY_STATUS(
        Audit(tx, clock_, context, "payment.refund", "payment", refund.id,
              fmt::format("{} {} of payment {}", amount_cents, payment.currency, payment_id)));
    return refund.id;
  };
  return CreateOnce(store_, clock_, context, "payment.refund", give_back,
                    [](Transaction& tx, Id id) { return tx.payments().Get(id); });
}

Result<domain::Payment> PaymentService::Get(const domain::RequestContext& context, Id payment_id) {
  return InTransaction(store_, TxMode::kRead, [&](Transaction& tx) -> Result<domain::Payment> {
    return LoadReadable(tx, context.actor, payment_id);
  });
}

Result<AppointmentLedger> PaymentService::Ledger(const domain::RequestContext& context,
                                                 Id appointment_id) {
  return InTransaction(store_, TxMode::kRead, [&](Transaction& tx) -> Result<AppointmentLedger> {
    CLINIC_ASSIGN_OR_RETURN(auto appointment, tx.appointments().GetListing(appointment_id));
    CLINIC_TRY_STATUS(domain::AuthorizePaymentRead(context.actor, appointment));
    AppointmentLedger ledger;
    CLINIC_ASSIGN_OR_RETURN(ledger.payments, tx.payments().ListForAppointment(appointment_id));
    CLINIC_ASSIGN_OR_RETURN(ledger.balance, tx.payments().BalanceFor(appointment_id));
    return ledger;
  });
}

Result<std::vector<domain::CurrencyBalance>> PaymentService::Balance(
    const domain::RequestContext& context, Id appointment_id) {
  return InTransaction(
      store_, TxMode::kRead, [&](Transaction& tx) -> Result<std::vector<domain::CurrencyBalance>> {
        CLINIC_ASSIGN_OR_RETURN(auto appointment, tx.appointments().GetListing(appointment_id));
        CLINIC_TRY_STATUS(domain::AuthorizePaymentRead(context.actor, appointment));
        return tx.payments().BalanceFor(appointment_id);
      });
}

Result<domain::Page<domain::Payment>> PaymentService::List(const domain::RequestContext& context,
                                                           const PaymentQuery& query) {
  CLINIC_ASSIGN_OR_RETURN(const auto only_patient, domain::AuthorizePaymentList(context.actor));
  storage::PaymentFilter filter{.appointment_id = query.appointment_id,
                                .patient_id = query.patient_id,
                                .status = query.status};
  if (only_patient) {
    if (filter.patient_id && *filter.patient_id != *only_patient) {
      return domain::Page<domain::Payment>{};
    }
    filter.patient_id = only_patient;
  }
  return InTransaction(store_, TxMode::kRead,
                       [&](Transaction& tx) { return tx.payments().List(filter, query.page); });
}

}  // namespace clinic::service
