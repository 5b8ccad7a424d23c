#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The patients port over `patients`. GetForUpdate row-locks the patient (BumpLockVersion).
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlPatientRepository final : public PatientRepository {
 public:
  explicit SqlPatientRepository(Connection& c) : c_(c) {}
  Result<domain::Patient> Create(const domain::Patient& patient) override;
  Result<domain::Patient> Get(Id id) override;
  Result<std::optional<domain::Patient>> FindByEmail(const std::string& email) override;
  Result<domain::Page<domain::Patient>> List(const PersonFilter& filter,
                                             const domain::PageRequest& page) override;
  Result<domain::Patient> Update(const domain::Patient& patient) override;
  Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) override;
  Result<domain::Patient> GetForUpdate(Id id) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
