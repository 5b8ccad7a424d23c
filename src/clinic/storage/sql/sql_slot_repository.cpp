#include "clinic/storage/sql/sql_slot_repository.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "clinic/storage/sql/sql_queries.hpp"
#include "clinic/storage/sql/sql_tables.hpp"

namespace clinic::storage::sql {

using domain::Slot;

Result<Slot> SqlSlotRepository::Create(const Slot& s) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO doctor_time_slots (doctor_id, location_id, start_time_utc, "
                 "end_time_utc, is_available) VALUES (?, ?, ?, ?, ?)",
                 {Value{s.doctor_id}, ToValue(s.location_id), ToValue(s.start_time_utc),
                  ToValue(s.end_time_utc), ToValue(s.is_available)}));
  return Get(result.last_insert_id);
}

Result<Slot> SqlSlotRepository::Get(Id id) { return GetById<SlotTable>(c_, id); }

Result<std::pair<Slot, domain::Doctor>> SqlSlotRepository::GetWithDoctor(Id id) {
  static const std::string sql = fmt::format(
      "SELECT {}, {} FROM doctor_time_slots s JOIN doctors d ON d.id = s.doctor_id WHERE s.id = ?",
      Qualified("s", SlotTable::kColumns), Qualified("d", DoctorTable::kColumns));
  CLINIC_ASSIGN_OR_RETURN(auto rows, c_.Query(sql, {Value{id}}));
  if (rows.empty()) return Fail(Error::NotFound(fmt::format("slot {} not found", id)));
  return std::pair{SlotTable::FromRow(rows.front()),
                   DoctorTable::FromRow(rows.front().From(ColumnCount(SlotTable::kColumns)))};
}

Result<std::vector<domain::DoctorSlotListing>> SqlSlotRepository::ListForDoctor(
    Id doctor_id, Instant from, Instant to, bool include_deleted_patients) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format("SELECT s.id, s.doctor_id, s.location_id, s.start_time_utc, "
                           "s.end_time_utc, s.is_available, s.created_at, s.updated_at, "
                           "l.timezone, a.id "
                           "FROM doctor_time_slots s "
                           "LEFT JOIN clinic_locations l ON l.id = s.location_id "
                           "LEFT JOIN appointments a ON {} AND (? = 1 OR a.patient_id IN "
                           "(SELECT id FROM patients WHERE deleted_at IS NULL)) "
                           "WHERE s.doctor_id = ? AND s.start_time_utc >= ? "
                           "AND s.start_time_utc < ? ORDER BY s.start_time_utc, s.id",
                           ActiveAppointmentOfSlot(c_, "a", "s.id")),
               {ToValue(include_deleted_patients), Value{doctor_id}, ToValue(from), ToValue(to)}));
  std::vector<domain::DoctorSlotListing> listings;
  listings.reserve(rows.size());
  for (const auto& row : rows) {
    listings.push_back({.slot = SlotTable::FromRow(row),
                        .timezone = row.OptText(8),
                        .appointment_id = row.OptInt(9)});
  }
  return listings;
}

Result<bool> SqlSlotRepository::Overlaps(Id doctor_id, Instant start, Instant end) {
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          c_.Query("SELECT 1 FROM doctor_time_slots WHERE doctor_id = ? AND "
                                   "start_time_utc < ? AND end_time_utc > ? LIMIT 1",
                                   {Value{doctor_id}, ToValue(end), ToValue(start)}));
  return !rows.empty();
}

Status SqlSlotRepository::SetAvailable(Id id, bool is_available) {
  CLINIC_ASSIGN_OR_RETURN(auto result,
                          c_.Execute("UPDATE doctor_time_slots SET is_available = ? WHERE id = ?",
                                     {ToValue(is_available), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Result<std::int64_t> SqlSlotRepository::SetAvailableInRange(Id doctor_id, Instant from, Instant to,
                                                            bool is_available) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute(fmt::format("UPDATE doctor_time_slots SET is_available = ? "
                             "WHERE doctor_id = ? AND start_time_utc >= ? AND start_time_utc < ? "
                             "AND is_available <> ? AND NOT EXISTS (SELECT 1 FROM appointments a "
                             "WHERE {})",
                             ActiveAppointmentOfSlot(c_, "a", "doctor_time_slots.id")),
                 {ToValue(is_available), Value{doctor_id}, ToValue(from), ToValue(to),
                  ToValue(is_available)}));
  return static_cast<std::int64_t>(result.affected_rows);
}

Status SqlSlotRepository::Delete(Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto result,
                          c_.Execute("DELETE FROM doctor_time_slots WHERE id = ?", {Value{id}}));
  if (result.affected_rows == 0) {
    return Fail(Error::NotFound(fmt::format("slot {} not found", id)));
  }
  return Ok();
}

Result<std::vector<domain::SlotListing>> SqlSlotRepository::Search(const SlotSearch& search) {
  // One statement: the doctor's state and the location's zone come from joins, and "free" is a
  // slot that the join to its active appointment (ActiveAppointmentOfSlot: one probe of a unique
  // index) finds none for, so a page costs one round trip. Not a NOT EXISTS: MariaDB may turn that
  // into NOT IN and read every appointment ever booked into a temporary table on each search,
  // while a LEFT JOIN keeps its order and probes the index per slot. The specialization is the
  // slot's copy of its doctor's (migration 0013), so a search by location and specialization
  // seeks idx_slot_location_specialization_start and reads only the slots it returns. The
  // (start_time_utc, id) keyset walks that index, idx_slot_location_start, idx_slot_start, or
  // idx_slot_doctor_start for one doctor.
  std::string sql =
      "SELECT s.id, s.doctor_id, s.location_id, s.start_time_utc, s.end_time_utc, "
      "s.is_available, s.created_at, s.updated_at, l.timezone "
      "FROM doctor_time_slots s "
      "JOIN doctors d ON d.id = s.doctor_id "
      "LEFT JOIN clinic_locations l ON l.id = s.location_id "
      "LEFT JOIN appointments a ON " +
      ActiveAppointmentOfSlot(c_, "a", "s.id") +
      " WHERE s.is_available = 1 AND d.is_active = 1 AND d.deleted_at IS NULL AND a.id IS NULL";
  std::vector<Value> params;
  if (search.doctor_id) {
    sql += " AND s.doctor_id = ?";
    params.emplace_back(*search.doctor_id);
  }
  if (search.specialization) {
    sql += " AND s.specialization = ?";
    params.emplace_back(*search.specialization);
  }
  if (search.location_id) {
    sql += " AND s.location_id = ?";
    params.emplace_back(*search.location_id);
  }
  // One lower bound, the later of "now" and `from`: with two, the planner may seek the index to
  // the earlier one and filter its way through every slot in between.
  const Instant from = search.from ? std::max(*search.from, search.not_before) : search.not_before;
  AppendStartOrderedPage("s.start_time_utc", "s.id", from, search.to, search.after, search.limit,
                         sql, params);
  CLINIC_ASSIGN_OR_RETURN(auto rows, c_.Query(sql, params));
  std::vector<domain::SlotListing> listings;
  listings.reserve(rows.size());
  for (const auto& row : rows) {
    listings.push_back({SlotTable::FromRow(row), row.OptText(8)});
  }
  return listings;
}

}  // namespace clinic::storage::sql
