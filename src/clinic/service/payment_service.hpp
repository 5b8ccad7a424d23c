#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// A payment the front desk records for an appointment.
struct NewPayment {
  std::int64_t amount_cents = 0;
  std::string currency;
  domain::PaymentMethod method = domain::PaymentMethod::kCash;
  std::optional<std::string> transaction_ref;
  // pending (the default) or paid; nothing else may be recorded directly.
  domain::PaymentStatus status = domain::PaymentStatus::kPending;
};

// The payment a Record call answers with, whether it was recorded before under the same
// transaction_ref, and whether an earlier request with the same Idempotency-Key recorded it; in
// either case nothing changed now.
struct RecordedPayment {
  domain::Payment payment;
  bool existing = false;
  bool replayed = false;
};

// An appointment's ledger: its payments and refunds, and what they add up to per currency.
struct AppointmentLedger {
  std::vector<domain::Payment> payments;
  std::vector<domain::CurrencyBalance> balance;
};

struct PaymentQuery {
  std::optional<Id> appointment_id;
  std::optional<Id> patient_id;
  std::optional<domain::PaymentStatus> status;
  domain::PageRequest page;
};

// Payments and refunds (DESIGN.md §6). Money is integer cents in one ISO 4217 currency per row;
// a balance is computed per currency and never across them. Refunds are rows of their own that
// point at the payment they give money back from, so the ledger of an appointment always sums:
// balance = paid − refunded. Each change locks the payment it changes and writes its audit row
// in the same transaction ("payment.record", ".pay", ".fail", ".refund"). Thread-safe.
class PaymentService {
 public:
  PaymentService(storage::Store& store, const Clock& clock);

  // Records a payment for the appointment (admins). Rules (kInvalidArgument naming each field):
  // amount_cents 1..4294967295, currency an ISO 4217 code, transaction_ref 1..100 printable
  // characters, status pending or paid (paid sets paid_at). A transaction_ref recorded before for
  // the same appointment, amount, currency and method returns that payment with `existing` and
  // records nothing; one recorded for anything else is kAlreadyExists (409). Once per
  // Idempotency-Key (CreateOnce).
  Result<RecordedPayment> Record(const domain::RequestContext& context, Id appointment_id,
                                 const NewPayment& payment);
  // pending → paid (sets paid_at) and pending → failed (admins); anything else is 409.
  Result<domain::Payment> Pay(const domain::RequestContext& context, Id payment_id);
  Result<domain::Payment> MarkFailed(const domain::RequestContext& context, Id payment_id);
  // Gives back `amount_cents` of a paid payment as a refund row (admins), and marks the payment
  // refunded once its refunds add up to its amount. More than is left is 409, also when several
  // refunds race: they queue on the payment's row lock. Answers the refund row; once per
  // Idempotency-Key (CreateOnce).
  Result<Created<domain::Payment>> Refund(const domain::RequestContext& context, Id payment_id,
                                          std::int64_t amount_cents);
  Result<domain::Payment> Get(const domain::RequestContext& context, Id payment_id);
  Result<AppointmentLedger> Ledger(const domain::RequestContext& context, Id appointment_id);
  // Only the balance of the ledger, for the appointment view.
  Result<std::vector<domain::CurrencyBalance>> Balance(const domain::RequestContext& context,
                                                       Id appointment_id);
  Result<domain::Page<domain::Payment>> List(const domain::RequestContext& context,
                                             const PaymentQuery& query);

 private:
  Result<domain::Payment> Settle(const domain::RequestContext& context, Id payment_id, bool paid);

  storage::Store& store_;
  const Clock& clock_;
};

}  // namespace clinic::service
