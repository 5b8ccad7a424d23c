#include "clinic/storage/sql/sql_working_hours_repository.hpp"

#include <chrono>

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {

Result<std::optional<domain::WorkingHours>> SqlWorkingHoursRepository::Get(Id doctor_id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT location_id, slot_minutes, horizon_days, weekday, start_minute, end_minute "
               "FROM working_hours WHERE doctor_id = ? ORDER BY weekday, start_minute, id",
               {Value{doctor_id}}));
  if (rows.empty()) return std::optional<domain::WorkingHours>{};
  domain::WorkingHours hours{.doctor_id = doctor_id,
                             .location_id = rows.front().Int(0),
                             .slot_minutes = static_cast<int>(rows.front().Int(1)),
                             .horizon_days = static_cast<int>(rows.front().Int(2))};
  for (const auto& row : rows) {
    hours.weekly.push_back({.weekday = static_cast<int>(row.Int(3)),
                            .start = std::chrono::minutes(row.Int(4)),
                            .end = std::chrono::minutes(row.Int(5))});
  }
  return std::optional<domain::WorkingHours>{std::move(hours)};
}

Result<std::vector<Id>> SqlWorkingHoursRepository::ListDoctorIds() {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows, c_.Query("SELECT DISTINCT doctor_id FROM working_hours ORDER BY doctor_id", {}));
  std::vector<Id> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row.Int(0));
  return ids;
}

Status SqlWorkingHoursRepository::Replace(const domain::WorkingHours& hours) {
  CLINIC_TRY_STATUS(
      c_.Execute("DELETE FROM working_hours WHERE doctor_id = ?", {Value{hours.doctor_id}}));
  for (const auto& interval : hours.weekly) {
    CLINIC_TRY_STATUS(c_.Execute(
        "INSERT INTO working_hours (doctor_id, location_id, slot_minutes, horizon_days, weekday, "
        "start_minute, end_minute) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {Value{hours.doctor_id}, Value{hours.location_id}, Value{std::int64_t{hours.slot_minutes}},
         Value{std::int64_t{hours.horizon_days}}, Value{std::int64_t{interval.weekday}},
         Value{std::int64_t{interval.start.count()}}, Value{std::int64_t{interval.end.count()}}}));
  }
  return Ok();
}

}  // namespace clinic::storage::sql
