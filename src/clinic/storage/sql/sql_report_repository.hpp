#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The reports port: read-only fact rows over slots, appointments and payments in a time window,
// each with the doctor and location dimensions.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlReportRepository final : public ReportRepository {
 public:
  explicit SqlReportRepository(Connection& c) : c_(c) {}
  Result<std::vector<SlotFact>> Slots(Instant from, Instant to) override;
  Result<std::vector<AppointmentFact>> Appointments(Instant from, Instant to) override;
  Result<std::vector<MoneyFact>> Money(Instant from, Instant to) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
