#pragma once

#include <string_view>

#include "clinic/domain/entities.hpp"
#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {

// The doctors table as the query helpers (sql_queries.hpp) read it; shared by the repositories
// whose statements join it.
struct DoctorTable {
  using Record = domain::Doctor;
  static constexpr std::string_view kTable = "doctors";
  static constexpr std::string_view kNoun = "doctor";
  static constexpr std::string_view kColumns =
      "id, first_name, last_name, email, phone, specialization, bio, location_id, password_hash, "
      "is_active, created_at, updated_at, deleted_at";
  static domain::Doctor FromRow(const Row& r) {
    return domain::Doctor{r.Int(0),           r.Text(1), r.Text(2),        r.Text(3),
                          r.OptText(4),       r.Text(5), r.OptText(6),     r.OptInt(7),
                          r.Text(8),          r.Bool(9), InstantAt(r, 10), InstantAt(r, 11),
                          OptInstantAt(r, 12)};
  }
};

// The slots table, as DoctorTable.
struct SlotTable {
  using Record = domain::Slot;
  static constexpr std::string_view kTable = "doctor_time_slots";
  static constexpr std::string_view kNoun = "slot";
  static constexpr std::string_view kColumns =
      "id, doctor_id, location_id, start_time_utc, end_time_utc, is_available, created_at, "
      "updated_at";
  static domain::Slot FromRow(const Row& r) {
    return domain::Slot{r.Int(0),        r.Int(1),  r.OptInt(2),     InstantAt(r, 3),
                        InstantAt(r, 4), r.Bool(5), InstantAt(r, 6), InstantAt(r, 7)};
  }
};

}  // namespace clinic::storage::sql
