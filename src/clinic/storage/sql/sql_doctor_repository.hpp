#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The doctors port over `doctors`. GetForUpdate row-locks the doctor (BumpLockVersion); a
// specialization filter compares case-insensitively on both backends.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlDoctorRepository final : public DoctorRepository {
 public:
  explicit SqlDoctorRepository(Connection& c) : c_(c) {}
  Result<domain::Doctor> Create(const domain::Doctor& doctor) override;
  Result<domain::Doctor> Get(Id id) override;
  Result<std::optional<domain::Doctor>> FindByEmail(const std::string& email) override;
  Result<domain::Page<domain::Doctor>> List(const DoctorFilter& filter,
                                            const domain::PageRequest& page) override;
  Result<domain::Doctor> Update(const domain::Doctor& doctor) override;
  Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) override;
  Result<domain::Doctor> GetForUpdate(Id id) override;
  Status Lock(Id id) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
