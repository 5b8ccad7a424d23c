#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The appointments port over `appointments`, listings joined with the slot, the people and the
// location. GetForUpdate row-locks the appointment on MySQL.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlAppointmentRepository final : public AppointmentRepository {
 public:
  explicit SqlAppointmentRepository(Connection& c) : c_(c) {}
  Result<domain::Appointment> Create(const domain::Appointment& appointment) override;
  Result<domain::Appointment> Get(Id id) override;
  Result<domain::Appointment> GetForUpdate(Id id) override;
  Result<domain::AppointmentListing> GetListing(Id id) override;
  Result<std::optional<domain::Appointment>> FindActiveBySlot(Id slot_id) override;
  Result<std::vector<domain::AppointmentListing>> List(const AppointmentFilter& filter) override;
  Status SetStatus(Id id, domain::AppointmentStatus status) override;
  Status SetNotes(Id id, const std::optional<std::string>& notes) override;
  Status Cancel(Id id, const std::optional<std::string>& reason) override;
  Status CancelAsRescheduled(Id id, Id rescheduled_to_id, const std::string& reason) override;
  Status MoveToSlot(Id id, const domain::Slot& slot) override;
  Result<bool> PatientHasOverlap(Id patient_id, Instant start, Instant end,
                                 std::optional<Id> except) override;
  Result<bool> ExistsBetween(Id doctor_id, Id patient_id) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
