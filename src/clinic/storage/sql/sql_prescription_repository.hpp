#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The prescriptions port over `prescriptions`; a listing carries the id of the prescription that
// superseded it, if any.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlPrescriptionRepository final : public PrescriptionRepository {
 public:
  explicit SqlPrescriptionRepository(Connection& c) : c_(c) {}
  Result<domain::Prescription> Create(const domain::Prescription& prescription) override;
  Result<domain::Prescription> Get(Id id) override;
  Result<domain::PrescriptionListing> GetListing(Id id) override;
  Result<std::vector<domain::PrescriptionListing>> ListForPatient(Id patient_id) override;
  Result<std::vector<domain::PrescriptionListing>> ListForAppointment(Id appointment_id) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
