#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The working-hours port over `working_hours`, one row per weekly interval; Replace rewrites
// all of a doctor's rows.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlWorkingHoursRepository final : public WorkingHoursRepository {
 public:
  explicit SqlWorkingHoursRepository(Connection& c) : c_(c) {}
  Result<std::optional<domain::WorkingHours>> Get(Id doctor_id) override;
  Status Replace(const domain::WorkingHours& hours) override;
  Result<std::vector<Id>> ListDoctorIds() override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
