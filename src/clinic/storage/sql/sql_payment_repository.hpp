#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The payments port over `payments`; a refund is a row of its own that names the payment it
// refunds. GetForUpdate row-locks the payment on MySQL.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlPaymentRepository final : public PaymentRepository {
 public:
  explicit SqlPaymentRepository(Connection& c) : c_(c) {}
  Result<domain::Payment> Create(const domain::Payment& payment) override;
  Result<domain::Payment> Get(Id id) override;
  Result<domain::Payment> GetForUpdate(Id id) override;
  Result<std::optional<domain::Payment>> FindByTransactionRef(const std::string& ref) override;
  Result<std::vector<domain::Payment>> ListForAppointment(Id appointment_id) override;
  Result<domain::Page<domain::Payment>> List(const PaymentFilter& filter,
                                             const domain::PageRequest& page) override;
  Status SetStatus(Id id, domain::PaymentStatus status, std::optional<Instant> paid_at) override;
  Result<std::int64_t> RefundedCents(Id payment_id) override;
  Result<std::vector<domain::CurrencyBalance>> BalanceFor(Id appointment_id) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
