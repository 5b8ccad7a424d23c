#include "clinic/storage/sql/sql_appointment_repository.hpp"

#include <fmt/format.h>

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

using domain::Appointment;

struct AppointmentTable {
  using Record = Appointment;
  static constexpr std::string_view kTable = "appointments";
  static constexpr std::string_view kNoun = "appointment";
  static constexpr std::string_view kColumns =
      "id, slot_id, doctor_id, patient_id, location_id, status, reason, notes, "
      "cancellation_reason, rescheduled_to_id, created_at, updated_at";
  static Appointment FromRow(const Row& r) {
    return Appointment{
        r.Int(0),
        r.Int(1),
        r.Int(2),
        r.Int(3),
        r.OptInt(4),
        domain::ParseAppointmentStatus(r.Text(5)).value_or(domain::AppointmentStatus::kScheduled),
        r.OptText(6),
        r.OptText(7),
        r.OptText(8),
        r.OptInt(9),
        InstantAt(r, 10),
        InstantAt(r, 11)};
  }
};

// The appointment columns (AppointmentTable order) plus the slot's times, the location's zone
// and name, the patient's and the doctor's names, and whether the patient's record is deleted.
constexpr std::string_view kAppointmentListingSelect =
    "SELECT a.id, a.slot_id, a.doctor_id, a.patient_id, a.location_id, a.status, a.reason, "
    "a.notes, a.cancellation_reason, a.rescheduled_to_id, a.created_at, a.updated_at, "
    "s.start_time_utc, s.end_time_utc, l.timezone, p.first_name, p.last_name, d.first_name, "
    "d.last_name, d.specialization, l.name, p.deleted_at "
    "FROM appointments a "
    "JOIN doctor_time_slots s ON s.id = a.slot_id "
    "JOIN patients p ON p.id = a.patient_id "
    "JOIN doctors d ON d.id = a.doctor_id "
    "LEFT JOIN clinic_locations l ON l.id = a.location_id";

domain::AppointmentListing ListingFromRow(const Row& row) {
  return {.appointment = AppointmentTable::FromRow(row),
          .start_time_utc = InstantAt(row, 12),
          .end_time_utc = InstantAt(row, 13),
          .timezone = row.OptText(14),
          .patient = {.first_name = row.Text(15), .last_name = row.Text(16)},
          .patient_deleted = !row.IsNull(21),
          .doctor = {.first_name = row.Text(17), .last_name = row.Text(18)},
          .doctor_specialization = row.Text(19),
          .location_name = row.OptText(20)};
}

}  // namespace

Result<Appointment> SqlAppointmentRepository::Create(const Appointment& a) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute(
          "INSERT INTO appointments (slot_id, doctor_id, patient_id, location_id, status, "
          "reason, notes) VALUES (?, ?, ?, ?, ?, ?, ?)",
          {Value{a.slot_id}, Value{a.doctor_id}, Value{a.patient_id}, ToValue(a.location_id),
           Value{std::string(domain::Name(a.status))}, ToValue(a.reason), ToValue(a.notes)}));
  return Get(result.last_insert_id);
}

Result<Appointment> SqlAppointmentRepository::Get(Id id) {
  return GetById<AppointmentTable>(c_, id);
}

Result<Appointment> SqlAppointmentRepository::GetForUpdate(Id id) {
  return GetById<AppointmentTable>(c_, id, RowLockSuffix(c_));
}

Result<domain::AppointmentListing> SqlAppointmentRepository::GetListing(Id id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format("{} WHERE a.id = ?", kAppointmentListingSelect), {Value{id}}));
  if (rows.empty()) return Fail(Error::NotFound(fmt::format("appointment {} not found", id)));
  return ListingFromRow(rows.front());
}

Result<std::optional<Appointment>> SqlAppointmentRepository::FindActiveBySlot(Id slot_id) {
  return QueryOne<AppointmentTable>(
      c_, Select<AppointmentTable>("WHERE " + ActiveAppointmentOfSlot(c_, "appointments", "?")),
      {Value{slot_id}});
}

