#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The slots port over `doctor_time_slots`; a slot is free when no active appointment holds it.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlSlotRepository final : public SlotRepository {
 public:
  explicit SqlSlotRepository(Connection& c) : c_(c) {}
  Result<domain::Slot> Create(const domain::Slot& slot) override;
  Result<domain::Slot> Get(Id id) override;
  Result<std::pair<domain::Slot, domain::Doctor>> GetWithDoctor(Id id) override;
  Result<std::vector<domain::DoctorSlotListing>> ListForDoctor(
      Id doctor_id, Instant from, Instant to, bool include_deleted_patients) override;
  Result<bool> Overlaps(Id doctor_id, Instant start, Instant end) override;
  Status SetAvailable(Id id, bool is_available) override;
  Result<std::int64_t> SetAvailableInRange(Id doctor_id, Instant from, Instant to,
                                           bool is_available) override;
  Status Delete(Id id) override;
  Result<std::vector<domain::SlotListing>> Search(const SlotSearch& search) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
