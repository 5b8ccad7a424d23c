#include "clinic/storage/sql/sql_payment_repository.hpp"

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

using domain::Payment;

struct PaymentTable {
  using Record = Payment;
  static constexpr std::string_view kTable = "payments";
  static constexpr std::string_view kNoun = "payment";
  static constexpr std::string_view kColumns =
      "id, appointment_id, amount_cents, currency, method, status, transaction_ref, refund_of_id, "
      "paid_at, created_at, updated_at";
  static Payment FromRow(const Row& r) {
    return Payment{r.Int(0),
                   r.Int(1),
                   r.Int(2),
                   r.Text(3),
                   domain::ParsePaymentMethod(r.Text(4)).value_or(domain::PaymentMethod::kOther),
                   domain::ParsePaymentStatus(r.Text(5)).value_or(domain::PaymentStatus::kPending),
                   r.OptText(6),
                   r.OptInt(7),
                   OptInstantAt(r, 8),
                   InstantAt(r, 9),
                   InstantAt(r, 10)};
  }
};

}  // namespace

Result<Payment> SqlPaymentRepository::Create(const Payment& p) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute(
          "INSERT INTO payments (appointment_id, amount_cents, currency, method, status, "
          "transaction_ref, refund_of_id, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {Value{p.appointment_id}, Value{p.amount_cents}, Value{p.currency},
           Value{std::string(domain::Name(p.method))}, Value{std::string(domain::Name(p.status))},
           ToValue(p.transaction_ref), ToValue(p.refund_of_id), ToValue(p.paid_at)}));
  return Get(result.last_insert_id);
}

Result<Payment> SqlPaymentRepository::Get(Id id) { return GetById<PaymentTable>(c_, id); }

Result<Payment> SqlPaymentRepository::GetForUpdate(Id id) {
  return GetById<PaymentTable>(c_, id, RowLockSuffix(c_));
}

Result<std::optional<Payment>> SqlPaymentRepository::FindByTransactionRef(const std::string& ref) {
  return QueryOne<PaymentTable>(c_, Select<PaymentTable>("WHERE transaction_ref = ?"),
                                {Value{ref}});
}

Result<std::vector<Payment>> SqlPaymentRepository::ListForAppointment(Id appointment_id) {
  const std::vector<Value> params{Value{appointment_id}};
  return QueryAll<PaymentTable>(c_, Select<PaymentTable>("WHERE appointment_id = ? ORDER BY id"),
                                params);
}

Result<domain::Page<Payment>> SqlPaymentRepository::List(const PaymentFilter& filter,
                                                         const domain::PageRequest& page) {
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  if (filter.appointment_id) {
    where += " AND appointment_id = ?";
    params.emplace_back(*filter.appointment_id);
  }
  if (filter.patient_id) {
    where += " AND appointment_id IN (SELECT id FROM appointments WHERE patient_id = ?)";
    params.emplace_back(*filter.patient_id);
  }
  if (filter.status) {
    where += " AND status = ?";
    params.emplace_back(std::string(domain::Name(*filter.status)));
  }
  return QueryPage<PaymentTable>(c_, std::move(where), std::move(params), page);
}

Status SqlPaymentRepository::SetStatus(Id id, domain::PaymentStatus status,
                                       std::optional<Instant> paid_at) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("UPDATE payments SET status = ?, paid_at = COALESCE(?, paid_at) WHERE id = ?",
                 {Value{std::string(domain::Name(status))}, ToValue(paid_at), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Result<std::int64_t> SqlPaymentRepository::RefundedCents(Id payment_id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE refund_of_id = ?",
               {Value{payment_id}}));
  return rows.empty() ? 0 : rows.front().Int(0);
}

Result<std::vector<domain::CurrencyBalance>> SqlPaymentRepository::BalanceFor(Id appointment_id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT currency, "
               "COALESCE(SUM(CASE WHEN refund_of_id IS NULL AND paid_at IS NOT NULL "
               "THEN amount_cents ELSE 0 END), 0), "
               "COALESCE(SUM(CASE WHEN refund_of_id IS NOT NULL THEN amount_cents ELSE 0 END), 0) "
               "FROM payments WHERE appointment_id = ? GROUP BY currency ORDER BY currency",
               {Value{appointment_id}}));
  std::vector<domain::CurrencyBalance> balances;
  balances.reserve(rows.size());
  for (const auto& row : rows) balances.push_back({row.Text(0), row.Int(1), row.Int(2)});
  return balances;
}

}  // namespace clinic::storage::sql