Result<std::vector<domain::AppointmentListing>> SqlAppointmentRepository::List(
    const AppointmentFilter& filter) {
  std::string sql = fmt::format("{} WHERE 1 = 1", kAppointmentListingSelect);
  std::vector<Value> params;
  const auto match = [&](std::string_view column, const std::optional<Id>& value) {
    if (!value) return;
    sql += fmt::format(" AND {} = ?", column);
    params.emplace_back(*value);
  };
  match("a.patient_id", filter.patient_id);
  match("a.doctor_id", filter.doctor_id);
  match("a.location_id", filter.location_id);
  if (filter.status) {
    sql += " AND a.status = ?";
    params.emplace_back(std::string(domain::Name(*filter.status)));
  }
  if (!filter.include_deleted_patients) sql += " AND p.deleted_at IS NULL";
  AppendStartOrderedPage("s.start_time_utc", "a.id", filter.from, filter.to, filter.after,
                         filter.limit, sql, params);
  CLINIC_ASSIGN_OR_RETURN(auto rows, c_.Query(sql, params));
  std::vector<domain::AppointmentListing> listings;
  listings.reserve(rows.size());
  for (const auto& row : rows) listings.push_back(ListingFromRow(row));
  return listings;
}

Status SqlAppointmentRepository::SetStatus(Id id, domain::AppointmentStatus status) {
  CLINIC_ASSIGN_OR_RETURN(auto result,
                          c_.Execute("UPDATE appointments SET status = ? WHERE id = ?",
                                     {Value{std::string(domain::Name(status))}, Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Status SqlAppointmentRepository::SetNotes(Id id, const std::optional<std::string>& notes) {
  CLINIC_ASSIGN_OR_RETURN(auto result, c_.Execute("UPDATE appointments SET notes = ? WHERE id = ?",
                                                  {ToValue(notes), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Status SqlAppointmentRepository::Cancel(Id id, const std::optional<std::string>& reason) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute(
          "UPDATE appointments SET status = 'cancelled', cancellation_reason = ? WHERE id = ?",
          {ToValue(reason), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Status SqlAppointmentRepository::CancelAsRescheduled(Id id, Id rescheduled_to_id,
                                                     const std::string& reason) {
  CLINIC_ASSIGN_OR_RETURN(auto result,
                          c_.Execute("UPDATE appointments SET status = 'cancelled', "
                                     "cancellation_reason = ?, rescheduled_to_id = ? WHERE id = ?",
                                     {Value{reason}, Value{rescheduled_to_id}, Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Status SqlAppointmentRepository::MoveToSlot(Id id, const domain::Slot& slot) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute(
          "UPDATE appointments SET slot_id = ?, location_id = ? WHERE id = ? AND doctor_id = ?",
          {Value{slot.id}, ToValue(slot.location_id), Value{id}, Value{slot.doctor_id}}));
  if (result.affected_rows > 0) return Ok();
  CLINIC_TRY_STATUS(Get(id));
  return Fail(Error::FailedPrecondition(
      fmt::format("slot {} is another doctor's; appointment {} keeps its doctor", slot.id, id)));
}

Result<bool> SqlAppointmentRepository::PatientHasOverlap(Id patient_id, Instant start, Instant end,
                                                         std::optional<Id> except) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT 1 FROM appointments a JOIN doctor_time_slots s ON s.id = a.slot_id "
               "WHERE a.patient_id = ? AND a.status <> 'cancelled' AND a.id <> ? "
               "AND s.start_time_utc < ? AND s.end_time_utc > ? LIMIT 1",
               {Value{patient_id}, Value{except.value_or(0)}, ToValue(end), ToValue(start)}));
  return !rows.empty();
}

Result<bool> SqlAppointmentRepository::ExistsBetween(Id doctor_id, Id patient_id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT 1 FROM appointments WHERE doctor_id = ? AND patient_id = ? LIMIT 1",
               {Value{doctor_id}, Value{patient_id}}));
  return !rows.empty();
}

}  // namespace clinic::storage::sql
