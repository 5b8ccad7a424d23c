#include "clinic/storage/sql/sql_report_repository.hpp"

#include <fmt/format.h>

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

// The dimensions of a report row, from the columns a report query selects after its own:
// timezone, doctor id, first and last name, specialization, location id, location name.
ReportDimensions DimensionsAt(const Row& row, std::size_t first) {
  return {.timezone = row.OptText(first),
          .doctor_id = row.Int(first + 1),
          .doctor_name = fmt::format("{} {}", row.Text(first + 2), row.Text(first + 3)),
          .specialization = row.Text(first + 4),
          .location_id = row.OptInt(first + 5),
          .location_name = row.OptText(first + 6)};
}

// The dimension columns (see DimensionsAt) for a row whose doctor is `d` and location `l`.
constexpr std::string_view kDimensionColumns =
    "l.timezone, d.id, d.first_name, d.last_name, d.specialization, l.id, l.name";

}  // namespace

Result<std::vector<SlotFact>> SqlReportRepository::Slots(Instant from, Instant to) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format("SELECT s.start_time_utc, s.is_available, "
                           "EXISTS (SELECT 1 FROM appointments a WHERE {}), {} "
                           "FROM doctor_time_slots s JOIN doctors d ON d.id = s.doctor_id "
                           "LEFT JOIN clinic_locations l ON l.id = s.location_id "
                           "WHERE s.start_time_utc >= ? AND s.start_time_utc < ?",
                           ActiveAppointmentOfSlot(c_, "a", "s.id"), kDimensionColumns),
               {ToValue(from), ToValue(to)}));
  std::vector<SlotFact> facts;
  facts.reserve(rows.size());
  for (const auto& row : rows) {
    facts.push_back({InstantAt(row, 0), row.Bool(1), row.Int(2) != 0, DimensionsAt(row, 3)});
  }
  return facts;
}

Result<std::vector<AppointmentFact>> SqlReportRepository::Appointments(Instant from, Instant to) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format("SELECT s.start_time_utc, a.status, {} "
                           "FROM appointments a JOIN doctor_time_slots s ON s.id = a.slot_id "
                           "JOIN doctors d ON d.id = a.doctor_id "
                           "LEFT JOIN clinic_locations l ON l.id = a.location_id "
                           "WHERE s.start_time_utc >= ? AND s.start_time_utc < ?",
                           kDimensionColumns),
               {ToValue(from), ToValue(to)}));
  std::vector<AppointmentFact> facts;
  facts.reserve(rows.size());
  for (const auto& row : rows) {
    facts.push_back({InstantAt(row, 0),
                     domain::ParseAppointmentStatus(row.Text(1))
                         .value_or(domain::AppointmentStatus::kScheduled),
                     DimensionsAt(row, 2)});
  }
  return facts;
}

Result<std::vector<MoneyFact>> SqlReportRepository::Money(Instant from, Instant to) {
  // A payment counts when it was paid, a refund when it was recorded.
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format(
                   "SELECT CASE WHEN p.refund_of_id IS NULL THEN p.paid_at ELSE p.created_at END, "
                   "p.amount_cents, p.currency, p.refund_of_id IS NOT NULL, {} "
                   "FROM payments p JOIN appointments a ON a.id = p.appointment_id "
                   "JOIN doctors d ON d.id = a.doctor_id "
                   "LEFT JOIN clinic_locations l ON l.id = a.location_id "
                   "WHERE (p.refund_of_id IS NULL AND p.paid_at >= ? AND p.paid_at < ?) "
                   "OR (p.refund_of_id IS NOT NULL AND p.created_at >= ? AND p.created_at < ?)",
                   kDimensionColumns),
               {ToValue(from), ToValue(to), ToValue(from), ToValue(to)}));
  std::vector<MoneyFact> facts;
  facts.reserve(rows.size());
  for (const auto& row : rows) {
    facts.push_back(
        {InstantAt(row, 0), row.Int(1), row.Text(2), row.Int(3) != 0, DimensionsAt(row, 4)});
  }
  return facts;
}

}  // namespace clinic::storage::sql
